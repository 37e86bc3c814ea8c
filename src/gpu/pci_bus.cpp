#include "gpu/pci_bus.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#ifndef __EMSCRIPTEN__
#include <dlfcn.h>
#endif

namespace seiswg::gpu {

#ifdef __EMSCRIPTEN__

std::string pci_bus_text(const AdapterInfo&) { return "PCI bus id unknown (the browser does not tell)"; }

#else

namespace {

// The few pieces of the Vulkan 1.1 C ABI used here (no Vulkan headers are installed with Dawn): the
// loader is opened at run time, so a machine without it still runs, with the reason printed.
using VkResult = std::int32_t;
using VkInstance = struct VkInstance_T*;
using VkPhysicalDevice = struct VkPhysicalDevice_T*;
using PFN_vkVoidFunction = void (*)();
using PFN_vkGetInstanceProcAddr = PFN_vkVoidFunction (*)(VkInstance, const char*);
constexpr std::int32_t kApplicationInfo = 0, kInstanceCreateInfo = 1, kPhysicalDeviceProperties2 = 1000059001,
                       kPciBusInfoProperties = 1000212000;
constexpr std::uint32_t kApiVersion11 = (1u << 22) | (1u << 12);

struct VkApplicationInfo {
  std::int32_t sType = kApplicationInfo;
  const void* pNext = nullptr;
  const char* pApplicationName = "seiswg";
  std::uint32_t applicationVersion = 0;
  const char* pEngineName = nullptr;
  std::uint32_t engineVersion = 0;
  std::uint32_t apiVersion = kApiVersion11;
};
struct VkInstanceCreateInfo {
  std::int32_t sType = kInstanceCreateInfo;
  const void* pNext = nullptr;
  std::uint32_t flags = 0;
  const VkApplicationInfo* pApplicationInfo = nullptr;
  std::uint32_t enabledLayerCount = 0;
  const char* const* ppEnabledLayerNames = nullptr;
  std::uint32_t enabledExtensionCount = 0;
  const char* const* ppEnabledExtensionNames = nullptr;
};
struct VkExtensionProperties {
  char extensionName[256];
  std::uint32_t specVersion;
};
// The start of VkPhysicalDeviceProperties, whose whole (limits included, 824 bytes on x86-64) is given
// room below without being spelled out.
struct PropertiesHead {
  std::uint32_t apiVersion, driverVersion, vendorID, deviceID, deviceType;
  char deviceName[256];
};
struct VkPhysicalDevicePCIBusInfoPropertiesEXT {
  std::int32_t sType = kPciBusInfoProperties;
  void* pNext = nullptr;
  std::uint32_t pciDomain = 0, pciBus = 0, pciDevice = 0, pciFunction = 0;
};
struct VkPhysicalDeviceProperties2 {
  std::int32_t sType = kPhysicalDeviceProperties2;
  void* pNext = nullptr;
  alignas(8) unsigned char properties[4096] = {};
};

using PFN_vkCreateInstance = VkResult (*)(const VkInstanceCreateInfo*, const void*, VkInstance*);
using PFN_vkDestroyInstance = void (*)(VkInstance, const void*);
using PFN_vkEnumeratePhysicalDevices = VkResult (*)(VkInstance, std::uint32_t*, VkPhysicalDevice*);
using PFN_vkGetPhysicalDeviceProperties2 = void (*)(VkPhysicalDevice, VkPhysicalDeviceProperties2*);
using PFN_vkEnumerateDeviceExtensionProperties = VkResult (*)(VkPhysicalDevice, const char*, std::uint32_t*,
                                                              VkExtensionProperties*);

bool has_extension(PFN_vkEnumerateDeviceExtensionProperties enumerate, VkPhysicalDevice device,
                   const char* name) {
  std::uint32_t count = 0;
  if (enumerate(device, nullptr, &count, nullptr) != 0) return false;
  std::vector<VkExtensionProperties> extensions(count);
  if (enumerate(device, nullptr, &count, extensions.data()) < 0) return false;
  for (std::uint32_t k = 0; k < count; ++k)
    if (std::strcmp(extensions[k].extensionName, name) == 0) return true;
  return false;
}

std::string hex4(std::uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "%04x", v);
  return s;
}

// The PCI addresses of the visible Vulkan devices with these ids; `reason` says why there is none.
std::vector<std::string> vulkan_pci_addresses(std::uint32_t vendor_id, std::uint32_t device_id,
                                              std::string& reason) {
  std::vector<std::string> out;
  void* loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!loader) return reason = "no Vulkan loader: " + std::string(dlerror()), out;
  const auto get = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(loader, "vkGetInstanceProcAddr"));
  const auto create =
      get ? reinterpret_cast<PFN_vkCreateInstance>(get(nullptr, "vkCreateInstance")) : nullptr;
  VkInstance instance = nullptr;
  const VkApplicationInfo app;
  VkInstanceCreateInfo info;
  info.pApplicationInfo = &app;
  if (!create || create(&info, nullptr, &instance) != 0) {
    dlclose(loader);
    return reason = "the Vulkan loader made no instance", out;
  }
  const auto destroy = reinterpret_cast<PFN_vkDestroyInstance>(get(instance, "vkDestroyInstance"));
  const auto enumerate =
      reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(get(instance, "vkEnumeratePhysicalDevices"));
  const auto properties =
      reinterpret_cast<PFN_vkGetPhysicalDeviceProperties2>(get(instance, "vkGetPhysicalDeviceProperties2"));
  const auto extensions = reinterpret_cast<PFN_vkEnumerateDeviceExtensionProperties>(
      get(instance, "vkEnumerateDeviceExtensionProperties"));
  std::uint32_t count = 0;
  std::vector<VkPhysicalDevice> devices;
  if (enumerate && properties && extensions && enumerate(instance, &count, nullptr) == 0) {
    devices.resize(count);
    if (enumerate(instance, &count, devices.data()) < 0) count = 0;
    devices.resize(count);
  }
  bool matched = false;
  for (VkPhysicalDevice device : devices) {
    VkPhysicalDeviceProperties2 props;
    properties(device, &props);
    PropertiesHead head;
    std::memcpy(&head, props.properties, sizeof head);
    if (head.vendorID != vendor_id || head.deviceID != device_id) continue;
    matched = true;
    if (!has_extension(extensions, device, "VK_EXT_pci_bus_info")) continue;
    VkPhysicalDevicePCIBusInfoPropertiesEXT bus;
    props = {};
    props.pNext = &bus;
    properties(device, &props);
    char address[32];
    std::snprintf(address, sizeof address, "%04x:%02x:%02x.%x", bus.pciDomain, bus.pciBus, bus.pciDevice,
                  bus.pciFunction);
    out.push_back(address);
  }
  if (!matched)
    reason = "the Vulkan loader lists no device " + hex4(vendor_id) + ":" + hex4(device_id);
  else if (out.empty())
    reason = "its Vulkan driver reports none: no VK_EXT_pci_bus_info";
  if (destroy) destroy(instance, nullptr);
  dlclose(loader);
  return out;
}

}  // namespace

std::string pci_bus_text(const AdapterInfo& adapter) {
  if (adapter.backend != "Vulkan")
    return "PCI bus id unknown (asked of Vulkan only; this is " + adapter.backend + ")";
  if (adapter.kind == AdapterKind::cpu) return "no PCI bus id (a CPU adapter)";
  std::string reason;
  const std::vector<std::string> found = vulkan_pci_addresses(adapter.vendor_id, adapter.device_id, reason);
  const std::set<std::string> addresses(found.begin(), found.end());
  if (addresses.empty()) return "PCI bus id unknown (" + reason + ")";
  if (addresses.size() == 1) return "PCI " + *addresses.begin();
  std::string list;
  for (const auto& a : addresses) list += (list.empty() ? "" : ", ") + a;
  return "PCI bus id ambiguous (" + std::to_string(addresses.size()) + " devices " + hex4(adapter.vendor_id) +
         ":" + hex4(adapter.device_id) + " visible: " + list + ")";
}

#endif

}  // namespace seiswg::gpu
