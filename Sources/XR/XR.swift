// XR: module placeholder; see README Architecture.
import COpenXR
import CVulkan

// Compile-time check that OpenXR's Vulkan structs and CVulkan's are the same Swift types.
func _sharedVulkanTypes(_ info: UnsafePointer<VkInstanceCreateInfo>) -> XrVulkanInstanceCreateInfoKHR {
    var c = XrVulkanInstanceCreateInfoKHR()
    c.type = XR_TYPE_VULKAN_INSTANCE_CREATE_INFO_KHR
    c.vulkanCreateInfo = info
    return c
}
