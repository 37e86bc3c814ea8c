#include "inversion/conditioning.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "io/error.hpp"
#include "physics/common/parallel_rows.hpp"

namespace seiswg::inversion {

namespace {

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

void check_grid(std::size_t size, int nx, int nz, const char* where) {
  if (nx < 1 || nz < 1 || size != std::size_t(nx) * std::size_t(nz))
    throw InputError(std::string(where) + ": the field has " + std::to_string(size) +
                     " values, not nx * nz = " + std::to_string(nx) + " * " + std::to_string(nz));
}

void check_grid(int nx, int nz, const char* where) {
  if (nx < 1 || nz < 1)
    throw InputError(std::string(where) + ": the grid " + std::to_string(nx) + " x " + std::to_string(nz) +
                     " needs at least one node along each axis");
}

// exp(-k^2 / (2 sigma^2)) for k = 0 .. ceil(4 sigma) (the kernel is symmetric).
std::vector<double> half_kernel(double sigma) {
  const int reach = int(std::ceil(4 * sigma));
  std::vector<double> w(std::size_t(reach) + 1);
  for (int k = 0; k <= reach; ++k)
    w[std::size_t(k)] = std::exp(-0.5 * double(k) * double(k) / (sigma * sigma));
  return w;
}

// out[m] = sum_k w_k in[m + k] / sum_k w_k over the k that keep m + k inside [0, count).
template <class T>
void smooth_line(const T* in, T* out, int count, const std::vector<double>& w) {
  const int reach = int(w.size()) - 1;
  for (int m = 0; m < count; ++m) {
    double sum = 0, weight = 0;
    const int first = std::max(-reach, -m), last = std::min(reach, count - 1 - m);
    for (int k = first; k <= last; ++k) {
      const double wk = w[std::size_t(std::abs(k))];
      sum += wk * double(in[m + k]);
      weight += wk;
    }
    out[m] = T(sum / weight);
  }
}

template <class T>
void smooth(std::span<T> field, int nx, int nz, double sigma_x, double sigma_z) {
  const char* where = "gradient smoothing";
  check_grid(field.size(), nx, nz, where);
  for (auto [name, sigma] : {std::pair{"sigma_x", sigma_x}, std::pair{"sigma_z", sigma_z}})
    if (!(sigma >= 0) || !std::isfinite(sigma))
      throw InputError(std::string(where) + ": " + name + " = " + num(sigma) +
                       " grid points must be finite and >= 0 (0: no smoothing along that axis)");
  std::vector<T> smoothed(field.size());
  if (sigma_z > 0) {  // along j: each row i's nz values are contiguous
    const std::vector<double> w = half_kernel(sigma_z);
    physics::parallel_rows(nx, [&](int first, int end) {
      for (int i = first; i < end; ++i) {
        const std::size_t row = std::size_t(i) * std::size_t(nz);
        smooth_line(field.data() + row, smoothed.data() + row, nz, w);
      }
    });
    std::copy(smoothed.begin(), smoothed.end(), field.begin());
  }
  if (sigma_x > 0) {
    // Along i: output row i is a weighted sum of the contiguous input rows i - reach .. i + reach, all
    // nodes of a row sharing one weight sum.
    const std::vector<double> w = half_kernel(sigma_x);
    const int reach = int(w.size()) - 1;
    physics::parallel_rows(nx, [&](int first, int end) {
      std::vector<double> sum(static_cast<std::size_t>(nz));
      for (int i = first; i < end; ++i) {
        std::fill(sum.begin(), sum.end(), 0.0);
        double weight = 0;
        for (int k = std::max(-reach, -i); k <= std::min(reach, nx - 1 - i); ++k) {
          const double wk = w[std::size_t(std::abs(k))];
          const T* in = field.data() + std::size_t(i + k) * std::size_t(nz);
          for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += wk * double(in[j]);
          weight += wk;
        }
        T* out = smoothed.data() + std::size_t(i) * std::size_t(nz);
        for (std::size_t j = 0; j < sum.size(); ++j) out[j] = T(sum[j] / weight);
      }
    });
    std::copy(smoothed.begin(), smoothed.end(), field.begin());
  }
}

template <class T>
void weigh(std::span<T> field, std::span<const double> weights) {
  if (field.size() != weights.size())
    throw InputError("gradient weighting: the field has " + std::to_string(field.size()) +
                     " values, the weights " + std::to_string(weights.size()));
  for (std::size_t k = 0; k < field.size(); ++k) field[k] = T(double(field[k]) * weights[k]);
}

double cosine_rise(double fraction) { return 0.5 - 0.5 * std::cos(std::numbers::pi * fraction); }

}  // namespace

void smooth_gaussian(std::span<double> field, int nx, int nz, double sigma_x, double sigma_z) {
  smooth(field, nx, nz, sigma_x, sigma_z);
}

void smooth_gaussian(std::span<float> field, int nx, int nz, double sigma_x, double sigma_z) {
  smooth(field, nx, nz, sigma_x, sigma_z);
}

std::vector<double> source_mask(int nx, int nz, std::span<const GridPoint> sources, double radius) {
  check_grid(nx, nz, "source mask");
  if (!(radius >= 0) || !std::isfinite(radius))
    throw InputError("source mask: radius = " + num(radius) + " grid points must be finite and >= 0");
  std::vector<double> mask(std::size_t(nx) * std::size_t(nz), 1.0);
  if (radius == 0) return mask;
  for (const GridPoint& source : sources) {
    // Only the nodes within the radius change.
    const int i_first = std::max(0, int(std::floor(source.i - radius))),
              i_end = std::min(nx, int(std::ceil(source.i + radius)) + 1);
    const int j_first = std::max(0, int(std::floor(source.j - radius))),
              j_end = std::min(nz, int(std::ceil(source.j + radius)) + 1);
    for (int i = i_first; i < i_end; ++i)
      for (int j = j_first; j < j_end; ++j) {
        const double r = std::hypot(double(i) - source.i, double(j) - source.j);
        if (r >= radius) continue;
        double& m = mask[std::size_t(i) * std::size_t(nz) + std::size_t(j)];
        m = std::min(m, cosine_rise(r / radius));
      }
  }
  return mask;
}

std::vector<double> top_mute(int nx, int nz, int muted_rows, int taper_rows) {
  check_grid(nx, nz, "top mute");
  if (muted_rows < 0 || taper_rows < 0)
    throw InputError("top mute: muted rows = " + std::to_string(muted_rows) +
                     " and taper rows = " + std::to_string(taper_rows) + " must be >= 0");
  std::vector<double> column(std::size_t(nz), 1.0);
  for (int j = 0; j < nz; ++j) {
    if (j < muted_rows)
      column[std::size_t(j)] = 0;
    else if (j - muted_rows < taper_rows)
      column[std::size_t(j)] = cosine_rise(double(j - muted_rows + 1) / double(taper_rows + 1));
  }
  std::vector<double> mask;
  mask.reserve(std::size_t(nx) * std::size_t(nz));
  for (int i = 0; i < nx; ++i) mask.insert(mask.end(), column.begin(), column.end());
  return mask;
}

std::vector<double> depth_weights(int nx, int nz, double z0, double dz, double z_ref, double power) {
  check_grid(nx, nz, "depth weighting");
  if (!std::isfinite(z0) || !(dz > 0) || !std::isfinite(dz))
    throw InputError("depth weighting: the grid's z0 = " + num(z0) + " and dz = " + num(dz) +
                     " must be finite, dz > 0");
  if (!(z_ref > 0) || !std::isfinite(z_ref))
    throw InputError("depth weighting: the reference depth z_ref = " + num(z_ref) + " must be positive");
  if (!std::isfinite(power))
    throw InputError("depth weighting: the power = " + num(power) + " must be finite");
  std::vector<double> column(static_cast<std::size_t>(nz));
  for (int j = 0; j < nz; ++j) {
    const double z = z0 + double(j) * dz;
    if (z > 0)
      column[std::size_t(j)] = std::pow(z / z_ref, power);
    else if (power > 0)
      column[std::size_t(j)] = 0;
    else if (power == 0)
      column[std::size_t(j)] = 1;
    else
      throw InputError("depth weighting: the power = " + num(power) + " is negative but row " +
                       std::to_string(j) + " lies at z = " + num(z) +
                       " <= 0, where (z / z_ref)^power is infinite");
  }
  std::vector<double> weights;
  weights.reserve(std::size_t(nx) * std::size_t(nz));
  for (int i = 0; i < nx; ++i) weights.insert(weights.end(), column.begin(), column.end());
  return weights;
}

void apply_weights(std::span<double> field, std::span<const double> weights) { weigh(field, weights); }

void apply_weights(std::span<float> field, std::span<const double> weights) { weigh(field, weights); }

}  // namespace seiswg::inversion
