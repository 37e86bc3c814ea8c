#!/usr/bin/env bash
# Builds the browser app (build/web/: index.html, seiswg.js, seiswg.wasm, ...) and serves it on this
# machine: open the printed URL in a browser with WebGPU (Chrome or Edge 113+, Safari 26; on Linux
# Chrome with --enable-unsafe-webgpu). Any static server works; the page fetches nothing but its own files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${PORT:-8000}
if ! command -v emcc >/dev/null; then bash scripts/setup.sh; fi
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
cmake --preset web >/dev/null
cmake --build --preset web -j "$(nproc)"
echo "seiswg in the browser: http://127.0.0.1:$port/index.html   (Ctrl-C stops the server)"
exec python3 -m http.server --bind 127.0.0.1 --directory build/web "$port"
