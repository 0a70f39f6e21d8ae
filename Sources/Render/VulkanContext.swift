import CVulkan
import Foundation

/// What an instance created by someone else (OpenXR's xrCreateVulkanInstanceKHR) must enable
/// so the renderer can use it.
public struct VulkanInstanceRequirements: Equatable, Sendable {
    public var layers: [String]
    public var extensions: [String]
    /// Encoded as VK_MAKE_API_VERSION.
    public var apiVersion: UInt32
}

/// The Vulkan instance, physical device, logical device and graphics queue the renderer uses.
/// Owns them when it created them; borrowed handles (from OpenXR) are never destroyed here.
/// Everything created on the device holds a strong reference to this object, so the device is
/// destroyed last.
public final class VulkanContext {
    public let instance: VkInstance
    public let physicalDevice: VkPhysicalDevice
    public let device: VkDevice
    public let queue: VkQueue
    public let queueFamilyIndex: UInt32
    public let deviceName: String
    /// "discrete GPU", "integrated GPU", "CPU (software)", ...
    public let deviceType: String
    public let deviceAPIVersion: UInt32
    /// The Vulkan version the instance was created for (VkApplicationInfo.apiVersion). A core
    /// function is usable only if both this and the device's version reach its version.
    public let instanceAPIVersion: UInt32
    /// The version core functions may be used at: the lower of the instance's and the device's.
    public var apiVersion: UInt32 { min(instanceAPIVersion, deviceAPIVersion) }

    let properties: VkPhysicalDeviceProperties
    let memoryProperties: VkPhysicalDeviceMemoryProperties
    private let ownsInstance: Bool
    private let ownsDevice: Bool
    private let log: ValidationLog
    private var messenger: VkDebugUtilsMessengerEXT?
    private var commandPool: VkCommandPool?

    static let validationLayer = "VK_LAYER_KHRONOS_validation"
    static let debugUtils = "VK_EXT_debug_utils"

    public static func instanceRequirements(validation: Bool) -> VulkanInstanceRequirements {
        VulkanInstanceRequirements(layers: validation ? [validationLayer] : [],
                                   extensions: validation ? [debugUtils] : [],
                                   apiVersion: preferredInstanceAPIVersion())
    }

    /// Vulkan 1.2 where the loader has it (depth resolve, so MSAA depth can go to the compositor),
    /// else 1.1, the renderer's minimum. Asking for 1.2 is harmless on a 1.1 device: what counts is
    /// the lower of the two (`apiVersion`).
    public static func preferredInstanceAPIVersion() -> UInt32 {
        var loader: UInt32 = 0
        guard vkEnumerateInstanceVersion(&loader) == VK_SUCCESS else { return exposure_vk_api_version_1_1() }
        return loader >= exposure_vk_api_version_1_2() ? exposure_vk_api_version_1_2() : exposure_vk_api_version_1_1()
    }

    /// Device extensions the renderer needs beyond Vulkan 1.1 core (none today).
    public static var deviceExtensions: [String] { [] }

    /// Validation warnings and errors collected so far (empty without validation).
    public var validationMessages: [String] { log.messages }
    public func clearValidationMessages() { log.clear() }

    /// Headless and standalone: our own instance and device (lavapipe here, the GPU on a clinic PC).
    public convenience init(applicationName: String = "exposure", validation: Bool) throws {
        try self.init(applicationName: applicationName, validation: validation, extraInstanceExtensions: [])
    }

    convenience init(applicationName: String, validation: Bool, extraInstanceExtensions: [String]) throws {
        let req = VulkanContext.instanceRequirements(validation: validation)
        let log = ValidationLog()
        var messengerInfo = log.messengerCreateInfo()
        var createdInstance: VkInstance?
        try applicationName.withCString { appName in
            var app = VkApplicationInfo()
            app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
            app.pApplicationName = appName
            app.applicationVersion = 1
            app.pEngineName = appName
            app.apiVersion = req.apiVersion
            try withCStringArray(req.layers) { layers in
                try withCStringArray(req.extensions + extraInstanceExtensions) { exts in
                    try withUnsafePointer(to: &app) { appPtr in
                        try withUnsafeMutablePointer(to: &messengerInfo) { msgPtr in
                            var info = VkInstanceCreateInfo()
                            info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                            // Chained so messages during instance creation are collected too.
                            info.pNext = validation ? UnsafeRawPointer(msgPtr) : nil
                            info.pApplicationInfo = appPtr
                            info.enabledLayerCount = UInt32(req.layers.count)
                            info.ppEnabledLayerNames = layers
                            info.enabledExtensionCount = UInt32(req.extensions.count + extraInstanceExtensions.count)
                            info.ppEnabledExtensionNames = exts
                            try vkCheck("vkCreateInstance", vkCreateInstance(&info, nil, &createdInstance))
                        }
                    }
                }
            }
        }
        guard let instance = createdInstance else { throw VulkanError.call(name: "vkCreateInstance", result: "no instance returned") }
        var chosen: (VkPhysicalDevice, UInt32)?
        do {
            chosen = try VulkanContext.choosePhysicalDevice(instance)
        } catch {
            vkDestroyInstance(instance, nil)
            throw error
        }
        guard let (physical, family) = chosen else { vkDestroyInstance(instance, nil); throw VulkanError.noSuitableDevice("none found") }

        let device: VkDevice
        do {
            device = try VulkanContext.createDevice(physical, family: family, extensions: VulkanContext.deviceExtensions)
        } catch {
            vkDestroyInstance(instance, nil)
            throw error
        }
        try self.init(instance: instance, physicalDevice: physical, device: device, queueFamilyIndex: family,
                      queueIndex: 0, owns: true, validation: validation, log: log, instanceAPIVersion: req.apiVersion)
    }

    /// A logical device with one queue of `family` and the given device extensions: ours, the
    /// desktop window's, and what tests hand over in place of an OpenXR runtime.
    public static func createDevice(_ physical: VkPhysicalDevice, family: UInt32, extensions: [String]) throws -> VkDevice {
        var priority: Float = 1
        var created: VkDevice?
        let result: VkResult = withUnsafePointer(to: &priority) { prio in
            var queueInfo = VkDeviceQueueCreateInfo()
            queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
            queueInfo.queueFamilyIndex = family
            queueInfo.queueCount = 1
            queueInfo.pQueuePriorities = prio
            return withUnsafePointer(to: &queueInfo) { q in
                withCStringArray(extensions) { exts in
                    var info = VkDeviceCreateInfo()
                    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                    info.queueCreateInfoCount = 1
                    info.pQueueCreateInfos = q
                    info.enabledExtensionCount = UInt32(extensions.count)
                    info.ppEnabledExtensionNames = exts
                    return vkCreateDevice(physical, &info, nil, &created)
                }
            }
        }
        guard result.rawValue >= 0, let device = created else {
            throw VulkanError.call(name: "vkCreateDevice", result: vkResultName(result))
        }
        return device
    }

    /// Borrows an instance and device created by someone else (OpenXR's xrCreateVulkanInstanceKHR /
    /// xrCreateVulkanDeviceKHR). They are not destroyed here. With `validation`, the instance must
    /// have VK_EXT_debug_utils enabled (see `instanceRequirements`); the collecting messenger is
    /// installed on it. `instanceAPIVersion` is the apiVersion the instance was created with
    /// (1.1 if unknown: then no Vulkan 1.2 function is used).
    public convenience init(borrowingInstance: VkInstance, physicalDevice: VkPhysicalDevice, device: VkDevice,
                            queueFamilyIndex: UInt32, queueIndex: UInt32, validation: Bool,
                            instanceAPIVersion: UInt32 = exposure_vk_api_version_1_1()) throws {
        try self.init(instance: borrowingInstance, physicalDevice: physicalDevice, device: device,
                      queueFamilyIndex: queueFamilyIndex, queueIndex: queueIndex, owns: false,
                      validation: validation, log: ValidationLog(), instanceAPIVersion: instanceAPIVersion)
    }

    private init(instance: VkInstance, physicalDevice: VkPhysicalDevice, device: VkDevice, queueFamilyIndex: UInt32,
                 queueIndex: UInt32, owns: Bool, validation: Bool, log: ValidationLog, instanceAPIVersion: UInt32) throws {
        self.log = log
        self.instanceAPIVersion = instanceAPIVersion
        self.instance = instance
        self.physicalDevice = physicalDevice
        self.device = device
        self.queueFamilyIndex = queueFamilyIndex
        ownsInstance = owns
        ownsDevice = owns
        var q: VkQueue?
        vkGetDeviceQueue(device, queueFamilyIndex, queueIndex, &q)
        var props = VkPhysicalDeviceProperties()
        vkGetPhysicalDeviceProperties(physicalDevice, &props)
        var mem = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(physicalDevice, &mem)
        properties = props
        memoryProperties = mem
        deviceName = stringFromCTuple(props.deviceName)
        deviceType = VulkanContext.typeName(props.deviceType)
        deviceAPIVersion = props.apiVersion
        guard let queue = q else {
            throw VulkanError.call(name: "vkGetDeviceQueue", result: "no queue \(queueIndex) in family \(queueFamilyIndex)")
        }
        self.queue = queue
        if validation { try installMessenger() }
    }

    deinit {
        vkDeviceWaitIdle(device)
        if let pool = commandPool { vkDestroyCommandPool(device, pool, nil) }
        if ownsDevice { vkDestroyDevice(device, nil) }
        if let messenger = messenger, let destroy = instanceFunction("vkDestroyDebugUtilsMessengerEXT", as: PFN_vkDestroyDebugUtilsMessengerEXT.self) {
            destroy(instance, messenger, nil)
        }
        if ownsInstance { vkDestroyInstance(instance, nil) }
    }

    private func installMessenger() throws {
        guard let create = instanceFunction("vkCreateDebugUtilsMessengerEXT", as: PFN_vkCreateDebugUtilsMessengerEXT.self) else {
            throw VulkanError.unsupported("VK_EXT_debug_utils is not enabled on the instance, so validation messages cannot be collected")
        }
        var info = log.messengerCreateInfo()
        var m: VkDebugUtilsMessengerEXT?
        try vkCheck("vkCreateDebugUtilsMessengerEXT", create(instance, &info, nil, &m))
        messenger = m
    }

    /// A device-level function, or nil when the device does not offer it at `apiVersion`.
    func deviceFunction<F>(_ name: String, as type: F.Type) -> F? {
        guard let f = vkGetDeviceProcAddr(device, name) else { return nil }
        return unsafeBitCast(f, to: F.self)
    }

    private func instanceFunction<F>(_ name: String, as type: F.Type) -> F? {
        guard let f = vkGetInstanceProcAddr(instance, name) else { return nil }
        return unsafeBitCast(f, to: F.self)
    }

    /// Prefers a discrete GPU, then integrated, virtual, and finally a CPU implementation (lavapipe).
    static func choosePhysicalDevice(_ instance: VkInstance) throws -> (VkPhysicalDevice, UInt32)? {
        var count: UInt32 = 0
        try vkCheck("vkEnumeratePhysicalDevices", vkEnumeratePhysicalDevices(instance, &count, nil))
        guard count > 0 else { throw VulkanError.noSuitableDevice("the Vulkan loader reports no devices") }
        var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        try vkCheck("vkEnumeratePhysicalDevices", vkEnumeratePhysicalDevices(instance, &count, &devices))
        func rank(_ t: VkPhysicalDeviceType) -> Int {
            switch t {
            case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0
            case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1
            case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2
            case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3
            default: return 4
            }
        }
        var best: (VkPhysicalDevice, UInt32, Int)?
        for case let d? in devices {
            var props = VkPhysicalDeviceProperties()
            vkGetPhysicalDeviceProperties(d, &props)
            guard props.apiVersion >= exposure_vk_api_version_1_1(), let family = graphicsQueueFamily(d) else { continue }
            let r = rank(props.deviceType)
            if best == nil || r < best!.2 { best = (d, family, r) }
        }
        return best.map { ($0.0, $0.1) }
    }

    static func graphicsQueueFamily(_ device: VkPhysicalDevice) -> UInt32? {
        var count: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(count))
        vkGetPhysicalDeviceQueueFamilyProperties(device, &count, &families)
        return families.firstIndex { $0.queueFlags & VK_QUEUE_GRAPHICS_BIT.rawValue != 0 }.map { UInt32($0) }
    }

    static func typeName(_ t: VkPhysicalDeviceType) -> String {
        switch t {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU"
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU"
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU"
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU (software)"
        default: return "other"
        }
    }

    /// Index of a memory type allowed by `bits` that has all of `flags`.
    func memoryType(bits: UInt32, flags: VkMemoryPropertyFlags) throws -> UInt32 {
        var types = memoryProperties.memoryTypes
        let count = Int(memoryProperties.memoryTypeCount)
        return try withUnsafeBytes(of: &types) { raw in
            let list = raw.bindMemory(to: VkMemoryType.self)
            for i in 0..<count where bits & (1 << UInt32(i)) != 0 && list[i].propertyFlags & flags == flags {
                return UInt32(i)
            }
            throw VulkanError.unsupported("no memory type with property flags \(flags) among types \(String(bits, radix: 2))")
        }
    }

    /// Records commands with `body`, submits them and waits: for uploads, readbacks and tests.
    public func submitAndWait(_ body: (VkCommandBuffer) throws -> Void) throws {
        if commandPool == nil {
            var info = VkCommandPoolCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
            info.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT.rawValue | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue
            info.queueFamilyIndex = queueFamilyIndex
            var pool: VkCommandPool?
            try vkCheck("vkCreateCommandPool", vkCreateCommandPool(device, &info, nil, &pool))
            commandPool = pool
        }
        let cmd = try CommandRecorder(context: self, pool: commandPool)
        try cmd.begin()
        try body(cmd.buffer)
        try cmd.submitAndWait()
    }
}
