#pragma once
// Times in summaries, as people read them: "2.35 s", "12.3 s", "1 min 30 s", "2 h 5 min".
#include <string>

namespace seiswg::app {

// Under 10 s: two decimals; under a minute: one; then whole minutes and seconds; from an hour on,
// hours and minutes. Negative or non-finite values read "0.00 s".
std::string duration_text(double seconds);

}  // namespace seiswg::app
