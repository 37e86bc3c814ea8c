#include "app/run_files.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>
#include <system_error>

#include "app/interrupt.hpp"
#include "app/state_file.hpp"
#include "io/atomic_file.hpp"
#include "io/error.hpp"

namespace seiswg::app {
namespace {

namespace fs = std::filesystem;

void add_model(std::vector<fs::path>& out, const io::Model& m) {
  out.push_back(m.dir / "proc000000_x.bin");
  out.push_back(m.dir / "proc000000_z.bin");
  for (const auto& [name, values] : m.fields) out.push_back(m.dir / ("proc000000_" + name + ".bin"));
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether `name` is a snapshot file name the forward run writes: procSSSSSS_<component>[_srcK].bin or
// .png, at a step SSSSSS > 0 that is a multiple of save_snapshot below nt.
bool is_snapshot_name(const Case& c, const std::string& name) {
  if (c.save_snapshot <= 0 || !starts_with(name, "proc") || name.size() < 12 || name[10] != '_') return false;
  char* end = nullptr;
  const std::string digits = name.substr(4, 6);
  const long step = std::strtol(digits.c_str(), &end, 10);
  if (end != digits.c_str() + 6 || step <= 0 || step >= c.nt || step % c.save_snapshot != 0) return false;
  for (const auto& eq : wave_equations(c))
    for (const auto& comp : eq->components())
      if (starts_with(name.substr(11), comp.snapshot_name)) return true;
  return false;
}

// The outputs of the run that could take a file's place: the fixed names, the traces, and any name
// matching the snapshots' and kernels' patterns among the inputs.
std::vector<fs::path> planned_outputs(const Case& c, const std::vector<fs::path>& inputs) {
  std::vector<fs::path> out;
  const auto equations = wave_equations(c);
  if (c.mode == "forward") {
    if (c.save_coordinates) {
      out.push_back(c.output / "proc000000_x.bin");
      out.push_back(c.output / "proc000000_z.bin");
    }
    if (c.save_images)
      for (const auto& [name, values] : c.model.fields) out.push_back(c.output / ("model_" + name + ".png"));
    const std::size_t runs = c.combine_sources ? 1 : run_count(c);
    for (const auto& eq : equations)
      for (const auto& comp : eq->components())
        for (std::size_t run = 0; run < runs; ++run) {
          char index[32];
          std::snprintf(index, sizeof index, "%06zu", run);
          const std::string base = comp.trace_name + "_" + index;
          if (c.npy_traces) out.push_back(c.output_traces / (base + ".npy"));
          for (const auto format : c.trace_files)
            out.push_back(c.output_traces / (base + io::extension(format)));
          if (c.save_images) out.push_back(c.output_traces / (base + ".png"));
        }
    for (const auto& input : inputs)
      if (io::same_file(input.parent_path(), c.output) && is_snapshot_name(c, input.filename().string()))
        out.push_back(c.output / input.filename());
  } else if (c.mode == "adjoint") {
    out.push_back(c.output / "misfit.txt");
    for (const auto& input : inputs) {
      const std::string name = input.filename().string();
      const bool kernel_bin = starts_with(name, "proc000000_k") && ends_with(name, ".bin");
      if (kernel_bin && io::same_file(input.parent_path(), c.output)) out.push_back(c.output / name);
      if ((kernel_bin || (starts_with(name, "k") && ends_with(name, ".png"))) &&
          io::same_file(input.parent_path(), c.output / "kernels"))
        out.push_back(c.output / "kernels" / name);
    }
  } else {
    out.push_back(c.output / "misfit.csv");
    out.push_back(c.output / "inversion_state.bin");
  }
  return out;
}

fs::path nearest_existing_folder(fs::path dir) {
  std::error_code ec;
  while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.parent_path()) dir = dir.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

bool same_file_system(const fs::path& a, const fs::path& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

}  // namespace

std::vector<fs::path> input_files(const Case& c) {
  std::vector<fs::path> out;
  add_model(out, c.model);
  if (c.model_true) add_model(out, *c.model_true);
  if (c.reference_model) add_model(out, *c.reference_model);
  if (const auto sources = c.config.get_path("sources")) out.push_back(*sources);
  out.push_back(c.stations_file);
  if (c.observed_traces) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(*c.observed_traces, ec)) {
      const auto ext = entry.path().extension();
      if (ext == ".npy" || ext == ".su" || ext == ".sgy") out.push_back(entry.path());
    }
  }
  return out;
}

void check_outputs_spare_inputs(const Case& c) {
  const auto inputs = input_files(c);
  for (const auto& output : planned_outputs(c, inputs))
    for (const auto& input : inputs)
      if (io::same_file(output, input))
        throw InputError(c.config.file.string() + ": the run would write " + output.string() +
                         ", which is its input " + input.string() +
                         "; choose another output folder ([path] output / output_traces)");
}

std::vector<fs::path> output_folders(const Case& c) {
  if (c.mode == "forward") return {c.output, c.output_traces};
  if (c.mode == "adjoint") return {c.output, c.output / "kernels"};
  return {c.output};
}

std::vector<std::pair<fs::path, std::uint64_t>> output_bytes(const Case& c) {
  const std::uint64_t npt = c.model.grid.npt(), nt = std::uint64_t(c.nt), stations = c.stations.size();
  const std::uint64_t field_file = 4 + 4 * npt;  // a model-layout file (proc..._<name>.bin)
  std::uint64_t in_output = 0, in_traces = 0;
  if (c.mode == "forward") {
    const std::uint64_t runs = c.combine_sources ? 1 : run_count(c);
    // Snapshots come after every save_snapshot-th step before the last (at least that many).
    const std::uint64_t snapshots = c.save_snapshot > 0 ? (nt - 1) / std::uint64_t(c.save_snapshot) : 0;
    for (const auto& eq : wave_equations(c)) {
      const std::uint64_t components = eq->components().size();
      const std::uint64_t samples = stations * nt * 4;
      std::uint64_t trace = c.npy_traces ? 64 + samples : 0;  // a .npy header takes 64 bytes at least
      for (const auto format : c.trace_files)
        trace += (format == io::TraceFileFormat::segy ? 3600 : 0) + stations * 240 + samples;
      in_traces += runs * components * trace;
      in_output += runs * components * snapshots * field_file;
    }
    if (c.save_coordinates) in_output += 2 * field_file;
  } else if (c.mode == "adjoint") {
    // A kernel at least for every model file.
    in_output += c.model.fields.size() * field_file;
  } else {
    // The next iteration's model files at least (a resumed run has fewer iterations left than its
    // stages hold, and each is saved as it ends).
    in_output += c.model.fields.size() * field_file;
  }
  std::vector<std::pair<fs::path, std::uint64_t>> out = {{c.output, in_output}};
  if (c.mode == "forward") out.push_back({c.output_traces, in_traces});
  return out;
}

void check_output_folders(const Case& c) {
  for (const auto& dir : output_folders(c)) check_output_folder(dir);
  // The outputs are staged beside the files they replace: the new ones need their whole size.
  // Folders on one file system share its free space.
  std::vector<std::pair<fs::path, std::uint64_t>> by_file_system;  // the nearest existing folder, bytes
  for (const auto& [dir, bytes] : output_bytes(c)) {
    const fs::path existing = nearest_existing_folder(dir);
    bool shared = false;
    for (auto& [other, total] : by_file_system)
      if (same_file_system(other, existing)) total += bytes, shared = true;
    if (!shared) by_file_system.push_back({existing, bytes});
  }
  for (const auto& [folder, bytes] : by_file_system) {
    const auto free = disk_available(folder);
    if (!free || bytes <= *free) continue;
    auto mib = [](std::uint64_t b) { return std::to_string((b + (1u << 20) - 1) >> 20) + " MiB"; };
    throw InputError("not enough disk space for the outputs in " + folder.string() + ": they take at least " +
                     mib(bytes) + " (traces, snapshots, coordinates, kernels or models, without pictures), " +
                     "but its file system has " + mib(*free) +
                     " free; free some space, choose another [path] output / output_traces, or write fewer " +
                     "files (save_snapshot, nt)");
  }
}

void finish_interrupted_commits(const Case& c, std::ostream& log) {
  for (const auto& dir : output_folders(c)) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    if (const std::size_t killed = io::finish_interrupted_commits(dir); killed > 0)
      log << "seiswg: cleaned up after " << killed << " earlier run" << (killed > 1 ? "s" : "")
          << " killed in " << dir.string()
          << " (a commit of outputs it had decided is finished, one it had not is undone: the earlier files "
             "are put back; its temporary files are removed)\n";
  }
}

fs::path stage_output(io::OutputSet& outputs, const fs::path& path, const std::string& run) {
  throw_if_interrupted(run + ", while writing " + path.filename().string());
  return outputs.stage(path);
}

}  // namespace seiswg::app
