#!/usr/bin/env bash
# Forward rates with each boundary, the forward kernels in one pass and in two (the interior box
# without edge tests or hooks, then the frame: SEISWG_FORWARD_PASSES), one command:
#   bash bench/boundaries.sh [OUT.jsonl]
# Rows: SH, P-SV and acoustic at 1024^2, 2048^2 and 4096^2 with Seispie's taper (default) and with
# 20-node CPML layers on the same three sides (SEISWG_BENCH_CPML=1), each with SEISWG_FORWARD_PASSES
# = single and = split, and the WGSL copy roof in the same run. `variant` names the pair, e.g.
# "cpml-split". Called by bench/run.sh; SEISWG_BIN_DIR as there.
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/gpu_env.sh
bin=${SEISWG_BIN_DIR:-build/native}
out=${1:-${OUT:-bench}/boundaries.jsonl}
: >"$out"
sizes=${SEISWG_BOUNDARY_SIZES:-1024,2048,4096}
copy=1024  # the copy roof, once
for boundary in taper cpml; do
  for passes in single split; do
    cpml=0
    [ "$boundary" = cpml ] && cpml=1
    echo "== $boundary, $passes pass(es)" >&2
    SEISWG_BENCH_CPML=$cpml SEISWG_FORWARD_PASSES=$passes \
      $bin/seiswg-bench run --sh "$sizes" --psv "$sizes" --acoustic "$sizes" --no-small --adjoint "" \
      --copy-mib $copy --variant "$boundary-$passes" | tee -a "$out"
    copy=0
  done
done
