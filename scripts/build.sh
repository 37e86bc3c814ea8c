#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh) and builds build/native/seiswg and the tests, and the
# browser build build/web/ (the static page, seiswg.js + seiswg.wasm).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
# Debian's emcc runs node tools that need Debian's node modules (acorn).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
cmake --preset web >/dev/null
cmake --build --preset web -j "$(nproc)"
