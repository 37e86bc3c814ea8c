#pragma once
// The live progress line of long runs (step, steps/s, ETA), on a terminal only; a watching front end
// (LiveView::progress, the web page) hears every update.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "app/live_view.hpp"

namespace seiswg::app {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  ~Progress() { done(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void show(const std::string& label, long done, long total, double elapsed) {
    if (const auto& watcher = live_view().progress) watcher(label, done, total);
    if (!enabled_) return;
    const double rate = elapsed > 0 ? double(done) / elapsed : 0;
    const double eta = rate > 0 ? double(total - done) / rate : 0;
    std::fprintf(stderr, "\r%s step %ld/%ld  %.0f steps/s  ETA %.1f s   ", label.c_str(), done, total, rate,
                 eta);
    std::fflush(stderr);
    shown_ = true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace seiswg::app
