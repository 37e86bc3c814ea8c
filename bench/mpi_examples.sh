#!/usr/bin/env bash
# Every bundled forward and adjoint example on 1 process and on 2 and 3 ranks (mpirun --oversubscribe,
# as many lavapipe or GPU ranks as the machine gives), each in a fresh copy (with the example it
# inherits from): prints the wall time of each run and how the 2- and 3-rank outputs differ from the
# one-process run's (file lists; files not byte-identical; largest difference over the largest value
# of .npy traces and .bin kernels). Writes mpi-examples.txt into $OUT (else bench/). docs/cluster.md
# quotes it.
set -uo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bin=$PWD/build/native/seiswg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-bench}/mpi-examples.txt
{
  echo "# $(date -u +%F), $(nproc) CPU cores; $($bin --version 2>&1 | sed -n "s/^adapter: /adapter: /p" | head -1)"
  for pair in layered acoustic land cosserat layered-cpml:layered acoustic-cpml:acoustic layered-adjoint:layered; do
    ex=${pair%%:*}
    parent=${pair#*:}
    for n in 1 2 3; do
      w=$work/np$n
      rm -rf "$w" && mkdir -p "$w"
      cp -r "examples/$ex" "$w/" && rm -rf "$w/$ex/output"
      [ "$parent" != "$ex" ] && cp -r "examples/$parent" "$w/" && rm -rf "$w/$parent/output"
      start=$(date +%s.%N)
      if [ "$n" = 1 ]; then
        "$bin" run --no-progress "$w/$ex" >"$w.log" 2>&1
      else
        mpirun --oversubscribe --bind-to none -np "$n" "$bin" run --no-progress "$w/$ex" >"$w.log" 2>&1
      fi
      rc=$?
      printf '%s on %d rank(s): exit %d, wall %.1f s\n' "$ex" "$n" "$rc" "$(echo "$(date +%s.%N) - $start" | bc)"
      [ "$rc" = 0 ] || tail -3 "$w.log"
      rm -rf "$work/$ex-$n" && mv "$w/$ex/output" "$work/$ex-$n"
    done
    /usr/bin/python3 - "$work" "$ex" <<'PY'
import glob, os, sys
import numpy as np
work, ex = sys.argv[1], sys.argv[2]
def files(d):
    return sorted(os.path.relpath(f, d) for f in glob.glob(d + "/**", recursive=True) if os.path.isfile(f))
base = f"{work}/{ex}-1"
for n in (2, 3):
    other = f"{work}/{ex}-{n}"
    a_files, b_files = files(base), files(other)
    if a_files != b_files:
        print(f"  {n} ranks: file lists differ: {sorted(set(a_files) ^ set(b_files))}")
    worst, differ = 0.0, []
    for f in set(a_files) & set(b_files):
        a, b = open(f"{base}/{f}", "rb").read(), open(f"{other}/{f}", "rb").read()
        if a == b:
            continue
        if f.endswith(".npy"):
            x, y = np.load(f"{base}/{f}").astype(float), np.load(f"{other}/{f}").astype(float)
        elif f.endswith(".bin"):
            x, y = (np.frombuffer(v[4:], np.float32).astype(float) for v in (a, b))
        else:
            differ.append(f)
            continue
        e = np.abs(x - y).max() / max(np.abs(x).max(), 1e-300)
        worst = max(worst, e)
        differ.append(f"{f} {e:.1e}")
    print(f"  {n} ranks: {len(a_files)} files, {len(a_files) - len(differ)} byte-identical"
          + (f"; differ: {', '.join(sorted(differ))} (largest {worst:.1e} of the largest value)" if differ else ""))
PY
  done
} 2>&1 | tee "$out"
