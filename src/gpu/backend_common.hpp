#pragma once
// What the native (dawn_device.cpp) and web (web_device.cpp) GPU backends share beyond device.hpp.
#include <cstdint>
#include <string>

namespace seiswg::gpu {

// "1.5 GiB" / "256 MiB", for messages about buffer sizes and limits.
std::string format_bytes(std::uint64_t bytes);

// Device::read copies through one staging buffer of at most this size (larger reads go in pieces).
inline constexpr std::uint64_t kMaxStagingBytes = 256ull << 20;

}  // namespace seiswg::gpu
