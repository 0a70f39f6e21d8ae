import CVulkan
import Foundation

/// What the Vulkan loader can see on this machine, for `exposure doctor`. Probing never throws:
/// failures are recorded so the doctor can say what to install.
public struct VulkanInventory: Sendable {
    public struct Device: Sendable {
        public var name: String
        public var type: String
        /// "1.3.230"
        public var apiVersion: String
        public var hasGraphicsQueue: Bool
        public var supportsRenderer: Bool
    }
    /// nil when the loader (libvulkan) could not be asked.
    public var instanceVersion: String?
    public var layers: [String]
    public var instanceExtensions: [String]
    public var devices: [Device]
    /// Why an instance could not be created or devices listed, if that failed.
    public var problem: String?

    public var hasValidationLayer: Bool { layers.contains(VulkanContext.validationLayer) }
    public var hasDebugUtils: Bool { instanceExtensions.contains(VulkanContext.debugUtils) }

    public static func probe() -> VulkanInventory {
        var inventory = VulkanInventory(instanceVersion: nil, layers: [], instanceExtensions: [], devices: [], problem: nil)
        var version: UInt32 = 0
        if vkEnumerateInstanceVersion(&version).rawValue >= 0 { inventory.instanceVersion = versionString(version) }
        var count: UInt32 = 0
        if vkEnumerateInstanceLayerProperties(&count, nil).rawValue >= 0 {
            var props = [VkLayerProperties](repeating: VkLayerProperties(), count: Int(count))
            if vkEnumerateInstanceLayerProperties(&count, &props).rawValue >= 0 {
                inventory.layers = props.prefix(Int(count)).map { stringFromCTuple($0.layerName) }
            }
        }
        count = 0
        if vkEnumerateInstanceExtensionProperties(nil, &count, nil).rawValue >= 0 {
            var props = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
            if vkEnumerateInstanceExtensionProperties(nil, &count, &props).rawValue >= 0 {
                inventory.instanceExtensions = props.prefix(Int(count)).map { stringFromCTuple($0.extensionName) }
            }
        }
        var app = VkApplicationInfo()
        app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
        app.apiVersion = exposure_vk_api_version_1_1()
        var instance: VkInstance?
        let result: VkResult = withUnsafePointer(to: &app) { appPtr in
            var info = VkInstanceCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
            info.pApplicationInfo = appPtr
            return vkCreateInstance(&info, nil, &instance)
        }
        guard result.rawValue >= 0, let created = instance else {
            inventory.problem = "vkCreateInstance failed with \(vkResultName(result))"
            return inventory
        }
        defer { vkDestroyInstance(created, nil) }
        count = 0
        guard vkEnumeratePhysicalDevices(created, &count, nil).rawValue >= 0 else {
            inventory.problem = "vkEnumeratePhysicalDevices failed"
            return inventory
        }
        var handles = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        _ = vkEnumeratePhysicalDevices(created, &count, &handles)
        for case let d? in handles.prefix(Int(count)) {
            var props = VkPhysicalDeviceProperties()
            vkGetPhysicalDeviceProperties(d, &props)
            let graphics = VulkanContext.graphicsQueueFamily(d) != nil
            inventory.devices.append(Device(name: stringFromCTuple(props.deviceName), type: VulkanContext.typeName(props.deviceType),
                                            apiVersion: versionString(props.apiVersion), hasGraphicsQueue: graphics,
                                            supportsRenderer: graphics && props.apiVersion >= exposure_vk_api_version_1_1()))
        }
        return inventory
    }

    static func versionString(_ v: UInt32) -> String {
        "\(exposure_vk_api_version_major(v)).\(exposure_vk_api_version_minor(v)).\(exposure_vk_api_version_patch(v))"
    }
}
