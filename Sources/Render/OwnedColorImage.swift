import CVulkan

/// A colour image the caller owns, to render into through `ColorTarget`: the benchmark's eye
/// images, and a stand-in for an OpenXR swapchain image in tests. Layers are eyes.
public final class OwnedColorImage {
    private let storage: GPUImage
    public var image: VkImage { storage.image }
    public var format: VkFormat { storage.format }
    public var width: Int { storage.width }
    public var height: Int { storage.height }

    public init(context: VulkanContext, format: VkFormat, width: Int, height: Int, layers: UInt32 = 1) throws {
        storage = try GPUImage(context: context, width: width, height: height, format: format,
                               usage: VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue
                                   | VK_IMAGE_USAGE_TRANSFER_DST_BIT.rawValue,
                               samples: VK_SAMPLE_COUNT_1_BIT, aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, layers: layers)
    }

    public func target(layer: UInt32 = 0, layoutBefore: VkImageLayout, layoutAfter: VkImageLayout) -> ColorTarget {
        ColorTarget(image: image, format: format, width: width, height: height, arrayLayer: layer,
                    layoutBefore: layoutBefore, layoutAfter: layoutAfter)
    }
}

public extension StereoRenderer {
    /// The format the CLI, the benchmark and desktop previews use: 8-bit RGBA, sRGB-encoded on write.
    static var previewColorFormat: VkFormat { VK_FORMAT_R8G8B8A8_SRGB }

    /// A renderer with `previewColorFormat`, for callers that do not speak Vulkan types.
    convenience init(context: VulkanContext, width: Int, height: Int, samples: Int = 4) throws {
        try self.init(context: context, colorFormat: StereoRenderer.previewColorFormat, width: width, height: height, samples: samples)
    }
}
