#!/bin/sh
# Configures, builds and runs the client in a fresh build directory. Args: [build dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$(mktemp -d)}
rm -rf "$build"
# --force-fallback-for: always the subproject, even where an installed backflow.pc exists.
meson setup --force-fallback-for=backflow "$build" "$here" >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
ninja -C "$build" >>"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
"$build/client"
