// Per-frame rendering and submission: acquire each eye's images, render, release, xrEndFrame.
import COpenXR
import CVulkan
import SceneModel

final class FrameResources {
    let session: XRSession
    let renderer: EyeRenderer
    let color: [XRSwapchain]
    /// Empty unless depth is submitted; then one per eye, described by `depthOutput`.
    let depth: [XRSwapchain]
    let depthOutput: DepthOutput?

    init(session: XRSession, renderer: EyeRenderer, color: [XRSwapchain], depth: [XRSwapchain], depthOutput: DepthOutput?) {
        self.session = session; self.renderer = renderer; self.color = color
        self.depth = depthOutput == nil ? [] : depth
        self.depthOutput = depthOutput
    }

    /// Always ends the frame; with `render` false it submits no layers (the runtime shows nothing new).
    func submit(scene: Scene, views: [EyeView], raw: [XrView], displayTime: XrTime, render: Bool) throws {
        var endInfo = XrFrameEndInfo()
        endInfo.type = XR_TYPE_FRAME_END_INFO
        endInfo.displayTime = displayTime
        endInfo.environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE
        guard render, let space = session.appSpace else {
            try xrCheck("xrEndFrame", xrEndFrame(session.handle, &endInfo))
            return
        }
        var targets: [EyeTarget] = []
        for eye in 0..<2 {
            let c = color[eye]
            let i = try c.acquire()
            var t = EyeTarget(image: c.images[i], format: c.format, width: c.width, height: c.height, arrayLayer: 0,
                              layoutBefore: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                              depth: nil)
            if depth.count == 2 {
                let d = depth[eye]
                t.depth = d.images[try d.acquire()]
            }
            targets.append(t)
        }
        // Release even if rendering fails, so the swapchains stay usable.
        var renderError: Error?
        do { try renderer.render(scene: scene, views: views, into: targets) } catch { renderError = error }
        for c in color { try c.release() }
        for d in depth { try d.release() }
        if let renderError { throw renderError }

        let range = depthOutput ?? DepthOutput(format: VK_FORMAT_UNDEFINED, nearZ: 0, farZ: 0)
        var depthInfos: [XrCompositionLayerDepthInfoKHR] = depth.map { d in
            var di = XrCompositionLayerDepthInfoKHR()
            di.type = XR_TYPE_COMPOSITION_LAYER_DEPTH_INFO_KHR
            di.subImage = XrSwapchainSubImage(swapchain: d.handle, imageRect: XrRect2Di(offset: XrOffset2Di(x: 0, y: 0),
                                              extent: XrExtent2Di(width: Int32(d.width), height: Int32(d.height))), imageArrayIndex: 0)
            di.minDepth = 0; di.maxDepth = 1; di.nearZ = range.nearZ; di.farZ = range.farZ
            return di
        }
        try depthInfos.withUnsafeMutableBufferPointer { depthBuf in
            let projViews: [XrCompositionLayerProjectionView] = (0..<2).map { eye in
                var v = XrCompositionLayerProjectionView()
                v.type = XR_TYPE_COMPOSITION_LAYER_PROJECTION_VIEW
                v.next = depthBuf.count == 2 ? UnsafeRawPointer(depthBuf.baseAddress! + eye) : nil
                v.pose = raw[eye].pose
                v.fov = raw[eye].fov
                v.subImage = XrSwapchainSubImage(swapchain: color[eye].handle, imageRect: XrRect2Di(offset: XrOffset2Di(x: 0, y: 0),
                                                 extent: XrExtent2Di(width: Int32(color[eye].width), height: Int32(color[eye].height))),
                                                 imageArrayIndex: 0)
                return v
            }
            try projViews.withUnsafeBufferPointer { viewBuf in
                var layer = XrCompositionLayerProjection()
                layer.type = XR_TYPE_COMPOSITION_LAYER_PROJECTION
                layer.space = space
                layer.viewCount = 2
                layer.views = viewBuf.baseAddress
                try withUnsafePointer(to: &layer) { layerPtr in
                    var header: UnsafePointer<XrCompositionLayerBaseHeader>? = UnsafeRawPointer(layerPtr)
                        .assumingMemoryBound(to: XrCompositionLayerBaseHeader.self)
                    try withUnsafePointer(to: &header) { headers in
                        endInfo.layerCount = 1
                        endInfo.layers = headers
                        try xrCheck("xrEndFrame", xrEndFrame(session.handle, &endInfo))
                    }
                }
            }
        }
    }
}
