#!/usr/bin/env bash
# On a GPU machine (device tool): how a rank's GPU is chosen at the Vulkan loader (docs/cluster.md).
# With the NVIDIA ICD and lavapipe loaded side by side and Mesa's device-select layer (from
# .deps/lavapipe) active, it lists the loader's devices and the machine's PCI display controllers,
# then shows which adapter Dawn gets (`seiswg info`, and a run of examples/layered) when nothing is set,
# when DRI_PRIME names the GPU's PCI address (what seiswg sets for a rank), and when
# MESA_VK_DEVICE_SELECT names lavapipe, and runs the GPU layer's PCI tests. Writes gpu-select-<card>.txt
# into $OUT (else bench/). Needs .gl (the libvulkan1 .deb; .gl/lib: the libraries lavapipe, the layer
# and seiswg need), .deps/dawn, .deps/lavapipe, build/native/seiswg and build/native/tests/seiswg_tests.
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/gpu_env.sh
root=$PWD/.deps/lavapipe/root
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$PWD/.gl/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export XDG_DATA_DIRS=$root/usr/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}
sed "s#\./root#$root#" .deps/lavapipe/lvp_icd.json >/tmp/seiswg_lvp_icd.json
export VK_DRIVER_FILES=${VK_DRIVER_FILES:+$VK_DRIVER_FILES:}/tmp/seiswg_lvp_icd.json
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr 'A-Z ' 'a-z-')
out=${OUT:-bench}/gpu-select-${card:-gpu}.txt
bin=build/native/seiswg
adapter_of_run() {  # the adapter named in the summary line of a run of the bundled example
  rm -rf examples/layered/output
  env "$@" $bin run --no-progress examples/layered 2>&1 | grep -o 'seiswg: .*, grid [0-9]' | sed 's/, grid [0-9]$//'
}
{
  echo "# $(date -u +%F) $(nvidia-smi --query-gpu=name,pci.bus_id,driver_version --format=csv,noheader)"
  echo "## PCI display (0x0300) and 3D (0x0302) controllers in sysfs"
  for d in /sys/bus/pci/devices/*; do
    case $(cat "$d/class") in 0x0300* | 0x0302*)
      echo "$(basename "$d") class $(cat "$d/class") vendor $(cat "$d/vendor") device $(cat "$d/device")" ;;
    esac
  done
  echo "## the loader's devices (MESA_VK_DEVICE_SELECT=list)"
  MESA_VK_DEVICE_SELECT=list $bin info 2>&1 | head -8
  echo "## seiswg info, nothing set"
  $bin info 2>&1 | grep -v '^ '
  bus=$(nvidia-smi --query-gpu=pci.bus_id --format=csv,noheader 2>/dev/null | head -1)  # 00000000:00:06.0
  domain=${bus%%:*}
  address=${domain: -4}:${bus#*:}
  tag=pci-$(echo "${address,,}" | tr ':.' '__')  # pci-0000_00_06_0, as select_gpu writes it
  echo "## DRI_PRIME=$tag MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 (what seiswg sets for a rank)"
  DRI_PRIME=$tag MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 $bin info 2>&1 | grep -v '^ '
  echo "run: $(adapter_of_run DRI_PRIME=$tag MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1)"
  echo "## MESA_VK_DEVICE_SELECT=10005:0 MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 (lavapipe)"
  MESA_VK_DEVICE_SELECT=10005:0 MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 $bin info 2>&1 | grep -v '^ '
  echo "run: $(adapter_of_run MESA_VK_DEVICE_SELECT=10005:0 MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1)"
  echo "## the GPU layer's PCI tests"
  build/native/tests/seiswg_tests --gtest_filter='GpuDevice.PciBusIdOrWhyNot:GpuDevice.VulkanGpus*' 2>&1 |
    grep -E '^\[ (pci|gpu) |OK \]|FAILED|Failure|Expected|Which is'
} 2>&1 | tee "$out"
