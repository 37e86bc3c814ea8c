// The browser's entry point: web/seiswg_worker.js writes a case into the worker's MEMFS and calls
// seiswg_web_run; the same app layer as `seiswg run` reads it, runs it on the browser's WebGPU and
// writes the same files. Messages and what the run sees on the way go back to the worker through
// the Module hooks below.
#include <emscripten.h>

#include <iostream>
#include <sstream>
#include <string>

#include "app/case.hpp"
#include "app/interrupt.hpp"
#include "app/live_view.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "io/error.hpp"

namespace {

EM_JS(void, web_progress, (const char* label, double done, double total),
      { Module["seiswgOnProgress"](UTF8ToString(label), done, total); });
EM_JS(void, web_field,
      (const char* name, int step, const float* values, int nx, int nz, double dx, double dz), {
        Module["seiswgOnField"](UTF8ToString(name), step, HEAPF32.slice(values >> 2, (values >> 2) + nx * nz),
                                nx, nz, dx, dz);
      });
EM_JS(void, web_misfit, (int iteration, double misfit), { Module["seiswgOnMisfit"](iteration, misfit); });
EM_JS(void, web_finish, (int status, const char* kind, const char* message, const char* log),
      { Module["seiswgOnFinish"](status, UTF8ToString(kind), UTF8ToString(message), UTF8ToString(log)); });

void watch_run() {
  auto& view = seiswg::app::live_view();
  view.progress = [](const std::string& label, long done, long total) {
    web_progress(label.c_str(), double(done), double(total));
  };
  view.field = [](const std::string& name, int step, std::span<const float> values,
                  const seiswg::io::Grid& g) {
    if (values.size() == g.npt()) web_field(name.c_str(), step, values.data(), g.nx, g.nz, g.dx, g.dz);
  };
  view.misfit = [](int iteration, double misfit) { web_misfit(iteration, misfit); };
}

// Runs the case at `config_path` like `seiswg run CONFIG` (check_only: like `seiswg check CONFIG`, the
// plan printed to the log); the outcome goes to seiswgOnFinish: status 0 and the log, or the CLI's exit
// status with the kind of error and its message.
void run_case(const std::string& config_path, bool check_only) {
  std::ostringstream log;
  try {
    seiswg::app::RunOptions options;
    options.progress = true;  // reaches the page through LiveView; there is no terminal
    const auto c = seiswg::app::load_case(config_path);
    if (check_only) {
      seiswg::app::run_check(c, options, log);
      web_finish(0, "", "", log.str().c_str());
      return;
    }
    seiswg::app::check_outputs_spare_inputs(c);
    if (c.mode == "inversion")
      seiswg::app::run_inversion(c, options, log);
    else if (c.mode == "adjoint")
      seiswg::app::run_adjoint(c, options, log);
    else
      seiswg::app::run_forward(c, options, log);
    web_finish(0, "", "", log.str().c_str());
  } catch (const seiswg::app::Interrupted& e) {
    web_finish(130, "cancelled", ("cancelled during " + e.during).c_str(), log.str().c_str());
  } catch (const seiswg::InputError& e) {
    web_finish(1, "input", e.what(), log.str().c_str());
  } catch (const seiswg::GpuError& e) {
    web_finish(3, "gpu", e.what(), log.str().c_str());
  } catch (const std::exception& e) {
    web_finish(1, "error", e.what(), log.str().c_str());
  }
}

}  // namespace

extern "C" {
// Called by the worker (ccall, async: the run yields to the event loop at every GPU wait).
EMSCRIPTEN_KEEPALIVE void seiswg_web_run(const char* config_path, int check_only) {
  watch_run();
  run_case(config_path, check_only != 0);
}
}

// Not run (INVOKE_RUN=0): the worker calls seiswg_web_run once per case.
int main() { return 0; }
