#pragma once
// The one way steps reach the GPU: many steps per command buffer, and the host looking at the run
// state only between batches (progress, blow-up, requested stops). Used by the forward, adjoint and
// Born loops.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "gpu/device.hpp"

namespace seiswg::solver {

// Steps recorded into one command buffer: bounded so that recording memory stays flat for very long
// runs, large enough that submitting costs nothing next to the steps.
inline constexpr int kStepsPerSubmit = 256;

// Records `steps` steps through `record_step(commands)`, kStepsPerSubmit per command buffer, and
// submits them (does not wait).
template <class RecordStep>
void record_steps(gpu::Device& device, int steps, RecordStep&& record_step) {
  for (int done = 0; done < steps;) {
    const int n = std::min(kStepsPerSubmit, steps - done);
    auto commands = device.record();
    for (int step = 0; step < n; ++step) record_step(commands);
    device.submit(std::move(commands));
    done += n;
  }
}

struct BlowUp {
  bool happened = false;
  std::uint32_t step = 0;
  std::uint32_t node = 0;  // index within the field plane (shot * npt + node)
  // Where the pass stopped: the steps it had run when the blow-up was found (0: at its end), so
  // that a message can say the rest was not computed.
  std::uint32_t found_after = 0;
};

// A run that went unstable, with its BlowUp: the caller that knows the shots names shot and node.
struct BlowUpError : std::runtime_error {
  BlowUpError(const std::string& what, const BlowUp& b) : std::runtime_error(what), blow_up(b) {}
  BlowUp blow_up;
};

// What a caller may watch while a loop runs: `progress(steps done)` between batches of about
// `interval` seconds of GPU work, and `stop(step)` once the clock has reached each step of `stops`
// (after the GPU finished it; snapshots read fields there).
struct LoopWatch {
  std::function<void(int done)> progress;
  double interval_seconds = 0.25;
  int stop_every = 0;  // stop after every step s with s > 0 and s % stop_every == 0 (Seispie's snapshots)
  std::function<void(int step)> stop;
};

// Runs `total` steps: `advance(n)` records and submits n steps, `poll(&blow_up)` reads the run
// state (one read, waits for the GPU) and returns the completed steps. Batches grow to about
// `watch.interval_seconds` of work. Returns the blow-up record (happened = false when none); the
// loop ends at the first blow-up it sees.
template <class Advance, class Poll>
BlowUp watched_loop(int total, const LoopWatch& watch, Advance&& advance, Poll&& poll) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  int done = 0, batch = 100;
  BlowUp blow_up;
  while (done < total) {
    int stop = std::min(total, done + batch);
    if (watch.stop_every > 0) {
      // The stop after step s (0-based, s > 0, s % every == 0) comes when s + 1 steps are done.
      int next = (done + watch.stop_every - 1) / watch.stop_every * watch.stop_every;
      if (next == 0) next = watch.stop_every;
      if (next + 1 < stop) stop = next + 1;
    }
    advance(stop - done);
    done = int(poll(&blow_up));
    if (blow_up.happened) return blow_up;
    const int last_step = done - 1;
    if (watch.stop && watch.stop_every > 0 && last_step > 0 && last_step % watch.stop_every == 0)
      watch.stop(last_step);
    if (watch.progress) watch.progress(done);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed > 0) batch = std::clamp(int(watch.interval_seconds * double(done) / elapsed), 100, 10000);
  }
  return blow_up;
}

}  // namespace seiswg::solver
