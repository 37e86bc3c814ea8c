#pragma once
// What a front end that watches a run (the web page) is told while it goes on: progress, fields as they
// are read back (snapshots, kernels, each inversion iteration's model) and the misfit of each iteration.
// The CLI sets none of these; a set one is called from the thread of the run, between GPU batches.
#include <functional>
#include <span>
#include <string>

#include "io/seispie_files.hpp"

namespace seiswg::app {

struct LiveView {
  std::function<void(const std::string& label, long done, long total)> progress;
  // `name` is the output's file stem (e.g. "proc000200_vy", "kmu", "iter_0002/vs"); values on `grid`.
  std::function<void(const std::string& name, int step, std::span<const float> values, const io::Grid& grid)>
      field;
  std::function<void(int iteration, double misfit)> misfit;
};

// The one LiveView of this process.
LiveView& live_view();

}  // namespace seiswg::app
