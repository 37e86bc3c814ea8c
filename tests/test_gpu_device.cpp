// The GPU layer itself: creation counters, the reused readback staging buffer, fences, adapter memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <numeric>
#include <regex>
#include <thread>

#include "gpu/device.hpp"
#include "gpu/pci_bus.hpp"
#include "io/error.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes 0, 1, 2, ... mixed so that an offset or a stale chunk shows.
std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    b = std::uint8_t(x);
  }
  return v;
}

// Each invocation spins `iterations` times on its value: enough work to outlast a poll.
constexpr const char* kSpin = R"(
override iterations: u32 = 1u;
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= arrayLength(&data)) { return; }
  var x = data[id.x];
  for (var k = 0u; k < iterations; k++) { x = x * 0.5 + 1.0; }
  data[id.x] = x;
}
)";

TEST(GpuDevice, CountersCountEveryCreation) {
  auto device = gpu::Device::open({});
  const gpu::Counters& c = device->counters();
  EXPECT_EQ(c.buffers, 0u);
  EXPECT_EQ(c.buffer_bytes, 0u);
  EXPECT_EQ(c.kernels, 0u);
  EXPECT_EQ(c.bind_groups, 0u);

  gpu::Buffer data =
      device->create_buffer(10, gpu::usage::storage | gpu::usage::copy_src | gpu::usage::copy_dst,
                            "data");  // rounded up to 12 bytes
  EXPECT_EQ(c.buffers, 1u);
  EXPECT_EQ(c.buffer_bytes, 12u);
  const std::pair<std::string, double> constants[] = {{"iterations", 3.0}};
  gpu::Kernel kernel = device->create_kernel(kSpin, "main", constants, "spin");
  EXPECT_EQ(c.kernels, 1u);
  gpu::BindGroup group = device->bind(kernel, {{0, &data}});
  EXPECT_EQ(c.bind_groups, 1u);

  const float x[3] = {0.0f, 2.0f, 4.0f};
  device->write(data, 0, x, sizeof x);
  auto commands = device->record();
  commands.dispatch(kernel, group, 1);
  device->submit(std::move(commands));
  EXPECT_EQ(c.buffers, 1u);  // writes, records and submits create nothing counted

  float y[3] = {};
  device->read(data, 0, sizeof y, y);  // the readback staging buffer: 16 bytes (power of two)
  EXPECT_EQ(c.buffers, 2u);
  EXPECT_EQ(c.buffer_bytes, 12u + 16u);
  for (int i = 0; i < 3; ++i) {  // x -> x/2 + 1, three times
    float e = x[i];
    for (int k = 0; k < 3; ++k) e = e * 0.5f + 1.0f;
    EXPECT_FLOAT_EQ(y[i], e);
  }
  EXPECT_EQ(c.kernels, 1u);
  EXPECT_EQ(c.bind_groups, 1u);

  if (device->adapter().has_timestamps) {  // the resolve buffer is made once
    auto one_dispatch = [&] {
      auto timed = device->record();
      timed.dispatch(kernel, group, 1);
      device->submit(std::move(timed));
    };
    device->start_kernel_timing(4);
    one_dispatch();
    const auto times = device->stop_kernel_timing();
    ASSERT_EQ(times.size(), 1u);
    EXPECT_EQ(times[0].dispatches, 1u);
    const auto after_first = c.buffers;
    EXPECT_GE(after_first, 3u);  // the resolve buffer, maybe a bigger staging buffer
    device->start_kernel_timing(4);
    one_dispatch();
    EXPECT_EQ(device->stop_kernel_timing().size(), 1u);
    EXPECT_EQ(c.buffers, after_first);
  }
}

TEST(GpuDevice, RepeatedReadsReuseTheStagingBuffer) {
  gpu::Device& device = test::test_device();
  const std::size_t n = 3000;  // staging of 4096 bytes
  const auto bytes = pattern(n, 1);
  gpu::Buffer buffer =
      device.create_buffer(n, gpu::usage::storage | gpu::usage::copy_src | gpu::usage::copy_dst, "reads");
  device.write(buffer, 0, bytes.data(), n);
  std::vector<std::uint8_t> out(n);
  device.read(buffer, 0, n, out.data());
  EXPECT_EQ(out, bytes);
  const gpu::Counters before = device.counters();
  for (int r = 0; r < 5; ++r) {
    std::fill(out.begin(), out.end(), std::uint8_t(0));
    device.read(buffer, 0, n, out.data());
    EXPECT_EQ(out, bytes);
    std::vector<std::uint8_t> part(n - 1001);  // smaller reads fit too
    device.read(buffer, 1000, part.size(), part.data());
    EXPECT_TRUE(std::equal(part.begin(), part.end(), bytes.begin() + 1000));
  }
  const auto v = device.read<std::uint8_t>(buffer);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), v.begin()));
  EXPECT_EQ(device.counters().buffers, before.buffers);
  EXPECT_EQ(device.counters().buffer_bytes, before.buffer_bytes);
}

TEST(GpuDevice, ReadsOfOddAndGrowingSizesReturnTheRightBytes) {
  gpu::Device& device = test::test_device();
  const std::size_t n = (3u << 20) + 7;
  const auto bytes = pattern(n, 2);
  gpu::Buffer buffer =
      device.create_buffer(n, gpu::usage::storage | gpu::usage::copy_src | gpu::usage::copy_dst, "odd reads");
  device.write(buffer, 0, bytes.data(), n);  // the last 3 bytes go through the padded tail
  for (const std::size_t size : {std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(5),
                                 std::size_t(4097), std::size_t(1u << 20) + 1, n - 8, n}) {
    for (const std::uint64_t offset : {std::uint64_t(0), std::uint64_t(4), std::uint64_t(8)}) {
      if (offset + size > n) continue;
      std::vector<std::uint8_t> out(size + 1, 0xAB);  // one guard byte: nothing is written past `size`
      device.read(buffer, offset, size, out.data());
      EXPECT_TRUE(std::equal(out.begin(), out.end() - 1, bytes.begin() + std::ptrdiff_t(offset)))
          << "size " << size << " offset " << offset;
      EXPECT_EQ(out.back(), 0xAB) << "size " << size << " offset " << offset;
    }
  }
  // A write of an odd size in the middle changes only its bytes (plus the zero padding of its last word).
  const std::uint8_t three[3] = {1, 2, 3};
  device.write(buffer, 400, three, 3);
  std::vector<std::uint8_t> out(8);
  device.read(buffer, 396, out.size(), out.data());
  const std::vector<std::uint8_t> expect = {bytes[396], bytes[397], bytes[398], bytes[399], 1, 2, 3, 0};
  EXPECT_EQ(out, expect);
}

TEST(GpuDevice, ReadsLargerThanTheStagingCapComeInPieces) {
  auto own = gpu::Device::open({});  // its 256 MiB staging buffer goes with it
  gpu::Device& device = *own;
  const std::size_t n = (256u << 20) + (1u << 20) + 6;  // past the 256 MiB staging cap
  if (device.limits().max_buffer_size < n) GTEST_SKIP() << "buffers of " << n << " bytes not allowed here";
  std::vector<std::uint32_t> words((n + 3) / 4);
  std::iota(words.begin(), words.end(), 0x01000000u);
  gpu::Buffer buffer = device.create_buffer(n, gpu::usage::copy_src | gpu::usage::copy_dst, "large read");
  device.write(buffer, 0, words.data(), n);
  const std::uint64_t offset = 12;
  std::vector<std::uint8_t> out(n - offset);
  device.read(buffer, offset, out.size(), out.data());
  EXPECT_EQ(std::memcmp(out.data(), reinterpret_cast<const std::uint8_t*>(words.data()) + offset, out.size()),
            0);
  const gpu::Counters before = device.counters();
  device.read(buffer, offset, out.size(), out.data());  // the staging buffer is already at its cap
  EXPECT_EQ(device.counters().buffers, before.buffers);
}

TEST(GpuDevice, FencesTellWhenWorkIsDoneWithoutBlocking) {
  gpu::Device& device = test::test_device();
  EXPECT_TRUE(device.is_done(0));
  const std::size_t n = 64 * 256;
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = float(i % 17);
  gpu::Buffer data =
      device.create_buffer(n * 4, gpu::usage::storage | gpu::usage::copy_src | gpu::usage::copy_dst, "spin");
  device.write(data, std::span<const float>(x));
  // Long enough on a CPU (lavapipe) to be still running at the first poll; quick on a GPU.
  const std::pair<std::string, double> constants[] = {{"iterations", 20000.0}};
  gpu::Kernel kernel = device.create_kernel(kSpin, "main", constants, "spin");
  gpu::BindGroup group = device.bind(kernel, {{0, &data}});
  auto commands = device.record();
  for (int k = 0; k < 4; ++k) commands.dispatch(kernel, group, std::uint32_t(n / 64));
  const auto t0 = Clock::now();
  device.submit(std::move(commands));
  const std::uint64_t f1 = device.fence();
  EXPECT_GT(f1, 0u);

  double longest_poll = 0;
  int polls = 0;
  bool done = false;
  while (!done && Clock::now() - t0 < std::chrono::seconds(120)) {
    const auto p0 = Clock::now();
    done = device.is_done(f1);
    longest_poll = std::max(longest_poll, std::chrono::duration<double>(Clock::now() - p0).count());
    ++polls;
    if (!done) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_TRUE(done) << "fence not done after " << total << " s";
  EXPECT_TRUE(device.is_done(f1));  // stays done
  // A poll never waits for the work: far shorter than the work whenever the work took a while.
  if (total > 0.2) {
    EXPECT_LT(longest_poll, 0.25 * total) << polls << " polls over " << total << " s";
  }
  std::printf("[ fence    ] work done after %.3f s, %d polls, longest poll %.3f ms\n", total, polls,
              1e3 * longest_poll);

  std::vector<float> y(n);
  device.read(data, 0, n * 4, y.data());
  for (std::size_t i = 0; i < n; i += 997) EXPECT_NEAR(y[i], 2.0f, 1e-5f) << i;  // x/2 + 1 converges to 2

  // wait blocks until done; fences grow; an earlier fence is done once a later one is.
  auto more = device.record();
  more.dispatch(kernel, group, std::uint32_t(n / 64));
  device.submit(std::move(more));
  const std::uint64_t f2 = device.fence();
  const std::uint64_t f3 = device.fence();  // nothing submitted in between
  EXPECT_GT(f2, f1);
  EXPECT_GT(f3, f2);
  device.wait(f3);
  EXPECT_TRUE(device.is_done(f2));
  EXPECT_TRUE(device.is_done(f3));
  device.wait(f2);  // already done: returns
  EXPECT_THROW(device.is_done(f3 + 100), GpuError);

  // Fences with nothing submitted get done too.
  const std::uint64_t idle = device.fence();
  const auto i0 = Clock::now();
  while (!device.is_done(idle) && Clock::now() - i0 < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  EXPECT_TRUE(device.is_done(idle));
  device.wait_idle();
}

TEST(GpuDevice, MemorySizeIsPlausible) {
  gpu::Device& device = test::test_device();
  const auto& a = device.adapter();
  std::printf("[ memory   ] %s: %.3g GiB\n", a.summary().c_str(),
              double(a.memory_bytes) / double(1ull << 30));
  if (a.backend == "Vulkan") {
    EXPECT_GT(a.memory_bytes, 0u) << "Dawn's Vulkan backend reports memory heaps";
  }
  if (a.memory_bytes == 0) return;
  EXPECT_GE(a.memory_bytes, 256ull << 20);
  EXPECT_LE(a.memory_bytes, 64ull << 40);
  bool listed = false;
  for (const auto& other : gpu::Device::list_adapters()) {
    if (other.name == a.name && other.backend == a.backend) {
      listed = true;
      EXPECT_EQ(other.memory_bytes, a.memory_bytes);
    }
  }
  EXPECT_TRUE(listed);
}

// The PCI address of the test adapter: a GPU's from the Vulkan loader (VK_EXT_pci_bus_info), or what
// stands in its place, and the reasons for ids the loader does not list or a driver without the bus.
TEST(GpuDevice, PciBusIdOrWhyNot) {
  const auto& a = test::test_device().adapter();
  const std::string text = gpu::pci_bus_text(a);
  std::printf("[ pci      ] %s: %s\n", a.summary().c_str(), text.c_str());
  if (a.kind == gpu::AdapterKind::cpu) {
    EXPECT_EQ(text, "no PCI bus id (a CPU adapter)");
  } else if (a.backend == "Vulkan") {
    EXPECT_TRUE(std::regex_match(text, std::regex(R"(PCI [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])")))
        << text;
  }
  if (a.backend != "Vulkan") return;
  gpu::AdapterInfo unlisted = a;
  unlisted.kind = gpu::AdapterKind::discrete;
  unlisted.vendor_id = 0xfffe, unlisted.device_id = 0xfffd;
  EXPECT_EQ(gpu::pci_bus_text(unlisted), "PCI bus id unknown (the Vulkan loader lists no device fffe:fffd)");
  if (a.kind == gpu::AdapterKind::cpu) {
    // Lavapipe's own ids, asked as if it were a GPU: listed, but its driver has no bus to report.
    gpu::AdapterInfo asked = a;
    asked.kind = gpu::AdapterKind::unknown;
    EXPECT_EQ(gpu::pci_bus_text(asked),
              "PCI bus id unknown (its Vulkan driver reports none: no VK_EXT_pci_bus_info)");
  }
}

// The GPUs a rank can be given (gpu::vulkan_gpu_addresses): each is a PCI display or 3D controller of
// this machine as sysfs lists it (class 0x0300xx or 0x0302xx), CPU devices are not among them, and the
// test adapter is among the loader's devices (its address among the GPUs when it is one).
TEST(GpuDevice, VulkanGpusAreThisMachinesPciDisplayControllers) {
  const auto& a = test::test_device().adapter();
  if (a.backend != "Vulkan") GTEST_SKIP() << "not a Vulkan adapter: " << a.summary();
  std::string reason;
  const auto devices = gpu::vulkan_devices(reason);
  ASSERT_FALSE(devices.empty()) << reason;
  EXPECT_TRUE(std::any_of(devices.begin(), devices.end(), [&](const gpu::VulkanDevice& d) {
    return d.vendor_id == a.vendor_id && d.device_id == a.device_id &&
           d.cpu == (a.kind == gpu::AdapterKind::cpu);
  }));
  const auto gpus = gpu::vulkan_gpu_addresses();
  for (const std::string& pci : gpus) {
    std::ifstream in("/sys/bus/pci/devices/" + pci + "/class");
    std::string cls;
    in >> cls;
    std::printf("[ gpu      ] %s class %s\n", pci.c_str(), cls.c_str());
    EXPECT_TRUE(cls.rfind("0x0300", 0) == 0 || cls.rfind("0x0302", 0) == 0) << pci << ": " << cls;
  }
  EXPECT_TRUE(std::is_sorted(gpus.begin(), gpus.end()));
  if (a.kind != gpu::AdapterKind::cpu) {
    const std::string text = gpu::pci_bus_text(a);
    ASSERT_EQ(text.rfind("PCI ", 0), 0u) << text;
    EXPECT_NE(std::find(gpus.begin(), gpus.end(), text.substr(4)), gpus.end()) << text;
  }
}

}  // namespace
}  // namespace seiswg
