#pragma once
// What this build can write. The browser build (cmake --preset web) is made without Cairo (PNG
// figures) and libsegyio (SU / SEG-Y traces): Debian has no WebAssembly build of either. Cases that
// ask for them there are told so in words, naming the setting.
#include <string>

namespace seiswg::io {

#ifdef SEISWG_WITH_CAIRO
inline constexpr bool kHasFigures = true;
#else
inline constexpr bool kHasFigures = false;
#endif
#ifdef SEISWG_WITH_SEGYIO
inline constexpr bool kHasTraceFiles = true;
#else
inline constexpr bool kHasTraceFiles = false;
#endif

inline std::string figures_unavailable() {
  return "PNG figures are not drawn in the browser build (Cairo has no WebAssembly build in Debian); the "
         "page draws the model, snapshots, gathers and kernels itself, and the command-line seiswg writes "
         "the PNG files";
}
inline std::string trace_files_unavailable() {
  return "SU and SEG-Y traces are not available in the browser build (libsegyio has no WebAssembly build "
         "in Debian): use trace_format = npy there, or the command-line seiswg";
}

}  // namespace seiswg::io
