import CVulkan

/// A depth image the caller owns, standing in for an OpenXR depth swapchain image in tests and
/// tools: the renderer's depth format, one layer, readable with `VulkanContext.readDepth`.
public final class OwnedDepthImage {
    private let storage: GPUImage
    public var image: VkImage { storage.image }
    public var format: VkFormat { storage.format }
    public var width: Int { storage.width }
    public var height: Int { storage.height }

    public init(for renderer: StereoRenderer) throws {
        storage = try GPUImage(context: renderer.context, width: renderer.width, height: renderer.height, format: renderer.depthFormat,
                               usage: VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue,
                               samples: VK_SAMPLE_COUNT_1_BIT, aspect: VK_IMAGE_ASPECT_DEPTH_BIT.rawValue)
    }

    public func target(layoutAfter: VkImageLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL) -> DepthTarget {
        DepthTarget(image: image, layoutAfter: layoutAfter)
    }
}

