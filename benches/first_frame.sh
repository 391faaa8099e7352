#!/usr/bin/env bash
# Start-up of the window: from the moment the process is started to its first frame drawn,
# for each binary given (e.g. target/release/cin7-planner target/dist/cin7-planner), cold (the
# page cache dropped first, so the binary is read from disk: needs root) and warm, under
# Xvfb. Prints each binary's size and the median of RUNS starts of each kind.
#
#   benches/first_frame.sh target/release/cin7-planner target/dist/cin7-planner
set -euo pipefail
runs=${RUNS:-7}
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" HOME="$work/home" CIN7_PLANNER_STATE_DIR="$work/state"
export CIN7_PLANNER_LOG=cin7_planner=info DISPLAY=:93
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"
Xvfb :93 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
sleep 1

# Seconds from the start of `$1` to its log's "first frame drawn".
one_start() {
    local log="$work/app.log" started
    : > "$log"
    started=$(date +%s.%N)
    "$1" > "$log" 2>&1 &
    local app=$!
    for _ in $(seq 600); do
        grep -q "first frame drawn" "$log" && break
        sleep 0.05
    done
    kill "$app" && wait "$app" 2>/dev/null || true
    python3 - "$started" "$log" <<'PY'
import sys, datetime
started = float(sys.argv[1])
line = next(l for l in open(sys.argv[2]) if "first frame drawn" in l)
at = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()
print(f"{at - started:.3f}")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for bin in "$@"; do
    size=$(stat -c %s "$bin")
    cold=$(for _ in $(seq "$runs"); do
        sync && echo 3 > /proc/sys/vm/drop_caches
        one_start "$bin"
    done | median)
    warm=$(for _ in $(seq "$runs"); do one_start "$bin"; done | median)
    printf '%s: %.1f MB; first frame cold %s s, warm %s s (median of %s)\n' \
        "$bin" "$(echo "$size / 1000000" | bc -l)" "$cold" "$warm" "$runs"
done
