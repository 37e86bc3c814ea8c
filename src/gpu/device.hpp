#pragma once
// The GPU layer: adapters, buffers, compute kernels and command recording, without any WebGPU type.
// The native implementation (dawn_device.cpp) talks to Dawn; a web implementation talks to
// Emscripten's WebGPU. Everything above this header is backend-agnostic.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seiswg::gpu {

struct Limits {
  std::uint64_t max_buffer_size = 0;
  std::uint64_t max_storage_binding_size = 0;
  std::uint32_t max_storage_buffers_per_stage = 0;
  std::uint32_t max_workgroups_per_dimension = 0;
  std::uint32_t max_invocations_per_workgroup = 0;
};

enum class AdapterKind { discrete, integrated, cpu, unknown };

struct AdapterInfo {
  std::string name;     // e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string driver;   // driver description
  std::string backend;  // "Vulkan", "OpenGL", ...
  AdapterKind kind = AdapterKind::unknown;
  Limits limits;
  bool has_timestamps = false;
  // Size of the largest device-local memory heap (for the CPU adapter: system memory); 0 when the
  // backend does not say (Dawn's AdapterPropertiesMemoryHeaps, offered by its Vulkan backend).
  std::uint64_t memory_bytes = 0;
  // The PCI vendor and device ids as the backend reports them (Vulkan: VkPhysicalDeviceProperties);
  // 0 when it does not.
  std::uint32_t vendor_id = 0, device_id = 0;
  std::string kind_name() const;
  std::string summary() const;  // one line: name, kind, backend
};

// How to choose the adapter. `selector` is "" or "auto" (discrete GPU, then integrated, then the CPU
// through lavapipe), "gpu", "cpu", "opengl", or a case-insensitive part of the adapter's name.
struct DeviceOptions {
  std::string selector;
  // For kernel timing (benchmarks): Dawn rounds timestamps to 65.5 us unless told otherwise.
  bool precise_timestamps = false;
  // Dawn toggles to enable by name (benchmark experiments, e.g. "disable_robustness").
  std::vector<std::string> dawn_toggles = {};
};

// GPU time of the dispatches of one kernel, from timestamp queries (Device::start_kernel_timing).
struct KernelTime {
  std::string label;
  std::uint32_t dispatches = 0;
  double total_ns = 0;
};

// GPU objects created by one Device since it was opened, internal ones included (readback staging,
// timestamp resolve buffers). A solver that reuses its objects shows zero growth on a second run.
struct Counters {
  std::uint64_t buffers = 0, buffer_bytes = 0, kernels = 0, bind_groups = 0;
};

namespace usage {
inline constexpr std::uint32_t storage = 1, uniform = 2, copy_src = 4, copy_dst = 8, map_read = 16;
}

class Device;
class Commands;
struct KernelTimer;

// A GPU buffer. Move-only; released with its last owner.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& other) noexcept { swap(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    Buffer tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();
  std::uint64_t size() const { return size_; }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  friend class Device;
  friend class Commands;
  void swap(Buffer& o) noexcept {
    std::swap(handle_, o.handle_);
    std::swap(size_, o.size_);
  }
  void* handle_ = nullptr;
  std::uint64_t size_ = 0;
};

// A compute entry point compiled with its override constants. Bindings are @group(0) @binding(i)
// in the order given to Device::bind.
class Kernel {
 public:
  Kernel() = default;
  Kernel(Kernel&& other) noexcept { swap(other); }
  Kernel& operator=(Kernel&& other) noexcept {
    Kernel tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  ~Kernel();
  const std::string& label() const { return label_; }

 private:
  friend class Device;
  friend class Commands;
  void swap(Kernel& o) noexcept {
    std::swap(pipeline_, o.pipeline_);
    std::swap(layout_, o.layout_);
    std::swap(label_, o.label_);
  }
  void* pipeline_ = nullptr;
  void* layout_ = nullptr;
  std::string label_;
};

class BindGroup {
 public:
  BindGroup() = default;
  BindGroup(BindGroup&& other) noexcept { std::swap(handle_, other.handle_); }
  BindGroup& operator=(BindGroup&& other) noexcept {
    BindGroup tmp(std::move(other));
    std::swap(handle_, tmp.handle_);
    return *this;
  }
  BindGroup(const BindGroup&) = delete;
  BindGroup& operator=(const BindGroup&) = delete;
  ~BindGroup();

 private:
  friend class Device;
  friend class Commands;
  void* handle_ = nullptr;
};

// Records dispatches and copies into one command buffer; Device::submit sends it.
class Commands {
 public:
  Commands(Commands&& other) noexcept;
  Commands& operator=(Commands&&) = delete;
  Commands(const Commands&) = delete;
  ~Commands();
  void dispatch(const Kernel& kernel, const BindGroup& bindings, std::uint32_t groups_x,
                std::uint32_t groups_y = 1, std::uint32_t groups_z = 1);
  void copy(const Buffer& from, std::uint64_t from_offset, const Buffer& to, std::uint64_t to_offset,
            std::uint64_t bytes);
  void clear(const Buffer& buffer);
  // Zeroes `bytes` (a multiple of 4) from `offset` (a multiple of 4).
  void clear(const Buffer& buffer, std::uint64_t offset, std::uint64_t bytes);

 private:
  friend class Device;
  Commands(void* encoder, KernelTimer* timer) : encoder_(encoder), timer_(timer) {}
  void end_pass();
  void* encoder_ = nullptr;
  void* pass_ = nullptr;
  KernelTimer* timer_ = nullptr;
};

class Device {
 public:
  // Opens the adapter chosen by `options`; throws GpuError with advice when there is none.
  static std::unique_ptr<Device> open(const DeviceOptions& options);
  // Every adapter this machine offers (GPUs and the CPU fallback), for `seiswg info`.
  static std::vector<AdapterInfo> list_adapters();
  ~Device();

  const AdapterInfo& adapter() const { return info_; }
  const Limits& limits() const { return info_.limits; }

  Buffer create_buffer(std::uint64_t bytes, std::uint32_t usage_flags, std::string_view label);
  void write(const Buffer& buffer, std::uint64_t offset, const void* data, std::size_t bytes);
  template <class T>
  void write(const Buffer& buffer, std::span<const T> values, std::uint64_t offset = 0) {
    write(buffer, offset, values.data(), values.size_bytes());
  }
  // Blocks until the GPU is done with earlier work, then copies `bytes` from `buffer` to `out`.
  // Goes through one staging buffer owned by the device, grown (to a power of two, at most 256 MiB)
  // only when a read needs more; larger reads are copied in pieces.
  void read(const Buffer& buffer, std::uint64_t offset, std::size_t bytes, void* out);
  template <class T>
  std::vector<T> read(const Buffer& buffer) {
    std::vector<T> v(buffer.size() / sizeof(T));
    read(buffer, 0, v.size() * sizeof(T), v.data());
    return v;
  }

  // Compiles `entry` of `wgsl` with override constants; WGSL errors throw GpuError with the compiler's text.
  Kernel create_kernel(std::string_view wgsl, std::string_view entry,
                       std::span<const std::pair<std::string, double>> constants, std::string_view label);
  // Binds buffers to @group(0) @binding(index) of `kernel`; exactly the bindings its entry point uses.
  struct Binding {
    std::uint32_t index;
    const Buffer* buffer;
  };
  BindGroup bind(const Kernel& kernel, std::span<const Binding> bindings);
  BindGroup bind(const Kernel& kernel, std::initializer_list<Binding> bindings) {
    return bind(kernel, std::span<const Binding>(bindings.begin(), bindings.size()));
  }

  Commands record();
  void submit(Commands&& commands);
  // Blocks until all submitted work is done, then check_errors.
  void wait_idle();

  // Fences, for waiting without blocking (a browser must not block). fence() marks all work
  // submitted so far and returns its number (increasing, never 0; 0 means "nothing" and is always done).
  // is_done never blocks: it lets the GPU layer process finished work and says whether everything up
  // to `fence` has finished. wait blocks until then, and then check_errors.
  std::uint64_t fence();
  bool is_done(std::uint64_t fence);
  void wait(std::uint64_t fence);

  // Objects created so far (see Counters).
  const Counters& counters() const { return counters_; }
  // Throws GpuError if the device reported an error since the last check.
  void check_errors(std::string_view context);

  // Kernel timing (needs adapter().has_timestamps): each of the next `max_dispatches` dispatches
  // recorded (at most 2048) runs in its own compute pass between two GPU timestamps.
  // stop_kernel_timing waits for the GPU and returns the time per kernel label, in order of first use.
  // `whole_passes`: the dispatches keep their passes, and each of the next `max_dispatches` compute
  // passes is timed as a whole (label "compute passes"): the GPU time of the work as it runs, with
  // the gaps between dependent dispatches and without the cost of a pass per dispatch (~8 us each
  // on an H200, which per-dispatch timing adds to every kernel).
  void start_kernel_timing(std::uint32_t max_dispatches, bool whole_passes = false);
  std::vector<KernelTime> stop_kernel_timing();

  struct Impl;

 private:
  explicit Device(std::unique_ptr<Impl> impl);
  // create_buffer with the backend's own usage bits (e.g. query resolve), counted like it.
  Buffer create_native_buffer(std::uint64_t bytes, std::uint64_t native_usage, std::string_view label);
  std::unique_ptr<Impl> impl_;
  AdapterInfo info_;
  Counters counters_;
};

}  // namespace seiswg::gpu
