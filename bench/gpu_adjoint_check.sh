#!/usr/bin/env bash
# On a GPU machine: the 201^2 SH adjoint case with 12 sources (bench/make_adjoint_case.py) on the
# GPU, timed, and its misfit and kernels compared with a CPU (lavapipe) run's, kept in
# out/adj201_cpu. Carry .gl, .deps/dawn, build/native/seiswg, out/adj201 (the case, no output)
# and out/adj201_cpu.
set -uo pipefail
cd "$(dirname "$0")/.."
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
/usr/bin/time -f "adjoint 201^2 x 4800 x 12 sources wall %e s" build/native/seiswg run out/adj201
python3 - <<'PY'
import glob, os, numpy as np
def field(p):
    return np.fromfile(p, dtype="<f4", offset=4).astype(np.float64)
cpu_j = float(open("out/adj201_cpu/misfit.txt").read()); gpu_j = float(open("out/adj201/output/misfit.txt").read())
print("misfit CPU %.9e GPU %.9e relative difference %.2e" % (cpu_j, gpu_j, abs(cpu_j - gpu_j) / cpu_j))
worst = 0
for f in sorted(glob.glob("out/adj201_cpu/proc*.bin")):
    a = field(f); b = field("out/adj201/output/kernels/" + os.path.basename(f))
    e = np.linalg.norm(b - a) / np.linalg.norm(a); worst = max(worst, e)
    print("%s: GPU vs CPU relative L2 %.2e" % (os.path.basename(f), e))
print("worst kernel GPU vs CPU relative L2: %.2e (%s)" % (worst, "PASS <= 1e-4" if worst <= 1e-4 else "FAIL"))
PY
