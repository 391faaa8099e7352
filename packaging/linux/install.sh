#!/bin/sh
# Installs Cin7 Planner from this folder for the current user (under ~/.local), with its menu
# entry, icons and project file type; `./install.sh --uninstall` removes what it installed.
# The .deb is the better choice on Debian and Ubuntu: it also brings the libraries the window
# needs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
app=com.cin7planner.Cin7Planner
files="bin/cin7-planner share/applications/$app.desktop share/mime/packages/$app.xml
share/metainfo/$app.metainfo.xml"
icons=$(cd "$here/share" && find icons -type f)

if [ "${1:-}" = "--uninstall" ]; then
    for f in $files; do rm -f "$prefix/$f"; done
    for f in $icons; do rm -f "$prefix/share/$f"; done
    echo "Cin7 Planner removed from $prefix (projects and settings are kept)."
else
    for f in $files; do install -D "$here/$f" "$prefix/$f"; done
    for f in $icons; do install -D -m 644 "$here/share/$f" "$prefix/share/$f"; done
    echo "Cin7 Planner installed in $prefix/bin; it is in your applications menu."
fi
# Let the desktop know, where it has the tools (a bare system may not).
update-mime-database "$prefix/share/mime" 2>/dev/null || true
update-desktop-database "$prefix/share/applications" 2>/dev/null || true
gtk-update-icon-cache -t "$prefix/share/icons/hicolor" 2>/dev/null || true
