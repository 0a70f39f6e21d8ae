import CVulkan

/// What the device can do for the renderer: formats and sample counts, checked once at creation.
extension StereoRenderer {
    static func requireColorAttachment(_ context: VulkanContext, _ format: VkFormat) throws {
        var props = VkFormatProperties()
        vkGetPhysicalDeviceFormatProperties(context.physicalDevice, format, &props)
        guard props.optimalTilingFeatures & VK_FORMAT_FEATURE_COLOR_ATTACHMENT_BIT.rawValue != 0 else {
            throw VulkanError.unsupported("VkFormat \(format.rawValue) as a colour attachment")
        }
    }

    static func chooseDepthFormat(_ context: VulkanContext) throws -> VkFormat {
        for format in [VK_FORMAT_D32_SFLOAT, VK_FORMAT_X8_D24_UNORM_PACK32, VK_FORMAT_D16_UNORM] {
            var props = VkFormatProperties()
            vkGetPhysicalDeviceFormatProperties(context.physicalDevice, format, &props)
            if props.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT.rawValue != 0 { return format }
        }
        throw VulkanError.unsupported("any depth attachment format (D32_SFLOAT, X8_D24, D16)")
    }

    static func supportedSamples(_ context: VulkanContext, requested: Int) -> VkSampleCountFlagBits {
        let limits = context.properties.limits
        let supported = limits.framebufferColorSampleCounts & limits.framebufferDepthSampleCounts
        // Devices may skip counts (lavapipe has 1 and 4 but not 2): take the largest supported one.
        let count: Int = [64, 32, 16, 8, 4, 2].first(where: { $0 <= requested && supported & UInt32($0) != 0 }) ?? 1
        return VkSampleCountFlagBits(rawValue: UInt32(count))
    }
}
