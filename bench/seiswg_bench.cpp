// seiswg-bench: times seiswg's forward time loop on the GPU through the library (no files), and
// writes one JSON object per line (bench/report.py turns them into the table):
//   {"what":"device", ...}      adapter, device open time
//   {"what":"copy", ...}        WebGPU buffer-to-buffer copy bandwidth (the memory roof)
//   {"what":"forward", ...}     one scheme at one grid size: kernels (marginal time per step and GPU
//                               timestamps per kernel) and end to end (Propagator run incl. setup)
//   {"what":"small", ...}       the Seispie-example regime: 201 x 201, 4800 steps, 12 runs, SH
//   {"what":"adjoint", ...}     one scheme at one grid size: per-step time of the forward run that
//                               stores every state on the GPU, of the reverse (adjoint) loop, and of
//                               the plain forward loop, from the same propagator
//   {"what":"gradient", ...}    one scheme at one grid size, one shot: problem::Problem's
//                               misfit_and_gradient (every state on the GPU) and forward, marginal
//                               time of nt steps from Problems of nt and 2 nt steps
//   {"what":"shots", ...}       P-SV at a small grid with 1 shot and with COUNT shots in one
//                               Problem (one batch): the same, per shot-step
// `seiswg-bench reference DIR` instead writes small cases (inputs and seiswg's result) that the CUDA
// program (bench/cuda/fd2d.cu) runs and compares with.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "io/error.hpp"
#include "physics/wave_equation.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"
#include "solver/adjoint.hpp"
#include "solver/propagator.hpp"
#include "solver/wavelet.hpp"

namespace {

using namespace seiswg;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// --max-binding-mib: field groups split over several buffers above this size (0: the adapter's
// binding limit), to time the split kernels on grids whose groups would fit one binding.
std::uint64_t max_binding_bytes = 0;

// Bytes a scheme must move through device memory per grid point and time step: every field and
// material plane its two kernels read once, every field they write once (float32).
//   SH:   velocity reads sxy, szy, vy, dt/rho, writes vy (5 words); stress reads vy, sxy, szy,
//         dt*mu, writes sxy, szy (6 words): 11 words = 44 B.
//   P-SV: velocity reads sxx, szz, sxz, vx, vz, dt/rho at vx, dt/rho at vz, writes vx, vz (9 words);
//         stress reads vx, vz, sxx, szz, sxz, dt(lambda+2mu), dt lambda, dt mu at sxz, writes sxx,
//         szz, sxz (11 words): 20 words = 80 B.
// Acoustic: velocities read p and their buoyancy, read and write themselves (28 B); the pressure
// update reads both velocities, kappa and itself and writes itself (20 B).
int bytes_per_point_step(const std::string& scheme) {
  if (scheme == "acoustic") return 48;
  return scheme == "SH" ? 44 : 80;
}

// One JSON object per line.
class Json {
 public:
  Json& add(const std::string& key, const std::string& value) {
    std::string escaped;
    for (char c : value) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c == '\n' ? ' ' : c;
    }
    return raw(key, "\"" + escaped + "\"");
  }
  Json& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  Json& add(const std::string& key, double value) {
    std::ostringstream s;
    s.precision(6);
    s << value;
    return raw(key, std::isfinite(value) ? s.str() : "null");
  }
  Json& add(const std::string& key, long value) { return raw(key, std::to_string(value)); }
  Json& add(const std::string& key, int value) { return raw(key, std::to_string(value)); }
  Json& add(const std::string& key, std::uint64_t value) { return raw(key, std::to_string(value)); }
  std::string text() const { return "{" + body_ + "}"; }

 private:
  Json& raw(const std::string& key, const std::string& value) {
    if (!body_.empty()) body_ += ", ";
    body_ += "\"" + key + "\": " + value;
    return *this;
  }
  std::string body_;
};

class Output {
 public:
  Output(const std::string& path, std::string variant) : variant_(std::move(variant)) {
    if (!path.empty()) {
      file_.open(path, std::ios::app);
      if (!file_) throw std::runtime_error("cannot write " + path);
    }
  }
  void emit(Json j) {
    j.add("variant", variant_);
    std::cout << j.text() << std::endl;
    if (file_.is_open()) file_ << j.text() << std::endl;
  }

 private:
  std::ofstream file_;
  std::string variant_;
};

// A homogeneous model like bench/make_case.py writes: vp 3000, vs 1700, rho 2000 m/s, kg/m3.
struct Setup {
  io::Model model;
  double dt = 0;
  solver::Taper taper;
  solver::Cpml cpml;  // SEISWG_BENCH_CPML=1: 20-node CPML layers on the taper's sides instead
  solver::Edges edges() const { return solver::Edges{taper, false, cpml}; }
};
Setup homogeneous(int nx, int nz, double h = 10.0) {
  Setup s;
  s.model.grid = {nx, nz, h, h, 0.0, 0.0};
  const std::size_t n = s.model.grid.npt();
  s.model.fields["vp"] = std::vector<float>(n, 3000.0f);
  s.model.fields["vs"] = std::vector<float>(n, 1700.0f);
  s.model.fields["rho"] = std::vector<float>(n, 2000.0f);
  s.dt = 0.8 * (6.0 / 7.0) * h / (3000.0 * std::sqrt(2.0));
  s.taper = {true, true, false, true, 20, 0.015};  // left, right, top (free surface), bottom
  if (const char* cpml = std::getenv("SEISWG_BENCH_CPML"); cpml && std::string(cpml) == "1") {
    s.cpml.left = s.cpml.right = s.cpml.bottom = true;
    s.cpml.width = 20;
    s.cpml.f0 = 10;
    s.taper = {};
  }
  return s;
}

std::unique_ptr<physics::WaveEquation> make(const std::string& scheme) {
  if (scheme == "acoustic") return physics::make_acoustic();
  return scheme == "SH" ? physics::make_sh() : physics::make_psv();
}

// One Ricker source (angle 30 degrees) near the top middle, `receivers` stations along a line.
std::vector<solver::PointForce> source_forces(const physics::WaveEquation& eq, const Setup& s, int nt, int i,
                                              int j) {
  const double f0 = 1700.0 / (10 * s.model.grid.dx) / 2.5;
  const auto stf = solver::ricker(nt, s.dt, f0, 1.2 / f0, 1.0e10);
  std::vector<solver::PointForce> forces;
  for (const auto& f : eq.forcing(30.0)) {
    solver::PointForce force{f.velocity_plane, f.buoyancy_plane, i, j, {}};
    for (double v : stf) force.values.push_back(float(f.weight * v));
    forces.push_back(std::move(force));
  }
  return forces;
}
std::vector<solver::PointReceiver> receiver_line(const physics::WaveEquation& eq, const Setup& s, int count) {
  std::vector<solver::PointReceiver> r;
  const int nx = s.model.grid.nx, j = std::max(2, s.model.grid.nz / 20);
  for (const auto& comp : eq.components())
    for (int k = 0; k < count; ++k)
      r.push_back({comp.velocity_plane, std::clamp(int((k + 0.5) * nx / count), 2, nx - 3), j});
  return r;
}

// Deterministic pseudo-random values in [-amp/2, amp/2): the same function as the CUDA program's
// fill kernel, so both time the same data (never zeros).
float noise(std::uint64_t k, float amp) {
  std::uint32_t x = std::uint32_t(k * 2654435761u) ^ std::uint32_t(k >> 32);
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return (float(x >> 8) * (1.0f / 16777216.0f) - 0.5f) * amp;
}
std::vector<float> noise_planes(std::size_t count, std::uint64_t seed) {
  std::vector<float> v(count);
  for (std::size_t k = 0; k < count; ++k) v[k] = noise(seed + k, 1e-3f);
  return v;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Advances `steps` and waits: host seconds (and in `recording`, the part spent recording commands).
double timed_steps(solver::Propagator& p, int steps, double* recording = nullptr) {
  const auto t = Clock::now();
  p.advance(steps);
  if (recording) *recording = seconds_since(t);
  p.completed_steps();
  return seconds_since(t);
}

// A propagator with one source and 100 receivers, reset (zero state, clock 0).
std::unique_ptr<solver::Propagator> make_propagator(gpu::Device& device, const physics::WaveEquation& eq,
                                                    const Setup& s, int nt) {
  auto p =
      std::make_unique<solver::Propagator>(device, eq, s.model, nt, s.dt, s.edges(), 1, max_binding_bytes);
  const int n = s.model.grid.nx;
  p->set_receivers(receiver_line(eq, s, 100));
  p->set_sources(source_forces(eq, s, nt, n / 2, std::max(3, s.model.grid.nz / 10)));
  p->reset();
  return p;
}

void check_stable(solver::Propagator& p) {
  solver::BlowUp blow_up;
  p.completed_steps(&blow_up);
  if (blow_up.happened) throw std::runtime_error("blew up at step " + std::to_string(blow_up.step));
}

void bench_forward(gpu::Device& device, Output& out, const std::string& scheme, int n) {
  auto eq = make(scheme);
  Json row;
  row.add("what", "forward").add("impl", "seiswg").add("scheme", scheme).add("n", n);
  row.add("bytes_per_point_step", bytes_per_point_step(scheme));
  const double npt = double(n) * double(n);
  try {
    Setup s = homogeneous(n, n);
    // End to end, as `seiswg run` does it: material planes, upload, kernels, sources, receivers,
    // batches of <= 100 steps with a status check after each, traces read back at the end.
    const int nt_e2e = int(std::clamp(5e10 / npt, 200.0, 10000.0));
    double per_step_guess = 0;
    {
      const auto t0 = Clock::now();
      auto p = make_propagator(device, *eq, s, nt_e2e);
      p->completed_steps();
      const double setup = seconds_since(t0);
      const auto t_loop = Clock::now();
      for (int done = 0; done < nt_e2e;) {
        p->advance(std::min(100, nt_e2e - done));
        solver::BlowUp blow_up;
        done = int(p->completed_steps(&blow_up));
        if (blow_up.happened) throw std::runtime_error("blew up at step " + std::to_string(blow_up.step));
      }
      per_step_guess = seconds_since(t_loop) / nt_e2e;
      const auto traces = p->traces();
      const double e2e = seconds_since(t0);
      row.add("e2e_steps", nt_e2e).add("e2e_s", e2e).add("setup_s", setup);
      row.add("e2e_gpts", npt * nt_e2e / e2e / 1e9).add("loop_gpts", 1e-9 * npt / per_step_guess);
      row.add("gpu_bytes", p->gpu_bytes()).add("trace_values", std::uint64_t(traces.size()));
    }

    // Kernels: marginal time per step on a non-zero wavefield, (t(2N) - t(N)) / N, best of 5 each
    // (a stall of tens of ms now and then inflates single runs);
    // then GPU timestamps around each dispatch (each in its own compute pass) for 100 steps.
    const int steps = int(std::clamp(0.15 / per_step_guess, 20.0, 10000.0));
    auto p = make_propagator(device, *eq, s, 16 * steps + 200);
    const std::size_t count = std::size_t(n) * std::size_t(n);
    p->set_state(noise_planes(count * eq->velocity_planes(), 1),
                 noise_planes(count * eq->stress_planes(), 7));
    timed_steps(*p, 20);
    std::vector<double> t1, t2, rec;
    for (int rep = 0; rep < 5; ++rep) {
      double recording = 0;
      t1.push_back(timed_steps(*p, steps));
      t2.push_back(timed_steps(*p, 2 * steps, &recording));
      rec.push_back(recording);
    }
    const double best1 = *std::min_element(t1.begin(), t1.end()),
                 best2 = *std::min_element(t2.begin(), t2.end());
    const double marginal = (best2 - best1) / steps;
    row.add("kernel_steps", steps).add("step_us", marginal * 1e6).add("kernel_gpts", npt / marginal / 1e9);
    row.add("host_step_us", best2 / (2 * steps) * 1e6).add("record_step_us", median(rec) / (2 * steps) * 1e6);
    if (device.adapter().has_timestamps) {
      device.start_kernel_timing(4 * 100);
      p->advance(100);
      double total = 0;
      for (const auto& k : device.stop_kernel_timing()) {
        const double mean_us = k.total_ns / k.dispatches / 1e3;
        row.add("ts_" + k.label.substr(k.label.rfind(' ') + 1) + "_us",
                mean_us);  // "SH velocity" -> velocity
        total += mean_us;
      }
      row.add("ts_step_us", total).add("ts_gpts", npt / total / 1e3);
    }
    check_stable(*p);
    row.add("status", "ok");
  } catch (const std::exception& e) {
    row.add("status", "does not fit or failed").add("error", e.what());
  }
  out.emit(row);
}

// A plain copy kernel: one vec4 per invocation, 2-D dispatch (65,535 workgroups per dimension at most).
constexpr const char* kCopyWgsl = R"(
override N: u32;  // vec4 elements
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(256)
fn copy(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = g.x + g.y * groups.x * 256u;
  if (i < N) { dst[i] = src[i]; }
}
)";

// WebGPU's memory roof: 10 copies back and forth between two large buffers in one command buffer
// (bytes read + written), with copyBufferToBuffer and with the copy kernel above.
void bench_copy(gpu::Device& device, Output& out, std::uint64_t want) {
  const std::uint64_t bytes =
      std::min({want, device.limits().max_buffer_size, device.limits().max_storage_binding_size}) &
      ~std::uint64_t(4095);
  auto a =
      device.create_buffer(bytes, gpu::usage::copy_src | gpu::usage::copy_dst | gpu::usage::storage, "a");
  auto b =
      device.create_buffer(bytes, gpu::usage::copy_src | gpu::usage::copy_dst | gpu::usage::storage, "b");
  {  // not zeros: fill `a` with noise
    std::vector<float> chunk = noise_planes(bytes / 4 / 16, 3);
    for (std::uint64_t off = 0; off + chunk.size() * 4 <= bytes; off += chunk.size() * 4)
      device.write(a, off, chunk.data(), chunk.size() * 4);
    device.wait_idle();
  }
  const std::uint32_t vec4s = std::uint32_t(bytes / 16), groups = (vec4s + 255) / 256;
  const std::uint32_t gx = std::min<std::uint32_t>(groups, 32768), gy = (groups + gx - 1) / gx;
  const std::pair<std::string, double> constants[] = {{"N", double(vec4s)}};
  auto kernel = device.create_kernel(kCopyWgsl, "copy", constants, "copy");
  auto a_to_b = device.bind(kernel, {{0, &a}, {1, &b}});
  auto b_to_a = device.bind(kernel, {{0, &b}, {1, &a}});
  for (bool shader : {false, true}) {
    auto run = [&](int copies) {
      auto c = device.record();
      for (int k = 0; k < copies; ++k) {
        if (shader)
          c.dispatch(kernel, k % 2 ? b_to_a : a_to_b, gx, gy);
        else
          c.copy(k % 2 ? b : a, 0, k % 2 ? a : b, 0, bytes);
      }
      const auto t = Clock::now();
      device.submit(std::move(c));
      device.wait_idle();
      return seconds_since(t);
    };
    run(2);
    std::vector<double> rates;
    for (int rep = 0; rep < 3; ++rep) rates.push_back(2.0 * double(bytes) * 10 / run(10) / 1e9);
    out.emit(Json()
                 .add("what", "copy")
                 .add("impl", shader ? "webgpu-kernel" : "webgpu")
                 .add("buffer_bytes", bytes)
                 .add("gbs", median(rates))
                 .add("gbs_best", *std::max_element(rates.begin(), rates.end())));
  }
}

// Seispie's forward example: 201 x 201 SH, 4800 steps, 12 sources run one after the other.
void bench_small(gpu::Device& device, Output& out) {
  const int n = 201, nt = 4800, shots = 12;
  auto eq = physics::make_sh();
  Setup s = homogeneous(n, n, 1000.0);
  s.dt = 0.06;
  for (int mode = 0; mode < 2; ++mode) {
    // mode 0: one propagator per shot, a status check every 100 steps; mode 1: one submit per shot.
    // (`seiswg run` itself advances the 12 shots together: its own row in the table.)
    const auto t0 = Clock::now();
    solver::Propagator p(device, *eq, s.model, nt, s.dt, s.edges());
    p.set_receivers(receiver_line(*eq, s, 60));
    const double setup = seconds_since(t0);
    double loops = 0, recording = 0;
    for (int shot = 0; shot < shots; ++shot) {
      p.set_sources(source_forces(*eq, s, nt, (shot + 1) * (n - 1) / (shots + 1), 20));
      p.reset();
      const auto t = Clock::now();
      if (mode == 0) {
        for (int done = 0; done < nt;) {
          p.advance(std::min(100, nt - done));
          done = int(p.completed_steps());
        }
      } else {
        const auto t_rec = Clock::now();
        p.advance(nt);
        recording += seconds_since(t_rec);
        p.completed_steps();
      }
      loops += seconds_since(t);
      (void)p.traces();
    }
    Json row;
    row.add("what", "small").add("impl", "seiswg").add("n", n).add("nt", nt).add("shots", shots);
    row.add("mode", mode == 0 ? "check every 100 steps" : "one submit per shot");
    row.add("wall_s", seconds_since(t0)).add("setup_s", setup).add("loop_s", loops);
    row.add("step_us", loops / (double(nt) * shots) * 1e6);
    if (mode == 1) row.add("record_step_us", recording / (double(nt) * shots) * 1e6);
    if (mode == 1 && device.adapter().has_timestamps) {
      p.reset();
      device.start_kernel_timing(4 * 200);
      p.advance(200);
      double total = 0;
      for (const auto& k : device.stop_kernel_timing()) total += k.total_ns / k.dispatches / 1e3;
      p.completed_steps();
      row.add("ts_step_us", total);
    }
    out.emit(row);
  }
}

// Writes DIR/<case>/{meta.txt, material.bin, sources.txt, v0.bin, s0.bin, v.bin, s.bin}: a 256 x 256
// case, its initial state, and seiswg's state after nt steps, for bench/cuda/fd2d.cu to check.
// sources.txt: one line per force: velocity plane, buoyancy plane, i, j, then nt values.
void write_reference(gpu::Device& device, const fs::path& dir) {
  auto write = [](const fs::path& path, const std::vector<float>& v) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * 4));
    if (!f) throw std::runtime_error("cannot write " + path.string());
  };
  const int n = 256, nt = 200;
  for (std::string scheme : {"SH", "P-SV"})
    for (bool random : {false, true}) {
      auto eq = make(scheme);
      Setup s = homogeneous(n, n);
      const fs::path d = dir / ((scheme == "SH" ? "sh" : "psv") + std::string(random ? "_random" : "_rest"));
      fs::create_directories(d);
      // From rest with a point source; or from a random state (every node's stencil, the edges and
      // the taper matter) without one.
      const auto forces = random ? std::vector<solver::PointForce>{} : source_forces(*eq, s, nt, n / 2, 40);
      solver::Propagator p(device, *eq, s.model, nt, s.dt, s.edges());
      p.set_receivers({});
      p.set_sources(forces);
      p.reset();
      const std::size_t npt = s.model.grid.npt();
      std::vector<float> v0(npt * eq->velocity_planes(), 0.0f), s0(npt * eq->stress_planes(), 0.0f);
      if (random) {
        v0 = noise_planes(v0.size(), 11);
        s0 = noise_planes(s0.size(), 13);
        p.set_state(v0, s0);
      }
      p.advance(nt);
      p.completed_steps();
      std::ofstream meta(d / "meta.txt");
      meta.precision(17);
      meta << "scheme " << scheme << "\nnx " << n << "\nnz " << n << "\nnt " << nt << "\ndt " << s.dt
           << "\ndx " << s.model.grid.dx << "\ndz " << s.model.grid.dz << "\nseispie_edges "
           << int(eq->seispie_edges()) << "\ntaper_width " << s.taper.width << "\ntaper_alpha "
           << s.taper.alpha << "\ntaper_left " << int(s.taper.left) << "\ntaper_right " << int(s.taper.right)
           << "\ntaper_top " << int(s.taper.top) << "\ntaper_bottom " << int(s.taper.bottom)
           << "\nvelocity_planes " << eq->velocity_planes() << "\nstress_planes " << eq->stress_planes()
           << "\nmaterial_planes " << eq->material_plane_count() << "\n";
      std::ofstream src(d / "sources.txt");
      src.precision(9);
      for (const auto& f : forces) {
        src << f.velocity_plane << " " << f.buoyancy_plane << " " << f.i << " " << f.j;
        for (float v : f.values) src << " " << v;
        src << "\n";
      }
      write(d / "material.bin", eq->material_planes(s.model, s.dt));
      write(d / "v0.bin", v0);
      write(d / "s0.bin", s0);
      write(d / "v.bin", p.velocities());
      write(d / "s.bin", p.stresses());
      std::cout << "reference case written: " << d.string() << "\n";
    }
}

// Adjoint step vs forward step. nt is as many steps as fit in one GPU binding (all states on the
// GPU), at most 400. Times are host clocks around whole calls (each ends with a read-back), best of 3.
void bench_adjoint(gpu::Device& device, Output& out, const std::string& scheme, int n) {
  auto eq = make(scheme);
  Json row;
  row.add("what", "adjoint").add("impl", "seiswg").add("scheme", scheme).add("n", n);
  try {
    Setup s = homogeneous(n, n);
    const std::uint64_t state_bytes =
        std::uint64_t(n) * std::uint64_t(n) * 4 * (eq->velocity_planes() + eq->stress_planes());
    const std::uint64_t limit =
        std::min(device.limits().max_storage_binding_size, device.limits().max_buffer_size);
    const int nt = int(std::min<std::uint64_t>(400, limit / state_bytes - 1));
    if (nt < 20) throw std::runtime_error("fewer than 20 states fit in one binding");
    auto p = make_propagator(device, *eq, s, nt);
    solver::Adjoint adjoint(*p, solver::plan_storage(device, p->state_bytes(), nt, "gpu", 0, 0));
    std::vector<double> t_store, t_reverse, t_plain;
    for (int rep = 0; rep < 4; ++rep) {
      auto t = Clock::now();
      const auto traces = adjoint.forward();
      const double store = seconds_since(t);
      std::vector<double> residual(traces.begin(), traces.end());
      t = Clock::now();
      adjoint.reverse(residual);
      const double reverse = seconds_since(t);
      p->reset();
      const double plain = timed_steps(*p, nt);
      if (rep == 0) continue;  // warm-up
      t_store.push_back(store), t_reverse.push_back(reverse), t_plain.push_back(plain);
    }
    auto best = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
    const double fwd = best(t_plain) / nt, store = best(t_store) / nt, rev = best(t_reverse) / nt;
    row.add("status", "ok").add("nt", nt).add("state_bytes", state_bytes);
    row.add("forward_step_us", fwd * 1e6)
        .add("forward_store_step_us", store * 1e6)
        .add("reverse_step_us", rev * 1e6);
    row.add("reverse_over_forward", rev / fwd).add("gradient_over_forward", (store + rev) / fwd);
    // GPU time of each kernel of one forward-with-storage and one reverse run, per step: where the
    // gradient's time goes ("ts_fwd_<kernel>_us", "ts_rev_<kernel>_us"; labels lose the scheme).
    if (device.adapter().has_timestamps) {
      auto add_kernel_times = [&](const std::string& prefix) {
        for (const auto& k : device.stop_kernel_timing())
          row.add(prefix + k.label.substr(k.label.rfind(' ') + 1) + "_us", k.total_ns / nt / 1e3);
      };
      device.start_kernel_timing(std::uint32_t(12 * nt + 64));
      const auto traces = adjoint.forward();
      add_kernel_times("ts_fwd_");
      std::vector<double> residual(traces.begin(), traces.end());
      device.start_kernel_timing(std::uint32_t(12 * nt + 64));
      adjoint.reverse(residual);
      add_kernel_times("ts_rev_");
    }
  } catch (const std::exception& e) {
    row.add("status", std::string("failed: ") + e.what());
  }
  out.emit(row);
}

// ---- problem::Problem rows: gradient (one shot, large grids) and shots (batches, small grid) ----

// A Problem of `shots` shots, each one Ricker source (at the grid's middle, or spread along a line
// near the top when `middle` is false) and 100 stations along a line; every forward state on the
// GPU (storage mode gpu within the card's memory); all shots in one batch.
problem::Setup problem_setup(gpu::Device& device, const physics::WaveEquation& eq, const Setup& s, int nt,
                             int shots, bool middle) {
  problem::Setup p;
  p.physics = &eq;
  p.nt = nt;
  p.dt = s.dt;
  p.taper = s.taper;
  p.cpml = s.cpml;
  const int nx = s.model.grid.nx, nz = s.model.grid.nz;
  for (int k = 0; k < shots; ++k) {
    const int i = shots == 1 ? nx / 2 : (k + 1) * (nx - 1) / (shots + 1);
    const int j = middle ? nz / 2 : std::max(3, nz / 10);
    p.shots.push_back({source_forces(eq, s, nt, i, j), receiver_line(eq, s, 100)});
  }
  p.adjoint = true;
  p.storage.mode = "gpu";
  p.storage.gpu_memory = device.adapter().memory_bytes;
  p.batch = std::size_t(shots);
  p.max_binding_bytes = max_binding_bytes;
  return p;
}

// Memory the stored states of one measurement may take: 60% of the card (one binding where the
// backend does not say how much memory the card has).
std::uint64_t states_allowance(const gpu::Device& device) {
  const std::uint64_t binding =
      std::min(device.limits().max_storage_binding_size, device.limits().max_buffer_size);
  const std::uint64_t memory = device.adapter().memory_bytes;
  return memory ? memory / 10 * 6 : binding;
}

// Most steps whose nt + 1 states (`state_bytes` each, in buffers of one binding with one extra state
// per buffer, as solver::plan_storage lays them out) fit in `bytes`.
int steps_fitting(const gpu::Device& device, std::uint64_t state_bytes, std::uint64_t bytes) {
  const std::uint64_t binding =
      std::min(device.limits().max_storage_binding_size, device.limits().max_buffer_size);
  const std::uint64_t per_buffer = binding / state_bytes;
  if (per_buffer < 2) return 0;
  const double per_step = double(state_bytes) * (1.0 + 1.0 / double(per_buffer - 1));
  return int(std::min(1e6, std::floor(double(bytes) / per_step)) - 1);
}

// Seconds per step of the plain forward loop of `shots` shots (a Propagator, no Problem), to choose
// the Problems' nt: the best of 3 runs of 100 steps, each with its wait (an overestimate on small
// grids, where a run's fixed cost counts; never a noisy difference of two runs).
double forward_step_seconds(gpu::Device& device, const physics::WaveEquation& eq, const Setup& s, int shots) {
  const int steps = 100;
  solver::Propagator p(device, eq, s.model, 20 + 3 * steps, s.dt, s.edges(), shots);
  std::vector<solver::PointForce> forces;
  for (int k = 0; k < shots; ++k)
    for (auto f : source_forces(eq, s, 20 + 3 * steps, s.model.grid.nx / 2, s.model.grid.nz / 2)) {
      f.shot = std::uint32_t(k);
      forces.push_back(std::move(f));
    }
  p.set_sources(forces);
  p.set_receivers({});
  p.reset();
  timed_steps(p, 20);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) best = std::min(best, timed_steps(p, steps) / steps);
  return std::max(best, 1e-6);
}

// One Problem's timings: misfit_and_gradient against zero observed traces and forward, each the best
// of `reps` after a warm-up call (whole calls: model upload, both time loops, traces and gradient
// read back, misfit and model gradient on the host).
struct ProblemTimes {
  double gradient_s = 0, forward_s = 0;
  // GPU time of every compute pass of one gradient and one forward call (timestamps; 0 where the
  // adapter has none or the run has more passes than one query set holds): the kernels-only
  // figure, free of the host's fixed costs.
  double gradient_gpu_s = 0, forward_gpu_s = 0;
  // SEISWG_BENCH_KERNELS set: GPU seconds of each kernel (every dispatch in a pass of its own) of one
  // gradient and one forward call, by label: where a row's time goes.
  std::vector<std::pair<std::string, double>> kernels;
  std::uint64_t states_bytes = 0;
  std::size_t batch = 0;
  std::string plan;
};
// Compute passes one timing run may hold (a query set of 4096 timestamps, two per pass).
constexpr std::uint64_t kTimedPasses = 2000;
// Steps of the kernels-only Problem where the measured one has too many dispatches to time.
constexpr int kTimedSteps = 150;
ProblemTimes time_problem(gpu::Device& device, const problem::Setup& setup, const io::Model& model,
                          int reps) {
  ProblemTimes t;
  {
    problem::Problem p(device, setup, model);
    problem::Data observed;
    for (const auto& shot : setup.shots)
      observed.emplace_back(shot.receivers.size() * std::size_t(setup.nt), 0.0f);
    const problem::WaveformMisfit misfit;
    auto best_of = [reps](auto&& call) {
      double best = 1e30;
      for (int rep = 0; rep <= reps; ++rep) {
        const auto t0 = Clock::now();
        call();
        if (rep > 0) best = std::min(best, seconds_since(t0));  // rep 0: warm-up
      }
      return best;
    };
    double misfit_value = 0;
    t.gradient_s = best_of([&] { misfit_value = p.misfit_and_gradient(model, observed, misfit).misfit; });
    if (!std::isfinite(misfit_value)) throw std::runtime_error("the misfit is not finite");
    // Every compute pass timed as a whole (a pass holds a batch of steps); 0 where the passes
    // outnumber one query set.
    if (device.adapter().has_timestamps) {
      const auto kernel_seconds = [&](auto&& call) {
        device.start_kernel_timing(std::uint32_t(kTimedPasses), true);
        call();
        double sum = 0;
        std::uint64_t passes = 0;
        for (const auto& k : device.stop_kernel_timing()) sum += k.total_ns * 1e-9, passes += k.dispatches;
        return passes < kTimedPasses ? sum : 0.0;
      };
      t.gradient_gpu_s = kernel_seconds([&] { (void)p.misfit_and_gradient(model, observed, misfit); });
      t.forward_gpu_s = kernel_seconds([&] { (void)p.forward(model); });
      if (std::getenv("SEISWG_BENCH_KERNELS")) {
        const auto by_kernel = [&](const std::string& prefix, auto&& call) {
          device.start_kernel_timing(std::uint32_t(kTimedPasses));
          call();
          for (const auto& k : device.stop_kernel_timing())
            t.kernels.push_back({prefix + k.label, k.total_ns * 1e-9});
        };
        by_kernel("k_grad_", [&] { (void)p.misfit_and_gradient(model, observed, misfit); });
        by_kernel("k_fwd_", [&] { (void)p.forward(model); });
      }
    }
    t.forward_s = best_of([&] { (void)p.forward(model); });
    t.states_bytes = p.storage().gpu_bytes;
    t.batch = p.batch();
    t.plan = p.describe();
  }
  device.wait_idle();  // the stored states are released before the next Problem is made
  return t;
}

// Adds the timings of Problems of nt and (when `marginal`) 2 nt steps to `row`; returns the seconds
// of nt steps of gradient and forward: t(2 nt) - t(nt), or t(nt) alone.
std::pair<double, double> add_problem_times(gpu::Device& device, Json& row, const physics::WaveEquation& eq,
                                            const Setup& s, int nt, int shots, bool middle, bool marginal,
                                            int reps) {
  const ProblemTimes one =
      time_problem(device, problem_setup(device, eq, s, nt, shots, middle), s.model, reps);
  row.add("nt", nt).add("batch", std::uint64_t(one.batch));
  row.add("gradient_s_nt", one.gradient_s).add("forward_s_nt", one.forward_s);
  for (const auto& [label, seconds] : one.kernels) {
    std::string key = label + "_us";
    std::replace(key.begin(), key.end(), ' ', '_');
    row.add(key, seconds / nt * 1e6);
  }
  row.add("states_gb_nt", double(one.states_bytes) / 1e9);
  // Kernels only (the GPU time of every dispatch of one call, summed): of this Problem where its
  // dispatches fit one timing run, else of one of kTimedSteps steps.
  ProblemTimes timed = one;
  int timed_nt = nt;
  if (timed.gradient_gpu_s <= 0 && device.adapter().has_timestamps && nt > kTimedSteps) {
    timed_nt = kTimedSteps;
    timed = time_problem(device, problem_setup(device, eq, s, timed_nt, shots, middle), s.model, 0);
  }
  if (timed.gradient_gpu_s > 0) {
    const double work = double(s.model.grid.npt()) * shots * timed_nt;
    row.add("gpu_nt", timed_nt)
        .add("gradient_gpu_step_us", timed.gradient_gpu_s / timed_nt * 1e6)
        .add("gradient_gpu_gpts", work / timed.gradient_gpu_s / 1e9)
        .add("forward_gpu_step_us", timed.forward_gpu_s / timed_nt * 1e6)
        .add("forward_gpu_gpts", work / timed.forward_gpu_s / 1e9);
  }
  double gradient = one.gradient_s, forward = one.forward_s;
  std::string plan = one.plan;
  double states = double(one.states_bytes) / 1e9;
  if (marginal) {
    try {
      const ProblemTimes two =
          time_problem(device, problem_setup(device, eq, s, 2 * nt, shots, middle), s.model, reps);
      row.add("gradient_s_2nt", two.gradient_s).add("forward_s_2nt", two.forward_s);
      gradient = two.gradient_s - one.gradient_s;
      forward = two.forward_s - one.forward_s;
      plan = two.plan;
      states = double(two.states_bytes) / 1e9;
    } catch (const std::exception& e) {
      marginal = false;
      row.add("marginal_error", e.what());
    }
  }
  row.add("marginal", marginal ? "yes" : "no").add("states_gb", states).add("plan", plan);
  return {gradient, forward};
}

// Gradient of one shot at n x n: the Gpts/s of nt steps of forward-with-storage + adjoint (and of the
// forward alone), marginal between Problems of nt and 2 nt steps. nt: runs of ~0.3 s, 2 nt states
// within 60% of the card (`fixed_nt` > 0: that nt, within the same memory).
void bench_gradient(gpu::Device& device, Output& out, const std::string& scheme, int n, int fixed_nt,
                    int reps) {
  auto eq = make(scheme);
  Json row;
  row.add("what", "gradient").add("impl", "seiswg").add("scheme", scheme).add("n", n).add("shots", 1);
  try {
    const Setup s = homogeneous(n, n);
    const double npt = double(n) * double(n);
    const std::uint64_t state_bytes = std::uint64_t(npt) * 4 * (eq->velocity_planes() + eq->stress_planes());
    const std::uint64_t allowance = states_allowance(device);
    const int most = steps_fitting(device, state_bytes, allowance);  // nt + 1 states
    bool marginal = true;
    int nt;
    if (fixed_nt > 0) {
      nt = fixed_nt;
    } else {
      const double step = forward_step_seconds(device, *eq, s, 1);
      row.add("probe_forward_step_us", step * 1e6);
      // The whole gradient costs about 5 forward steps a step; the fixed costs of an evaluation
      // (material planes and the chain rule on the host, reading the gradient back) cancel in the
      // marginal time only when the steps are many: as many as the memory allows, up to 2000.
      nt = int(std::clamp(0.3 / (5 * step), 20.0, 20000.0));
      nt = std::max(nt, std::min(2000, most / 2));
    }
    if (2 * nt > most) {
      if (most / 2 >= 10) {
        nt = most / 2;
      } else if (most >= 3) {
        nt = std::min(nt, most), marginal = false;
      } else {
        throw std::runtime_error("fewer than 3 states fit in 60% of the GPU's memory");
      }
    }
    row.add("state_bytes", state_bytes).add("allowance_gb", double(allowance) / 1e9);
    const auto [gradient, forward] = add_problem_times(device, row, *eq, s, nt, 1, true, marginal, reps);
    row.add("gradient_gpts", npt * nt / gradient / 1e9).add("forward_gpts", npt * nt / forward / 1e9);
    row.add("gradient_step_us", gradient / nt * 1e6).add("forward_step_us", forward / nt * 1e6);
    row.add("gradient_over_forward", gradient / forward);
    row.add("status", "ok");
  } catch (const std::exception& e) {
    row.add("status", "failed").add("error", e.what());
  }
  out.emit(row);
}

// P-SV at n x n with 1 shot and with `count` shots in one Problem (one batch), the same nt for both:
// marginal forward and gradient Gpts/s counted per shot (n^2 x shots x nt / s), and the ratio of
// the times of `count` shots and of one.
void bench_shots(gpu::Device& device, Output& out, int n, int count, int fixed_nt, int reps) {
  auto eq = physics::make_psv();
  const Setup s = homogeneous(n, n);
  const double npt = double(n) * double(n);
  int nt = fixed_nt;
  std::string error;
  try {
    const std::uint64_t state_bytes =
        std::uint64_t(npt) * 4 * (eq->velocity_planes() + eq->stress_planes()) * std::uint64_t(count);
    const int most = steps_fitting(device, state_bytes, states_allowance(device));
    if (nt <= 0)
      nt = int(std::clamp(0.3 / (5 * forward_step_seconds(device, *eq, s, count)), 100.0, 20000.0));
    nt = std::min(nt, most / 2);
    if (nt < 10)
      throw std::runtime_error("fewer than 20 states of " + std::to_string(count) +
                               " shots fit in 60% of the GPU's memory");
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::pair<double, double> single{0, 0};
  for (int shots : {1, count}) {
    Json row;
    row.add("what", "shots").add("impl", "seiswg").add("scheme", "P-SV").add("n", n).add("shots", shots);
    try {
      if (!error.empty()) throw std::runtime_error(error);
      const auto [gradient, forward] = add_problem_times(device, row, *eq, s, nt, shots, false, true, reps);
      const double work = npt * shots * nt;
      row.add("gradient_gpts", work / gradient / 1e9).add("forward_gpts", work / forward / 1e9);
      row.add("gradient_step_us", gradient / nt * 1e6).add("forward_step_us", forward / nt * 1e6);
      if (shots == 1) single = {gradient, forward};
      if (shots > 1 && single.first > 0)
        row.add("gradient_time_over_one_shot", gradient / single.first)
            .add("forward_time_over_one_shot", forward / single.second);
      row.add("status", "ok");
    } catch (const std::exception& e) {
      row.add("status", "failed").add("error", e.what());
    }
    out.emit(row);
  }
}

std::vector<int> parse_sizes(const std::string& text) {
  std::vector<int> v;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');)
    if (!item.empty()) v.push_back(std::stoi(item));
  return v;
}

int usage() {
  std::cerr
      << "usage: seiswg-bench run [--out FILE.jsonl] [--sh 256,512,...] [--psv 256,...] [--acoustic "
         "1024,...] [--no-small]\n"
         "                        [--adjoint 256,1024,... (sizes for both schemes)]\n"
         "                        [--gradient 1024,2048,4096 (Problem gradient, both schemes)]\n"
         "                        [--shots 201:16 (P-SV at 201^2, 1 and 16 shots)] [--problem-nt N] [--reps "
         "3]\n"
         "                        [--copy-mib 1024 (0: none)] [--toggles dawn_toggle,...] [--variant NAME]\n"
         "                        [--max-binding-mib N (split field groups above N MiB)]\n"
         "       seiswg-bench reference DIR\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  try {
    if (args[0] == "reference" && args.size() == 2) {
      auto device = gpu::Device::open({"", true});
      write_reference(*device, args[1]);
      return 0;
    }
    if (args[0] != "run") return usage();
    std::string out_path, variant = "default";
    std::vector<int> sh = {256, 512, 1024, 2048, 4096, 8192, 16384};
    std::vector<int> psv = {256, 512, 1024, 2048, 4096, 8192, 16384};
    std::vector<int> acoustic;  // none unless asked for
    bool small = true;
    std::vector<int> adjoint_sizes = {256, 1024, 2048, 4096};
    std::vector<int> gradient_sizes;  // none unless asked for
    int shots_n = 0, shots_count = 0, problem_nt = 0, reps = 3;
    std::uint64_t copy_bytes = 1ull << 30;
    gpu::DeviceOptions options{"", true};
    for (std::size_t k = 1; k < args.size(); ++k) {
      const bool has_value = k + 1 < args.size();
      if (args[k] == "--out" && has_value)
        out_path = args[++k];
      else if (args[k] == "--sh" && has_value)
        sh = parse_sizes(args[++k]);
      else if (args[k] == "--psv" && has_value)
        psv = parse_sizes(args[++k]);
      else if (args[k] == "--acoustic" && has_value)
        acoustic = parse_sizes(args[++k]);
      else if (args[k] == "--copy-mib" && has_value)
        copy_bytes = std::stoull(args[++k]) << 20;
      else if (args[k] == "--adjoint" && has_value)
        adjoint_sizes = parse_sizes(args[++k]);
      else if (args[k] == "--gradient" && has_value)
        gradient_sizes = parse_sizes(args[++k]);
      else if (args[k] == "--shots" && has_value) {
        const std::string v = args[++k];
        const auto colon = v.find(':');
        if (colon == std::string::npos) return usage();
        shots_n = std::stoi(v.substr(0, colon));
        shots_count = std::stoi(v.substr(colon + 1));
      } else if (args[k] == "--problem-nt" && has_value)
        problem_nt = std::stoi(args[++k]);
      else if (args[k] == "--reps" && has_value)
        reps = std::max(1, std::stoi(args[++k]));
      else if (args[k] == "--no-small")
        small = false;
      else if (args[k] == "--toggles" && has_value) {
        std::stringstream list(args[++k]);
        for (std::string t; std::getline(list, t, ',');) options.dawn_toggles.push_back(t);
      } else if (args[k] == "--variant" && has_value)
        variant = args[++k];
      else if (args[k] == "--max-binding-mib" && has_value)
        max_binding_bytes = std::stoull(args[++k]) << 20;
      else
        return usage();
    }
    Output out(out_path, variant);
    const auto t_open = Clock::now();
    auto device = gpu::Device::open(options);
    const double open_s = seconds_since(t_open);
    const auto& a = device->adapter();
    out.emit(Json()
                 .add("what", "device")
                 .add("impl", "seiswg")
                 .add("adapter", a.summary())
                 .add("driver", a.driver)
                 .add("timestamps", a.has_timestamps ? "yes" : "no")
                 .add("max_buffer_bytes", a.limits.max_buffer_size)
                 .add("max_binding_bytes", a.limits.max_storage_binding_size)
                 .add("memory_bytes", a.memory_bytes)
                 .add("open_s", open_s));
    if (copy_bytes) bench_copy(*device, out, copy_bytes);
    for (int n : sh) bench_forward(*device, out, "SH", n);
    for (int n : psv) bench_forward(*device, out, "P-SV", n);
    for (int n : acoustic) bench_forward(*device, out, "acoustic", n);
    if (small) bench_small(*device, out);
    for (const char* scheme : {"SH", "P-SV"})
      for (int n : adjoint_sizes) bench_adjoint(*device, out, scheme, n);
    for (const char* scheme : {"P-SV", "SH"})
      for (int n : gradient_sizes) bench_gradient(*device, out, scheme, n, problem_nt, reps);
    if (shots_n > 0 && shots_count > 0) bench_shots(*device, out, shots_n, shots_count, problem_nt, reps);
  } catch (const std::exception& e) {
    std::cerr << "seiswg-bench: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
