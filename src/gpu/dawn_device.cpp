// Native GPU layer over Dawn's C API (declarations in dawn_abi.h).
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "gpu/backend_common.hpp"
#include "gpu/dawn_abi.h"
#include "gpu/device.hpp"
#include "io/error.hpp"

namespace seiswg::gpu {
namespace {

WGPUStringView view(std::string_view s) { return WGPUStringView{s.data(), s.size()}; }
std::string text(WGPUStringView v) {
  if (!v.data) return {};
  return v.length == WGPU_STRLEN ? std::string(v.data) : std::string(v.data, v.length);
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

// lavapipe (Vulkan on the CPU) as installed by scripts/setup.sh; found next to the build, so no
// environment variable is needed. The build may have moved (e.g. to a GPU machine): try both.
std::filesystem::path lavapipe_manifest() {
  for (auto dir : {std::filesystem::path(SEISWG_DEPS_DIR), executable_dir() / "../../.deps"}) {
    auto manifest = dir / "lavapipe" / "lvp_icd.json";
    if (std::filesystem::exists(manifest)) return std::filesystem::weakly_canonical(manifest);
  }
  return {};
}

void prepare_environment(bool cpu_only) {
  if (!std::getenv("XDG_RUNTIME_DIR")) setenv("XDG_RUNTIME_DIR", "/tmp", 0);
  if (!std::getenv("EGL_PLATFORM")) setenv("EGL_PLATFORM", "surfaceless", 0);
  const auto lvp = lavapipe_manifest();
  if (lvp.empty()) return;
  if (cpu_only) {
    setenv("VK_DRIVER_FILES", lvp.c_str(), 1);
    setenv("VK_ICD_FILENAMES", lvp.c_str(), 1);
    return;
  }
  if (std::getenv("VK_DRIVER_FILES") || std::getenv("VK_ICD_FILENAMES")) return;  // the user decides
  std::string add = lvp.string();
  if (const char* old = std::getenv("VK_ADD_DRIVER_FILES")) add = std::string(old) + ":" + add;
  setenv("VK_ADD_DRIVER_FILES", add.c_str(), 1);
  // Debian 12's own lavapipe (Mesa 22.3) is too old for this Dawn, which says so on stderr at every
  // start: hide it from the Vulkan loader since ours replaces it.
  if (!std::getenv("VK_LOADER_DRIVERS_DISABLE"))
    setenv("VK_LOADER_DRIVERS_DISABLE", "*lvp_icd.x86_64.json", 1);
}

AdapterKind kind_of(WGPUAdapterType t) {
  switch (t) {
    case WGPUAdapterType_DiscreteGPU:
      return AdapterKind::discrete;
    case WGPUAdapterType_IntegratedGPU:
      return AdapterKind::integrated;
    case WGPUAdapterType_CPU:
      return AdapterKind::cpu;
    default:
      return AdapterKind::unknown;
  }
}
std::string backend_name(WGPUBackendType t) {
  switch (t) {
    case WGPUBackendType_Vulkan:
      return "Vulkan";
    case WGPUBackendType_OpenGL:
      return "OpenGL";
    case WGPUBackendType_OpenGLES:
      return "OpenGLES";
    case WGPUBackendType_Metal:
      return "Metal";
    case WGPUBackendType_D3D12:
      return "D3D12";
    case WGPUBackendType_D3D11:
      return "D3D11";
    case WGPUBackendType_Null:
      return "Null";
    default:
      return "other";
  }
}

class Instance {
 public:
  Instance() {
    WGPUInstanceDescriptor desc = {};
    desc.capabilities.timedWaitAnyEnable = 1;
    desc.capabilities.timedWaitAnyMaxCount = 1;
    handle = wgpuCreateInstance(&desc);
    if (!handle) throw GpuError("could not create a WebGPU instance (Dawn)");
  }
  ~Instance() {
    if (handle) wgpuInstanceRelease(handle);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  void wait(WGPUFuture future) const {
    WGPUFutureWaitInfo info = {};
    info.future = future;
    while (!info.completed) {
      if (wgpuInstanceWaitAny(handle, 1, &info, UINT64_MAX) == WGPUWaitStatus_Error)
        throw GpuError("waiting for the GPU failed");
    }
  }
  WGPUAdapter request_adapter(WGPUBackendType backend, WGPUPowerPreference power,
                              WGPUFeatureLevel level) const {
    WGPURequestAdapterOptions options = {};
    options.backendType = backend;
    options.powerPreference = power;
    options.featureLevel = level;
    struct Result {
      WGPUAdapter adapter = nullptr;
    } result;
    WGPURequestAdapterCallbackInfo cb = {};
    cb.mode = WGPUCallbackMode_WaitAnyOnly;
    cb.callback = [](WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView, void* r, void*) {
      if (status == WGPURequestAdapterStatus_Success) static_cast<Result*>(r)->adapter = adapter;
    };
    cb.userdata1 = &result;
    wait(wgpuInstanceRequestAdapter(handle, &options, cb));
    return result.adapter;
  }
  WGPUInstance handle = nullptr;
};

AdapterInfo describe(WGPUAdapter adapter, WGPULimits* raw_limits) {
  WGPUAdapterInfo raw = {};
  // Memory heaps come chained on the adapter info, where the adapter offers them (otherwise the
  // chain makes wgpuAdapterGetInfo fail).
  WGPUAdapterPropertiesMemoryHeaps heaps = {};
  heaps.chain.sType = WGPUSType_AdapterPropertiesMemoryHeaps;
  const bool has_heaps = wgpuAdapterHasFeature(adapter, WGPUFeatureName_AdapterPropertiesMemoryHeaps) != 0;
  if (has_heaps) raw.nextInChain = &heaps.chain;
  if (wgpuAdapterGetInfo(adapter, &raw) != WGPUStatus_Success && has_heaps) {
    wgpuAdapterInfoFreeMembers(raw);
    raw = {};
    heaps.heapCount = 0;
    heaps.heapInfo = nullptr;
    wgpuAdapterGetInfo(adapter, &raw);
  }
  AdapterInfo info;
  for (std::size_t h = 0; h < heaps.heapCount && heaps.heapInfo; ++h)
    if (heaps.heapInfo[h].properties & WGPUHeapProperty_DeviceLocal)
      info.memory_bytes = std::max(info.memory_bytes, heaps.heapInfo[h].size);
  if (heaps.heapInfo) wgpuAdapterPropertiesMemoryHeapsFreeMembers(heaps);
  info.name = text(raw.device);
  info.driver = text(raw.description);
  info.backend = backend_name(raw.backendType);
  info.kind = kind_of(raw.adapterType);
  info.vendor_id = raw.vendorID;
  info.device_id = raw.deviceID;
  if (raw.backendType == WGPUBackendType_Null) info.kind = AdapterKind::unknown, info.backend = "Null";
  wgpuAdapterInfoFreeMembers(raw);
  WGPULimits limits = {};
  wgpuAdapterGetLimits(adapter, &limits);
  info.limits.max_buffer_size = limits.maxBufferSize;
  info.limits.max_storage_binding_size = limits.maxStorageBufferBindingSize;
  info.limits.max_storage_buffers_per_stage = limits.maxStorageBuffersPerShaderStage;
  info.limits.max_workgroups_per_dimension = limits.maxComputeWorkgroupsPerDimension;
  info.limits.max_invocations_per_workgroup = limits.maxComputeInvocationsPerWorkgroup;
  info.has_timestamps = wgpuAdapterHasFeature(adapter, WGPUFeatureName_TimestampQuery) != 0;
  if (raw_limits) *raw_limits = limits;
  return info;
}

}  // namespace

// Timestamp queries for Device::start_kernel_timing: two per timed dispatch (beginning and end of
// its own compute pass), and the label of each timed dispatch.
struct KernelTimer {
  static constexpr std::uint32_t kMaxDispatches = 2048;  // WebGPU allows 4096 queries per set
  WGPUQuerySet queries = nullptr;
  std::uint32_t capacity = 0;
  std::vector<std::string> labels;
  bool whole_passes = false;  // time compute passes, not dispatches
  KernelTimer() = default;
  KernelTimer(const KernelTimer&) = delete;
  KernelTimer& operator=(const KernelTimer&) = delete;
  ~KernelTimer() {
    if (queries) {
      wgpuQuerySetDestroy(queries);
      wgpuQuerySetRelease(queries);
    }
  }
  bool active() const { return labels.size() < capacity; }
};

struct Device::Impl {
  std::unique_ptr<Instance> instance;
  WGPUAdapter adapter = nullptr;
  WGPUDevice device = nullptr;
  WGPUQueue queue = nullptr;
  std::mutex error_mutex;
  std::string errors;
  KernelTimer timer;  // its query set is released in ~Impl, before the device
  Buffer staging;     // Device::read goes through it: map_read | copy_dst, grown on demand
  Buffer resolved;    // where stop_kernel_timing resolves the timestamps
  // Device::fence: issued fences not yet known to be done, oldest first. Their callbacks
  // (AllowProcessEvents) run only inside wgpuInstanceProcessEvents / wgpuInstanceWaitAny calls on
  // this thread, or with status CallbackCancelled when the instance goes, at the end of ~Impl.
  struct PendingFence {
    std::uint64_t id;
    WGPUFuture future;
  };
  std::vector<PendingFence> pending;
  std::uint64_t issued_fence = 0, done_fence = 0;
  void prune_fences() {
    auto end = std::find_if(pending.begin(), pending.end(),
                            [&](const PendingFence& f) { return f.id > done_fence; });
    pending.erase(pending.begin(), end);
  }
  ~Impl() {
    staging = Buffer();  // buffers before the device
    resolved = Buffer();
    if (timer.queries) {
      wgpuQuerySetDestroy(timer.queries);
      wgpuQuerySetRelease(timer.queries);
      timer.queries = nullptr;
    }
    if (queue) wgpuQueueRelease(queue);
    if (device) {
      wgpuDeviceDestroy(device);
      wgpuDeviceRelease(device);
    }
    if (adapter) wgpuAdapterRelease(adapter);
    instance.reset();  // runs the callbacks of pending fences while this Impl is still whole
  }
  void wait_queue() {
    WGPUQueueWorkDoneCallbackInfo cb = {};
    cb.mode = WGPUCallbackMode_WaitAnyOnly;
    cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void*, void*) {};
    instance->wait(wgpuQueueOnSubmittedWorkDone(queue, cb));
  }
  // Runs `work` inside an error scope and returns the error text ("" if none).
  template <class F>
  std::string scoped(WGPUErrorFilter filter, F&& work) {
    wgpuDevicePushErrorScope(device, filter);
    work();
    struct Result {
      std::string message;
    } result;
    WGPUPopErrorScopeCallbackInfo cb = {};
    cb.mode = WGPUCallbackMode_WaitAnyOnly;
    cb.callback = [](WGPUPopErrorScopeStatus, WGPUErrorType type, WGPUStringView message, void* r, void*) {
      if (type != WGPUErrorType_NoError) static_cast<Result*>(r)->message = text(message);
    };
    cb.userdata1 = &result;
    instance->wait(wgpuDevicePopErrorScope(device, cb));
    return result.message;
  }
};

#include "gpu/webgpu_shared.inc"
void Commands::dispatch(const Kernel& kernel, const BindGroup& bindings, std::uint32_t groups_x,
                        std::uint32_t groups_y, std::uint32_t groups_z) {
  if (groups_x == 0 || groups_y == 0) return;
  const bool timed = timer_ && timer_->active() && !timer_->whole_passes;
  const bool timed_pass = timer_ && timer_->active() && timer_->whole_passes && !pass_;
  WGPUPassTimestampWrites writes = {};
  WGPUComputePassDescriptor desc = {};
  if (timed || timed_pass) {  // timed: a pass of its own, between two timestamps
    if (timed) end_pass();
    const auto slot = std::uint32_t(timer_->labels.size());
    writes.querySet = timer_->queries;
    writes.beginningOfPassWriteIndex = 2 * slot;
    writes.endOfPassWriteIndex = 2 * slot + 1;
    desc.timestampWrites = &writes;
    timer_->labels.push_back(timed ? kernel.label() : std::string("compute passes"));
  }
  if (!pass_)
    pass_ = wgpuCommandEncoderBeginComputePass(static_cast<WGPUCommandEncoder>(encoder_),
                                               timed || timed_pass ? &desc : nullptr);
  auto pass = static_cast<WGPUComputePassEncoder>(pass_);
  wgpuComputePassEncoderSetPipeline(pass, static_cast<WGPUComputePipeline>(kernel.pipeline_));
  wgpuComputePassEncoderSetBindGroup(pass, 0, static_cast<WGPUBindGroup>(bindings.handle_), 0, nullptr);
  wgpuComputePassEncoderDispatchWorkgroups(pass, groups_x, groups_y, groups_z);
  if (timed) end_pass();
}

std::vector<AdapterInfo> Device::list_adapters() {
  std::vector<AdapterInfo> found;
  auto add = [&](const Instance& instance, WGPUBackendType backend, WGPUPowerPreference power,
                 WGPUFeatureLevel level) {
    WGPUAdapter a = instance.request_adapter(backend, power, level);
    if (!a) return;
    AdapterInfo info = describe(a, nullptr);
    wgpuAdapterRelease(a);
    if (info.backend == "Null") return;
    for (const auto& f : found)
      if (f.name == info.name && f.backend == info.backend) return;
    found.push_back(info);
  };
  prepare_environment(false);
  {
    Instance instance;
    add(instance, WGPUBackendType_Vulkan, WGPUPowerPreference_HighPerformance, WGPUFeatureLevel_Core);
    add(instance, WGPUBackendType_Vulkan, WGPUPowerPreference_LowPower, WGPUFeatureLevel_Core);
    add(instance, WGPUBackendType_OpenGL, WGPUPowerPreference_Undefined, WGPUFeatureLevel_Compatibility);
  }
  return found;
}

std::unique_ptr<Device> Device::open(const DeviceOptions& options) {
  std::string selector = lower(options.selector);
  if (selector.empty())
    if (const char* env = std::getenv("SEISWG_ADAPTER")) selector = lower(env);
  if (selector == "auto") selector.clear();
  const bool cpu_only = selector == "cpu";
  prepare_environment(cpu_only);

  auto impl = std::make_unique<Impl>();
  impl->instance = std::make_unique<Instance>();
  const Instance& instance = *impl->instance;

  struct Candidate {
    WGPUBackendType backend;
    WGPUPowerPreference power;
    WGPUFeatureLevel level;
  };
  std::vector<Candidate> candidates;
  if (selector == "opengl" || selector == "gl") {
    candidates = {{WGPUBackendType_OpenGL, WGPUPowerPreference_Undefined, WGPUFeatureLevel_Compatibility}};
  } else {
    candidates = {{WGPUBackendType_Vulkan, WGPUPowerPreference_HighPerformance, WGPUFeatureLevel_Core},
                  {WGPUBackendType_Vulkan, WGPUPowerPreference_LowPower, WGPUFeatureLevel_Core}};
    if (selector.empty())
      candidates.push_back(
          {WGPUBackendType_OpenGL, WGPUPowerPreference_Undefined, WGPUFeatureLevel_Compatibility});
  }

  WGPULimits limits = {};
  std::vector<std::string> seen;
  for (const auto& c : candidates) {
    WGPUAdapter a = instance.request_adapter(c.backend, c.power, c.level);
    if (!a) continue;
    WGPULimits l = {};
    AdapterInfo info = describe(a, &l);
    bool ok = info.backend != "Null";  // Dawn's Null backend "succeeds" with zeros: never use it
    if (ok && selector == "gpu")
      ok = info.kind == AdapterKind::discrete || info.kind == AdapterKind::integrated;
    if (ok && selector == "cpu") ok = info.kind == AdapterKind::cpu;
    if (ok && !selector.empty() && selector != "gpu" && selector != "cpu" && selector != "opengl" &&
        selector != "gl")
      ok = lower(info.name).find(selector) != std::string::npos;
    if (!ok) {
      seen.push_back(info.summary());
      wgpuAdapterRelease(a);
      continue;
    }
    impl->adapter = a;
    limits = l;
    break;
  }
  if (!impl->adapter) {
    std::string msg = "no usable WebGPU adapter";
    if (!selector.empty()) msg += " matching --adapter '" + selector + "'";
    if (!seen.empty()) {
      msg += " (found:";
      for (auto& s : seen) msg += " " + s + ";";
      msg += ")";
    }
    if (lavapipe_manifest().empty())
      msg +=
          ". No GPU driver was found and the CPU fallback (lavapipe) is not installed: run `bash "
          "scripts/setup.sh` "
          "(as root, Debian 12) to install it";
    throw GpuError(msg);
  }

  WGPUAdapterInfo raw_info = {};
  wgpuAdapterGetInfo(impl->adapter, &raw_info);
  wgpuAdapterInfoFreeMembers(raw_info);

  // Ask for everything the adapter offers: grids are bounded by GPU memory, not WebGPU defaults.
  WGPULimits required = limits;
  required.nextInChain = nullptr;
  AdapterInfo info = describe(impl->adapter, nullptr);
  WGPUFeatureName features[1] = {WGPUFeatureName_TimestampQuery};
  WGPUDeviceDescriptor desc = {};
  desc.label = view("seiswg");
  desc.requiredLimits = &required;
  const char* const quantized[] = {"timestamp_quantization"};
  std::vector<const char*> enabled;
  for (const auto& t : options.dawn_toggles) enabled.push_back(t.c_str());
  WGPUDawnTogglesDescriptor toggles = {};
  toggles.chain.sType = WGPUSType_DawnTogglesDescriptor;
  toggles.enabledToggleCount = enabled.size();
  toggles.enabledToggles = enabled.data();
  if (options.precise_timestamps && info.has_timestamps) {
    toggles.disabledToggleCount = 1;
    toggles.disabledToggles = quantized;
  }
  if (toggles.enabledToggleCount + toggles.disabledToggleCount > 0) desc.nextInChain = &toggles.chain;
  if (info.has_timestamps) {
    desc.requiredFeatureCount = 1;
    desc.requiredFeatures = features;
  }
  Impl* raw = impl.get();
  desc.uncapturedErrorCallbackInfo.callback = [](WGPUDevice const*, WGPUErrorType type,
                                                 WGPUStringView message, void* self, void*) {
    auto* d = static_cast<Impl*>(self);
    std::lock_guard lock(d->error_mutex);
    d->errors += (type == WGPUErrorType_OutOfMemory ? "out of GPU memory: " : "") + text(message) + "\n";
  };
  desc.uncapturedErrorCallbackInfo.userdata1 = raw;
  desc.deviceLostCallbackInfo.mode = WGPUCallbackMode_AllowSpontaneous;
  desc.deviceLostCallbackInfo.callback = [](WGPUDevice const*, WGPUDeviceLostReason reason,
                                            WGPUStringView message, void* self, void*) {
    if (reason == WGPUDeviceLostReason_Destroyed || reason == WGPUDeviceLostReason_CallbackCancelled) return;
    auto* d = static_cast<Impl*>(self);
    std::lock_guard lock(d->error_mutex);
    d->errors += "GPU device lost: " + text(message) + "\n";
  };
  desc.deviceLostCallbackInfo.userdata1 = raw;
  struct Result {
    WGPUDevice device = nullptr;
    std::string message;
  } result;
  WGPURequestDeviceCallbackInfo cb = {};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message, void* r,
                   void*) {
    auto* res = static_cast<Result*>(r);
    if (status == WGPURequestDeviceStatus_Success)
      res->device = device;
    else
      res->message = text(message);
  };
  cb.userdata1 = &result;
  instance.wait(wgpuAdapterRequestDevice(impl->adapter, &desc, cb));
  if (!result.device) throw GpuError("could not open " + info.summary() + ": " + result.message);
  impl->device = result.device;
  impl->queue = wgpuDeviceGetQueue(impl->device);

  std::unique_ptr<Device> device(new Device(std::move(impl)));
  device->info_ = info;
  return device;
}

Buffer Device::create_native_buffer(std::uint64_t bytes, std::uint64_t native_usage, std::string_view label) {
  if (bytes > info_.limits.max_buffer_size)
    throw GpuError("buffer '" + std::string(label) + "' needs " + format_bytes(bytes) + " but " +
                   info_.summary() + " allows at most " + format_bytes(info_.limits.max_buffer_size) +
                   " per buffer");
  WGPUBufferDescriptor desc = {};
  desc.label = view(label);
  desc.usage = native_usage;
  desc.size = (std::max<std::uint64_t>(bytes, 4) + 3) & ~std::uint64_t(3);
  Buffer buffer;
  std::string error = impl_->scoped(WGPUErrorFilter_OutOfMemory,
                                    [&] { buffer.handle_ = wgpuDeviceCreateBuffer(impl_->device, &desc); });
  buffer.size_ = desc.size;
  if (!error.empty())
    throw GpuError("out of GPU memory allocating '" + std::string(label) + "' (" + format_bytes(bytes) +
                   ") on " + info_.summary() + ": " + error);
  counters_.buffers += 1;
  counters_.buffer_bytes += desc.size;
  return buffer;
}

void Device::read(const Buffer& buffer, std::uint64_t offset, std::size_t bytes, void* out) {
  if (bytes == 0) return;
  const std::uint64_t cap =
      std::bit_floor(std::min(kMaxStagingBytes, std::max<std::uint64_t>(info_.limits.max_buffer_size, 4)));
  const std::uint64_t want = std::min<std::uint64_t>((bytes + 3) & ~std::uint64_t(3), cap);
  Buffer& staging = impl_->staging;
  if (staging.size() < want) {
    staging = Buffer();  // the old one goes first
    staging = create_buffer(std::bit_ceil(want), usage::map_read | usage::copy_dst, "readback staging");
  }
  auto handle = static_cast<WGPUBuffer>(staging.handle_);
  auto* to = static_cast<std::byte*>(out);
  for (std::uint64_t done = 0; done < bytes;) {
    const std::uint64_t chunk = std::min<std::uint64_t>(bytes - done, staging.size());
    const std::uint64_t padded = (chunk + 3) & ~std::uint64_t(3);
    Commands commands = record();
    commands.copy(buffer, offset + done, staging, 0, padded);
    submit(std::move(commands));
    struct Result {
      bool ok = false;
      std::string message;
    } result;
    WGPUBufferMapCallbackInfo cb = {};
    cb.mode = WGPUCallbackMode_WaitAnyOnly;
    cb.callback = [](WGPUMapAsyncStatus status, WGPUStringView message, void* r, void*) {
      auto* res = static_cast<Result*>(r);
      res->ok = status == WGPUMapAsyncStatus_Success;
      res->message = text(message);
    };
    cb.userdata1 = &result;
    impl_->instance->wait(wgpuBufferMapAsync(handle, WGPUMapMode_Read, 0, padded, cb));
    if (result.ok) {  // unmapped before anything throws: the staging buffer stays usable
      std::memcpy(to + done, wgpuBufferGetConstMappedRange(handle, 0, padded), chunk);
      wgpuBufferUnmap(handle);
    }
    check_errors("reading results back from the GPU");
    if (!result.ok) throw GpuError("reading results back from the GPU failed: " + result.message);
    done += chunk;
  }
}

Kernel Device::create_kernel(std::string_view wgsl, std::string_view entry,
                             std::span<const std::pair<std::string, double>> constants,
                             std::string_view label) {
  WGPUShaderSourceWGSL source = {};
  source.chain.sType = WGPUSType_ShaderSourceWGSL;
  source.code = view(wgsl);
  WGPUShaderModuleDescriptor module_desc = {};
  module_desc.nextInChain = &source.chain;
  module_desc.label = view(label);
  std::vector<WGPUConstantEntry> entries;
  for (const auto& [key, value] : constants) {
    WGPUConstantEntry e = {};
    e.key = view(key);
    e.value = value;
    entries.push_back(e);
  }
  Kernel kernel;
  kernel.label_ = std::string(label);
  WGPUShaderModule module = nullptr;
  std::string error = impl_->scoped(WGPUErrorFilter_Validation, [&] {
    module = wgpuDeviceCreateShaderModule(impl_->device, &module_desc);
    WGPUComputePipelineDescriptor desc = {};
    desc.label = view(label);
    desc.compute.module = module;
    desc.compute.entryPoint = view(entry);
    desc.compute.constantCount = entries.size();
    desc.compute.constants = entries.data();
    kernel.pipeline_ = wgpuDeviceCreateComputePipeline(impl_->device, &desc);
    kernel.layout_ =
        wgpuComputePipelineGetBindGroupLayout(static_cast<WGPUComputePipeline>(kernel.pipeline_), 0);
  });
  if (module) wgpuShaderModuleRelease(module);
  if (!error.empty()) throw GpuError("compiling WGSL kernel '" + kernel.label_ + "' failed:\n" + error);
  counters_.kernels += 1;
  return kernel;
}

BindGroup Device::bind(const Kernel& kernel, std::span<const Binding> bindings) {
  std::vector<WGPUBindGroupEntry> entries;
  for (const auto& b : bindings) {
    WGPUBindGroupEntry e = {};
    e.binding = b.index;
    e.buffer = static_cast<WGPUBuffer>(b.buffer->handle_);
    e.size = b.buffer->size();
    entries.push_back(e);
  }
  WGPUBindGroupDescriptor desc = {};
  desc.layout = static_cast<WGPUBindGroupLayout>(kernel.layout_);
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  BindGroup group;
  std::string error = impl_->scoped(WGPUErrorFilter_Validation,
                                    [&] { group.handle_ = wgpuDeviceCreateBindGroup(impl_->device, &desc); });
  if (!error.empty()) throw GpuError("binding buffers to kernel '" + kernel.label() + "' failed: " + error);
  counters_.bind_groups += 1;
  return group;
}

Commands Device::record() {
  return Commands(wgpuDeviceCreateCommandEncoder(impl_->device, nullptr), &impl_->timer);
}

void Device::wait_idle() {
  impl_->wait_queue();
  check_errors("running GPU work");
}

std::uint64_t Device::fence() {
  Impl& d = *impl_;
  const std::uint64_t id = ++d.issued_fence;
  WGPUQueueWorkDoneCallbackInfo cb = {};
  cb.mode = WGPUCallbackMode_AllowProcessEvents;
  // Any status counts as done: a failure (device lost, instance gone) reaches check_errors anyway.
  cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void* self, void* fence) {
    auto* impl = static_cast<Impl*>(self);
    impl->done_fence = std::max<std::uint64_t>(impl->done_fence, reinterpret_cast<std::uintptr_t>(fence));
  };
  cb.userdata1 = &d;
  cb.userdata2 = reinterpret_cast<void*>(std::uintptr_t(id));
  d.pending.push_back({id, wgpuQueueOnSubmittedWorkDone(d.queue, cb)});
  return id;
}

bool Device::is_done(std::uint64_t fence) {
  Impl& d = *impl_;
  if (fence <= d.done_fence) return true;
  if (fence > d.issued_fence) throw GpuError("fence " + std::to_string(fence) + " was never made");
  wgpuInstanceProcessEvents(d.instance->handle);  // runs the callbacks of finished work; no waiting
  d.prune_fences();
  return fence <= d.done_fence;
}

void Device::wait(std::uint64_t fence) {
  Impl& d = *impl_;
  if (fence > d.issued_fence) throw GpuError("fence " + std::to_string(fence) + " was never made");
  while (fence > d.done_fence) {
    auto it = std::find_if(d.pending.begin(), d.pending.end(),
                           [&](const Impl::PendingFence& f) { return f.id >= fence; });
    if (it == d.pending.end()) break;
    const WGPUFuture future = it->future;  // the callback may run inside wait: no iterator across it
    d.instance->wait(future);
    d.prune_fences();
  }
  check_errors("running GPU work");
}

void Device::check_errors(std::string_view context) {
  std::lock_guard lock(impl_->error_mutex);
  if (impl_->errors.empty()) return;
  std::string e = std::move(impl_->errors);
  impl_->errors.clear();
  throw GpuError(std::string(context) + " on " + info_.summary() + " failed:\n" + e);
}

void Device::start_kernel_timing(std::uint32_t max_dispatches, bool whole_passes) {
  if (!info_.has_timestamps) throw GpuError(info_.summary() + " has no timestamp queries");
  auto& timer = impl_->timer;
  if (!timer.queries) {
    WGPUQuerySetDescriptor desc = {};
    desc.label = view("kernel timestamps");
    desc.type = WGPUQueryType_Timestamp;
    desc.count = 2 * KernelTimer::kMaxDispatches;
    std::string error = impl_->scoped(
        WGPUErrorFilter_Validation, [&] { timer.queries = wgpuDeviceCreateQuerySet(impl_->device, &desc); });
    if (!error.empty())
      throw GpuError("creating timestamp queries on " + info_.summary() + " failed: " + error);
  }
  timer.labels.clear();
  timer.whole_passes = whole_passes;
  timer.capacity = std::min(max_dispatches, KernelTimer::kMaxDispatches);
}

std::vector<KernelTime> Device::stop_kernel_timing() {
  auto& timer = impl_->timer;
  const auto count = std::uint32_t(timer.labels.size());
  timer.capacity = 0;
  if (count == 0) return {};
  // Resolve (Dawn converts ticks to ns) into a buffer that `read` can copy from, made once.
  Buffer& resolved = impl_->resolved;
  if (!resolved)
    resolved =
        create_native_buffer(std::uint64_t(KernelTimer::kMaxDispatches) * 2 * sizeof(std::uint64_t),
                             WGPUBufferUsage_QueryResolve | WGPUBufferUsage_CopySrc, "resolved timestamps");
  Commands commands = record();
  wgpuCommandEncoderResolveQuerySet(static_cast<WGPUCommandEncoder>(commands.encoder_), timer.queries, 0,
                                    2 * count, static_cast<WGPUBuffer>(resolved.handle_), 0);
  submit(std::move(commands));
  std::vector<std::uint64_t> ns(std::size_t(count) * 2);
  read(resolved, 0, ns.size() * sizeof(std::uint64_t), ns.data());
  std::vector<KernelTime> times;
  for (std::uint32_t d = 0; d < count; ++d) {
    auto it = std::find_if(times.begin(), times.end(),
                           [&](const KernelTime& t) { return t.label == timer.labels[d]; });
    if (it == times.end()) it = times.insert(times.end(), KernelTime{timer.labels[d], 0, 0.0});
    const std::uint64_t begin = ns[2 * std::size_t(d)], end = ns[2 * std::size_t(d) + 1];
    it->dispatches += 1;
    it->total_ns += end > begin ? double(end - begin) : 0.0;
  }
  timer.labels.clear();
  return times;
}

}  // namespace seiswg::gpu
