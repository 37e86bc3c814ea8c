#!/usr/bin/env bash
# Installs what is missing, builds, and runs the bundled example (examples/layered).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
"$root/build/native/seiswg" run "$root/examples/layered"
echo "example outputs (traces, snapshots, PNG pictures): $root/examples/layered/output"
