#include "app/live_view.hpp"

namespace seiswg::app {

LiveView& live_view() {
  static LiveView view;
  return view;
}

}  // namespace seiswg::app
