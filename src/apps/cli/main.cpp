// seiswg command line: `seiswg run CONFIG`, `seiswg info`.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "app/runs.hpp"
#include "gpu/device.hpp"
#include "io/error.hpp"

namespace {

constexpr const char* kUsage =
    R"(seiswg - finite-difference seismic wave solver on WebGPU (SH, P-SV, Cosserat)

usage:
  seiswg run CONFIG [options]   run a Seispie-style case (config.ini, or a folder holding one)
  seiswg check-gradient CONFIG  Taylor and dot-product tests of the case's gradient, as a table
  seiswg info                   list the GPU/CPU adapters this machine offers and their limits
  seiswg --help | COMMAND --help

Run `seiswg run --help` for the options of a run.
)";

constexpr const char* kRunUsage =
    R"(usage: seiswg run CONFIG [--adapter NAME] [--quiet] [--no-progress] [--restart]

CONFIG is a Seispie config.ini or a folder that holds one. Relative paths in it are resolved
against the folder of the config file that sets them (inherited settings: the parent's folder).

options:
  --adapter NAME   auto (default: discrete GPU, then integrated, then the CPU through lavapipe),
                   gpu, cpu, opengl, or part of an adapter's name as `seiswg info` prints it.
                   The environment variable SEISWG_ADAPTER does the same.
  --quiet          no summary line
  --no-progress    no live progress line (it is only shown on a terminal anyway)
  --restart        inversion: start over, replacing the saved run in the output folder (without it a
                   run continues where the saved one stopped)

Outputs (Seispie's layout): traces <output_traces>/u{y,x,z}_NNNNNN.npy (ry for spin), float32
[receivers, nt]; snapshots <output>/procNNNNNN_v{y,x,z}.bin every save_snapshot steps; PNG
pictures of the model, snapshots and gathers unless [solver] save_images = no.
)";

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g GiB", double(bytes) / double(1ull << 30));
  return text;
}

int info() {
  const auto adapters = seiswg::gpu::Device::list_adapters();
  if (adapters.empty()) {
    std::cout << "no WebGPU adapter found (run `bash scripts/setup.sh` to install the CPU fallback)\n";
    return 1;
  }
  for (const auto& a : adapters) {
    std::cout << a.summary() << "\n"
              << "  driver: " << a.driver << "\n"
              << "  max buffer: " << gib(a.limits.max_buffer_size)
              << ", max storage binding: " << gib(a.limits.max_storage_binding_size) << "\n"
              << "  storage buffers per stage: " << a.limits.max_storage_buffers_per_stage
              << ", workgroups per dimension: " << a.limits.max_workgroups_per_dimension
              << ", invocations per workgroup: " << a.limits.max_invocations_per_workgroup << "\n"
              << "  timestamp queries: " << (a.has_timestamps ? "yes" : "no") << "\n";
    if (a.memory_bytes > 0)
      std::cout << "  memory: " << gib(a.memory_bytes) << " (largest device-local heap)\n";
  }
  return 0;
}

int run(const std::vector<std::string>& args, bool check_gradient) {
  std::string config;
  seiswg::app::RunOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kRunUsage;
      return 0;
    } else if (a == "--adapter") {
      if (i + 1 >= args.size()) {
        std::cerr
            << "seiswg run: --adapter needs a NAME (auto, gpu, cpu, opengl or part of an adapter's name)\n";
        return 2;
      }
      options.adapter = args[++i];
    } else if (a.rfind("--adapter=", 0) == 0) {
      options.adapter = a.substr(10);
    } else if (a == "--quiet") {
      options.quiet = true;
    } else if (a == "--no-progress") {
      options.progress = false;
    } else if (a == "--restart") {
      options.restart = true;
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "seiswg run: unknown option " << a << "\n" << kRunUsage;
      return 2;
    } else if (config.empty()) {
      config = a;
    } else {
      std::cerr << "seiswg run: more than one CONFIG given (" << config << ", " << a << ")\n";
      return 2;
    }
  }
  if (config.empty()) {
    std::cerr << "seiswg run: missing CONFIG\n" << kRunUsage;
    return 2;
  }
  const auto c = seiswg::app::load_case(config);
  if (check_gradient) {
    if (c.mode == "forward")
      throw seiswg::InputError(c.config.file.string() +
                               ": check-gradient needs an adjoint or inversion case ([workflow] mode), with "
                               "observed data");
    return seiswg::app::run_check_gradient(c, options, std::cout) ? 0 : 4;
  }
  if (c.mode == "inversion")
    seiswg::app::run_inversion(c, options, std::cerr);
  else if (c.mode == "adjoint")
    seiswg::app::run_adjoint(c, options, std::cerr);
  else
    seiswg::app::run_forward(c, options, std::cerr);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  try {
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "run") return run(args, false);
    if (command == "check-gradient") return run(args, true);
    if (command == "info") {
      if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "usage: seiswg info\n\nLists the adapters (GPUs, and the CPU through lavapipe) with "
                     "their limits.\n";
        return 0;
      }
      return info();
    }
    std::cerr << "seiswg: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const seiswg::InputError& e) {
    std::cerr << "seiswg: error: " << e.what() << "\n";
    return 1;
  } catch (const seiswg::GpuError& e) {
    std::cerr << "seiswg: GPU error: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "seiswg: error: " << e.what() << "\n";
    return 1;
  }
}
