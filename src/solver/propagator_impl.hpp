#pragma once
// Internals of solver::Propagator, shared with the adjoint (solver/adjoint.cpp). Not an API.
#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gpu/device.hpp"
#include "io/error.hpp"
#include "physics/wave_equation.hpp"
#include "solver/propagator.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::solver {
namespace detail {

constexpr std::uint32_t kNone = 0xffffffffu;

inline std::string gib(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  s << double(bytes) / double(1ull << 30) << " GiB";
  return s.str();
}

// Shared WGSL of every forward kernel: grid, differences, taper, and access to the live fields.
inline std::string forward_prelude() {
  return std::string(wgsl::source("physics/common/stencil.wgsl")) +
         std::string(wgsl::source("physics/common/fields_forward.wgsl")) +
         std::string(wgsl::source("physics/common/no_born.wgsl"));
}

// The status buffer (WGSL struct Status): clock, first bad step, bad node, segment start, halted,
// source and receiver counts.
constexpr std::uint64_t kStatusBytes = 32;
struct StatusWords {
  std::uint32_t words[8];
  StatusWords(std::uint32_t clock, std::uint32_t segment_start, std::uint32_t sources,
              std::uint32_t receivers)
      : words{clock, kNone, kNone, segment_start, 0, sources, receivers, 0} {}
};

struct SourceRecord {  // matches WGSL struct SourcePoint
  std::uint32_t vel_index, param_index;
  std::int32_t i, j;
};

}  // namespace detail

struct Propagator::Impl {
  using SourceRecord = detail::SourceRecord;
  gpu::Device& device;
  const physics::WaveEquation& physics;
  int nx, nz, nt;
  double dt;
  std::uint64_t npt;
  std::uint32_t wg_x = 64, wg_y = 4;

  gpu::Buffer vel, stress, material, status;
  gpu::Buffer source_points, source_time, receiver_points, receiver_u, trace_buffer;
  std::uint32_t source_count = 0, receiver_count = 0;
  gpu::Kernel velocity, stress_update, inject, record, store_state;
  gpu::BindGroup velocity_bg, stress_bg, inject_bg, record_bg;
  std::vector<std::pair<std::string, double>> constants;
  std::vector<SourceRecord> source_records;   // merged point forces, as uploaded
  std::vector<std::uint32_t> receiver_index;  // plane * npt + node per receiver, as uploaded

  std::uint32_t groups_x() const { return (std::uint32_t(nz) + wg_x - 1) / wg_x; }
  std::uint32_t groups_y() const { return (std::uint32_t(nx) + wg_y - 1) / wg_y; }
  std::uint64_t state_floats() const { return npt * (physics.velocity_planes() + physics.stress_planes()); }

  Impl(gpu::Device& d, const physics::WaveEquation& p) : device(d), physics(p) {}

  // `what` completes "<what> need N GiB in one buffer", naming the sizes that caused it.
  void check_binding(const std::string& what, std::uint64_t bytes) const {
    const auto& lim = device.limits();
    if (bytes > lim.max_storage_binding_size || bytes > lim.max_buffer_size) {
      std::ostringstream s;
      s << what << " need " << detail::gib(bytes) << " in one buffer, but " << device.adapter().summary()
        << " allows at most " << detail::gib(std::min(lim.max_storage_binding_size, lim.max_buffer_size));
      throw GpuError(s.str());
    }
  }
  std::string grid_text() const {
    return "the " + std::to_string(nx) + " x " + std::to_string(nz) + " grid's ";
  }

  gpu::Buffer storage(std::uint64_t bytes, const char* label) {
    return device.create_buffer(std::max<std::uint64_t>(bytes, 16),
                                gpu::usage::storage | gpu::usage::copy_dst | gpu::usage::copy_src, label);
  }

  detail::StatusWords status_words(std::uint32_t clock) const {
    return detail::StatusWords(clock, 0, source_count, receiver_count);
  }

  // Point kernels are compiled once; a new set of sources or receivers only rebinds buffers.
  void build_point_kernels() {
    std::vector<std::pair<std::string, double>> c = constants;
    c.push_back({"NT", double(nt)});
    c.push_back({"DT", dt});
    const std::string code = detail::forward_prelude() + std::string(wgsl::source("solver/points.wgsl")) +
                             std::string(wgsl::source("solver/point_sources.wgsl"));
    inject = device.create_kernel(code, "inject", c, "inject");
    record = device.create_kernel(code, "record", c, "record");
    auto store_constants = constants;
    store_constants.push_back({"VEL_FLOATS", double(npt * physics.velocity_planes())});
    store_constants.push_back({"STATE_FLOATS", double(state_floats())});
    store_state =
        device.create_kernel(detail::forward_prelude() + std::string(wgsl::source("solver/store_state.wgsl")),
                             "store_state", store_constants, "store state");
  }
  void bind_point_kernels() {
    inject_bg = device.bind(
        inject, {{0, &vel}, {2, &material}, {3, &status}, {4, &source_points}, {5, &source_time}});
    record_bg = device.bind(
        record, {{0, &vel}, {3, &status}, {6, &receiver_points}, {7, &receiver_u}, {8, &trace_buffer}});
  }
};

}  // namespace seiswg::solver
