#pragma once
// The PCI addresses of the node's GPUs, as the Vulkan loader lists them: for the line each rank of a
// job prints (WebGPU's adapter info has vendor and device ids but no bus address), and for the choice
// of one GPU per rank (only devices with a Vulkan driver count: a server's BMC display controller has
// none). The loader is opened at run time, so a machine without it still runs, with the reason given.
#include <cstdint>
#include <string>
#include <vector>

#include "gpu/device.hpp"

namespace seiswg::gpu {

// "PCI 0000:41:00.0" for the Vulkan device with the adapter's vendor and device ids, from the
// driver's VK_EXT_pci_bus_info. Otherwise says why not: "PCI bus id unknown (<reason>)" when the
// backend is not Vulkan, the loader lists no such device, or its driver reports no bus; "no PCI bus id
// (a CPU adapter)" for lavapipe;
// "PCI bus id ambiguous (N devices ...: A, B)" when several identical GPUs are visible and nothing
// tells which one Dawn took. Looks in this process's environment, so that Mesa's device-select layer
// (DRI_PRIME) shows it what it shows Dawn.
std::string pci_bus_text(const AdapterInfo& adapter);

// One device the Vulkan loader lists.
struct VulkanDevice {
  std::string name;
  std::uint32_t vendor_id = 0, device_id = 0;
  bool cpu = false;  // VK_PHYSICAL_DEVICE_TYPE_CPU (lavapipe)
  std::string pci;   // "0000:41:00.0"; "" when the driver has no VK_EXT_pci_bus_info
};

// The devices the Vulkan loader lists in this process's environment; none, with `reason`, when there
// is no loader or it makes no instance. Always empty in the web build.
std::vector<VulkanDevice> vulkan_devices(std::string& reason);

// The PCI addresses of the GPUs (not CPU devices) the Vulkan loader lists, in address order, each once.
std::vector<std::string> vulkan_gpu_addresses();

}  // namespace seiswg::gpu
