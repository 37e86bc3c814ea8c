// fd2d.cu: a plain CUDA implementation of seiswg's SH and P-SV schemes, the way a CuPy or
// numba-cuda user would write them: one thread per grid point, a velocity kernel and a stress kernel
// per time step (plus a source kernel and a receiver kernel), float32, no shared memory, no tuning.
// Same fields, storage layout (node k = i*nz + j, planes of nx*nz values), 4th-order staggered
// differences, edge rules, Seispie taper and material planes (dt folded in) as seiswg's WGSL
// (src/physics/common/stencil.wgsl, sh/sh.wgsl, psv/psv.wgsl, solver/point_sources.wgsl).
//
//   fd2d check DIR                 runs the cases `seiswg-bench reference DIR` wrote, compares
//   fd2d run [--sh 256,..] [--psv 256,..] [--no-small]   times them (JSON lines on stdout)
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#define CHECK(call)                                                                                    \
  do {                                                                                                 \
    cudaError_t err_ = (call);                                                                         \
    if (err_ != cudaSuccess) {                                                                         \
      std::fprintf(stderr, "fd2d: %s failed: %s (%s:%d)\n", #call, cudaGetErrorString(err_), __FILE__, \
                   __LINE__);                                                                          \
      std::exit(3);                                                                                    \
    }                                                                                                  \
  } while (0)
#define CHECK_LAUNCH() CHECK(cudaGetLastError())

// Built with -DFD2D_RESTRICT, the field kernels' pointers are __restrict__ (no aliasing: loads may
// move across stores), which is what WebGPU's separate bindings tell the Vulkan driver.
#ifdef FD2D_RESTRICT
#define RESTRICT __restrict__
constexpr const char* kImpl = "cuda-restrict";
#else
#define RESTRICT
constexpr const char* kImpl = "cuda";
#endif

namespace {

constexpr float C1 = 1.125f;            // 9/8
constexpr float C2 = -0.041666666667f;  // -1/24

struct Grid {
  int nx, nz;
  float inv_dx, inv_dz;
  int seispie_edges;  // SH: a derivative whose stencil leaves the grid is zero
  int taper_width;
  float taper_alpha;
  int left, right, top, bottom;
};

__device__ __forceinline__ float at(const float* a, const Grid& g, int i, int j) {
  if (i < 0 || j < 0 || i >= g.nx || j >= g.nz) return 0.0f;
  return a[(size_t)i * g.nz + j];
}
__device__ __forceinline__ float d4(float am1, float a0, float a1, float a2) {
  return C1 * (a1 - a0) + C2 * (a2 - am1);
}
__device__ __forceinline__ bool fits_forward(const Grid& g, int m, int n) {
  return !g.seispie_edges || (m >= 1 && m < n - 2);
}
__device__ __forceinline__ bool fits_backward(const Grid& g, int m, int n) {
  return !g.seispie_edges || (m >= 2 && m < n - 2);
}
// Derivative at i + 1/2 (forward) or i - 1/2 (backward), along x or z.
__device__ float dx_forward(const float* a, const Grid& g, int i, int j) {
  if (!fits_forward(g, i, g.nx)) return 0.0f;
  return d4(at(a, g, i - 1, j), at(a, g, i, j), at(a, g, i + 1, j), at(a, g, i + 2, j)) * g.inv_dx;
}
__device__ float dz_forward(const float* a, const Grid& g, int i, int j) {
  if (!fits_forward(g, j, g.nz)) return 0.0f;
  return d4(at(a, g, i, j - 1), at(a, g, i, j), at(a, g, i, j + 1), at(a, g, i, j + 2)) * g.inv_dz;
}
__device__ float dx_backward(const float* a, const Grid& g, int i, int j) {
  if (!fits_backward(g, i, g.nx)) return 0.0f;
  return d4(at(a, g, i - 2, j), at(a, g, i - 1, j), at(a, g, i, j), at(a, g, i + 1, j)) * g.inv_dx;
}
__device__ float dz_backward(const float* a, const Grid& g, int i, int j) {
  if (!fits_backward(g, j, g.nz)) return 0.0f;
  return d4(at(a, g, i, j - 2), at(a, g, i, j - 1), at(a, g, i, j), at(a, g, i, j + 1)) * g.inv_dz;
}
__device__ float taper_factor(const Grid& g, int distance) {
  const float aw = g.taper_alpha * float(distance);
  return expf(-aw * aw);
}
__device__ float taper(const Grid& g, int i, int j) {
  float b = 1.0f;
  if (g.left && i + 1 < g.taper_width) b *= taper_factor(g, g.taper_width - i - 1);
  if (g.right && i > g.nx - g.taper_width) b *= taper_factor(g, g.taper_width + i - g.nx);
  if (g.bottom && j > g.nz - g.taper_width) b *= taper_factor(g, g.taper_width + j - g.nz);
  if (g.top && j + 1 < g.taper_width) b *= taper_factor(g, g.taper_width - j - 1);
  return b;
}

// Threads along z (x of the block) touch consecutive addresses.
#define GRID_NODE                                      \
  const int j = blockIdx.x * blockDim.x + threadIdx.x; \
  const int i = blockIdx.y * blockDim.y + threadIdx.y; \
  if (i >= g.nx || j >= g.nz) return;                  \
  const size_t k = (size_t)i * g.nz + j;

// SH: vy at nodes, sxy at (i+1/2, j), szy at (i, j+1/2); material dt/rho and dt*mu per node.
__global__ void sh_velocity(Grid g, float* RESTRICT vy, const float* RESTRICT sxy, const float* RESTRICT szy,
                            const float* RESTRICT dt_rho) {
  GRID_NODE
  const float div = dx_backward(sxy, g, i, j) + dz_backward(szy, g, i, j);
  vy[k] = taper(g, i, j) * (vy[k] + dt_rho[k] * div);
}
__global__ void sh_stress(Grid g, const float* RESTRICT vy, float* RESTRICT sxy, float* RESTRICT szy,
                          const float* RESTRICT dt_mu) {
  GRID_NODE
  const float m = dt_mu[k];
  sxy[k] = sxy[k] + m * dx_forward(vy, g, i, j);
  szy[k] = szy[k] + m * dz_forward(vy, g, i, j);
}

// P-SV (Virieux): sxx, szz at nodes, vx at (i+1/2, j), vz at (i, j+1/2), sxz at (i+1/2, j+1/2).
__global__ void psv_velocity(Grid g, float* RESTRICT vx, float* RESTRICT vz, const float* RESTRICT sxx,
                             const float* RESTRICT szz, const float* RESTRICT sxz,
                             const float* RESTRICT dt_rho_x, const float* RESTRICT dt_rho_z) {
  GRID_NODE
  const float b = taper(g, i, j);
  const float fx = dx_forward(sxx, g, i, j) + dz_backward(sxz, g, i, j);
  const float fz = dx_backward(sxz, g, i, j) + dz_forward(szz, g, i, j);
  vx[k] = b * (vx[k] + dt_rho_x[k] * fx);
  vz[k] = b * (vz[k] + dt_rho_z[k] * fz);
}
__global__ void psv_stress(Grid g, const float* RESTRICT vx, const float* RESTRICT vz, float* RESTRICT sxx,
                           float* RESTRICT szz, float* RESTRICT sxz, const float* RESTRICT dt_l2m,
                           const float* RESTRICT dt_l, const float* RESTRICT dt_mu_xz) {
  GRID_NODE
  const float exx = dx_backward(vx, g, i, j);
  const float ezz = dz_backward(vz, g, i, j);
  const float dvx_dz = dz_forward(vx, g, i, j);
  const float dvz_dx = dx_forward(vz, g, i, j);
  const float l2m = dt_l2m[k], l = dt_l[k];
  sxx[k] = sxx[k] + l2m * exx + l * ezz;
  szz[k] = szz[k] + l * exx + l2m * ezz;
  sxz[k] = sxz[k] + dt_mu_xz[k] * (dvx_dz + dvz_dx);
}

struct Source {  // as seiswg's SourcePoint
  unsigned vel_index, param_index;
  int i, j;
};
__global__ void inject(Grid g, float* vel, const float* params, const Source* sources, const float* stf,
                       int nt, int it, int count) {
  const int s = blockIdx.x * blockDim.x + threadIdx.x;
  if (s >= count) return;
  const Source p = sources[s];
  vel[p.vel_index] += taper(g, p.i, p.j) * params[p.param_index] * stf[(size_t)s * nt + it];
}
__global__ void record(const float* vel, const unsigned* receivers, float* displacement, float* traces,
                       int nt, int it, int count, float dt) {
  for (int r = threadIdx.x; r < count; r += blockDim.x) {
    const float u = displacement[r] + vel[receivers[r]] * dt;
    displacement[r] = u;
    traces[(size_t)r * nt + it] = u;
  }
}

// The same pseudo-random values as seiswg-bench's noise(): both time the same (non-zero) data.
__host__ __device__ float noise(unsigned long long k, float amp) {
  unsigned x = unsigned(k * 2654435761u) ^ unsigned(k >> 32);
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return (float(x >> 8) * (1.0f / 16777216.0f) - 0.5f) * amp;
}
__global__ void fill_noise(float* a, size_t n, unsigned long long seed) {
  for (size_t k = blockIdx.x * (size_t)blockDim.x + threadIdx.x; k < n; k += (size_t)gridDim.x * blockDim.x)
    a[k] = noise(seed + k, 1e-3f);
}
__global__ void fill_value(float* a, size_t n, float v) {
  for (size_t k = blockIdx.x * (size_t)blockDim.x + threadIdx.x; k < n; k += (size_t)gridDim.x * blockDim.x)
    a[k] = v;
}

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A simulation on the device: all velocity planes in one allocation, all stress planes in another,
// all material planes in a third (as seiswg binds them).
struct Sim {
  bool sh = true;
  Grid g{};
  int nt = 0;
  float dt = 0;
  size_t npt = 0;
  int vplanes = 0, splanes = 0, mplanes = 0;
  float *vel = nullptr, *stress = nullptr, *material = nullptr;
  Source* sources = nullptr;
  float* stf = nullptr;
  int source_count = 0;
  unsigned* receivers = nullptr;
  float *displacement = nullptr, *traces = nullptr;
  int receiver_count = 0;
  dim3 block{64, 4};

  bool allocate(bool is_sh, const Grid& grid, int nt_, float dt_) {
    sh = is_sh;
    g = grid;
    nt = nt_;
    dt = dt_;
    npt = size_t(g.nx) * size_t(g.nz);
    vplanes = sh ? 1 : 2;
    splanes = sh ? 2 : 3;
    mplanes = sh ? 2 : 5;
    if (cudaMalloc(&vel, npt * vplanes * 4) != cudaSuccess ||
        cudaMalloc(&stress, npt * splanes * 4) != cudaSuccess ||
        cudaMalloc(&material, npt * mplanes * 4) != cudaSuccess) {
      cudaGetLastError();
      release();
      return false;
    }
    CHECK(cudaMemset(vel, 0, npt * vplanes * 4));
    CHECK(cudaMemset(stress, 0, npt * splanes * 4));
    return true;
  }
  void set_sources(const std::vector<Source>& s, const std::vector<float>& values) {
    cudaFree(sources);
    cudaFree(stf);
    source_count = int(s.size());
    CHECK(cudaMalloc(&sources, std::max<size_t>(1, s.size()) * sizeof(Source)));
    CHECK(cudaMalloc(&stf, std::max<size_t>(1, values.size()) * 4));
    if (!s.empty()) CHECK(cudaMemcpy(sources, s.data(), s.size() * sizeof(Source), cudaMemcpyHostToDevice));
    if (!values.empty()) CHECK(cudaMemcpy(stf, values.data(), values.size() * 4, cudaMemcpyHostToDevice));
  }
  void set_receivers(const std::vector<unsigned>& index) {
    cudaFree(receivers);
    cudaFree(displacement);
    cudaFree(traces);
    receiver_count = int(index.size());
    CHECK(cudaMalloc(&receivers, std::max<size_t>(1, index.size()) * 4));
    CHECK(cudaMalloc(&displacement, std::max<size_t>(1, index.size()) * 4));
    CHECK(cudaMalloc(&traces, std::max<size_t>(1, index.size() * size_t(nt)) * 4));
    if (!index.empty()) CHECK(cudaMemcpy(receivers, index.data(), index.size() * 4, cudaMemcpyHostToDevice));
    CHECK(cudaMemset(displacement, 0, std::max<size_t>(1, index.size()) * 4));
  }
  void release() {
    for (void* p : {(void*)vel, (void*)stress, (void*)material, (void*)sources, (void*)stf, (void*)receivers,
                    (void*)displacement, (void*)traces})
      if (p) cudaFree(p);
    vel = stress = material = stf = displacement = traces = nullptr;
    sources = nullptr;
    receivers = nullptr;
  }
  float* m(int p) const { return material + size_t(p) * npt; }
  float* v(int p) const { return vel + size_t(p) * npt; }
  float* s(int p) const { return stress + size_t(p) * npt; }

  void velocity_kernel() {
    const dim3 grid((g.nz + block.x - 1) / block.x, (g.nx + block.y - 1) / block.y);
    if (sh)
      sh_velocity<<<grid, block>>>(g, v(0), s(0), s(1), m(0));
    else
      psv_velocity<<<grid, block>>>(g, v(0), v(1), s(0), s(1), s(2), m(0), m(1));
    CHECK_LAUNCH();
  }
  void stress_kernel() {
    const dim3 grid((g.nz + block.x - 1) / block.x, (g.nx + block.y - 1) / block.y);
    if (sh)
      sh_stress<<<grid, block>>>(g, v(0), s(0), s(1), m(1));
    else
      psv_stress<<<grid, block>>>(g, v(0), v(1), s(0), s(1), s(2), m(2), m(3), m(4));
    CHECK_LAUNCH();
  }
  void inject_kernel(int it) {
    if (!source_count) return;
    inject<<<(source_count + 63) / 64, 64>>>(g, vel, material, sources, stf, nt, it % nt, source_count);
    CHECK_LAUNCH();
  }
  void record_kernel(int it) {
    record<<<1, 64>>>(vel, receivers, displacement, traces, nt, it % nt, receiver_count, dt);
    CHECK_LAUNCH();
  }
  // One time step, in seiswg's order.
  void step(int it) {
    velocity_kernel();
    inject_kernel(it);
    stress_kernel();
    if (receiver_count) record_kernel(it);
  }
};

// Homogeneous material as seiswg computes it (vp 3000, vs 1700, rho 2000; averages of equal values).
void homogeneous_material(Sim& sim, double dt) {
  const double vp = 3000, vs = 1700, rho = 2000, mu = rho * vs * vs, lambda = rho * (vp * vp - 2 * vs * vs);
  std::vector<float> v =
      sim.sh ? std::vector<float>{float(dt / rho), float(dt * rho * vs * vs)}
             : std::vector<float>{float(dt / rho), float(dt / rho), float(dt * (lambda + 2 * mu)),
                                  float(dt * lambda), float(dt * mu)};
  for (int p = 0; p < sim.mplanes; ++p) fill_value<<<1024, 256>>>(sim.m(p), sim.npt, v[size_t(p)]);
  CHECK_LAUNCH();
}
std::vector<float> ricker(int nt, double dt, double f0, double t0, double amp) {
  std::vector<float> v;
  const double a = M_PI * M_PI * f0 * f0;
  for (int it = 0; it < nt; ++it) {
    const double t = it * dt - t0;
    v.push_back(float(-amp * (1 - 2 * a * t * t) * std::exp(-a * t * t)));
  }
  return v;
}
// One source (30 degrees) at (i, j) and `count` receivers along z = j_rec, as seiswg-bench sets them.
void point_source_and_receivers(Sim& sim, int i, int j, int count, int j_rec, double dx) {
  const double f0 = 1700.0 / (10 * dx) / 2.5;
  const auto stf = ricker(sim.nt, sim.dt, f0, 1.2 / f0, 1e10);
  const double a = 30.0 * M_PI / 180.0;
  std::vector<Source> src;
  std::vector<float> values;
  const unsigned node = unsigned(size_t(i) * sim.g.nz + j);
  const std::vector<double> weights =
      sim.sh ? std::vector<double>{1.0} : std::vector<double>{std::sin(a), -std::cos(a)};
  for (size_t p = 0; p < weights.size(); ++p) {
    src.push_back({unsigned(p * sim.npt + node), unsigned(p * sim.npt + node), i, j});
    for (float x : stf) values.push_back(float(weights[p] * x));
  }
  sim.set_sources(src, values);
  std::vector<unsigned> rec;
  for (int p = 0; p < sim.vplanes; ++p)
    for (int r = 0; r < count; ++r)
      rec.push_back(unsigned(
          p * sim.npt + size_t(std::clamp(int((r + 0.5) * sim.g.nx / count), 2, sim.g.nx - 3)) * sim.g.nz +
          j_rec));
  sim.set_receivers(rec);
}

Grid make_grid(int nx, int nz, double h, bool sh) {
  return Grid{nx, nz, float(1.0 / h), float(1.0 / h), sh ? 1 : 0, 20, 0.015f, 1, 1, 0, 1};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Events {
  cudaEvent_t a, b;
  Events() {
    CHECK(cudaEventCreate(&a));
    CHECK(cudaEventCreate(&b));
  }
  ~Events() {
    cudaEventDestroy(a);
    cudaEventDestroy(b);
  }
  template <class F>
  double time(F&& work) {  // seconds
    CHECK(cudaEventRecord(a));
    work();
    CHECK(cudaEventRecord(b));
    CHECK(cudaEventSynchronize(b));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, a, b));
    return ms * 1e-3;
  }
};

void bench_forward(bool sh, int n, dim3 block) {
  const double h = 10, dt = 0.8 * (6.0 / 7.0) * h / (3000.0 * std::sqrt(2.0));
  const char* scheme = sh ? "SH" : "P-SV";
  const double npt = double(n) * double(n);
  Sim sim;
  sim.block = block;
  // nt = 4096: the source time function and the traces wrap around after that many steps.
  if (!sim.allocate(sh, make_grid(n, n, h, sh), 4096, float(dt))) {
    std::printf(
        "{\"what\": \"forward\", \"impl\": \"%s\", \"scheme\": \"%s\", \"n\": %d, \"status\": \"does not "
        "fit\"}\n",
        kImpl, scheme, n);
    return;
  }
  homogeneous_material(sim, dt);
  point_source_and_receivers(sim, n / 2, std::max(3, n / 10), 100, std::max(2, n / 20), h);
  fill_noise<<<4096, 256>>>(sim.vel, sim.npt * sim.vplanes, 1);
  fill_noise<<<4096, 256>>>(sim.stress, sim.npt * sim.splanes, 7);
  CHECK_LAUNCH();
  Events ev;
  int it = 0;
  auto run = [&](int steps) {
    return ev.time([&] {
      for (int s = 0; s < steps; ++s) sim.step(it++);
    });
  };
  run(20);
  const double guess = run(20) / 20;
  const int steps = int(std::clamp(0.15 / guess, 20.0, 20000.0));
  std::vector<double> t1, t2;
  for (int rep = 0; rep < 3; ++rep) {
    t1.push_back(run(steps));
    t2.push_back(run(2 * steps));
  }
  const double marginal = (median(t2) - median(t1)) / steps;
  // Per kernel: an event after each launch, 100 steps queued back to back, one wait at the end.
  constexpr int kSteps = 100;
  std::vector<cudaEvent_t> marks(4 * kSteps + 1);
  for (auto& e : marks) CHECK(cudaEventCreate(&e));
  CHECK(cudaEventRecord(marks[0]));
  for (int s = 0; s < kSteps; ++s, ++it) {
    sim.velocity_kernel();
    CHECK(cudaEventRecord(marks[4 * s + 1]));
    sim.inject_kernel(it);
    CHECK(cudaEventRecord(marks[4 * s + 2]));
    sim.stress_kernel();
    CHECK(cudaEventRecord(marks[4 * s + 3]));
    sim.record_kernel(it);
    CHECK(cudaEventRecord(marks[4 * s + 4]));
  }
  CHECK(cudaEventSynchronize(marks.back()));
  double per_kernel[4] = {0, 0, 0, 0};  // ms: velocity, inject, stress, record
  for (int m = 1; m < int(marks.size()); ++m) {
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, marks[size_t(m - 1)], marks[size_t(m)]));
    per_kernel[(m - 1) % 4] += ms;
  }
  for (auto& e : marks) cudaEventDestroy(e);
  const double tv = per_kernel[0] * 1e-3, ti = per_kernel[1] * 1e-3, ts = per_kernel[2] * 1e-3,
               tr = per_kernel[3] * 1e-3;
  std::printf(
      "{\"what\": \"forward\", \"impl\": \"%s\", \"scheme\": \"%s\", \"n\": %d, \"block\": \"%ux%u\", "
      "\"kernel_steps\": %d, \"step_us\": %.4g, \"kernel_gpts\": %.5g, \"ev_velocity_us\": %.4g, "
      "\"ev_inject_us\": %.4g, \"ev_stress_us\": %.4g, \"ev_record_us\": %.4g, \"status\": \"ok\"}\n",
      kImpl, scheme, n, block.x, block.y, steps, marginal * 1e6, npt / marginal / 1e9, tv * 1e4, ti * 1e4,
      ts * 1e4, tr * 1e4);
  std::fflush(stdout);
  sim.release();
}

void bench_copy() {
  const size_t bytes = size_t(1) << 30;
  float *a = nullptr, *b = nullptr;
  CHECK(cudaMalloc(&a, bytes));
  CHECK(cudaMalloc(&b, bytes));
  fill_noise<<<4096, 256>>>(a, bytes / 4, 3);
  CHECK_LAUNCH();
  Events ev;
  auto run = [&](int copies) {
    return ev.time([&] {
      for (int k = 0; k < copies; ++k)
        CHECK(cudaMemcpyAsync(k % 2 ? a : b, k % 2 ? b : a, bytes, cudaMemcpyDeviceToDevice));
    });
  };
  run(2);
  std::vector<double> r;
  for (int rep = 0; rep < 3; ++rep) r.push_back(2.0 * double(bytes) * 10 / run(10) / 1e9);
  std::printf(
      "{\"what\": \"copy\", \"impl\": \"cudaMemcpy\", \"buffer_bytes\": %zu, \"gbs\": %.6g, \"gbs_best\": "
      "%.6g}\n",
      bytes, median(r), *std::max_element(r.begin(), r.end()));
  std::fflush(stdout);
  cudaFree(a);
  cudaFree(b);
}

// Seispie's forward example: 201 x 201 SH, 4800 steps, 12 sources one after the other, traces copied
// back after each; wall time from allocation to the last trace on the host (context made before).
void bench_small() {
  const int n = 201, nt = 4800, shots = 12;
  const auto t0 = Clock::now();
  Sim sim;
  if (!sim.allocate(true, make_grid(n, n, 1000.0, true), nt, 0.06f)) std::exit(3);
  homogeneous_material(sim, 0.06);
  std::vector<float> traces;
  for (int shot = 0; shot < shots; ++shot) {
    point_source_and_receivers(sim, (shot + 1) * (n - 1) / (shots + 1), 20, 60, 10, 1000.0);
    CHECK(cudaMemset(sim.vel, 0, sim.npt * 4));
    CHECK(cudaMemset(sim.stress, 0, sim.npt * 2 * 4));
    for (int it = 0; it < nt; ++it) sim.step(it);
    traces.resize(size_t(sim.receiver_count) * nt);
    CHECK(cudaMemcpy(traces.data(), sim.traces, traces.size() * 4, cudaMemcpyDeviceToHost));
  }
  const double wall = seconds_since(t0);
  std::printf(
      "{\"what\": \"small\", \"impl\": \"%s\", \"n\": %d, \"nt\": %d, \"shots\": %d, \"mode\": \"plain "
      "launches\", "
      "\"wall_s\": %.4g, \"step_us\": %.4g}\n",
      kImpl, n, nt, shots, wall, wall / (double(nt) * shots) * 1e6);
  std::fflush(stdout);
  sim.release();
}

// ---- check against seiswg: the cases written by `seiswg-bench reference DIR` ----
std::vector<float> read_floats(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    std::fprintf(stderr, "fd2d: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<float> v(size_t(f.tellg()) / 4);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * 4));
  return v;
}
double rel_l2(const std::vector<float>& a, const std::vector<float>& ref) {
  double num = 0, den = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    const double d = double(a[k]) - double(ref[k]);
    num += d * d;
    den += double(ref[k]) * double(ref[k]);
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

int check_case(const std::string& dir) {
  std::map<std::string, std::string> meta;
  {
    std::ifstream f(dir + "/meta.txt");
    for (std::string key, value; f >> key >> value;) meta[key] = value;
  }
  if (meta.empty()) {
    std::fprintf(stderr, "fd2d: no %s/meta.txt\n", dir.c_str());
    return 1;
  }
  auto num = [&](const char* k) { return std::stod(meta.at(k)); };
  const bool sh = meta["scheme"] == "SH";
  Grid g{int(num("nx")),
         int(num("nz")),
         float(1.0 / num("dx")),
         float(1.0 / num("dz")),
         int(num("seispie_edges")),
         int(num("taper_width")),
         float(num("taper_alpha")),
         int(num("taper_left")),
         int(num("taper_right")),
         int(num("taper_top")),
         int(num("taper_bottom"))};
  const int nt = int(num("nt"));
  Sim sim;
  if (!sim.allocate(sh, g, nt, float(num("dt")))) return 3;
  const auto material = read_floats(dir + "/material.bin"), v0 = read_floats(dir + "/v0.bin"),
             s0 = read_floats(dir + "/s0.bin"), v_ref = read_floats(dir + "/v.bin"),
             s_ref = read_floats(dir + "/s.bin");
  CHECK(cudaMemcpy(sim.material, material.data(), material.size() * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(sim.vel, v0.data(), v0.size() * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(sim.stress, s0.data(), s0.size() * 4, cudaMemcpyHostToDevice));
  std::vector<Source> src;
  std::vector<float> values;
  std::ifstream f(dir + "/sources.txt");
  for (std::string line; std::getline(f, line);) {
    std::istringstream s(line);
    unsigned vp, bp;
    int i, j;
    s >> vp >> bp >> i >> j;
    const unsigned node = unsigned(size_t(i) * g.nz + j);
    src.push_back({unsigned(vp * sim.npt + node), unsigned(bp * sim.npt + node), i, j});
    for (int t = 0; t < nt; ++t) {
      float x;
      s >> x;
      values.push_back(x);
    }
  }
  sim.set_sources(src, values);
  for (int it = 0; it < nt; ++it) sim.step(it);
  std::vector<float> v(v_ref.size()), s(s_ref.size());
  CHECK(cudaMemcpy(v.data(), sim.vel, v.size() * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(s.data(), sim.stress, s.size() * 4, cudaMemcpyDeviceToHost));
  const double ev = rel_l2(v, v_ref), es = rel_l2(s, s_ref);
  const bool pass = ev <= 1e-5 && es <= 1e-5;
  std::string name = dir.substr(dir.find_last_of('/') + 1);
  std::printf(
      "{\"what\": \"check\", \"impl\": \"%s\", \"case\": \"%s\", \"scheme\": \"%s\", \"n\": %d, \"nt\": "
      "%d, "
      "\"rel_l2_velocity\": %.3g, \"rel_l2_stress\": %.3g, \"pass\": \"%s\"}\n",
      kImpl, name.c_str(), sh ? "SH" : "P-SV", g.nx, nt, ev, es, pass ? "yes" : "NO");
  std::fflush(stdout);
  sim.release();
  return pass ? 0 : 4;
}

std::vector<int> parse_sizes(const std::string& text) {
  std::vector<int> v;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');)
    if (!item.empty()) v.push_back(std::stoi(item));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr,
                 "usage: fd2d check DIR | fd2d run [--sh 256,...] [--psv 256,...] [--block 64x4] "
                 "[--no-small] [--no-copy]\n");
    return 2;
  }
  const auto t_ctx = Clock::now();
  CHECK(cudaFree(nullptr));  // create the context
  const double ctx_s = seconds_since(t_ctx);
  if (args[0] == "check" && args.size() == 2) {
    int rc = 0;
    for (const char* c : {"sh_rest", "sh_random", "psv_rest", "psv_random"})
      rc |= check_case(args[1] + "/" + c);
    return rc;
  }
  if (args[0] != "run") return 2;
  std::vector<int> sh = {256, 512, 1024, 2048, 4096, 8192, 16384}, psv = sh;
  dim3 block(64, 4);
  bool small = true, copy = true;
  for (size_t k = 1; k < args.size(); ++k) {
    if (args[k] == "--sh" && k + 1 < args.size())
      sh = parse_sizes(args[++k]);
    else if (args[k] == "--psv" && k + 1 < args.size())
      psv = parse_sizes(args[++k]);
    else if (args[k] == "--block" && k + 1 < args.size()) {
      unsigned x = 64, y = 4;
      std::sscanf(args[++k].c_str(), "%ux%u", &x, &y);
      block = dim3(x, y);
    } else if (args[k] == "--no-small")
      small = false;
    else if (args[k] == "--no-copy")
      copy = false;
    else
      return 2;
  }
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  std::printf(
      "{\"what\": \"device\", \"impl\": \"%s\", \"name\": \"%s\", \"sms\": %d, \"memory_bytes\": %zu, "
      "\"runtime\": %d, \"driver\": %d, \"context_s\": %.3g}\n",
      kImpl, prop.name, prop.multiProcessorCount, prop.totalGlobalMem, runtime, driver, ctx_s);
  std::fflush(stdout);
  if (copy) bench_copy();
  for (int n : sh) bench_forward(true, n, block);
  for (int n : psv) bench_forward(false, n, block);
  if (small) bench_small();
  return 0;
}
