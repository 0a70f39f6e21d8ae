import CVulkan

/// An image someone else owns that one eye is rendered into (e.g. an OpenXR swapchain image).
public struct ColorTarget {
    public var image: VkImage
    public var format: VkFormat
    public var width: Int
    public var height: Int
    /// With MSAA, an eye in layer 1 or above is resolved with vkCmdResolveImage, so such an image
    /// needs TRANSFER_DST usage too (OpenXR: XR_SWAPCHAIN_USAGE_TRANSFER_DST_BIT). Layer 0 needs
    /// only COLOR_ATTACHMENT.
    public var arrayLayer: UInt32
    /// The layout the image is in when `render` starts (UNDEFINED discards its contents).
    public var layoutBefore: VkImageLayout
    /// The layout `render` leaves it in. OpenXR: COLOR_ATTACHMENT_OPTIMAL for both.
    public var layoutAfter: VkImageLayout
    /// Where this eye's depth goes as well, if anywhere (an OpenXR depth swapchain image).
    public var depth: DepthTarget?

    public init(image: VkImage, format: VkFormat, width: Int, height: Int, arrayLayer: UInt32 = 0,
                layoutBefore: VkImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                layoutAfter: VkImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, depth: DepthTarget? = nil) {
        self.image = image; self.format = format; self.width = width; self.height = height
        self.arrayLayer = arrayLayer; self.layoutBefore = layoutBefore; self.layoutAfter = layoutAfter
        self.depth = depth
    }
}

/// A depth image someone else owns that receives one eye's depth: layer 0, the renderer's
/// `depthFormat` and size, usage DEPTH_STENCIL_ATTACHMENT. Depth is 0 at `nearPlane` and 1 at
/// `farPlane` (standard, not reversed); the sky stays at 1. Its old contents are discarded.
public struct DepthTarget {
    public var image: VkImage
    /// The layout `render` leaves it in. OpenXR: DEPTH_STENCIL_ATTACHMENT_OPTIMAL.
    public var layoutAfter: VkImageLayout

    public init(image: VkImage, layoutAfter: VkImageLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL) {
        self.image = image; self.layoutAfter = layoutAfter
    }
}
