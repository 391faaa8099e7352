#!/usr/bin/env bash
# Makes "Cin7 Planner.app" from a built binary, on macOS (the release workflow): the binary,
# Info.plist with the version filled in, and the icons; signed ad hoc (see packaging/README.md
# for what a Developer ID signature would change). Then zips it for download.
#
#   packaging/macos/bundle.sh BINARY VERSION OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$1 version=$2 out=$3
app="$out/Cin7 Planner.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
install -m 755 "$binary" "$app/Contents/MacOS/cin7-planner"
sed "s/__VERSION__/$version/g" "$here/Info.plist" > "$app/Contents/Info.plist"
cp "$here/Cin7Planner.icns" "$here/Cin7PlannerProject.icns" "$app/Contents/Resources/"
plutil -lint "$app/Contents/Info.plist"
codesign --force --deep --sign - "$app"
codesign --verify --deep --strict "$app"
(cd "$out" && ditto -c -k --keepParent "Cin7 Planner.app" "cin7-planner-$version-macos-universal.zip")
