#pragma once
// What this build can write. The browser build (cmake --preset web) is made without libsegyio (SU /
// SEG-Y traces): Debian has no WebAssembly build of it. Cases that ask for them there are told so in
// words, naming the setting. (PNG figures are drawn in both builds: io/painter.hpp.)
#include <string>

namespace seiswg::io {

#ifdef SEISWG_WITH_SEGYIO
inline constexpr bool kHasTraceFiles = true;
#else
inline constexpr bool kHasTraceFiles = false;
#endif

inline std::string trace_files_unavailable() {
  return "SU and SEG-Y traces are not available in the browser build (libsegyio has no WebAssembly build "
         "in Debian): use trace_format = npy there, or the command-line seiswg";
}

}  // namespace seiswg::io
