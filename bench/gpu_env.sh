# Sourced by the bench scripts (from the repository root): what a bare GPU machine lacks.
# Vulkan loader and GLVND: a bare machine has the NVIDIA driver but neither the loader nor the GLVND
# libraries its ICD (libGLX_nvidia) needs ("Found no drivers" without them). .gl holds their .debs:
# libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 (apt-get download).
if ! ldconfig -p | grep -q 'libvulkan\.so\.1' || ! ldconfig -p | grep -q 'libGLdispatch\.so\.0'; then
  for f in .gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig
fi
# Cairo, segyio, Open MPI (and their libraries) where the machine has none: .gl/lib holds copies taken
# from the build machine (`ldd build/native/seiswg`), used only when a library is missing.
if [ -d .gl/lib ] && ldd "${SEISWG_BIN_DIR:-build/native}/seiswg" 2>/dev/null | grep -q 'not found'; then
  export LD_LIBRARY_PATH="$PWD/.gl/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
[ -f "$VK_DRIVER_FILES" ] || unset VK_DRIVER_FILES
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
