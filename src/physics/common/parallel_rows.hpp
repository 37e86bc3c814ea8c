#pragma once
// Host loops over the grid's rows (i) on every core: material planes and the chain rule of the
// gradient run once per model, and on large grids they would otherwise take longer than the GPU's
// time loop (P-SV 4096^2: ~13 s on one core).
#include <algorithm>
#include <thread>
#include <vector>

namespace seiswg::physics {

// Calls f(first_row, end_row) on chunks of [0, rows) in parallel; f may write only its own rows.
template <class F>
void parallel_rows(int rows, F&& f) {
  const int threads = std::clamp(int(std::thread::hardware_concurrency()), 1, std::max(1, rows / 16));
  if (threads <= 1) return f(0, rows);
  std::vector<std::thread> pool;
  const int chunk = (rows + threads - 1) / threads;
  for (int first = 0; first < rows; first += chunk)
    pool.emplace_back([&f, first, end = std::min(rows, first + chunk)] { f(first, end); });
  for (auto& t : pool) t.join();
}

// The same for loops whose row i also adds to row i + 1 (a staggered cell's share of the nodes
// around it): chunks of at least two rows, the even-numbered chunks in parallel first, then the odd
// ones, so that no two threads ever add to one row.
template <class F>
void parallel_rows_adding_to_next(int rows, F&& f) {
  const int threads = std::clamp(int(std::thread::hardware_concurrency()), 1, std::max(1, rows / 32));
  if (threads <= 1) return f(0, rows);
  const int chunk = std::max(2, (rows + 2 * threads - 1) / (2 * threads));
  for (int parity = 0; parity < 2; ++parity) {
    std::vector<std::thread> pool;
    for (int first = parity * chunk; first < rows; first += 2 * chunk)
      pool.emplace_back([&f, first, end = std::min(rows, first + chunk)] { f(first, end); });
    for (auto& t : pool) t.join();
  }
}

}  // namespace seiswg::physics
