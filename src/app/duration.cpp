#include "app/duration.hpp"

#include <cmath>
#include <cstdio>

namespace seiswg::app {

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char text[64];
  // Decide on the rounded value, so that 59.97 s reads "1 min 0 s", not "60.0 s".
  if (std::round(seconds * 100) / 100 < 10) {
    std::snprintf(text, sizeof text, "%.2f s", seconds);
  } else if (std::round(seconds * 10) / 10 < 60) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (std::round(seconds) < 3600) {
    const long whole = std::lround(seconds);
    std::snprintf(text, sizeof text, "%ld min %ld s", whole / 60, whole % 60);
  } else {
    const long minutes = std::lround(seconds / 60);
    std::snprintf(text, sizeof text, "%ld h %ld min", minutes / 60, minutes % 60);
  }
  return text;
}

}  // namespace seiswg::app
