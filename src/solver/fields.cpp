#include "solver/fields.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "io/error.hpp"

namespace seiswg::solver::detail {
namespace {

std::string gib(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  s << double(bytes) / double(1ull << 30) << " GiB";
  return s.str();
}

constexpr std::uint64_t kMaxIndex = 0xffffffffull;  // kernels index groups with u32

std::string u32(std::uint64_t v) { return std::to_string(v) + "u"; }

// The body of an accessor over the buffers `names` of `capacity` values each: `action(buffer, j)`
// is the statement on value j of buffer `buffer`.
template <class Action>
std::string dispatch(const std::vector<std::string>& names, std::uint64_t start, std::uint64_t capacity,
                     Action&& action) {
  std::string s;
  if (names.size() == 1) {
    const std::string j = start == 0 ? "i" : "i + " + u32(start);
    return "  " + action(names[0], j) + "\n";
  }
  s += "  let at = i + " + u32(start) + ";\n";
  s += "  let b = at / " + u32(capacity) + ";\n";
  s += "  let j = at - b * " + u32(capacity) + ";\n";
  s += "  switch b {\n";
  for (std::size_t k = 0; k < names.size(); ++k) {
    const std::string label = k + 1 < names.size() ? "case " + u32(k) : std::string("default");
    s += "    " + label + ": { " + action(names[k], "j") + " }\n";
  }
  s += "  }\n";
  return s;
}

std::string accessors(const std::string& name, bool writable, const std::vector<std::string>& buffers,
                      std::uint64_t start, std::uint64_t capacity) {
  std::string s =
      "fn " + name + "_get(i: u32) -> f32 {\n" +
      dispatch(buffers, start, capacity,
               [](const std::string& b, const std::string& j) { return "return " + b + "[" + j + "];"; }) +
      "}\n";
  if (writable) {
    s += "fn " + name + "_set(i: u32, v: f32) {\n" +
         dispatch(buffers, start, capacity,
                  [](const std::string& b, const std::string& j) { return b + "[" + j + "] = v;"; }) +
         "}\n";
    s += "fn " + name + "_add(i: u32, v: f32) {\n" +
         dispatch(buffers, start, capacity,
                  [](const std::string& b, const std::string& j) { return b + "[" + j + "] += v;"; }) +
         "}\n";
  }
  return s;
}

std::string declaration(std::uint32_t binding, bool writable, const std::string& name) {
  return "@group(0) @binding(" + std::to_string(binding) + ") var<storage, " +
         (writable ? "read_write" : "read") + "> " + name + ": array<f32>;\n";
}

}  // namespace

FieldSet::FieldSet(gpu::Device& device, const std::string& what, std::string name,
                   std::span<const std::uint64_t> floats, std::uint64_t plane, std::uint64_t binding_bytes,
                   std::span<const std::string> labels)
    : device_(device), name_(std::move(name)) {
  if (floats.size() != labels.size()) throw std::logic_error("FieldSet: one label per group");
  const std::uint64_t plane_bytes = plane * 4;
  if (plane_bytes > binding_bytes)
    throw GpuError(what + " need " + gib(plane_bytes) + " per grid plane in one buffer, but " +
                   device.adapter().summary() + " allows at most " + gib(binding_bytes) +
                   " per buffer binding");
  split_ = std::any_of(floats.begin(), floats.end(), [&](std::uint64_t f) { return f * 4 > binding_bytes; });
  const auto usage = gpu::usage::storage | gpu::usage::copy_dst | gpu::usage::copy_src;
  if (split_) buffer_floats_ = binding_bytes / plane_bytes * plane;
  std::uint64_t total = 0;
  for (std::size_t g = 0; g < floats.size(); ++g) {
    if (floats[g] % plane != 0) throw std::logic_error("FieldSet: a group of whole planes");
    if (floats[g] + buffer_floats_ > kMaxIndex)
      throw GpuError(what + " (" + labels[g] + ") need " + std::to_string(floats[g]) +
                     " values, more than the kernels' 32-bit indices reach");
    groups_.push_back({total, floats[g]});
    if (split_)
      total += floats[g];
    else
      buffers_.push_back(device.create_buffer(std::max<std::uint64_t>(floats[g] * 4, 16), usage, labels[g]));
  }
  for (std::uint64_t at = 0; split_ && at < total; at += buffer_floats_) {
    const std::uint64_t size = std::min(buffer_floats_, total - at);
    buffers_.push_back(device.create_buffer(size * 4, usage,
                                            name_ + " " + std::to_string(buffers_.size() + 1) + " (split)"));
  }
}

std::uint64_t FieldSet::bytes() const {
  std::uint64_t b = 0;
  for (const auto& buffer : buffers_) b += buffer.size();
  return b;
}

FieldSet::Span FieldSet::span(std::size_t group) const {
  const auto& g = groups_[group];
  if (!split_) return {group, 1, 0};
  const std::size_t first = std::size_t(g.offset / buffer_floats_);
  const std::size_t last =
      std::size_t((g.offset + std::max<std::uint64_t>(g.floats, 1) - 1) / buffer_floats_);
  return {first, last - first + 1, g.offset - first * buffer_floats_};
}

std::vector<FieldSet::Piece> FieldSet::pieces(std::size_t group, std::uint64_t first,
                                              std::uint64_t count) const {
  const auto& g = groups_[group];
  if (first + count > g.floats) throw std::logic_error("FieldSet: range past the end of the group");
  if (!split_) return {{&buffers_[group], first, count, 0}};
  std::vector<Piece> out;
  for (std::uint64_t done = 0; done < count;) {
    const std::uint64_t at = g.offset + first + done;
    const std::uint64_t b = at / buffer_floats_, in = at - b * buffer_floats_;
    const std::uint64_t n = std::min(count - done, buffer_floats_ - in);
    out.push_back({&buffers_[std::size_t(b)], in, n, done});
    done += n;
  }
  return out;
}

void FieldSet::read(std::size_t group, std::uint64_t first, std::uint64_t count, float* out) const {
  for (const auto& p : pieces(group, first, count))
    device_.read(*p.buffer, p.at * 4, p.floats * 4, out + p.done);
}

void FieldSet::write(std::size_t group, std::uint64_t first, std::span<const float> values) const {
  for (const auto& p : pieces(group, first, values.size()))
    device_.write(*p.buffer, p.at * 4, values.data() + p.done, p.floats * 4);
}

void FieldSet::clear(gpu::Commands& commands, std::size_t group) const {
  if (!split_) return commands.clear(buffers_[group]);
  for (const auto& p : pieces(group, 0, groups_[group].floats))
    commands.clear(*p.buffer, p.at * 4, p.floats * 4);
}

void FieldSet::copy_to(gpu::Commands& commands, std::size_t group, const gpu::Buffer& to,
                       std::uint64_t to_offset) const {
  for (const auto& p : pieces(group, 0, groups_[group].floats))
    commands.copy(*p.buffer, p.at * 4, to, to_offset + p.done * 4, p.floats * 4);
}

void FieldSet::copy_from(gpu::Commands& commands, std::size_t group, const gpu::Buffer& from,
                         std::uint64_t from_offset) const {
  for (const auto& p : pieces(group, 0, groups_[group].floats))
    commands.copy(from, from_offset + p.done * 4, *p.buffer, p.at * 4, p.floats * 4);
}

void FieldSet::copy_value(gpu::Commands& commands, std::size_t group, std::uint64_t index,
                          const gpu::Buffer& to, std::uint64_t to_offset) const {
  const auto p = pieces(group, index, 1).front();
  commands.copy(*p.buffer, p.at * 4, to, to_offset, 4);
}

FieldBindings::FieldBindings(std::vector<FieldUse> uses) {
  // The split buffers the module declares (each once, writable when any of its groups is written).
  struct SplitBuffer {
    const FieldSet* set;
    std::size_t index;
    std::uint32_t binding;
    bool writable;
  };
  std::vector<SplitBuffer> split;
  auto find = [&](const FieldSet* set, std::size_t index) {
    return std::find_if(split.begin(), split.end(),
                        [&](const SplitBuffer& b) { return b.set == set && b.index == index; });
  };
  for (const auto& use : uses) {
    if (!use.set->split()) continue;
    split_ = true;
    const auto span = use.set->span(use.group);
    for (std::size_t b = span.first; b < span.first + span.count; ++b) {
      auto it = find(use.set, b);
      if (it == split.end())
        split.push_back({use.set, b, kFirstSplitBinding + std::uint32_t(split.size()), use.writable});
      else
        it->writable |= use.writable;
    }
  }
  for (const auto& b : split)
    wgsl_ += declaration(b.binding, b.writable, b.set->name() + "_" + std::to_string(b.index));
  for (const auto& use : uses) {
    for (const auto& [name, declared] : groups_)
      if (name == use.name) throw std::logic_error("FieldBindings: group " + name + " declared twice");
    std::vector<Declared> declared;
    if (!use.set->split()) {
      wgsl_ += declaration(use.binding, use.writable, use.name);
      wgsl_ += accessors(use.name, use.writable, {use.name}, 0, 0);
      declared.push_back({use.binding, &use.set->buffers_[use.group]});
    } else {
      const auto span = use.set->span(use.group);
      std::vector<std::string> names;
      for (std::size_t b = span.first; b < span.first + span.count; ++b) {
        names.push_back(use.set->name() + "_" + std::to_string(b));
        declared.push_back({find(use.set, b)->binding, &use.set->buffers_[b]});
      }
      wgsl_ += accessors(use.name, use.writable, names, span.start, use.set->buffer_floats_);
    }
    groups_.emplace_back(use.name, std::move(declared));
  }
}

std::vector<gpu::Device::Binding> FieldBindings::bindings(
    std::initializer_list<std::string_view> names) const {
  std::vector<gpu::Device::Binding> out;
  for (auto name : names) {
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g.first == name; });
    if (it == groups_.end()) throw std::logic_error("FieldBindings: no group " + std::string(name));
    for (const auto& d : it->second)
      if (std::none_of(out.begin(), out.end(), [&](const auto& b) { return b.index == d.binding; }))
        out.push_back({d.binding, d.buffer});
  }
  return out;
}

}  // namespace seiswg::solver::detail
