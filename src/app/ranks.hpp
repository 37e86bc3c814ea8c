#pragma once
// The processes of a run: the ranks of an MPI job (mpirun, or Seispie's `[workflow] mpi = yes`), or
// this process alone. Every MPI call of seiswg is in ranks.cpp; a build without MPI (the web build,
// a machine without Open MPI) has only the single process, and behaves exactly as before.
#include <cstddef>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "problem/problem.hpp"

namespace seiswg::app {

class Ranks {
 public:
  // This process alone (what every run gets unless main started MPI).
  Ranks() = default;

  // Whether this process was started by Open MPI's mpirun (OMPI_COMM_WORLD_SIZE is set).
  static bool launched_by_mpirun();
  // This process's rank as mpirun numbered it (OMPI_COMM_WORLD_RANK; 0 outside mpirun), known before
  // MPI is started.
  static int launched_rank();
  // The number of ranks mpirun started (OMPI_COMM_WORLD_SIZE; 1 outside mpirun).
  static int launched_size();
  // Whether this build has MPI.
  static bool available();
  // Initialises MPI once (later calls return the same ranks) and returns MPI_COMM_WORLD's ranks.
  // Then points this rank's Vulkan loader at the GPU of its node-local index (see select_gpu). Throws
  // std::runtime_error in a build without MPI.
  static Ranks start_mpi();
  // Finalises MPI when start_mpi initialised it (end of main).
  static void finish_mpi();

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }
  bool is_root() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }

  // In place over every rank, in double: each rank gets bit-identical results (MPI_Allreduce over a
  // fixed communicator with a fixed count reduces in the same order on every rank).
  void allreduce_sum(std::span<double> values) const;
  void allreduce_max(std::span<double> values) const;
  void barrier() const;
  // Whether every rank says `ok`: returns the lowest rank that does not, or -1 when all do. Unlike
  // barrier() it waits for the other ranks without blocking signal handling: `poll` is called every
  // millisecond until they all have answered (it throws to stop waiting, e.g. on SIGTERM from
  // mpirun, so that a rank waiting for one that failed still cleans up before it is killed).
  int first_failing_rank(bool ok, const std::function<void()>& poll) const;
  // Rank 0's `text` on every rank, waiting as first_failing_rank does (`poll` every millisecond).
  std::string broadcast_from_root(std::string text, const std::function<void()>& poll) const;
  // Ends the whole job (every rank) with exit status `code`; in one process: std::exit(code).
  [[noreturn]] void abort(int code) const;

  // "[rank R/N] " in a job of several ranks, else "".
  std::string prefix() const;
  // The PCI address of the GPU select_gpu chose for this rank ("" when it chose none).
  const std::string& gpu_pci() const { return gpu_pci_; }

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  std::string gpu_pci_;
};

// Thrown on the ranks that did their part when another rank failed at a step they all take together
// (the commit of the forward outputs): the failing rank reports the error and ends the job, so this
// rank says nothing more.
class FailedOnAnotherRank : public std::runtime_error {
 public:
  explicit FailedOnAnotherRank(int failing_rank)
      : std::runtime_error("rank " + std::to_string(failing_rank) + " failed"), rank(failing_rank) {}
  int rank;
};

// The GPU (PCI address) of the rank with node-local index `local_rank`, given the node's GPUs in address
// order: index modulo their number; "" with one GPU or none (nothing to choose).
std::string gpu_of_local_rank(const std::vector<std::string>& gpus, int local_rank);
// Mesa's device-select tag of a PCI address, as DRI_PRIME takes it: "0000:41:00.0" -> "pci-0000_41_00_0".
std::string device_select_tag(const std::string& pci);

// Rank `rank` of `size`'s contiguous share of `shots` shots of equal cost: as even as possible, the
// first ranks taking one more (5 shots on 2 ranks: 3 + 2). Ranks past the shots get none.
problem::ShotRange rank_shots(std::size_t shots, int rank, int size);

// What this rank works on now ("sources 4-5 of 5"), for the message of a failing rank.
void note_rank_work(std::string work);
const std::string& rank_work();

// Test hook: SEISWG_TEST_FAIL_RANK=R makes rank R throw at `where` (a point every rank reaches after
// its GPU device is open), so that the failure of one rank can be tested.
void test_hook_fail(const Ranks& ranks, const char* where);
// Test hook: SEISWG_TEST_KILL_RANK=R:WHERE kills rank R (SIGKILL, no clean-up) at `where`, e.g. between
// steps of the forward outputs' commit ("installed", "decided").
void test_hook_kill(const Ranks& ranks, const char* where);

}  // namespace seiswg::app
