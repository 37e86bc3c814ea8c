#!/usr/bin/env bash
# seiswg's performance benchmark, one command: bash bench/run.sh [--quick]
#
# Builds what is missing (seiswg and seiswg-bench with CMake where the build tree belongs to this
# checkout; the plain CUDA port bench/cuda/fd2d.cu with nvcc where nvcc and an NVIDIA GPU are), then
# on the same card: checks the CUDA port against seiswg, measures the copy roof, SH and P-SV from 256²
# to the largest grid that fits (kernels, GPU timestamps per kernel, end to end), the same in CUDA,
# Seispie's small forward example, the solver object's gradient (problem::Problem, one shot, P-SV
# and SH at 1024^2-4096^2, every state on the GPU) and its shot batches (P-SV 201^2, 1 and 16 shots),
# Seispie's adjoint example as whole `seiswg run` processes, and prints a Markdown table. Writes results-<card>.md and
# results-<card>.jsonl into $OUT when set (the device tool), else into bench/.
# --quick: tiny grids only (a smoke test, e.g. on the CPU through lavapipe).
# SEISWG_BIN_DIR=DIR: use DIR/seiswg and DIR/seiswg-bench as they are (no build).
# On a bare GPU machine, carry .gl (libvulkan1 .deb; lib/: Cairo and segyio copies, see below), .deps/dawn and
# build/native/{seiswg,seiswg-bench}. SEISPIE_EXAMPLES=DIR: also run Seispie's inverse-checker from DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
[ "${1:-}" = "--quick" ] && quick=1
dest=${OUT:-$root/bench}
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { echo "== $*" >&2; }
# Seconds since the start, for the run-time rows of each section.
started=$(date +%s.%N)
section_start=$started
section_name=""
section() {  # closes the previous section (a "section" row), opens one named $1 ("" : none)
  local now
  now=$(date +%s.%N)
  [ -n "$section_name" ] && emit "{\"what\": \"section\", \"name\": \"$section_name\", \"seconds\": $(awk "BEGIN{print $now - $section_start}")}"
  section_name=$1
  section_start=$now
  [ -n "$1" ] && say "$1 ($(awk "BEGIN{printf \"%.0f\", $now - $started}") s in)"
  return 0
}

# The Vulkan loader, carried libraries and driver files of a bare GPU machine.
source bench/gpu_env.sh

# seiswg and seiswg-bench: rebuild where this checkout's build tree is (or none is), else use the
# carried binaries (a build tree configured elsewhere cannot be rebuilt in place).
bin=${SEISWG_BIN_DIR:-build/native}
cache_home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' $bin/CMakeCache.txt 2>/dev/null)
if [ -n "${SEISWG_BIN_DIR:-}" ]; then
  say "using $bin/seiswg and $bin/seiswg-bench as they are (SEISWG_BIN_DIR)"
elif command -v cmake >/dev/null && command -v ninja >/dev/null && { [ "$cache_home" = "$root" ] || [ ! -x $bin/seiswg-bench ]; }; then
  say "building seiswg and seiswg-bench"
  [ "$cache_home" = "$root" ] || rm -rf $bin
  { cmake --preset native >/dev/null && cmake --build $bin --target seiswg seiswg-bench; } >&2 ||
    say "build failed: using the binaries that are there, if any"
fi
[ -x $bin/seiswg-bench ] || { say "no $bin/seiswg-bench (build it: cmake --preset native && cmake --build build/native)"; exit 1; }

# The CUDA port, built here with nvcc for this card.
cuda=""
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
if [ -x "$nvcc" ] && nvidia-smi -L >/dev/null 2>&1; then
  mkdir -p build/cuda
  say "building bench/cuda/fd2d.cu with $nvcc"
  arch=native
  "$nvcc" -O3 -std=c++17 -arch=$arch -o build/cuda/fd2d bench/cuda/fd2d.cu >&2 || arch=sm_90
  if "$nvcc" -O3 -std=c++17 -arch=$arch -o build/cuda/fd2d bench/cuda/fd2d.cu >&2 &&
    "$nvcc" -O3 -std=c++17 -arch=$arch -DFD2D_RESTRICT -o build/cuda/fd2d_restrict bench/cuda/fd2d.cu >&2; then
    cuda=build/cuda/fd2d
  fi
fi

memory="?" driver="?"
if nvidia-smi -L >/dev/null 2>&1; then
  IFS=, read -r name memory driver < <(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)
else
  name=$($bin/seiswg info 2>/dev/null | sed -n '1s/ (.*//p')
fi
slug=$(echo "${name:-unknown}" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
# Results go straight to their file, so that a run cut short still leaves what it measured.
results=$dest/results-$slug.jsonl
: >"$results"
emit() { echo "$1" | tee -a "$results"; }
# What was measured: the commit (where git is) and a hash of every WGSL file (kernels change often).
commit="?"
if commit=$(git rev-parse --short HEAD 2>/dev/null); then
  [ -z "$(git status --porcelain -- src bench 2>/dev/null)" ] || commit="$commit+local changes"
fi
wgsl=$(find src -name '*.wgsl' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)
emit "{\"what\": \"card\", \"name\": \"${name:-unknown}\", \"memory\": \"${memory# }\", \"driver\": \"${driver# }\", \"date\": \"$(date -u +%F)\", \"commit\": \"$commit\", \"wgsl_sha256\": \"$wgsl\"}"

if [ $quick = 1 ]; then
  sizes_sh=64,128
  sizes_psv=64,128
  sizes_acoustic=64
  extra=(--copy-mib 64 --no-small)
  # The Problem rows: 64^2, 50 steps (and 100 for the marginal time), 4 shots.
  problem=(--gradient 64 --problem-nt 50 --shots 64:4)
else
  sizes_sh=256,512,1024,2048,4096,8192,16384
  sizes_psv=256,512,1024,2048,4096,8192,16384
  sizes_acoustic=1024,4096,8192
  extra=()
  # nt chosen in seiswg-bench: runs of ~0.3 s, the 2 nt states within 60% of the card.
  problem=(--gradient 1024,2048,4096 --shots 201:16)
fi

# 1. Correctness of the CUDA port: the same small cases in both, compared.
if [ -n "$cuda" ]; then
  section "CUDA port vs seiswg"
  $bin/seiswg-bench reference "$work/ref" >&2 && $cuda check "$work/ref" | tee -a "$results"
fi
# 2. CUDA timings (roof, kernels, small case), then seiswg's on the same card.
if [ -n "$cuda" ]; then
  section "CUDA timings"
  if [ $quick = 1 ]; then $cuda run --sh $sizes_sh --psv $sizes_psv --no-small; else $cuda run; fi | tee -a "$results"
  if [ $quick = 0 ]; then
    # Block shape sensitivity (seiswg's workgroups are 64 x 4, as the first CUDA run's blocks).
    for b in 32x8 128x2 256x1; do
      $cuda run --sh 4096 --psv 4096 --block $b --no-small --no-copy | grep '"forward"' | tee -a "$results"
    done
    # The same kernels with __restrict__ pointers (16384^2 left out: run time).
    build/cuda/fd2d_restrict run --sh 1024,4096 --psv 1024,4096,8192 --no-small --no-copy |
      grep '"forward"' | tee -a "$results"
  fi
fi
section "seiswg timings"
$bin/seiswg-bench run --sh $sizes_sh --psv $sizes_psv --acoustic $sizes_acoustic "${extra[@]}" | tee -a "$results"
if [ $quick = 0 ]; then
  # Experiment: Dawn without robust buffer access (bounds clamping on every storage access);
  # 16384^2 left out (run time).
  section "seiswg timings, Dawn robustness off"
  $bin/seiswg-bench run --sh 1024,4096 --psv 1024,4096,8192 --copy-mib 0 --no-small \
    --toggles disable_robustness,allow_unsafe_apis --variant no-robustness | grep '"forward"' | tee -a "$results"
fi

# The boundaries (taper, CPML) with the forward kernels in one pass and in two: its own file.
if [ $quick = 0 ]; then
  section "seiswg boundaries: taper and CPML, one and two passes"
  SEISWG_BIN_DIR=$bin bash bench/boundaries.sh "$dest/boundaries-$slug.jsonl"
fi

# 3. The solver object (problem::Problem): gradient of one shot on large grids, shot batches on a
# small one. Its own process, so that the stored states may take 60% of the card.
section "seiswg Problem: gradient and shots"
$bin/seiswg-bench run --sh "" --psv "" --no-small --adjoint "" --copy-mib 0 "${problem[@]}" |
  grep -v '"what": "device"' | tee -a "$results"
[ "${PIPESTATUS[0]}" = 0 ] || say "seiswg-bench (Problem rows) failed: the rows it did not write are missing"

# 4. The CLI end to end (whole process: device open, inputs, run, outputs).
cli() {  # label, case dir
  local t0 t1 line
  rm -rf "$2/output"
  t0=$(date +%s.%N)
  line=$($bin/seiswg run "$2" 2>&1 | grep '^seiswg:' | tail -1)
  t1=$(date +%s.%N)
  emit "{\"what\": \"cli\", \"case\": \"$1\", \"wall_s\": $(awk "BEGIN{print $t1 - $t0}"), \"summary\": \"${line//\"/}\"}"
}
if [ $quick = 0 ]; then
  section "seiswg run (CLI), forward"
  python3 bench/make_case.py "$work/seispie_fwd" --nx 201 --nz 201 --nt 4800 --sources 12 --h 1000 --dt 0.06 \
    --receivers 60 --combine no
  cli "201² × 4800 × 12 sources" "$work/seispie_fwd"
  if python3 -c 'import numpy' 2>/dev/null; then
    python3 bench/make_case.py "$work/sh4096" --nx 4096 --nz 4096 --nt 1000 --sh yes --psv no
    cli "SH 4096² × 1000" "$work/sh4096"
    python3 bench/make_case.py "$work/psv4096" --nx 4096 --nz 4096 --nt 1000 --sh no --psv yes
    cli "P-SV 4096² × 1000" "$work/psv4096"
  fi
fi

# 5. Seispie's adjoint example (bench/make_adjoint_case.py: 201², 4800 steps, 12 sources one run
# each, SH, observed data from model_true, then misfit and kernels of model_init): three whole
# `seiswg run` processes, wall clock.
section "seiswg run (CLI), Seispie's adjoint example"
if [ $quick = 1 ]; then
  adj=(--n 64 --nt 50 --sources 4 --receivers 20) adj_n=64 adj_nt=50 adj_sources=4
else
  adj=() adj_n=201 adj_nt=4800 adj_sources=12
fi
if python3 bench/make_adjoint_case.py "$work/seispie_adj" "${adj[@]}"; then
  walls=() status=ok summary="" plan=""
  for run in 1 2 3; do
    rm -rf "$work/seispie_adj/output"
    t0=$(date +%s.%N)
    $bin/seiswg run "$work/seispie_adj" >"$work/adj.log" 2>&1 || status="failed"
    t1=$(date +%s.%N)
    walls+=("$(awk "BEGIN{print $t1 - $t0}")")
    summary=$(grep '^seiswg:' "$work/adj.log" | tail -1)
    plan=$(grep '^seiswg: .* adjoint:' "$work/adj.log" | head -1)
    [ $status = ok ] || { summary=$(tail -3 "$work/adj.log" | tr '\n' ' '); break; }
  done
  best=$(printf '%s\n' "${walls[@]}" | sort -g | head -1)
  median=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(( (${#walls[@]} + 1) / 2 ))p")
  list=$(IFS=,; echo "${walls[*]}")
  emit "{\"what\": \"seispie_adjoint\", \"scheme\": \"SH\", \"n\": $adj_n, \"nt\": $adj_nt, \"sources\": $adj_sources, \"status\": \"$status\", \"runs\": ${#walls[@]}, \"walls_s\": [$list], \"wall_best_s\": $best, \"wall_median_s\": $median, \"plan\": \"${plan//\"/}\", \"summary\": \"${summary//\"/}\"}"
else
  emit "{\"what\": \"seispie_adjoint\", \"status\": \"failed\", \"summary\": \"bench/make_adjoint_case.py failed\"}"
fi
section ""
emit "{\"what\": \"section\", \"name\": \"whole run\", \"seconds\": $(awk "BEGIN{print $(date +%s.%N) - $started}")}"

python3 bench/report.py "$results" --command "bash bench/run.sh${1:+ $1}" >"$dest/results-$slug.md"
cat "$dest/results-$slug.md"
say "written: $dest/results-$slug.md"

# 6. Inversions (bench/inversion.sh): Seispie's inverse-checker when SEISPIE_EXAMPLES names a folder
# holding Seispie's examples, and examples/marmousi.
[ $quick = 1 ] || SEISWG_BIN_DIR=$bin bash bench/inversion.sh "${SEISPIE_EXAMPLES:-}"
