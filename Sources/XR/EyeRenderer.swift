// What the frame loop needs from a renderer: draw a Scene into one swapchain image per eye.
// The Vulkan renderer (Render.StereoRenderer) plugs in through an adapter; ClearColorRenderer
// is the minimal built-in one (background colour only) used until then and in tests.
import COpenXR
import CVulkan
import SceneModel

/// One eye's image for this frame, in `layoutBefore`; the renderer leaves it in `layoutAfter`.
public struct EyeTarget {
    public var image: VkImage
    public var format: VkFormat
    public var width: Int
    public var height: Int
    public var arrayLayer: UInt32
    public var layoutBefore: VkImageLayout
    public var layoutAfter: VkImageLayout
    /// The eye's depth image (XR_KHR_composition_layer_depth, layer 0, in the renderer's
    /// `depthOutput.format`), when the loop submits depth. Handed over and returned in
    /// DEPTH_STENCIL_ATTACHMENT_OPTIMAL.
    public var depth: VkImage?
}

/// What a renderer's depth output means, so the compositor can reproject with it: the format it
/// writes, and the distances (metres) depth 0 and depth 1 stand for (XrCompositionLayerDepthInfoKHR).
public struct DepthOutput: Equatable {
    public var format: VkFormat
    public var nearZ: Float
    public var farZ: Float
    public init(format: VkFormat, nearZ: Float, farZ: Float) { self.format = format; self.nearZ = nearZ; self.farZ = farZ }
}

public protocol EyeRenderer: AnyObject {
    /// Extra swapchain usage the renderer needs besides colour attachment (e.g. transfer destination).
    var extraColorUsage: XrSwapchainUsageFlags { get }
    /// How the renderer fills `EyeTarget.depth`, or nil if it cannot; only then is depth submitted.
    var depthOutput: DepthOutput? { get }
    func render(scene: Scene, views: [EyeView], into targets: [EyeTarget]) throws
    /// GPU milliseconds of the last `render` (timestamps), nil when the renderer does not measure it.
    var lastGPUMilliseconds: Double? { get }
}

extension EyeRenderer {
    public var lastGPUMilliseconds: Double? { nil }
}

/// Creates the renderer once the runtime has created the Vulkan device and chosen formats.
public typealias EyeRendererFactory = (_ context: XRVulkanContext, _ colorFormat: VkFormat, _ width: Int, _ height: Int) throws -> EyeRenderer

extension XRConfiguration {
    /// The minimal renderer: each eye cleared to the scene colour, depth cleared to far.
    public static let clearColorRenderer: EyeRendererFactory = { context, _, _, _ in try ClearColorRenderer(context: context) }
}

/// Clears each eye to the scene's background (indoor) or horizon colour (outdoor). No geometry.
public final class ClearColorRenderer: EyeRenderer {
    private let context: XRVulkanContext
    private let pool: VkCommandPool
    private let fence: VkFence

    public var extraColorUsage: XrSwapchainUsageFlags { XrSwapchainUsageFlags(XR_SWAPCHAIN_USAGE_TRANSFER_DST_BIT) }
    /// Depth is cleared to 1 (nothing nearer than the far plane): the distances are nominal.
    public var depthOutput: DepthOutput? { DepthOutput(format: VK_FORMAT_D32_SFLOAT, nearZ: 0.05, farZ: 100) }

    public init(context: XRVulkanContext) throws {
        self.context = context
        var pci = VkCommandPoolCreateInfo()
        pci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        pci.flags = VkCommandPoolCreateFlags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue)
        pci.queueFamilyIndex = context.queueFamilyIndex
        var p: VkCommandPool?
        try vkCheck("vkCreateCommandPool", vkCreateCommandPool(context.device, &pci, nil, &p))
        var fci = VkFenceCreateInfo(); fci.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        var f: VkFence?
        guard let p else { throw XRError.vulkan(call: "vkCreateCommandPool", result: -1) }
        do { try vkCheck("vkCreateFence", vkCreateFence(context.device, &fci, nil, &f)) } catch {
            vkDestroyCommandPool(context.device, p, nil); throw error
        }
        guard let f else { vkDestroyCommandPool(context.device, p, nil); throw XRError.vulkan(call: "vkCreateFence", result: -1) }
        pool = p; fence = f
    }

    /// The colour an eye is cleared to (linear RGB).
    public static func clearColor(for scene: Scene) -> Vec3 { scene.sky?.horizon ?? scene.background }

    public func render(scene: Scene, views: [EyeView], into targets: [EyeTarget]) throws {
        let c = ClearColorRenderer.clearColor(for: scene)
        var ai = VkCommandBufferAllocateInfo()
        ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        ai.commandPool = pool
        ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        ai.commandBufferCount = 1
        var cb: VkCommandBuffer?
        try vkCheck("vkAllocateCommandBuffers", vkAllocateCommandBuffers(context.device, &ai, &cb))
        guard let cmd = cb else { throw XRError.vulkan(call: "vkAllocateCommandBuffers", result: -1) }
        defer { var c: VkCommandBuffer? = cmd; vkFreeCommandBuffers(context.device, pool, 1, &c) }
        var bi = VkCommandBufferBeginInfo()
        bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        bi.flags = VkCommandBufferUsageFlags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue)
        try vkCheck("vkBeginCommandBuffer", vkBeginCommandBuffer(cmd, &bi))
        let colorAspect = VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT.rawValue)
        let depthAspect = VkImageAspectFlags(VK_IMAGE_ASPECT_DEPTH_BIT.rawValue)
        for t in targets {
            var range = VkImageSubresourceRange(aspectMask: colorAspect, baseMipLevel: 0, levelCount: 1, baseArrayLayer: t.arrayLayer, layerCount: 1)
            imageBarrier(cmd, t.image, colorAspect, t.arrayLayer, t.layoutBefore, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL)
            var color = VkClearColorValue(float32: (c.x, c.y, c.z, 1))
            vkCmdClearColorImage(cmd, t.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range)
            imageBarrier(cmd, t.image, colorAspect, t.arrayLayer, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, t.layoutAfter)
            if let depth = t.depth {
                var drange = VkImageSubresourceRange(aspectMask: depthAspect, baseMipLevel: 0, levelCount: 1, baseArrayLayer: 0, layerCount: 1)
                imageBarrier(cmd, depth, depthAspect, 0, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL)
                var value = VkClearDepthStencilValue(depth: 1, stencil: 0)
                vkCmdClearDepthStencilImage(cmd, depth, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &value, 1, &drange)
                imageBarrier(cmd, depth, depthAspect, 0, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)
            }
        }
        try vkCheck("vkEndCommandBuffer", vkEndCommandBuffer(cmd))
        var cmdOpt: VkCommandBuffer? = cmd
        try withUnsafePointer(to: &cmdOpt) { cp in
            var si = VkSubmitInfo()
            si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            si.commandBufferCount = 1
            si.pCommandBuffers = cp
            var fenceOpt: VkFence? = fence
            try vkCheck("vkResetFences", vkResetFences(context.device, 1, &fenceOpt))
            try vkCheck("vkQueueSubmit", vkQueueSubmit(context.queue, 1, &si, fence))
            try vkCheck("vkWaitForFences", vkWaitForFences(context.device, 1, &fenceOpt, VkBool32(VK_TRUE), UInt64.max))
        }
    }

    deinit {
        vkQueueWaitIdle(context.queue)
        vkDestroyFence(context.device, fence, nil)
        vkDestroyCommandPool(context.device, pool, nil)
    }
}

func imageBarrier(_ cmd: VkCommandBuffer, _ image: VkImage, _ aspect: VkImageAspectFlags, _ layer: UInt32,
                  _ from: VkImageLayout, _ to: VkImageLayout) {
    var b = VkImageMemoryBarrier()
    b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER
    b.srcAccessMask = VkAccessFlags(VK_ACCESS_MEMORY_WRITE_BIT.rawValue)
    b.dstAccessMask = VkAccessFlags(VK_ACCESS_MEMORY_READ_BIT.rawValue | VK_ACCESS_MEMORY_WRITE_BIT.rawValue)
    b.oldLayout = from
    b.newLayout = to
    b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    b.image = image
    b.subresourceRange = VkImageSubresourceRange(aspectMask: aspect, baseMipLevel: 0, levelCount: 1, baseArrayLayer: layer, layerCount: 1)
    vkCmdPipelineBarrier(cmd, VkPipelineStageFlags(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT.rawValue),
                         VkPipelineStageFlags(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT.rawValue), 0, 0, nil, 0, nil, 1, &b)
}
