#!/usr/bin/env bash
# Installs what is missing, builds, runs the bundled example, then every test (on the CPU through
# lavapipe when the machine has no GPU).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/example.sh"
cd "$root"
ctest --preset native
