// The Vulkan instance and device, created by the OpenXR runtime for us (XR_KHR_vulkan_enable2),
// with Khronos validation and a debug messenger when asked for.
import COpenXR
import CVulkan
import Foundation
import Render

/// Vulkan handles a renderer needs. Every copy keeps the device alive (through `owner`), so a
/// renderer holding the context can never outlive the device it draws with: Swift does not promise
/// the order in which a function's locals die, so the order of destruction is carried by references.
public struct XRVulkanContext {
    public let instance: VkInstance
    public let physicalDevice: VkPhysicalDevice
    public let device: VkDevice
    public let queueFamilyIndex: UInt32
    public let queue: VkQueue
    /// The apiVersion the instance was created with (VkApplicationInfo): 1.2 where both the loader
    /// and the runtime allow it, so the renderer can resolve MSAA depth for the compositor.
    public let apiVersion: UInt32
    let owner: XRVulkanDevice?
}

/// Destroys the runtime-created Vulkan device and instance when the last user lets go; keeps the
/// OpenXR instance (which created them) alive until then.
final class XRVulkanDevice {
    let xr: XRInstance
    let instance: VkInstance
    let device: VkDevice
    let messenger: VkDebugUtilsMessengerEXT?
    init(xr: XRInstance, instance: VkInstance, device: VkDevice, messenger: VkDebugUtilsMessengerEXT?) {
        self.xr = xr; self.instance = instance; self.device = device; self.messenger = messenger
    }
    deinit {
        vkDeviceWaitIdle(device)
        vkDestroyDevice(device, nil)
        XRVulkan.destroyMessenger(instance, messenger)
        vkDestroyInstance(instance, nil)
    }
}

final class XRVulkan {
    let context: XRVulkanContext

    init(xr: XRInstance, validation: Bool, messages: MessageLog) throws {
        let getReqs = try xr.proc("xrGetVulkanGraphicsRequirements2KHR", as: PFN_xrGetVulkanGraphicsRequirements2KHR.self)
        let createInstance = try xr.proc("xrCreateVulkanInstanceKHR", as: PFN_xrCreateVulkanInstanceKHR.self)
        let getDevice = try xr.proc("xrGetVulkanGraphicsDevice2KHR", as: PFN_xrGetVulkanGraphicsDevice2KHR.self)
        let createDevice = try xr.proc("xrCreateVulkanDeviceKHR", as: PFN_xrCreateVulkanDeviceKHR.self)

        var reqs = XrGraphicsRequirementsVulkanKHR()
        reqs.type = XR_TYPE_GRAPHICS_REQUIREMENTS_VULKAN2_KHR
        try xrCheck("xrGetVulkanGraphicsRequirements2KHR", getReqs(xr.handle, xr.systemId, &reqs))
        guard exposure_xr_version_major(reqs.minApiVersionSupported) <= 1 else { throw XRError.unsupported("Vulkan 1.x") }

        var layers: [String] = []
        var instanceExtensions: [String] = []
        if validation {
            let available = XRVulkan.instanceLayers()
            if available.contains("VK_LAYER_KHRONOS_validation") { layers.append("VK_LAYER_KHRONOS_validation") }
            instanceExtensions.append("VK_EXT_debug_utils")
        }
        let apiVersion = XRVulkan.instanceAPIVersion(runtimeMax: reqs.maxApiVersionSupported)
        var vkInstance: VkInstance?
        try withCStrings(layers) { layerPtrs in
            try withCStrings(instanceExtensions) { extPtrs in
                var app = VkApplicationInfo()
                app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
                app.apiVersion = apiVersion
                try withUnsafePointer(to: &app) { appPtr in
                    var ci = VkInstanceCreateInfo()
                    ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                    ci.pApplicationInfo = appPtr
                    ci.enabledLayerCount = UInt32(layerPtrs.count)
                    ci.ppEnabledLayerNames = layerPtrs.baseAddress
                    ci.enabledExtensionCount = UInt32(extPtrs.count)
                    ci.ppEnabledExtensionNames = extPtrs.baseAddress
                    try withUnsafePointer(to: &ci) { ciPtr in
                        var xi = XrVulkanInstanceCreateInfoKHR()
                        xi.type = XR_TYPE_VULKAN_INSTANCE_CREATE_INFO_KHR
                        xi.systemId = xr.systemId
                        xi.pfnGetInstanceProcAddr = vkGetInstanceProcAddr
                        xi.vulkanCreateInfo = ciPtr
                        var vr = VK_SUCCESS
                        try xrCheck("xrCreateVulkanInstanceKHR", createInstance(xr.handle, &xi, &vkInstance, &vr))
                        try vkCheck("vkCreateInstance (through xrCreateVulkanInstanceKHR)", vr)
                    }
                }
            }
        }
        guard let vkInstance else { throw XRError.vulkan(call: "vkCreateInstance", result: -1) }

        var messenger: VkDebugUtilsMessengerEXT?
        if validation {
            messenger = XRVulkan.createMessenger(vkInstance, messages)
        }

        var gdi = XrVulkanGraphicsDeviceGetInfoKHR()
        gdi.type = XR_TYPE_VULKAN_GRAPHICS_DEVICE_GET_INFO_KHR
        gdi.systemId = xr.systemId
        gdi.vulkanInstance = vkInstance
        var physical: VkPhysicalDevice?
        do {
            try xrCheck("xrGetVulkanGraphicsDevice2KHR", getDevice(xr.handle, &gdi, &physical))
        } catch {
            XRVulkan.destroyMessenger(vkInstance, messenger); vkDestroyInstance(vkInstance, nil); throw error
        }
        guard let physical else { vkDestroyInstance(vkInstance, nil); throw XRError.unsupported("a Vulkan physical device") }

        var familyCount: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(familyCount))
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, &families)
        guard let family = families.firstIndex(where: { $0.queueFlags & VkQueueFlags(VK_QUEUE_GRAPHICS_BIT.rawValue) != 0 }) else {
            XRVulkan.destroyMessenger(vkInstance, messenger); vkDestroyInstance(vkInstance, nil)
            throw XRError.unsupported("a Vulkan graphics queue")
        }
        var priority: Float = 1
        var device: VkDevice?
        do {
            try withUnsafePointer(to: &priority) { prio in
                var qci = VkDeviceQueueCreateInfo()
                qci.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
                qci.queueFamilyIndex = UInt32(family)
                qci.queueCount = 1
                qci.pQueuePriorities = prio
                try withUnsafePointer(to: &qci) { qciPtr in
                    var dci = VkDeviceCreateInfo()
                    dci.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                    dci.queueCreateInfoCount = 1
                    dci.pQueueCreateInfos = qciPtr
                    try withUnsafePointer(to: &dci) { dciPtr in
                        var xd = XrVulkanDeviceCreateInfoKHR()
                        xd.type = XR_TYPE_VULKAN_DEVICE_CREATE_INFO_KHR
                        xd.systemId = xr.systemId
                        xd.pfnGetInstanceProcAddr = vkGetInstanceProcAddr
                        xd.vulkanPhysicalDevice = physical
                        xd.vulkanCreateInfo = dciPtr
                        var vr = VK_SUCCESS
                        try xrCheck("xrCreateVulkanDeviceKHR", createDevice(xr.handle, &xd, &device, &vr))
                        try vkCheck("vkCreateDevice (through xrCreateVulkanDeviceKHR)", vr)
                    }
                }
            }
        } catch {
            XRVulkan.destroyMessenger(vkInstance, messenger); vkDestroyInstance(vkInstance, nil); throw error
        }
        guard let device else { vkDestroyInstance(vkInstance, nil); throw XRError.vulkan(call: "vkCreateDevice", result: -1) }
        var queue: VkQueue?
        vkGetDeviceQueue(device, UInt32(family), 0, &queue)
        guard let queue else { vkDestroyDevice(device, nil); vkDestroyInstance(vkInstance, nil); throw XRError.vulkan(call: "vkGetDeviceQueue", result: -1) }
        let owner = XRVulkanDevice(xr: xr, instance: vkInstance, device: device, messenger: messenger)
        context = XRVulkanContext(instance: vkInstance, physicalDevice: physical, device: device,
                                  queueFamilyIndex: UInt32(family), queue: queue, apiVersion: apiVersion, owner: owner)
    }

    /// Vulkan 1.2 when the loader has it and the runtime accepts it (XrGraphicsRequirementsVulkanKHR
    /// encodes versions the OpenXR way: major.minor in the top 32 bits), else 1.1.
    static func instanceAPIVersion(runtimeMax: XrVersion) -> UInt32 {
        let runtimeAllows12 = exposure_xr_version_major(runtimeMax) > 1
            || (exposure_xr_version_major(runtimeMax) == 1 && exposure_xr_version_minor(runtimeMax) >= 2)
        guard runtimeAllows12 else { return exposure_vk_api_version_1_1() }
        return VulkanContext.preferredInstanceAPIVersion()
    }

    static func instanceLayers() -> Set<String> {
        var count: UInt32 = 0
        guard vkEnumerateInstanceLayerProperties(&count, nil) == VK_SUCCESS else { return [] }
        var props = [VkLayerProperties](repeating: VkLayerProperties(), count: Int(count))
        guard vkEnumerateInstanceLayerProperties(&count, &props) == VK_SUCCESS else { return [] }
        return Set(props.prefix(Int(count)).map { cString($0.layerName) })
    }

    private static func createMessenger(_ instance: VkInstance, _ log: MessageLog) -> VkDebugUtilsMessengerEXT? {
        guard let p = vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT") else { return nil }
        let create = unsafeBitCast(p, to: PFN_vkCreateDebugUtilsMessengerEXT.self)
        var ci = VkDebugUtilsMessengerCreateInfoEXT()
        ci.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        ci.messageSeverity = VkDebugUtilsMessageSeverityFlagsEXT(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue
                                                                | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue)
        ci.messageType = VkDebugUtilsMessageTypeFlagsEXT(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue)
        ci.pfnUserCallback = { _, _, data, user in
            guard let data, let user else { return VkBool32(VK_FALSE) }
            let log = Unmanaged<MessageLog>.fromOpaque(user).takeUnretainedValue()
            log.append("Vulkan: " + (data.pointee.pMessage.map { String(cString: $0) } ?? "(no text)"))
            return VkBool32(VK_FALSE)
        }
        ci.pUserData = Unmanaged.passUnretained(log).toOpaque()
        var m: VkDebugUtilsMessengerEXT?
        return create(instance, &ci, nil, &m) == VK_SUCCESS ? m : nil
    }

    static func destroyMessenger(_ instance: VkInstance, _ m: VkDebugUtilsMessengerEXT?) {
        guard let m, let p = vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT") else { return }
        unsafeBitCast(p, to: PFN_vkDestroyDebugUtilsMessengerEXT.self)(instance, m, nil)
    }

}

/// Calls `body` with a C array of C strings that lives for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
    let owned = strings.map { strdup($0) }
    defer { owned.forEach { free($0) } }
    let ptrs: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
    return try ptrs.withUnsafeBufferPointer { try body($0) }
}
