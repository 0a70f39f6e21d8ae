// The Vulkan side of the preview window: an instance with the X11 surface extensions, a device
// that can present to the window, and the renderer on top of them (borrowed by VulkanContext,
// destroyed here in reverse order).
import CVulkan
import CX11
import Foundation
import Render

/// Instance, surface and device for one window; owns them and destroys them in reverse order.
final class DesktopWindowDevice {
    let instance: VkInstance
    let surface: VkSurfaceKHR
    let physicalDevice: VkPhysicalDevice
    let device: VkDevice
    let queueFamilyIndex: UInt32

    static let instanceExtensions = ["VK_KHR_surface", "VK_KHR_xlib_surface"]
    static let deviceExtensions = ["VK_KHR_swapchain"]
    static let xlibSurfaceCreateInfoType: Int32 = 1_000_004_000

    init(window: DesktopWindow, validation: Bool) throws {
        let req = VulkanContext.instanceRequirements(validation: validation)
        var createdInstance: VkInstance?
        var app = VkApplicationInfo()
        app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
        app.apiVersion = req.apiVersion
        let extensions = req.extensions + DesktopWindowDevice.instanceExtensions
        let result: VkResult = "exposure".withCString { name in
            app.pApplicationName = name
            app.pEngineName = name
            return withCStrings(req.layers) { layers in
                withCStrings(extensions) { exts in
                    withUnsafePointer(to: &app) { appPtr in
                        var info = VkInstanceCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                        info.pApplicationInfo = appPtr
                        info.enabledLayerCount = UInt32(req.layers.count)
                        info.ppEnabledLayerNames = layers.baseAddress
                        info.enabledExtensionCount = UInt32(extensions.count)
                        info.ppEnabledExtensionNames = exts.baseAddress
                        return vkCreateInstance(&info, nil, &createdInstance)
                    }
                }
            }
        }
        guard result == VK_SUCCESS, let instance = createdInstance else {
            throw DesktopWindowError.vulkan(call: "vkCreateInstance", result: vkResultName(result))
        }
        self.instance = instance
        do {
            surface = try DesktopWindowDevice.createSurface(instance: instance, window: window)
        } catch {
            vkDestroyInstance(instance, nil)
            throw error
        }
        do {
            (physicalDevice, queueFamilyIndex) = try DesktopWindowDevice.choosePresentingDevice(instance: instance, surface: surface)
            device = try VulkanContext.createDevice(physicalDevice, family: queueFamilyIndex,
                                                    extensions: VulkanContext.deviceExtensions + DesktopWindowDevice.deviceExtensions)
        } catch {
            vkDestroySurfaceKHR(instance, surface, nil)
            vkDestroyInstance(instance, nil)
            throw error
        }
    }

    /// Call only after everything created on the device (context, renderer, swapchain) is gone.
    func destroy() {
        vkDestroyDevice(device, nil)
        vkDestroySurfaceKHR(instance, surface, nil)
        vkDestroyInstance(instance, nil)
    }

    private static func createSurface(instance: VkInstance, window: DesktopWindow) throws -> VkSurfaceKHR {
        typealias CreateXlibSurface = @convention(c) (VkInstance?, UnsafeRawPointer?, UnsafeRawPointer?,
                                                      UnsafeMutablePointer<VkSurfaceKHR?>?) -> VkResult
        guard let raw = vkGetInstanceProcAddr(instance, "vkCreateXlibSurfaceKHR") else {
            throw DesktopWindowError.unsupported("the Vulkan driver has no vkCreateXlibSurfaceKHR (VK_KHR_xlib_surface)")
        }
        let create = unsafeBitCast(raw, to: CreateXlibSurface.self)
        var info = exposure_xlib_surface_create_info(sType: xlibSurfaceCreateInfoType, pNext: nil, flags: 0,
                                                      dpy: window.display, window: window.window)
        var surface: VkSurfaceKHR?
        let result = withUnsafePointer(to: &info) { create(instance, UnsafeRawPointer($0), nil, &surface) }
        guard result == VK_SUCCESS, let made = surface else {
            throw DesktopWindowError.vulkan(call: "vkCreateXlibSurfaceKHR", result: vkResultName(result))
        }
        return made
    }

    /// The first device with a graphics queue that can present to the surface (the GPU, or lavapipe).
    private static func choosePresentingDevice(instance: VkInstance, surface: VkSurfaceKHR) throws -> (VkPhysicalDevice, UInt32) {
        var count: UInt32 = 0
        vkEnumeratePhysicalDevices(instance, &count, nil)
        var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        vkEnumeratePhysicalDevices(instance, &count, &devices)
        for case let device? in devices.prefix(Int(count)) {
            var familyCount: UInt32 = 0
            vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, nil)
            var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(familyCount))
            vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, &families)
            for (i, family) in families.enumerated() where family.queueFlags & VK_QUEUE_GRAPHICS_BIT.rawValue != 0 {
                var supported: VkBool32 = 0
                vkGetPhysicalDeviceSurfaceSupportKHR(device, UInt32(i), surface, &supported)
                if supported != 0 { return (device, UInt32(i)) }
            }
        }
        throw DesktopWindowError.unsupported("no Vulkan device among \(count) can draw and present to an X11 window")
    }
}
