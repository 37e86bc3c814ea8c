#include "support/case_writer.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "io/seispie_files.hpp"

#ifndef SEISWG_CLI
#error "SEISWG_CLI (the path of the seiswg binary) must be defined"
#endif

namespace seiswg::test {
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

// 'text' for /bin/sh: single quotes, with each ' written as '\''.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Shortest text that reads back as the same double ("0.005", not "0.0050000000000000001").
std::string number(double v) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  return buffer;
}

}  // namespace

fs::path fresh_dir(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  const fs::path base = fs::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path dir = base / (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                                 "_" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(dir, ec)) return dir;
  }
  throw std::runtime_error("fresh_dir: cannot create a folder under " + base.string());
}

void write_model_file(const fs::path& file, const std::vector<float>& values) {
  std::string bytes;
  bytes.reserve(4 + 4 * values.size());
  auto put = [&](std::uint32_t v) {
    for (int b = 0; b < 4; ++b) bytes += static_cast<char>((v >> (8 * b)) & 0xffu);
  };
  put(static_cast<std::uint32_t>(static_cast<std::int32_t>(values.size())));
  for (float v : values) put(std::bit_cast<std::uint32_t>(v));
  write_text(file, bytes);
}

std::string default_config(bool sh, bool psv, int nt, double dt, int save_snapshot) {
  std::ostringstream s;
  s << "[workflow]\n"
    << "mode = forward\n"
    << "\n"
    << "[solver]\n"
    << "sh = " << (sh ? "yes" : "no") << "\n"
    << "psv = " << (psv ? "yes" : "no") << "\n"
    << "nt = " << nt << "\n"
    << "dt = " << number(dt) << "\n"
    << "abs_left = yes\n"
    << "abs_right = yes\n"
    << "abs_bottom = yes\n"
    << "abs_top = no\n"
    << "abs_width = 8\n"
    << "abs_alpha = 0.015\n"
    << "save_snapshot = " << save_snapshot << "\n"
    << "combine_sources = yes\n"
    << "save_images = no\n"
    << "\n"
    << "[path]\n"
    << "output = output\n"
    << "output_traces = output\n"
    << "model_true = model\n"
    << "sources = sources.dat\n"
    << "stations = stations.dat\n";
  return s.str();
}

fs::path write_case(const fs::path& dir, const CaseSpec& spec) {
  const fs::path model = dir / "model";
  fs::create_directories(model);
  const std::size_t npt = std::size_t(spec.nx) * std::size_t(spec.nz);
  std::vector<float> x(npt), z(npt);
  for (int i = 0; i < spec.nx; ++i)
    for (int j = 0; j < spec.nz; ++j) {
      const std::size_t k = std::size_t(i) * std::size_t(spec.nz) + std::size_t(j);
      x[k] = float(i * spec.dx);
      z[k] = float(j * spec.dz);
    }
  auto field = [&](const std::string& name) -> std::vector<float> {
    if (const auto it = spec.fields.find(name); it != spec.fields.end()) return it->second;
    if (name == "x") return x;
    if (name == "z") return z;
    if (name == "vp") return std::vector<float>(npt, float(spec.vp));
    if (name == "vs") return std::vector<float>(npt, float(spec.vs));
    if (name == "rho") return std::vector<float>(npt, float(spec.rho));
    throw std::invalid_argument("write_case: no values for model field '" + name +
                                "' (set CaseSpec::fields)");
  };
  std::vector<std::string> names = {"x", "z"};
  for (const auto& n : spec.field_names)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  for (const auto& [n, values] : spec.fields)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  for (const auto& n : names) write_model_file(model / ("proc000000_" + n + ".bin"), field(n));

  write_text(dir / "config.ini", spec.config.empty() ? default_config() : spec.config);
  write_text(dir / "sources.dat", spec.sources);
  write_text(dir / "stations.dat", spec.stations);
  return dir;
}

CliResult run_cli(const std::vector<std::string>& args) {
  std::string command = shell_quote(SEISWG_CLI);
  for (const auto& a : args) command += " " + shell_quote(a);
  command += " 2>&1";
  std::fflush(nullptr);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("run_cli: popen failed for " + command);
  CliResult result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status == -1)
    result.exit_code = -1;
  else if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  else
    result.exit_code = -1;
  return result;
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void write_checkerboard_models(const fs::path& dir, int n, double h, double lo, double hi, double check) {
  for (const bool checks : {true, false}) {
    const fs::path folder = dir / (checks ? "model_true" : "model_init");
    fs::create_directories(folder);
    std::vector<float> x, z, vs, vp, rho;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        const double xi = i * h, zj = j * h;
        double v = 1000;
        if (checks && xi > lo && xi < hi && zj > lo && zj < hi)
          v *= (int((xi - lo) / check) + int((zj - lo) / check)) % 2 == 0 ? 1.08 : 0.92;
        x.push_back(float(xi)), z.push_back(float(zj)), vs.push_back(float(v)), vp.push_back(float(1.8 * v));
        rho.push_back(2000);
      }
    write_model_file(folder / "proc000000_x.bin", x);
    write_model_file(folder / "proc000000_z.bin", z);
    write_model_file(folder / "proc000000_vs.bin", vs);
    write_model_file(folder / "proc000000_vp.bin", vp);
    write_model_file(folder / "proc000000_rho.bin", rho);
  }
}

void write_uniform_vs_start(const fs::path& dir, float vs) {
  fs::create_directories(dir / "model_init");
  for (const std::string name : {"x", "z", "vp", "vs", "rho"}) {
    auto values = io::read_field_bin(dir / "model" / ("proc000000_" + name + ".bin"));
    if (name == "vs") values.assign(values.size(), vs);
    write_model_file(dir / "model_init" / ("proc000000_" + name + ".bin"), values);
  }
}

}  // namespace seiswg::test
