#!/usr/bin/env bash
# Installs what seiswg needs on Debian 12, from apt and npm only. Idempotent; needs root for apt.
# Project-private pieces go to .deps/ (git-ignored):
#   .deps/dawn/libwebgpu_wrapper.so   Dawn (WebGPU C API) from npm bun-webgpu-linux-x64@0.1.7, integrity-checked
#   .deps/lavapipe/                   Mesa 25 lavapipe (Vulkan on the CPU) from bookworm-backports, unpacked
#                                     privately: the system's apt configuration and Mesa stay untouched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps=$root/.deps
mkdir -p "$deps"

# emscripten (3.1.6) builds the web page's wasm; chromium runs its browser tests headless.
apt_packages=(g++ cmake ninja-build pkg-config libcairo2-dev libgtest-dev libgmock-dev libsegyio-dev python3-segyio libopenmpi-dev openmpi-bin libvulkan1 libvulkan-dev mesa-vulkan-drivers openssl ca-certificates emscripten chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm usually comes with Node.js (whose package conflicts with Debian's npm); take Debian's only if absent.
if ! command -v npm >/dev/null; then
  apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# Dawn, checked against the npm registry's published sha512 integrity.
if [ ! -f "$deps/dawn/libwebgpu_wrapper.so" ]; then
  echo "setup: fetching Dawn (npm bun-webgpu-linux-x64@0.1.7)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent bun-webgpu-linux-x64@0.1.7 >/dev/null)
  want='UEP7UZdEhx9otvkZczjsszL8ZVlrODANQvgl+C88/bNVmxDoFi7w1fWzGi1sZyakiETjmtFDq2/xCLhbSZxjqw=='
  got=$(openssl dgst -sha512 -binary "$tmp"/bun-webgpu-linux-x64-0.1.7.tgz | base64 -w0)
  if [ "$got" != "$want" ]; then
    echo "setup: integrity mismatch for bun-webgpu-linux-x64-0.1.7.tgz (got $got)" >&2
    exit 1
  fi
  mkdir -p "$tmp/x" "$deps/dawn"
  tar xzf "$tmp"/bun-webgpu-linux-x64-0.1.7.tgz -C "$tmp/x" --strip-components=1
  cp "$tmp/x/libwebgpu_wrapper.so" "$deps/dawn/"
  rm -rf "$tmp"
fi

# lavapipe from Mesa 25 (Debian 12's own Mesa 22.3 lavapipe lacks features this Dawn requires).
if [ ! -f "$deps/lavapipe/lvp_icd.json" ]; then
  echo "setup: fetching lavapipe (mesa-vulkan-drivers from bookworm-backports)"
  work=$(mktemp -d)
  mkdir -p "$work"/parts "$work"/lists/partial "$work"/cache "$work"/debs
  sed -n '1,/^$/p' /etc/apt/sources.list.d/debian.sources | sed -E 's/^Suites: .*/Suites: bookworm-backports/' >"$work"/parts/bpo.sources
  apt_private=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work"/parts
    -o Dir::State::Lists="$work"/lists -o Dir::Cache="$work"/cache)
  apt-get "${apt_private[@]}" update -qq
  (cd "$work"/debs && apt-get "${apt_private[@]}" download mesa-vulkan-drivers/bookworm-backports \
    libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports 2>&1 | grep -v 'unsandboxed' || true)
  rm -rf "$deps/lavapipe.tmp" && mkdir -p "$deps/lavapipe.tmp/root"
  for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$deps/lavapipe.tmp/root"; done
  # A relative library_path is resolved against this manifest's folder by the Vulkan loader.
  cat >"$deps/lavapipe.tmp/lvp_icd.json" <<JSON
{ "file_format_version": "1.0.0",
  "ICD": { "library_path": "./root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so", "api_version": "1.4.305" } }
JSON
  rm -rf "$work" "$deps/lavapipe"
  mv "$deps/lavapipe.tmp" "$deps/lavapipe"
fi
# playwright-core (package-lock.json) drives Debian's chromium in the browser tests; it downloads no browser.
if [ ! -f "$root/node_modules/playwright-core/package.json" ]; then
  echo "setup: installing playwright-core (npm ci)"
  (cd "$root" && npm ci --silent --no-audit --no-fund >/dev/null)
fi
echo "setup: ok"
