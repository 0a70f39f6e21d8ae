// Plugs Render.StereoRenderer (lit geometry, sky, fog, MSAA) into the frame loop, on the Vulkan
// device the OpenXR runtime created for us.
import COpenXR
import CVulkan
import Render
import SceneModel

public final class StereoRendererAdapter: EyeRenderer {
    public let renderer: StereoRenderer
    public let context: VulkanContext
    /// The runtime's device must outlive the renderer's pipelines and buffers.
    private let device: XRVulkanContext

    /// Colour attachment is enough: each eye has its own swapchain, so every target is array layer 0.
    public var extraColorUsage: XrSwapchainUsageFlags { 0 }
    /// The scene's depth, for the compositor to reproject with: without MSAA the renderer draws
    /// straight into the runtime's depth image; with MSAA it resolves sample 0 into it, which needs
    /// Vulkan 1.2 (otherwise nil, and only colour is submitted).
    public var depthOutput: DepthOutput? {
        renderer.canWriteDepth ? DepthOutput(format: renderer.depthFormat, nearZ: renderer.nearPlane, farZ: renderer.farPlane) : nil
    }

    /// Validation stays off on the borrowed context: the frame loop's messenger already collects
    /// every message of the instance (XRConfiguration.vulkanValidation).
    public init(xr: XRVulkanContext, colorFormat: VkFormat, width: Int, height: Int, samples: Int) throws {
        device = xr
        context = try VulkanContext(borrowingInstance: xr.instance, physicalDevice: xr.physicalDevice, device: xr.device,
                                    queueFamilyIndex: xr.queueFamilyIndex, queueIndex: 0, validation: false,
                                    instanceAPIVersion: xr.apiVersion)
        renderer = try StereoRenderer(context: context, colorFormat: colorFormat, width: width, height: height, samples: samples)
    }

    public var lastGPUMilliseconds: Double? { renderer.lastFrameGPUMilliseconds }

    public func render(scene: Scene, views: [EyeView], into targets: [EyeTarget]) throws {
        let colorTargets = targets.map {
            ColorTarget(image: $0.image, format: $0.format, width: $0.width, height: $0.height, arrayLayer: $0.arrayLayer,
                        layoutBefore: $0.layoutBefore, layoutAfter: $0.layoutAfter, depth: $0.depth.map { DepthTarget(image: $0) })
        }
        try renderer.render(scene: scene, views: views, into: colorTargets)
    }
}

extension XRConfiguration {
    /// The production renderer: Render.StereoRenderer with `samples`x MSAA.
    public static func stereoRenderer(samples: Int = 4) -> EyeRendererFactory {
        { context, format, width, height in
            try StereoRendererAdapter(xr: context, colorFormat: format, width: width, height: height, samples: samples)
        }
    }
}
