#!/usr/bin/env bash
# Builds the Linux packages and checks them as a planner's machine would meet them:
#   1. the binary (profile "release" by default, "dist" for a release: PROFILE=dist), the .deb
#      (cargo-deb) and the .tar.gz, into target/packages;
#   2. the desktop entry, the MIME type and the AppStream metainfo validated;
#   3. the .deb installed with apt into a clean Debian root (debootstrap, cached between runs),
#      and there: --version, a headless import of the demo account by the CLI, the MIME type of
#      *.cin7plan and the app it opens with, the window started on that project under Xvfb
#      (with a screenshot), and the package removed leaving no file behind.
# Needs root (chroot), network to Debian's mirror, and Debian's debootstrap, dpkg-dev,
# desktop-file-utils, appstream, libxml2-utils, xvfb, xauth, xdotool and imagemagick; cargo-deb
# on the PATH. Prints the packages' sizes and how long each part took.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${PROFILE:-release}
out=target/packages
cache=${CIN7_PLANNER_DEBIAN_ROOT:-/var/cache/cin7-planner/bookworm-root}
app=com.cin7planner.Cin7Planner
mime=application/x-cin7planner-project
version=$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
started=$SECONDS
step() { echo "== package: $1 ($((SECONDS - started)) s in)"; }
fail() { echo "package: $1" >&2; exit 1; }

step "building the $profile binary and the .deb"
# NO_BUILD=1 packages the binary already built (the release workflow builds it unprivileged).
[ "${NO_BUILD:-}" = 1 ] || cargo build --profile "$profile" --locked --bin cin7-planner
rm -rf "$out" && mkdir -p "$out"
cargo deb --profile "$profile" --no-build --locked --strip --output "$out/" >/dev/null
deb=$(ls "$out"/*.deb)
dpkg-deb --contents "$deb" | awk '{print $6}' > "$out/deb-contents.txt"
for wanted in ./usr/bin/cin7-planner "./usr/share/applications/$app.desktop" \
    "./usr/share/mime/packages/$app.xml" "./usr/share/metainfo/$app.metainfo.xml" \
    "./usr/share/icons/hicolor/48x48/apps/$app.png" \
    "./usr/share/icons/hicolor/scalable/apps/$app.svg" \
    "./usr/share/icons/hicolor/256x256/mimetypes/${mime/\//-}.png"; do
    grep -qxF "$wanted" "$out/deb-contents.txt" || fail "the .deb lacks $wanted"
done

step "the .tar.gz"
tree="cin7-planner-$version-x86_64-linux"
stage="$out/$tree"
mkdir -p "$stage/bin" "$stage/share/applications" "$stage/share/mime/packages" \
    "$stage/share/metainfo" "$stage/share/icons"
install -m 755 "target/$profile/cin7-planner" "$stage/bin/"
strip "$stage/bin/cin7-planner"
cp "packaging/linux/$app.desktop" "$stage/share/applications/"
cp "packaging/linux/$app.xml" "$stage/share/mime/packages/"
cp "packaging/linux/$app.metainfo.xml" "$stage/share/metainfo/"
cp -r packaging/icons/hicolor "$stage/share/icons/"
cp packaging/linux/install.sh README.md "$stage/"
tar -C "$out" -czf "$out/$tree.tar.gz" "$tree"
rm -rf "$stage"

step "validating the desktop entry, the MIME type and the metainfo"
desktop-file-validate "packaging/linux/$app.desktop"
appstreamcli validate --no-net "packaging/linux/$app.metainfo.xml"
xmllint --noout "packaging/linux/$app.xml"
grep -q "<release version=\"$version\"" "packaging/linux/$app.metainfo.xml" ||
    fail "the metainfo has no release $version (Cargo.toml's version)"

step "a clean Debian root"
if [ ! -x "$cache/usr/bin/apt-get" ]; then
    rm -rf "$cache.partial" && mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase bookworm "$cache.partial" http://deb.debian.org/debian >/dev/null
    rm -rf "$cache" && mv "$cache.partial" "$cache"
fi
work=$(mktemp -d)
root="$work/root"
xvfb=""
cleanup() {
    # Whatever the checks started in the root, also when one of them failed.
    for pid in "$root"/tmp/*.pid; do
        if [ -f "$pid" ]; then kill "$(cat "$pid")" 2>/dev/null || true; fi
    done
    if [ -n "$xvfb" ]; then kill "$xvfb" 2>/dev/null || true; fi
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cp -a "$cache" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
# What the checks themselves use: neither a dependency of the app nor one of its libraries.
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    shared-mime-info desktop-file-utils libglib2.0-bin >/dev/null

step "installing the .deb with what it declares"
cp "$deb" "$root/tmp/"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$(basename "$deb")" >/dev/null

step "the CLI in the clean root: --version and the demo account imported"
printed=$(in_root cin7-planner --version)
case "$printed" in
    "cin7-planner $version ("*")") echo "  $printed" ;;
    *) fail "--version printed \"$printed\"" ;;
esac
in_root sh -c 'cin7-planner sandbox --port 0 --rate-limits none >/tmp/sandbox.log 2>&1 & echo $! >/tmp/sandbox.pid'
url=""
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/api' "$root/tmp/sandbox.log" 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$root/tmp/sandbox.log"; fail "the packaged sandbox did not start"; }
in_root env CIN7_API_KEY=sandbox-demo-key cin7-planner import --username demo \
    --start 2025-01-01 --group-by month --tz Europe/London \
    --base-url "$url" --rate-limits none --out /root/demo.cin7plan
kill "$(cat "$root/tmp/sandbox.pid")"
in_root cin7-planner inspect /root/demo.cin7plan | sed -n 1,3p

step "the MIME type: *.cin7plan is a project, opened by the app"
type=$(in_root gio info -a standard::content-type /root/demo.cin7plan |
    awk '/standard::content-type/ {print $2}')
[ "$type" = "$mime" ] || fail "demo.cin7plan is $type, not $mime"
grep -q "^$mime=.*$app.desktop" "$root/usr/share/applications/mimeinfo.cache" ||
    fail "no desktop entry opens $mime"
in_root gio mime "$mime" | sed -n 1p

step "the window on the project under Xvfb"
# A display number Xvfb finds free, over TCP so that the root reaches it without a shared
# socket folder.
Xvfb -displayfd 3 -screen 0 1280x800x24 -listen tcp -ac 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    sleep 0.1
done
[ -s "$work/display" ] || { cat "$work/xvfb.log"; fail "Xvfb did not start"; }
n=$(tr -d '[:space:]' < "$work/display")
# The window connects over TCP: wait until Xvfb answers there too (once, on a busy machine,
# the window found no X server right after the display number came).
for _ in $(seq 100); do
    DISPLAY="127.0.0.1:$n" xdotool getdisplaygeometry >/dev/null 2>&1 && break
    sleep 0.1
done
DISPLAY="127.0.0.1:$n" xdotool getdisplaygeometry >/dev/null 2>&1 ||
    { cat "$work/xvfb.log"; fail "Xvfb does not answer over TCP"; }
mkdir -p "$root/tmp/run" && chmod 700 "$root/tmp/run"
in_root env DISPLAY="127.0.0.1:$n" XDG_RUNTIME_DIR=/tmp/run \
    sh -c 'cin7-planner /root/demo.cin7plan >/tmp/window.log 2>&1 & echo $! >/tmp/window.pid'
shown=""
for _ in $(seq 300); do
    if DISPLAY=":$n" xdotool search --onlyvisible --name "demo.cin7plan" >/dev/null 2>&1; then
        shown=yes && break
    fi
    sleep 0.1
done
[ -n "$shown" ] || { cat "$root/tmp/window.log"; fail "the window did not show the project"; }
sleep 3
import -display ":$n" -window root "$out/window.png"
# The window's class is the app's id, which the desktop entry's StartupWMClass names.
DISPLAY=":$n" xdotool search --onlyvisible --class "$app" >/dev/null ||
    fail "the window's class is not $app"
kill "$(cat "$root/tmp/window.pid")" 2>/dev/null || true
echo "  the window showed demo.cin7plan, class $app (screenshot $out/window.png)"

step "removing the package"
in_root dpkg -L cin7-planner > "$work/installed.txt"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq cin7-planner >/dev/null
# Its own files, and what the desktop's caches made of them (the planner's projects and the
# state folder in the home folder stay, as with any package).
left=$(while read -r path; do
    [ -f "$root$path" ] || [ -L "$root$path" ] && echo "$path"
done < "$work/installed.txt"
in_root find / -xdev \( -path /proc -o -path /root -o -path /tmp \) -prune -o \
    -iname '*cin7*' -print
grep -rl cin7plan "$root/usr/share/mime" "$root/usr/share/applications" 2>/dev/null || true)
[ -z "$left" ] || fail "removing the package left files behind: $left"
echo "  no file of its $(wc -l < "$work/installed.txt") paths is left, nor a cache entry"

step "done"
ls -l "$out"/*.deb "$out"/*.tar.gz | awk '{printf "  %s: %.1f MB\n", $9, $5 / 1e6}'
