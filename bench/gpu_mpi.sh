#!/usr/bin/env bash
# Open MPI scale-out on a GPU machine (docs/cluster.md): a 12-source P-SV adjoint (1024^2, 2000 steps)
# and a 3-iteration P-SV inversion of it in one process and on N ranks, N = 2, 4, 8 up
# to the number of GPUs (with one GPU: 2 ranks sharing it). Each run: wall time, speed-up and
# efficiency against one process, each rank's adapter line, the largest utilisation nvidia-smi saw on
# each GPU during it, and its results against the one-process run (misfits; kernels or final model:
# largest difference over the largest value). Writes mpi-gpu-<card>.md into $OUT (else bench/).
# Open MPI: the machine's mpirun, else Debian's carried in .gl/ompi (the files of openmpi-bin,
# openmpi-common, libopenmpi3 and libpmix2 under usr/, their libraries in libs/), relocated with
# OPAL_PREFIX. PYTHON: a python3 with NumPy (default python3). Needs .gl, .deps/dawn and build/native/seiswg as docs/performance.md says.
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/gpu_env.sh
mpirun=mpirun
if ! command -v mpirun >/dev/null 2>&1 && [ -d .gl/ompi ]; then
  o=$PWD/.gl/ompi
  export OPAL_PREFIX=$o/usr PMIX_INSTALL_PREFIX=$o/usr/lib/x86_64-linux-gnu/pmix2 PATH=$o/usr/bin:$PATH
  export LD_LIBRARY_PATH=$o/libs:$o/usr/lib/x86_64-linux-gnu:$o/usr/lib/x86_64-linux-gnu/openmpi/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  mpirun=orterun  # Debian's mpirun is an alternatives link to it
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Shared memory between the ranks of one node; nothing else to probe in a VM.
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
bin=$PWD/build/native/seiswg
gpus=$(nvidia-smi -L 2>/dev/null | wc -l)
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
slug=$(echo "${card:-gpu}" | tr 'A-Z ' 'a-z-')
report=${OUT:-bench}/mpi-gpu-$slug.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
counts="1"
for n in 2 4 8; do [ "$n" -le "$gpus" ] && counts="$counts $n"; done
[ "$gpus" -le 1 ] && counts="1 2"
# SEISWG_MPI_N / SEISWG_MPI_NT: another grid and step count (a smoke test on lavapipe: 64 and 200).
n=${SEISWG_MPI_N:-1024}
nt=${SEISWG_MPI_NT:-2000}
python3 bench/make_adjoint_case.py "$work/adjoint" --n "$n" --nt "$nt" --sources 12 --psv
python3 bench/make_adjoint_case.py "$work/inversion" --n "$n" --nt "$nt" --sources 12 --psv --inversion 3

run_case() {  # case, ranks: runs it in a fresh copy, prints "wall" and keeps the log and outputs
  local c=$1 n=$2 w=$work/$1-$2
  rm -rf "$w" && cp -r "$work/$c" "$w"
  nvidia-smi --query-gpu=index,utilization.gpu --format=csv,noheader,nounits -lms 200 >"$w.util" 2>/dev/null &
  local sampler=$! t0 t1
  t0=$(date +%s.%N)
  if [ "$n" = 1 ]; then
    "$bin" run --no-progress "$w" >"$w.log" 2>&1
  else
    $mpirun --oversubscribe --bind-to none -np "$n" "$bin" run --no-progress "$w" >"$w.log" 2>&1
  fi
  local rc=$?
  t1=$(date +%s.%N)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  awk -v rc="$rc" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s %.2f\n", rc, b - a }'
}

{
  echo "## Open MPI on $gpus x ${card:-no GPU} ($(date -u +%F), $($mpirun --version 2>&1 | head -1))"
  echo
  echo "| case | ranks | exit | wall s | speed-up | efficiency | GPU utilisation seen (max %, per GPU) | vs one process |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$report"
for c in adjoint inversion; do
  base=""
  for n in $counts; do
    read -r rc wall < <(run_case "$c" "$n")
    [ -z "$base" ] && base=$wall
    util=$(awk -F', ' '{ if ($2 > m[$1]) m[$1] = $2 } END { for (g in m) printf "GPU %s: %s%%; ", g, m[g] }' "$work/$c-$n.util")
    cmp=$(${PYTHON:-python3} - "$work/$c-1/output" "$work/$c-$n/output" <<'PY'
import glob, os, sys
import numpy as np
a, b = sys.argv[1], sys.argv[2]
out = []
if os.path.exists(f"{a}/misfit.txt"):
    same = open(f"{a}/misfit.txt").read() == open(f"{b}/misfit.txt").read()
    out.append("misfit.txt " + ("identical" if same else "differs"))
if os.path.exists(f"{a}/misfit.csv"):  # every column but the seconds
    import csv
    rows = [list(csv.DictReader(open(f"{d}/misfit.csv"))) for d in (a, b)]
    keys = [k for k in rows[0][0] if k != "seconds"] if rows[0] else []
    same = len(rows[0]) == len(rows[1]) and all(r[k] == s[k] for r, s in zip(*rows) for k in keys)
    out.append(f"misfit.csv ({len(rows[0])} rows, all but seconds) " + ("identical" if same else "differs"))
worst = 0.0
for f in glob.glob(f"{a}/**/*.bin", recursive=True):
    g = b + f[len(a):]
    if not os.path.exists(g):
        out.append("missing " + os.path.relpath(f, a)); continue
    if os.path.basename(f) == "inversion_state.bin":  # the optimizer's saved state, not float32 samples;
        continue  # it holds wall seconds too: the models and misfit.csv are compared instead
    x = np.fromfile(f, np.float32)[1:].astype(float); y = np.fromfile(g, np.float32)[1:].astype(float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):  # max() would pass NaN over silently
        out.append("non-finite values in " + os.path.relpath(f, a)); continue
    peak = np.abs(x).max()
    worst = max(worst, np.abs(x - y).max() / peak if peak > 0 else np.abs(y).max())  # all zero: absolute
out.append(f".bin files within {worst:.1e}")
print("; ".join(out))
PY
)
    awk -v c="$c" -v n="$n" -v rc="$rc" -v w="$wall" -v b="$base" -v u="$util" -v m="$cmp" \
      'BEGIN { printf "| %s | %s | %s | %s | %.2f | %.0f%% | %s | %s |\n", c, n, rc, w, b / w, 100 * b / w / n, u, m }' >>"$report"
    grep -h -v -E "^\[rank [0-9]+/[0-9]+\] seiswg: .*PCI|^-+$|^$" "$work/$c-$n.log" | tail -8 |
      sed "s/^/    $c on $n: /" >>"$work/summaries"
    grep -h -E "^\[rank [0-9]+/[0-9]+\] seiswg: .*(PCI|no PCI)" "$work/$c-$n.log" | sort >>"$work/adapters"
    [ "$rc" = 0 ] || tail -5 "$work/$c-$n.log" >>"$work/adapters"
  done
done
{
  echo
  echo "Each rank's adapter line:"
  echo
  sort -u "$work/adapters" | sed 's/^/    /'
  echo
  echo "The runs' last lines:"
  echo
  cat "$work/summaries"
} >>"$report"
cat "$report"
