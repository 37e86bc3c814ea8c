#include "app/ranks.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gpu/pci_bus.hpp"

#ifdef SEISWG_WITH_MPI
// The C API only: Open MPI's mpi.h otherwise pulls in its deprecated C++ bindings (libmpi_cxx).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace seiswg::app {
namespace {

std::string rank_work_text;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// One GPU per rank. This Dawn build's wgpuInstanceRequestAdapter returns one adapter, so the choice
// is made below Dawn, at the Vulkan loader: Mesa's device-select layer (an implicit layer of
// mesa-vulkan-drivers) shows only the device of DRI_PRIME's PCI tag when
// MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1. The GPUs are those the loader lists (not CPU devices,
// and not a server's BMC display controller, which has no Vulkan driver), in PCI address order; the
// rank's node-local index picks one. A user's own MESA_VK_DEVICE_SELECT or DRI_PRIME (or
// SEISWG_ADAPTER / --adapter, applied by Dawn after this) takes precedence; with one GPU or none (CPU
// machines: lavapipe) nothing is set.
[[maybe_unused]] std::string select_gpu(int local_rank) {
  if (std::getenv("MESA_VK_DEVICE_SELECT") || std::getenv("DRI_PRIME")) return "";
  const std::string pci = gpu_of_local_rank(gpu::vulkan_gpu_addresses(), local_rank);
  if (pci.empty()) return "";
  setenv("DRI_PRIME", device_select_tag(pci).c_str(), 0);
  setenv("MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE", "1", 0);
  return pci;
}

}  // namespace

std::string gpu_of_local_rank(const std::vector<std::string>& gpus, int local_rank) {
  if (gpus.size() < 2) return "";
  return gpus[std::size_t(std::max(local_rank, 0)) % gpus.size()];
}

std::string device_select_tag(const std::string& pci) {
  std::string tag = "pci-" + pci;
  std::replace(tag.begin(), tag.end(), ':', '_');
  std::replace(tag.begin(), tag.end(), '.', '_');
  return tag;
}

namespace {

#ifdef SEISWG_WITH_MPI
bool mpi_started_here = false;
#endif

}  // namespace

bool Ranks::launched_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

int Ranks::launched_rank() { return env_int("OMPI_COMM_WORLD_RANK", 0); }
int Ranks::launched_size() { return env_int("OMPI_COMM_WORLD_SIZE", 1); }

bool Ranks::available() {
#ifdef SEISWG_WITH_MPI
  return true;
#else
  return false;
#endif
}

Ranks Ranks::start_mpi() {
#ifdef SEISWG_WITH_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    MPI_Init(nullptr, nullptr);
    mpi_started_here = true;
  }
  Ranks r;
  MPI_Comm_rank(MPI_COMM_WORLD, &r.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &r.size_);
  r.local_rank_ = env_int("OMPI_COMM_WORLD_LOCAL_RANK", r.rank_);
  r.gpu_pci_ = select_gpu(r.local_rank_);
  return r;
#else
  throw std::runtime_error(
      "this seiswg was built without MPI (install libopenmpi-dev and openmpi-bin, then rebuild)");
#endif
}

void Ranks::finish_mpi() {
#ifdef SEISWG_WITH_MPI
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (mpi_started_here && !finalised) MPI_Finalize();
#endif
}

void Ranks::allreduce_sum(std::span<double> values) const {
#ifdef SEISWG_WITH_MPI
  if (size_ > 1 && !values.empty())
    MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
#else
  (void)values;
#endif
}

void Ranks::allreduce_max(std::span<double> values) const {
#ifdef SEISWG_WITH_MPI
  if (size_ > 1 && !values.empty())
    MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
#else
  (void)values;
#endif
}

void Ranks::barrier() const {
#ifdef SEISWG_WITH_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

int Ranks::first_failing_rank(bool ok, const std::function<void()>& poll) const {
  // Static: when poll throws, the pending reduction may still write it until MPI_Abort.
  static int first_failing;
  first_failing = ok ? size_ : rank_;
#ifdef SEISWG_WITH_MPI
  if (size_ > 1) {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Iallreduce(MPI_IN_PLACE, &first_failing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request);
    for (int done = 0;;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) break;
      poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
#else
  (void)poll;
#endif
  return first_failing < size_ ? first_failing : -1;
}

std::string Ranks::broadcast_from_root(std::string text, const std::function<void()>& poll) const {
#ifdef SEISWG_WITH_MPI
  if (size_ > 1) {
    auto wait = [&](MPI_Request request) {
      for (int done = 0;;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) break;
        poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    // Static, as in first_failing_rank: a pending broadcast may still write them until MPI_Abort.
    static unsigned long length;
    static std::string buffer;
    length = text.size();
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibcast(&length, 1, MPI_UNSIGNED_LONG, 0, MPI_COMM_WORLD, &request);
    wait(request);
    buffer = text;
    buffer.resize(length);
    MPI_Ibcast(buffer.data(), int(length), MPI_CHAR, 0, MPI_COMM_WORLD, &request);
    wait(request);
    return buffer;
  }
#else
  (void)poll;
#endif
  return text;
}

void Ranks::abort(int code) const {
#ifdef SEISWG_WITH_MPI
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

std::string Ranks::prefix() const {
  return size_ > 1 ? "[rank " + std::to_string(rank_) + "/" + std::to_string(size_) + "] " : "";
}

problem::ShotRange rank_shots(std::size_t shots, int rank, int size) {
  const std::size_t n = std::size_t(std::max(size, 1)), r = std::size_t(std::max(rank, 0));
  const std::size_t base = shots / n, extra = shots % n;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

void note_rank_work(std::string work) { rank_work_text = std::move(work); }
const std::string& rank_work() { return rank_work_text; }

void test_hook_fail(const Ranks& ranks, const char* where) {
  const char* v = std::getenv("SEISWG_TEST_FAIL_RANK");
  if (v && *v && std::atoi(v) == ranks.rank())
    throw std::runtime_error(std::string("SEISWG_TEST_FAIL_RANK: rank ") + v + " fails " + where);
}

void test_hook_kill(const Ranks& ranks, const char* where) {
  const char* v = std::getenv("SEISWG_TEST_KILL_RANK");
  if (v && *v && std::atoi(v) == ranks.rank() && std::strchr(v, ':') &&
      std::strcmp(std::strchr(v, ':') + 1, where) == 0)
    std::raise(SIGKILL);
}

}  // namespace seiswg::app
