#!/usr/bin/env bash
# On a GPU machine: forward small-grid case (Seispie's forward example size) end to end, and the
# adjoint's forward and reverse loop times on a 1024^2 SH case (all states on the GPU).
set -uo pipefail
cd "$(dirname "$0")/.."
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
mkdir -p /tmp/cases
python3 bench/make_case.py /tmp/cases/small --nx 201 --nz 201 --nt 4800 --sources 12 --h 1000 --dt 0.06 --receivers 60 --combine no
for i in 1 2; do /usr/bin/time -f "small 201^2 x 4800 x 12 sources: wall %e s" build/native/seiswg run /tmp/cases/small; done
python3 bench/make_adjoint_case.py /tmp/cases/adj1024 --n 1024 --nt 400 --sources 1 --receivers 100
build/native/seiswg run /tmp/cases/adj1024
sed -i 's/^\[path\]/adjoint_storage = checkpoint\n\n[path]/' /tmp/cases/adj1024/config.ini
build/native/seiswg run /tmp/cases/adj1024
