#!/bin/sh
# Configures, builds and runs the client in a fresh build directory. Args: [build dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$(mktemp -d)}
rm -rf "$build"
meson setup "$build" "$here" >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
ninja -C "$build" >>"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
"$build/client"
