#pragma once
#include <string_view>

namespace seiswg::wgsl {
// The text of a WGSL file of src/ (e.g. "physics/sh/sh.wgsl"), embedded at build time.
std::string_view source(std::string_view relative_path);
}  // namespace seiswg::wgsl
