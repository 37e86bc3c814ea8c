// seiswg command line: `seiswg run CONFIG`, `seiswg check CONFIG`, `seiswg info`, `seiswg --version`.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "app/interrupt.hpp"
#include "app/ranks.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "gpu/device.hpp"
#include "io/error.hpp"

namespace {

constexpr const char* kUsage =
    R"(seiswg - finite-difference seismic wave solver on WebGPU (SH, P-SV, Cosserat)

usage:
  seiswg run CONFIG [options]   run a Seispie-style case (config.ini, or a folder holding one)
  seiswg check CONFIG           read and check everything, print the plan (grid, dt, memory, time)
  seiswg check-gradient CONFIG  Taylor and dot-product tests of the case's gradient, as a table
  seiswg info                   list the GPU/CPU adapters this machine offers and their limits
  seiswg --version              version, commit, Dawn package and the adapter a run would use
  seiswg --help | COMMAND --help

Run `seiswg run --help` for the options of a run.
)";

constexpr const char* kCheckUsage =
    R"(usage: seiswg check CONFIG [--adapter NAME]

Reads and checks the case as `seiswg run` would (config, model, sources, stations, observed traces)
and prints the plan: medium, grid, nt and dt with its stability limit, points per wavelength at the
sources' highest frequency (2.5 x the Ricker f0; a warning below 5), shots and batches with the GPU
memory they need, the adjoint storage plan, and a rough run time. Runs and writes nothing.
Exit status: 0 (warnings included: they are printed), 1-3 (errors, as for run).
)";

constexpr const char* kRunUsage =
    R"(usage: seiswg run CONFIG [--adapter NAME] [--quiet | --verbose] [--no-progress] [--restart]

CONFIG is a Seispie config.ini or a folder that holds one. Relative paths in it are resolved
against the folder of the config file that sets them (inherited settings: the parent's folder).

options:
  --adapter NAME   auto (default: discrete GPU, then integrated, then the CPU through lavapipe),
                   gpu, cpu, opengl, or part of an adapter's name as `seiswg info` prints it.
                   The environment variable SEISWG_ADAPTER does the same.
  --quiet          no summary line
  --verbose        first print the plan `seiswg check` prints (grid, dt, points per wavelength,
                   memory, storage, a rough run time)
  --no-progress    no live progress line (it is only shown on a terminal anyway)
  --restart        inversion: start over, replacing the saved run in the output folder (without it a
                   run continues where the saved one stopped)

Outputs (Seispie's layout; written all at once at the end: a failed run leaves nothing behind)
  every mode:
    PNG pictures of the model, snapshots, gathers and kernels unless [solver] save_images = no
  forward (mode = forward):
    <output_traces>/u{y,x,z}_NNNNNN.npy   traces (ry for spin), float32 [receivers, nt], one file
                                          per component and run (NNNNNN: 0, or the source index)
    <output_traces>/u{y,x,z}_NNNNNN.su    the same as Seismic Unix, and .sgy as SEG-Y rev 1, with
                                          [solver] trace_format = npy, su, segy (any of them)
    <output>/procNNNNNN_v{y,x,z}.bin      snapshots every save_snapshot steps (_srcK per source)
    <output>/proc000000_{x,z}.bin         node coordinates with save_coordinates = yes
  adjoint (mode = adjoint):
    <output>/misfit.txt                   the misfit J between synthetics and observed data
    <output>/kernels/proc000000_k<name>.bin  exact sensitivity kernels dJ/dmodel (kmu, krho, kvs,
                                          kvp, krho_velocity, ...), and k<name>.png
    <output>/proc000000_k<name>.bin       Seispie's copies, smoothed by [solver] smooth (sigma in
                                          grid points; unsmoothed when 0)
  inversion (mode = inversion):
    <output>/iter_NNNN/                   the model of each iteration (every model file, PNGs)
    <output>/misfit.csv                   misfit, step and model error of every iteration
    <output>/inversion_state.bin          the saved state: running again continues from it
)";

#ifndef SEISWG_VERSION
#error "SEISWG_VERSION, SEISWG_GIT_COMMIT and SEISWG_DAWN_PACKAGE come from CMake"
#endif

int version() {
  std::cout << "seiswg " << SEISWG_VERSION;
  if (std::strlen(SEISWG_GIT_COMMIT) > 0) std::cout << " (commit " << SEISWG_GIT_COMMIT << ")";
  std::cout << "\nDawn (WebGPU): npm " << SEISWG_DAWN_PACKAGE << "\n";
  try {
    const auto device = seiswg::gpu::Device::open({});
    std::cout << "adapter: " << device->adapter().summary() << "\n";
  } catch (const std::exception& e) {
    std::cout << "adapter: none (" << e.what() << ")\n";
  }
  return 0;
}

// Output folders a failed run made and left empty are removed again: only folders that did not exist
// before the run, and only while they hold no file.
class NewFolders {
 public:
  explicit NewFolders(const std::vector<std::filesystem::path>& folders) {
    for (auto dir : folders) {
      std::error_code ec;
      dir = std::filesystem::absolute(dir, ec).lexically_normal();
      // The outermost folder the run would make.
      std::filesystem::path outermost;
      for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec) && p != p.parent_path();
           p = p.parent_path())
        outermost = p;
      if (!outermost.empty()) made_.push_back(outermost);
    }
  }
  ~NewFolders() {
    if (!kept_)
      for (const auto& dir : made_) remove_empty(dir);
  }
  void keep() { kept_ = true; }

 private:
  static void remove_empty(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec) || std::filesystem::is_symlink(dir, ec)) return;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) remove_empty(entry.path());
    if (std::filesystem::is_empty(dir, ec)) std::filesystem::remove(dir, ec);
  }
  std::vector<std::filesystem::path> made_;
  bool kept_ = false;
};

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

enum class Command { run, check, check_gradient };

// The ranks of this run once MPI is started (this process alone otherwise), for the failure message.
seiswg::app::Ranks ranks;

// A run under mpirun, or one whose config says `[workflow] mpi = yes`, is one rank of a job: its
// share of the sources, a quiet log but for its adapter line (rank 0 prints the summaries).
void join_ranks(seiswg::app::RunOptions& options) {
  if (!ranks.distributed() && seiswg::app::Ranks::available()) ranks = seiswg::app::Ranks::start_mpi();
  options.ranks = ranks;
  if (!ranks.is_root()) options.quiet = true, options.progress = false, options.verbose = false;
}

int run(const std::vector<std::string>& args, Command command) {
  const char* usage = command == Command::check ? kCheckUsage : kRunUsage;
  const std::string name = command == Command::check            ? "seiswg check"
                           : command == Command::check_gradient ? "seiswg check-gradient"
                                                                : "seiswg run";
  std::string config;
  seiswg::app::RunOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    } else if (a == "--adapter") {
      if (i + 1 >= args.size()) {
        std::cerr << name
                  << ": --adapter needs a NAME (auto, gpu, cpu, opengl or part of an adapter's name)\n";
        return 2;
      }
      options.adapter = args[++i];
    } else if (a.rfind("--adapter=", 0) == 0) {
      options.adapter = a.substr(10);
    } else if (a == "--quiet") {
      options.quiet = true;
    } else if (a == "--verbose") {
      options.verbose = true;
    } else if (a == "--no-progress") {
      options.progress = false;
    } else if (a == "--restart") {
      options.restart = true;
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << name << ": unknown option " << a << "\n" << usage;
      return 2;
    } else if (config.empty()) {
      config = a;
    } else {
      std::cerr << name << ": more than one CONFIG given (" << config << ", " << a << ")\n";
      return 2;
    }
  }
  if (config.empty()) {
    std::cerr << name << ": missing CONFIG\n" << usage;
    return 2;
  }
  // check and check-gradient plan or test the whole case in one process: on N ranks they would run N
  // times over, each printing the same tables (or, if spread, the plan of one rank's share only).
  // Refused under mpirun: rank 0 alone says so and fails the job (mpirun's status is its 2); the other
  // ranks end quietly and successfully, so that mpirun does not abort the job, killing rank 0 or
  // cutting into its line, before rank 0 has written it. One write: the ranks share the terminal.
  const auto refuse_ranks = [](const std::string& message) {
    if (seiswg::app::Ranks::launched_rank() != 0) return 0;
    std::cerr << message + "\n" << std::flush;
    return 2;
  };
  const std::string ranks_text = "mpirun -np " + std::to_string(seiswg::app::Ranks::launched_size());
  if (command != Command::run && seiswg::app::Ranks::launched_size() > 1)
    return refuse_ranks(name + ": does not run on several ranks (" + ranks_text + "): it " +
                        (command == Command::check ? "plans" : "tests") +
                        " the whole case in one process (all its sources); run `" + name + " " + config +
                        "` without mpirun");
  // A build without MPI cannot split the sources: under mpirun -np N each process would run the
  // whole case, N times over into the same output folders. Refused as above, by rank 0 alone.
  if (command == Command::run && seiswg::app::Ranks::launched_size() > 1 && !seiswg::app::Ranks::available())
    return refuse_ranks(name +
                        ": this seiswg was built without Open MPI, so it cannot share the sources of " +
                        config + " over the ranks of " + ranks_text +
                        " (each would run the whole case into the same outputs); rebuild with libopenmpi-dev "
                        "installed (scripts/setup.sh), or run it without mpirun");
  // Before the case is read: a signal while the model loads stops the run at its first batch.
  if (command == Command::run) seiswg::app::install_interrupt_handlers();
  // Under mpirun MPI starts before the case is read, so that a bad input seen by one rank ends the job.
  if (command == Command::run && seiswg::app::Ranks::launched_by_mpirun()) join_ranks(options);
  // A large grid is checked against the adapter the run will use before its values are read.
  const auto c = seiswg::app::load_case(
      config, [&options] { return seiswg::gpu::Device::open({options.adapter})->adapter(); });
  // Seispie's `mpi = yes` outside mpirun: one process, without starting MPI (a singleton MPI job
  // would be one process too, but needs Open MPI's runtime where the binary was copied to).
  if (command == Command::run && c.config.get_bool_or("workflow", "mpi", false) &&
      !seiswg::app::Ranks::launched_by_mpirun())
    std::cerr << "seiswg: " << c.config.where("workflow", "mpi")
              << ": not started by mpirun; running as one process (mpirun -np N spreads the sources over N "
                 "ranks)\n";
  if (command == Command::check) return (void)seiswg::app::run_check(c, options, std::cout), 0;
  NewFolders new_folders({c.output, c.output_traces});
  if (command == Command::check_gradient) {
    if (c.mode == "forward")
      throw seiswg::InputError(c.config.file.string() +
                               ": check-gradient needs an adjoint or inversion case ([workflow] mode), with "
                               "observed data");
    return seiswg::app::run_check_gradient(c, options, std::cout) ? 0 : 4;
  }
  if (options.verbose && command == Command::run) (void)seiswg::app::run_check(c, options, std::cerr);
  seiswg::app::check_outputs_spare_inputs(c);
  try {
    if (c.mode == "inversion")
      seiswg::app::run_inversion(c, options, std::cerr);
    else if (c.mode == "adjoint")
      seiswg::app::run_adjoint(c, options, std::cerr);
    else
      seiswg::app::run_forward(c, options, std::cerr);
  } catch (const seiswg::app::Interrupted& e) {
    // One write for the whole message: the ranks of a job share the terminal.
    std::string message = "\n" + ranks.prefix() + "seiswg: " + e.what();
    if (c.mode == "inversion") {
      new_folders.keep();
      message += "; the state after the last complete evaluation is kept in " +
                 (c.output / "inversion_state.bin").string() +
                 ": interrupted; run the same command again to continue\n";
    } else if (!e.outcome.empty()) {
      message += "; " + e.outcome + "\n";
    } else {
      message += "; nothing of this run was kept (its temporary files are removed; earlier files in " +
                 c.output.string() + " are as they were)\n";
    }
    std::cerr << message;
    // A rank stopped alone (kill -TERM of its process) must not leave the others waiting for it.
    std::cerr << std::flush;
    if (ranks.distributed()) ranks.abort(128 + e.signal_number);
    return 128 + e.signal_number;
  }
  new_folders.keep();
  return 0;
}

// A failing rank of a job of several: the message names it (and its sources), then MPI_Abort ends
// every rank at once, so that no rank waits forever in a reduction.
int fail(const std::string& kind, const std::string& message, int code) {
  if (!ranks.distributed()) {
    std::cerr << "seiswg: " << kind << message << "\n";
    return code;
  }
  // One write for the whole line, so that two failing ranks' messages do not interleave.
  std::string line = "seiswg: rank " + std::to_string(ranks.rank()) + " of " + std::to_string(ranks.size());
  if (!seiswg::app::rank_work().empty()) line += ", " + seiswg::app::rank_work();
  std::cerr << line + ": " + kind + message + "\n" << std::flush;
  ranks.abort(code);
}

int cli(std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  try {
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "run") return run(args, Command::run);
    if (command == "check") return run(args, Command::check);
    if (command == "check-gradient") return run(args, Command::check_gradient);
    if (command == "--version" || command == "version") return version();
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
  } catch (const seiswg::app::FailedOnAnotherRank&) {
    // The failing rank reports and ends the job (MPI_Abort); this rank waits for that in
    // MPI_Finalize instead of racing it with an abort of its own, which could cut its message off.
    return 1;
  } catch (const seiswg::InputError& e) {
    return fail("error: ", e.what(), 1);
  } catch (const seiswg::GpuError& e) {
    return fail("GPU error: ", e.what(), 3);
  } catch (const std::exception& e) {
    return fail("error: ", e.what(), 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const int status = cli(args);
  seiswg::app::Ranks::finish_mpi();
  return status;
}
