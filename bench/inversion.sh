#!/usr/bin/env bash
# Inversion timings, one command: bash bench/inversion.sh [SEISPIE_EXAMPLES]
#
# 1. Seispie's examples/inverse-checker exactly as Seispie ships it (it inherits examples/adjoint and
#    examples/forward; 201², 4800 steps, 12 SH sources, 132 stations, its raw float32 observed traces,
#    10 L-BFGS iterations): the whole `seiswg run` process, wall clock. SEISPIE_EXAMPLES is a folder
#    holding Seispie's examples/{forward,adjoint,inverse-checker} (github.com/icui/seispie); the
#    section is skipped without it. Also the misfit of forward/model_true against those traces (an
#    adjoint run there): ~0 relative to the starting model's when the traces are what seiswg computes.
# 2. examples/marmousi (P-SV 401 x 101, 16 shots, 1700 steps, 3 stages x 10 L-BFGS iterations): wall
#    clock, seconds per iteration and per evaluation (misfit and gradient of the 16 shots).
# Writes inversion-<card>.md and the runs' misfit.csv and final models into $OUT when set (the device
# tool), else into bench/. SEISWG_BIN_DIR=DIR: use DIR/seiswg (default build/native).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dest=${OUT:-$root/bench}
mkdir -p "$dest"
bin=${SEISWG_BIN_DIR:-build/native}
examples=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The Vulkan loader, carried libraries and driver files of a bare GPU machine.
source bench/gpu_env.sh
card=$($bin/seiswg info 2>/dev/null | head -1)
slug=$(echo "$card" | sed 's/ (.*//; s/[^A-Za-z0-9]\+/-/g; s/^-//; s/-$//' | tr 'A-Z' 'a-z')
report="$dest/inversion-${slug:-unknown}.md"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
{
  echo "## Inversion on $card (seiswg $commit, $(date -u +%Y-%m-%d))"
  echo
  echo "| case | wall s (whole process) | iterations | evaluations | s per evaluation | misfit at the end of each stage / its start | model error: first → last |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$report"

# Runs `seiswg run` on folder $2 (label $1), appends a row, keeps misfit.csv and the last model.
invert() {
  local label=$1 dir=$2 t0 t1 log=$work/$(basename "$2").log
  rm -rf "$dir/output"
  t0=$(date +%s.%N)
  $bin/seiswg run --no-progress "$dir" >"$log" 2>&1
  local status=$?
  t1=$(date +%s.%N)
  cat "$log" >&2
  local wall=$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")
  local csv=$dir/output/misfit.csv
  local name=$(basename "$dir")
  if [ $status -ne 0 ] || [ ! -f "$csv" ]; then
    echo "| $label | failed ($status) | | | | | |" >>"$report"
    return
  fi
  cp "$csv" "$dest/$name-misfit.csv"
  local last=$(ls -d "$dir"/output/iter_* | tail -1)
  # One archive (the device tool brings back a limited number of files): the start, the last
  # iteration and the pictures.
  (cd "$dir/output" && tar -cf "$dest/$name-models.tar" iter_0000 "$(basename "$last")" $(ls *.png 2>/dev/null))
  local per=$(sed -n 's/.* of \([0-9.]*\) s each.*/\1/p' "$log" | tail -1)
  local evals=$(sed -n 's/.*; [^;]*, \([0-9]*\) evaluations (misfit.*/\1/p' "$log" | tail -1)
  # Misfit: J / J at the stage's start after each stage's last iteration (stages filter differently).
  awk -F, -v label="$label" -v wall="$wall" -v per="$per" -v evals="$evals" '
    NR == 2 { e0 = $9 } NR > 1 { last[$2] = $4; e = $9; it = $1; if ($2 > stages) stages = $2 }
    END { err = (e0 != "") ? sprintf("%.4f → %.4f", e0, e) : "–"; rel = "";
          for (k = 1; k <= stages; ++k) rel = rel (k > 1 ? ", " : "") sprintf("%.3g", last[k]);
          printf "| %s | %s | %d | %s | %s | %s | %s |\n", label, wall, it, evals, per, rel, err }' \
    "$csv" >>"$report"
}

if [ -n "$examples" ] && [ -f "$examples/inverse-checker/config.ini" ]; then
  cp -r "$examples/forward" "$examples/adjoint" "$examples/inverse-checker" "$work/"
  invert "Seispie examples/inverse-checker (SH 201² × 4800 steps × 12 sources, 10 L-BFGS iterations)" \
    "$work/inverse-checker"
  # The same case with observed data computed by seiswg in forward/model_true (Seispie's shipped
  # traces are stale: see docs/performance.md), as Seispie's inverse-smile does (traces = no).
  mkdir -p "$work/inverse-checker-true"
  printf '[workflow]\ninherit = inverse-checker\n\n[path]\noutput = output\ntraces = no\n' \
    >"$work/inverse-checker-true/config.ini"
  invert "the same, observed data computed in forward/model_true ([path] traces = no)" "$work/inverse-checker-true"
  # The traces' own model: an adjoint run of forward/model_true against them.
  mkdir -p "$work/truecheck"
  printf '[workflow]\nmode = adjoint\ninherit = inverse-checker\n\n[solver]\nsave_images = no\n\n[path]\noutput = output\nmodel_init = ../forward/model_true\n' \
    >"$work/truecheck/config.ini"
  $bin/seiswg run --no-progress "$work/truecheck" >&2 &&
    note="Misfit of Seispie's shipped traces at forward/model_true (seiswg's synthetics): $(cat "$work/truecheck/output/misfit.txt"); at the starting model: $(sed -n '2p' "$work/inverse-checker/output/misfit.csv" 2>/dev/null | cut -d, -f3)."
fi
cp -r examples/marmousi "$work/marmousi"
invert "examples/marmousi (P-SV 401 × 101 × 1700 steps × 16 shots, 3 stages × 10 L-BFGS iterations)" "$work/marmousi"
[ -n "${note:-}" ] && printf '\n%s\n' "$note" >>"$report"
cat "$report"
echo "== written: $report" >&2
