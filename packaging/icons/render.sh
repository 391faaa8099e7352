#!/usr/bin/env bash
# Renders every icon the packages ship from the two SVGs beside this script: the hicolor PNGs
# (Linux), the .ico (Windows, also embedded in the .exe), the .icns (macOS) and the window's
# own icon. The results are committed, so that building needs none of these tools; run this
# again after changing an SVG. Needs Debian's librsvg2-bin, icoutils and icnsutils.
set -euo pipefail
cd "$(dirname "$0")"
app=com.cin7planner.Cin7Planner
doc=application-x-cin7planner-project

render() { # render SVG SIZE OUT
    mkdir -p "$(dirname "$3")"
    rsvg-convert --width "$2" --height "$2" "$1" --output "$3"
}

rm -rf hicolor
for size in 16 24 32 48 64 128 256 512; do
    render "$app.svg" "$size" "hicolor/${size}x${size}/apps/$app.png"
    render "$doc.svg" "$size" "hicolor/${size}x${size}/mimetypes/$doc.png"
done
mkdir -p hicolor/scalable/apps hicolor/scalable/mimetypes
cp "$app.svg" hicolor/scalable/apps/
cp "$doc.svg" hicolor/scalable/mimetypes/

icotool --create --output ../windows/cin7-planner.ico \
    hicolor/{16x16,24x24,32x32,48x48,64x64,256x256}/apps/$app.png
icotool --create --output ../windows/cin7-planner-project.ico \
    hicolor/{16x16,24x24,32x32,48x48,64x64,256x256}/mimetypes/$doc.png
png2icns ../macos/Cin7Planner.icns \
    hicolor/{16x16,32x32,128x128,256x256,512x512}/apps/$app.png >/dev/null
png2icns ../macos/Cin7PlannerProject.icns \
    hicolor/{16x16,32x32,128x128,256x256,512x512}/mimetypes/$doc.png >/dev/null
# The window's icon (taskbar, Alt+Tab), embedded in the binary.
cp hicolor/256x256/apps/$app.png ../../assets/icon.png
