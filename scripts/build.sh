#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh) and builds build/native/seiswg and the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
