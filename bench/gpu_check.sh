#!/usr/bin/env bash
# On a GPU machine (device tool): runs the bundled example on the GPU, compares its traces with a
# CPU run's (out/cpu_layered, made here by `seiswg run examples/layered --adapter cpu`), and times
# a few forward cases. Needs .gl (libvulkan1 .deb), .deps/dawn and build/native/seiswg carried.
set -uo pipefail
cd "$(dirname "$0")/.."
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
[ -f "$VK_DRIVER_FILES" ] || unset VK_DRIVER_FILES
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
bin=build/native/seiswg
$bin info
rm -rf examples/layered/output
/usr/bin/time -f "example wall %e s" $bin run examples/layered
python3 - <<'PY'
import glob, os, numpy as np
worst = 0
for f in sorted(glob.glob("out/cpu_layered/*.npy")):
    cpu = np.load(f).astype(np.float64); gpu = np.load("examples/layered/output/traces/" + os.path.basename(f)).astype(np.float64)
    e = np.linalg.norm(gpu - cpu) / np.linalg.norm(cpu); worst = max(worst, e)
    print("%s: GPU vs CPU relative L2 %.2e" % (os.path.basename(f), e))
print("worst GPU vs CPU relative L2: %.2e (%s)" % (worst, "PASS <= 1e-5" if worst <= 1e-5 else "FAIL"))
PY
mkdir -p /tmp/cases
python3 bench/make_case.py /tmp/cases/seispie_fwd --nx 201 --nz 201 --nt 4800 --sources 12 --h 1000 --dt 0.06 --receivers 60 --combine no
/usr/bin/time -f "seispie-like 201^2 x 4800 x 12 sources wall %e s" $bin run /tmp/cases/seispie_fwd
for n in 1024 4096; do
  python3 bench/make_case.py /tmp/cases/sh$n --nx $n --nz $n --nt 1000 --sh yes --psv no
  $bin run /tmp/cases/sh$n
  python3 bench/make_case.py /tmp/cases/psv$n --nx $n --nz $n --nt 1000 --sh no --psv yes
  $bin run /tmp/cases/psv$n
done
