#pragma once
// Field groups on the GPU (velocity, stress and material planes, the adjoint's per-shot gradient
// planes) and the WGSL through which kernels reach them. Not an API: internals of the solver.
//
// A group is a run of float32 values made of whole grid planes (npt values). Kernels never index a
// group's buffer: they call the accessors NAME_get(i) and, where the module writes the group,
// NAME_set(i, v) and NAME_add(i, v), with i the index within the group (plane p of shot s at
// p * stride() + s * npt() + node, see physics/common/stencil.wgsl). The accessors are WGSL
// composed from C++ (FieldBindings):
//  - when every group of a FieldSet fits one storage binding (the common case), each group has a
//    buffer of its own, declared `var<storage> NAME: array<f32>` at the group's own binding
//    number, and the accessors are plain indexing (the kernels of a single buffer);
//  - otherwise the set's groups lie end to end over as many buffers as they need, each at most one
//    binding and holding whole grid planes (so that a workgroup, which stays in one plane of one
//    shot, always takes the same branch), declared at binding numbers from kFirstSplitBinding on.
//    Sharing buffers between groups needs fewer bindings than splitting each group on its own
//    (Cosserat at 4001²: 9 buffers of 2 planes for 18 planes, against 2 + 3 + 5), which matters
//    because the adapter's storage bindings per shader stage are few (10 in Dawn).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpu/device.hpp"

namespace seiswg::solver::detail {

// Binding numbers 0..14 are the solver's fixed ones (solver/propagator_impl.hpp: 11 the run state,
// 12..14 the receivers of grid kernels); split groups' buffers come after them.
constexpr std::uint32_t kFirstSplitBinding = 16;

class FieldSet {
 public:
  // Groups of `floats[g]` values (whole multiples of `plane` values), in buffers of at most
  // `binding_bytes` each; `what` names the set in errors ("the 4001 x 4001 grid's fields"),
  // `name` is the WGSL stem of its split buffers, `labels` the groups' buffer labels.
  FieldSet(gpu::Device& device, const std::string& what, std::string name,
           std::span<const std::uint64_t> floats, std::uint64_t plane, std::uint64_t binding_bytes,
           std::span<const std::string> labels);
  FieldSet(const FieldSet&) = delete;
  FieldSet& operator=(const FieldSet&) = delete;

  bool split() const { return split_; }
  const std::string& name() const { return name_; }
  std::size_t groups() const { return groups_.size(); }
  std::uint64_t floats(std::size_t group) const { return groups_[group].floats; }
  std::uint64_t bytes() const;
  std::size_t buffer_count() const { return buffers_.size(); }

  // A piece of a group's range inside one buffer: `floats` values from value `at` of `buffer`,
  // the `done`-th value of the range onwards.
  struct Piece {
    const gpu::Buffer* buffer;
    std::uint64_t at, floats, done;
  };
  std::vector<Piece> pieces(std::size_t group, std::uint64_t first, std::uint64_t count) const;

  void read(std::size_t group, std::uint64_t first, std::uint64_t count, float* out) const;
  void write(std::size_t group, std::uint64_t first, std::span<const float> values) const;
  void clear(gpu::Commands& commands, std::size_t group) const;
  // Copies the whole group to `to` from byte `to_offset` on.
  void copy_to(gpu::Commands& commands, std::size_t group, const gpu::Buffer& to,
               std::uint64_t to_offset) const;
  // Copies the whole group from `from`, byte `from_offset` on.
  void copy_from(gpu::Commands& commands, std::size_t group, const gpu::Buffer& from,
                 std::uint64_t from_offset) const;
  // Copies value `index` of a group to byte `to_offset` of `to`.
  void copy_value(gpu::Commands& commands, std::size_t group, std::uint64_t index, const gpu::Buffer& to,
                  std::uint64_t to_offset) const;

 private:
  friend class FieldBindings;
  struct Group {
    std::uint64_t offset = 0, floats = 0;  // split: where it starts in the sequence of buffers
  };
  // Buffers holding a group, and the group's first value within the first of them.
  struct Span {
    std::size_t first = 0, count = 0;
    std::uint64_t start = 0;
  };
  Span span(std::size_t group) const;
  gpu::Device& device_;
  std::string name_;
  bool split_ = false;
  std::uint64_t buffer_floats_ = 0;  // split: capacity of each buffer
  std::vector<Group> groups_;
  std::vector<gpu::Buffer> buffers_;  // one per group, or the split sequence
};

// How one module declares a group: its WGSL name, its binding when it has a buffer of its own, and
// whether the module writes it.
struct FieldUse {
  std::string name;
  std::uint32_t binding;
  bool writable;
  const FieldSet* set;
  std::size_t group;
};

// The declarations and accessors of a module's groups, and the buffers behind them.
class FieldBindings {
 public:
  FieldBindings() = default;
  explicit FieldBindings(std::vector<FieldUse> uses);
  const std::string& wgsl() const { return wgsl_; }
  // Whether any group is split (its grid kernels then read the run state as a uniform buffer).
  bool split() const { return split_; }
  // Storage bindings of an entry point with `bindings` (the groups' and the others') and, unless it
  // writes the run state, the run state at binding 11 among them.
  std::size_t storage_bindings(std::span<const gpu::Device::Binding> bindings, bool writes_run) const {
    return bindings.size() - (split_ && !writes_run ? 1 : 0);
  }
  // The bindings an entry point that uses the groups `names` needs (each buffer once).
  std::vector<gpu::Device::Binding> bindings(std::initializer_list<std::string_view> names) const;

 private:
  struct Declared {
    std::uint32_t binding;
    const gpu::Buffer* buffer;
  };
  std::vector<std::pair<std::string, std::vector<Declared>>> groups_;
  std::string wgsl_;
  bool split_ = false;
};

}  // namespace seiswg::solver::detail
