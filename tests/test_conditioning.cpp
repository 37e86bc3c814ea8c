#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "inversion/conditioning.hpp"
#include "io/error.hpp"

namespace {

using seiswg::InputError;
using namespace seiswg::inversion;

std::size_t node(int i, int j, int nz) { return std::size_t(i) * std::size_t(nz) + std::size_t(j); }

TEST(Conditioning, SmoothingKeepsConstant) {
  const int nx = 23, nz = 17;
  std::vector<double> field(nx * nz, 3.25);
  smooth_gaussian(field, nx, nz, 4.0, 2.5);
  for (double v : field) EXPECT_NEAR(v, 3.25, 1e-14);
  std::vector<float> single(nx * nz, 2.0f);
  smooth_gaussian(single, nx, nz, 10.0, 0.7);  // kernels wider than the grid
  for (float v : single) EXPECT_NEAR(v, 2.0f, 1e-6f);
}

TEST(Conditioning, SmoothingOfDeltaIsSampledGaussian) {
  const int nx = 61, nz = 41, i0 = 30, j0 = 20;
  const double sigma_x = 3.0, sigma_z = 1.5;
  std::vector<double> field(nx * nz, 0.0);
  field[node(i0, j0, nz)] = 1;
  smooth_gaussian(field, nx, nz, sigma_x, sigma_z);
  // The normalisation of the sampled kernel truncated at 4 sigma.
  auto kernel_sum = [](double sigma) {
    double s = 0;
    for (int k = -int(std::ceil(4 * sigma)); k <= int(std::ceil(4 * sigma)); ++k)
      s += std::exp(-0.5 * k * k / (sigma * sigma));
    return s;
  };
  const double norm = kernel_sum(sigma_x) * kernel_sum(sigma_z);
  double total = 0;
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const double di = i - i0, dj = j - j0;
      const double expected =
          std::abs(di) <= 12 && std::abs(dj) <= 6
              ? std::exp(-0.5 * (di * di / (sigma_x * sigma_x) + dj * dj / (sigma_z * sigma_z))) / norm
              : 0.0;
      EXPECT_NEAR(field[node(i, j, nz)], expected, 1e-15) << i << " " << j;
      total += field[node(i, j, nz)];
    }
  EXPECT_NEAR(total, 1.0, 1e-14);
  // sigma = 0 along an axis: no spreading along it; both 0: no-op.
  std::vector<double> line(nx * nz, 0.0);
  line[node(i0, j0, nz)] = 1;
  smooth_gaussian(line, nx, nz, 0.0, 2.0);
  for (int i = 0; i < nx; ++i) {
    if (i != i0) {
      EXPECT_EQ(line[node(i, j0, nz)], 0.0);
    }
  }
  std::vector<double> copy = line;
  smooth_gaussian(copy, nx, nz, 0.0, 0.0);
  EXPECT_EQ(copy, line);
}

// S = D^-1 W with W symmetric: <S a, D b> = <D a, S b> everywhere, and <S a, b> = <a, S b> for
// fields that stay 4 sigma away from the edges (where D is constant).
TEST(Conditioning, SmoothingIsSelfAdjointUpToEdgeNormalisation) {
  const int nx = 40, nz = 30;
  const double sigma_x = 2.0, sigma_z = 1.2;
  std::mt19937_64 random(3);
  std::normal_distribution<double> normal;
  std::vector<double> a(nx * nz), b(nx * nz), d(nx * nz, 1.0);
  for (double& v : a) v = normal(random);
  for (double& v : b) v = normal(random);
  // D: the products of the sums of the in-grid kernel weights along each axis.
  auto in_grid_sum = [](int m, int count, double sigma) {
    double s = 0;
    const int reach = int(std::ceil(4 * sigma));
    for (int k = std::max(-reach, -m); k <= std::min(reach, count - 1 - m); ++k)
      s += std::exp(-0.5 * k * k / (sigma * sigma));
    return s;
  };
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j)
      d[node(i, j, nz)] = in_grid_sum(i, nx, sigma_x) * in_grid_sum(j, nz, sigma_z);
  std::vector<double> sa = a, sb = b;
  smooth_gaussian(sa, nx, nz, sigma_x, sigma_z);
  smooth_gaussian(sb, nx, nz, sigma_x, sigma_z);
  double left = 0, right = 0, scale = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    left += sa[k] * d[k] * b[k], right += d[k] * a[k] * sb[k];
    scale += std::abs(sa[k] * d[k] * b[k]);
  }
  EXPECT_NEAR(left, right, 1e-13 * scale);

  std::vector<double> inner_a(nx * nz, 0.0), inner_b(nx * nz, 0.0);
  for (int i = 16; i < 24; ++i)
    for (int j = 10; j < 20; ++j)
      inner_a[node(i, j, nz)] = normal(random), inner_b[node(i, j, nz)] = normal(random);
  std::vector<double> s_inner_a = inner_a, s_inner_b = inner_b;
  smooth_gaussian(s_inner_a, nx, nz, sigma_x, sigma_z);
  smooth_gaussian(s_inner_b, nx, nz, sigma_x, sigma_z);
  double inner_left = 0, inner_right = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    inner_left += s_inner_a[k] * inner_b[k], inner_right += inner_a[k] * s_inner_b[k];
  EXPECT_NEAR(inner_left, inner_right, 1e-14);
}

TEST(Conditioning, SourceMaskValues) {
  const int nx = 20, nz = 15;
  const std::vector<GridPoint> sources = {{5, 3}, {14.5, 7}};
  const double radius = 4;
  const std::vector<double> mask = source_mask(nx, nz, sources, radius);
  EXPECT_EQ(mask[node(5, 3, nz)], 0.0);           // at the source
  EXPECT_NEAR(mask[node(7, 3, nz)], 0.5, 1e-15);  // half the radius: 0.5 - 0.5 cos(pi/2)
  EXPECT_NEAR(mask[node(5, 4, nz)], 0.5 - 0.5 * std::cos(std::numbers::pi / 4), 1e-15);
  EXPECT_EQ(mask[node(9, 3, nz)], 1.0);                                                   // at the radius
  EXPECT_EQ(mask[node(0, 14, nz)], 1.0);                                                  // far away
  EXPECT_NEAR(mask[node(14, 7, nz)], 0.5 - 0.5 * std::cos(std::numbers::pi / 8), 1e-15);  // off-node source
  for (double v : mask) EXPECT_TRUE(v >= 0 && v <= 1);
  for (double v : source_mask(nx, nz, sources, 0)) EXPECT_EQ(v, 1.0);
  EXPECT_THROW(source_mask(nx, nz, sources, -1), InputError);
}

TEST(Conditioning, TopMuteValues) {
  const int nx = 4, nz = 12;
  const std::vector<double> mute = top_mute(nx, nz, 3, 3);
  for (int i = 0; i < nx; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(mute[node(i, j, nz)], 0.0);
    EXPECT_NEAR(mute[node(i, 3, nz)], 0.5 - 0.5 * std::cos(std::numbers::pi / 4), 1e-15);
    EXPECT_NEAR(mute[node(i, 4, nz)], 0.5, 1e-15);
    EXPECT_NEAR(mute[node(i, 5, nz)], 0.5 - 0.5 * std::cos(3 * std::numbers::pi / 4), 1e-15);
    for (int j = 6; j < nz; ++j) EXPECT_EQ(mute[node(i, j, nz)], 1.0);
  }
  const std::vector<double> hard = top_mute(nx, nz, 2, 0);
  EXPECT_EQ(hard[node(1, 1, nz)], 0.0);
  EXPECT_EQ(hard[node(1, 2, nz)], 1.0);
  EXPECT_THROW(top_mute(nx, nz, -1, 0), InputError);
}

TEST(Conditioning, DepthWeights) {
  const int nx = 3, nz = 5;
  const std::vector<double> w = depth_weights(nx, nz, 0.0, 10.0, 20.0, 1.5);
  for (int i = 0; i < nx; ++i) {
    EXPECT_EQ(w[node(i, 0, nz)], 0.0);  // z = 0
    EXPECT_NEAR(w[node(i, 2, nz)], 1.0, 1e-15);
    EXPECT_NEAR(w[node(i, 4, nz)], std::pow(2.0, 1.5), 1e-14);
  }
  std::vector<double> field(nx * nz, 2.0);
  apply_weights(field, w);
  EXPECT_NEAR(field[node(1, 1, nz)], 2 * std::pow(0.5, 1.5), 1e-15);
  for (double v : depth_weights(nx, nz, 0.0, 10.0, 20.0, 0.0)) EXPECT_EQ(v, 1.0);
  const std::vector<double> inverse = depth_weights(nx, nz, 5.0, 10.0, 5.0, -1.0);
  EXPECT_NEAR(inverse[node(0, 1, nz)], 1.0 / 3, 1e-15);
  try {
    depth_weights(nx, nz, 0.0, 10.0, 20.0, -1.0);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 0 lies at z = 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(depth_weights(nx, nz, 0.0, 10.0, 0.0, 1.0), InputError);
  std::vector<double> wrong(4);
  EXPECT_THROW(apply_weights(wrong, w), InputError);
  EXPECT_THROW(smooth_gaussian(wrong, nx, nz, 1, 1), InputError);
  EXPECT_THROW(smooth_gaussian(field, nx, nz, -1, 1), InputError);
}

}  // namespace
