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
// `seiswg-bench reference DIR` instead writes small cases (inputs and seiswg's result) that the CUDA
// program (bench/cuda/fd2d.cu) runs and compares with.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
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
#include "solver/adjoint.hpp"
#include "solver/propagator.hpp"
#include "solver/wavelet.hpp"

namespace {

using namespace seiswg;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Bytes a scheme must move through device memory per grid point and time step: every field and
// material plane its two kernels read once, every field they write once (float32).
//   SH:   velocity reads sxy, szy, vy, dt/rho, writes vy (5 words); stress reads vy, sxy, szy,
//         dt*mu, writes sxy, szy (6 words): 11 words = 44 B.
//   P-SV: velocity reads sxx, szz, sxz, vx, vz, dt/rho at vx, dt/rho at vz, writes vx, vz (9 words);
//         stress reads vx, vz, sxx, szz, sxz, dt(lambda+2mu), dt lambda, dt mu at sxz, writes sxx,
//         szz, sxz (11 words): 20 words = 80 B.
int bytes_per_point_step(const std::string& scheme) { return scheme == "SH" ? 44 : 80; }

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
  return s;
}

std::unique_ptr<physics::WaveEquation> make(const std::string& scheme) {
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
  auto p = std::make_unique<solver::Propagator>(device, eq, s.model, nt, s.dt, s.taper);
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
    solver::Propagator p(device, *eq, s.model, nt, s.dt, s.taper);
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
      solver::Propagator p(device, *eq, s.model, nt, s.dt, s.taper);
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
  } catch (const std::exception& e) {
    row.add("status", std::string("failed: ") + e.what());
  }
  out.emit(row);
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
      << "usage: seiswg-bench run [--out FILE.jsonl] [--sh 256,512,...] [--psv 256,...] [--no-small]\n"
         "                        [--adjoint 256,1024,... (sizes for both schemes)]\n"
         "                        [--copy-mib 1024 (0: none)] [--toggles dawn_toggle,...] [--variant NAME]\n"
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
    bool small = true;
    std::vector<int> adjoint_sizes = {256, 1024, 2048, 4096};
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
      else if (args[k] == "--copy-mib" && has_value)
        copy_bytes = std::stoull(args[++k]) << 20;
      else if (args[k] == "--adjoint" && has_value)
        adjoint_sizes = parse_sizes(args[++k]);
      else if (args[k] == "--no-small")
        small = false;
      else if (args[k] == "--toggles" && has_value) {
        std::stringstream list(args[++k]);
        for (std::string t; std::getline(list, t, ',');) options.dawn_toggles.push_back(t);
      } else if (args[k] == "--variant" && has_value)
        variant = args[++k];
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
                 .add("open_s", open_s));
    if (copy_bytes) bench_copy(*device, out, copy_bytes);
    for (int n : sh) bench_forward(*device, out, "SH", n);
    for (int n : psv) bench_forward(*device, out, "P-SV", n);
    if (small) bench_small(*device, out);
    for (const char* scheme : {"SH", "P-SV"})
      for (int n : adjoint_sizes) bench_adjoint(*device, out, scheme, n);
  } catch (const std::exception& e) {
    std::cerr << "seiswg-bench: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
