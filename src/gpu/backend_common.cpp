#include "gpu/backend_common.hpp"

#include <sstream>

#include "gpu/device.hpp"

namespace seiswg::gpu {

std::string format_bytes(std::uint64_t b) {
  std::ostringstream s;
  s.precision(3);
  if (b >= (1ull << 30))
    s << double(b) / double(1ull << 30) << " GiB";
  else
    s << double(b) / double(1ull << 20) << " MiB";
  return s.str();
}

std::string AdapterInfo::kind_name() const {
  switch (kind) {
    case AdapterKind::discrete:
      return "discrete GPU";
    case AdapterKind::integrated:
      return "integrated GPU";
    case AdapterKind::cpu:
      return "CPU";
    default:
      return "unknown";
  }
}
std::string AdapterInfo::summary() const { return name + " (" + kind_name() + ", " + backend + ")"; }

}  // namespace seiswg::gpu
