import CVulkan
import Foundation
import PNG
import SceneModel

/// Draws a `Scene` once per eye: sky gradient (or background colour indoors), then one instanced
/// draw per batch, lit by one directional light with exponential fog, multisampled and resolved
/// into each eye's target. Each call waits for the GPU, so the caller may reuse targets at once.
/// Not thread-safe: use it from the frame thread only.
public final class StereoRenderer {
    public let context: VulkanContext
    public let colorFormat: VkFormat
    public let width: Int
    public let height: Int
    /// The sample count actually used (the requested one, lowered to what the device supports).
    public let samples: Int
    public var nearPlane: Float = 0.05
    public var farPlane: Float = 1000
    /// The format of the renderer's depth buffer, and so of any `DepthTarget` (D32_SFLOAT where supported).
    public let depthFormat: VkFormat
    /// Whether targets may carry a `DepthTarget`: always without MSAA; with MSAA the device must
    /// resolve depth (Vulkan 1.2). Otherwise depth stays inside the renderer.
    public var canWriteDepth: Bool { pipelines.depthOutputPass != nil }
    /// Thread CPU time of the last `render`/`renderOffscreen` call, GPU waiting excluded.
    public private(set) var lastFrameCPUMilliseconds: Double = 0
    /// GPU time of the last frame's commands (timestamps around them); nil where the queue has no timestamps.
    public private(set) var lastFrameGPUMilliseconds: Double?
    private let gpuTimer: GPUTimer?

    private let pipelines: RenderPipelines
    private let meshes: MeshBuffers
    private let recorder: CommandRecorder
    private let frameUniforms: GPUBuffer
    private let descriptorPool: VkDescriptorPool
    private let descriptorSet: VkDescriptorSet
    private let multisampleColor: GPUImage?
    private let depth: GPUImage
    private var instances: GPUBuffer?
    private var offscreenTargets: [GPUImage] = []
    private var readback: GPUBuffer?

    public init(context: VulkanContext, colorFormat: VkFormat, width: Int, height: Int, samples: Int = 4) throws {
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw VulkanError.invalidArgument("render size \(width)x\(height) must be between 1 and 16384 per side")
        }
        self.context = context
        self.colorFormat = colorFormat
        self.width = width
        self.height = height
        let device = context.device
        try StereoRenderer.requireColorAttachment(context, colorFormat)
        let depthFormat = try StereoRenderer.chooseDepthFormat(context)
        self.depthFormat = depthFormat
        let sampleBits = StereoRenderer.supportedSamples(context, requested: samples)
        self.samples = Int(sampleBits.rawValue)

        pipelines = try RenderPipelines(context: context, colorFormat: colorFormat, depthFormat: depthFormat, samples: sampleBits)
        meshes = try MeshBuffers(context: context)
        recorder = try CommandRecorder(context: context, pool: nil)
        gpuTimer = GPUTimer(context: context)
        frameUniforms = try GPUBuffer(context: context, size: RenderPipelines.frameUniformSize,
                                      usage: VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT.rawValue, hostVisible: true)
        depth = try GPUImage(context: context, width: width, height: height, format: depthFormat,
                             usage: VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT.rawValue,
                             samples: sampleBits, aspect: VK_IMAGE_ASPECT_DEPTH_BIT.rawValue)
        multisampleColor = sampleBits == VK_SAMPLE_COUNT_1_BIT ? nil : try GPUImage(
            context: context, width: width, height: height, format: colorFormat,
            usage: VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue,
            samples: sampleBits, aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue)

        var poolSize = VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, descriptorCount: 1)
        var poolInfo = VkDescriptorPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
        poolInfo.maxSets = 1
        poolInfo.poolSizeCount = 1
        var dp: VkDescriptorPool?
        try withUnsafePointer(to: &poolSize) { sizePtr in
            poolInfo.pPoolSizes = sizePtr
            try vkCheck("vkCreateDescriptorPool", vkCreateDescriptorPool(device, &poolInfo, nil, &dp))
        }
        guard let pool = dp else { throw VulkanError.call(name: "vkCreateDescriptorPool", result: "no pool returned") }
        descriptorPool = pool
        var setLayout: VkDescriptorSetLayout? = pipelines.setLayout
        var ds: VkDescriptorSet?
        let allocResult: VkResult = withUnsafePointer(to: &setLayout) { layoutPtr in
            var alloc = VkDescriptorSetAllocateInfo()
            alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
            alloc.descriptorPool = pool
            alloc.descriptorSetCount = 1
            alloc.pSetLayouts = layoutPtr
            return vkAllocateDescriptorSets(device, &alloc, &ds)
        }
        guard allocResult.rawValue >= 0, let set = ds else {
            vkDestroyDescriptorPool(device, pool, nil)
            throw VulkanError.call(name: "vkAllocateDescriptorSets", result: vkResultName(allocResult))
        }
        descriptorSet = set
        var bufferInfo = VkDescriptorBufferInfo(buffer: frameUniforms.buffer, offset: 0,
                                                range: VkDeviceSize(RenderPipelines.frameUniformSize))
        withUnsafePointer(to: &bufferInfo) { infoPtr in
            var write = VkWriteDescriptorSet()
            write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
            write.dstSet = set
            write.dstBinding = 0
            write.descriptorCount = 1
            write.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
            write.pBufferInfo = infoPtr
            vkUpdateDescriptorSets(device, 1, &write, 0, nil)
        }
    }

    deinit {
        vkDeviceWaitIdle(context.device)
        vkDestroyDescriptorPool(context.device, descriptorPool, nil)
        // Buffers, images and pipelines are released after this, the context (device) last.
    }

    /// Renders one view per target (two eyes), waits for the GPU, leaves targets in `layoutAfter`.
    public func render(scene: Scene, views: [EyeView], into targets: [ColorTarget]) throws {
        let start = threadCPUTime()
        defer { lastFrameCPUMilliseconds = (threadCPUTime() - start) * 1000 }
        try renderFrame(scene: scene, views: views, targets: targets, afterDrawing: { _ in })
    }

    /// Renders into the renderer's own images and reads back 8-bit RGBA (sRGB-encoded for sRGB formats) per eye.
    public func renderOffscreen(scene: Scene, views: [EyeView]) throws -> [RGBAImage] {
        let start = threadCPUTime()
        defer { lastFrameCPUMilliseconds = (threadCPUTime() - start) * 1000 }
        let swap = try readbackOrder(colorFormat)
        try prepareOffscreen(eyes: views.count)
        guard let readback = readback, let mapped = readback.mapped else { throw VulkanError.unsupported("readback buffer is not host-visible") }
        let eyeBytes = width * height * 4
        let targets = offscreenTargets.map {
            ColorTarget(image: $0.image, format: colorFormat, width: width, height: height, arrayLayer: 0,
                        layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED, layoutAfter: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        }
        try renderFrame(scene: scene, views: views, targets: targets) { cmd in
            for (i, t) in targets.enumerated() {
                recordCopy(cmd, image: t.image, layer: 0, width: width, height: height, into: readback.buffer, offset: i * eyeBytes)
            }
        }
        return (0..<views.count).map {
            decodePixels(mapped, offset: $0 * eyeBytes, width: width, height: height, swapRedBlue: swap)
        }
    }

    private func prepareOffscreen(eyes: Int) throws {
        if offscreenTargets.count != eyes {
            offscreenTargets = try (0..<eyes).map { _ in
                try GPUImage(context: context, width: width, height: height, format: colorFormat,
                             usage: VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue,
                             samples: VK_SAMPLE_COUNT_1_BIT, aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue)
            }
        }
        let bytes = eyes * width * height * 4
        if (readback?.size ?? -1) != bytes {
            readback = try GPUBuffer(context: context, size: bytes, usage: VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue, hostVisible: true)
        }
    }

    private func validate(views: [EyeView], targets: [ColorTarget]) throws {
        guard !views.isEmpty else { throw VulkanError.invalidArgument("no views to render") }
        guard views.count == targets.count else {
            throw VulkanError.invalidArgument("\(views.count) views but \(targets.count) targets: give one target per eye")
        }
        for (i, t) in targets.enumerated() {
            guard t.width == width, t.height == height else {
                throw VulkanError.invalidArgument("target \(i) is \(t.width)x\(t.height) but the renderer was made for \(width)x\(height)")
            }
            guard t.format == colorFormat else {
                throw VulkanError.invalidArgument("target \(i) has VkFormat \(t.format.rawValue) but the renderer was made for \(colorFormat.rawValue)")
            }
            if t.depth != nil && !canWriteDepth {
                throw VulkanError.unsupported("handing depth out with \(samples)x MSAA: it needs Vulkan 1.2 depth resolve, which "
                    + "this device or instance lacks; check `canWriteDepth` first, or render with samples: 1")
            }
        }
    }

    private func renderFrame(scene: Scene, views: [EyeView], targets: [ColorTarget], afterDrawing: (VkCommandBuffer) -> Void) throws {
        try validate(views: views, targets: targets)
        frameUniforms.write(StereoRenderer.frameUniformData(scene))
        let draws = try uploadInstances(scene)

        var framebuffers: [VkFramebuffer] = []
        var targetViews: [VkImageView] = []
        var submitted = false
        defer {
            if !submitted { vkDeviceWaitIdle(context.device) }
            framebuffers.forEach { vkDestroyFramebuffer(context.device, $0, nil) }
            targetViews.forEach { vkDestroyImageView(context.device, $0, nil) }
        }
        try recorder.begin()
        let cmd = recorder.buffer
        gpuTimer?.start(cmd)
        for (view, target) in zip(views, targets) {
            let depthView = try target.depth.map { d -> VkImageView in
                let v = try makeImageView(context, image: d.image, format: depthFormat, aspect: VK_IMAGE_ASPECT_DEPTH_BIT.rawValue, baseLayer: 0, layers: 1)
                targetViews.append(v)
                return v
            }
            if let msaa = multisampleColor, target.arrayLayer != 0,
               let pass = depthView == nil ? pipelines.explicitResolvePass : pipelines.depthOutputExplicitResolvePass {
                // See RenderPipelines.explicitResolvePass: resolve with a command into the layer.
                let attachments = [msaa.view, depth.view] + (depthView.map { [$0] } ?? [])
                let framebuffer = try makeFramebuffer(pass: pass, attachments)
                framebuffers.append(framebuffer)
                transition(cmd, image: target.image, layer: target.arrayLayer, from: target.layoutBefore, to: VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL)
                drawEye(cmd, scene: scene, view: view, pass: pass, framebuffer: framebuffer, attachmentCount: attachments.count, draws: draws)
                var region = VkImageResolve()
                region.srcSubresource = VkImageSubresourceLayers(aspectMask: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, mipLevel: 0, baseArrayLayer: 0, layerCount: 1)
                region.dstSubresource = VkImageSubresourceLayers(aspectMask: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, mipLevel: 0,
                                                                 baseArrayLayer: target.arrayLayer, layerCount: 1)
                region.extent = VkExtent3D(width: UInt32(width), height: UInt32(height), depth: 1)
                vkCmdResolveImage(cmd, msaa.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region)
                transition(cmd, image: target.image, layer: target.arrayLayer, from: VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: target.layoutAfter)
                finishDepth(cmd, target.depth)
                continue
            }
            let targetView = try makeImageView(context, image: target.image, format: target.format,
                                               aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, baseLayer: target.arrayLayer, layers: 1)
            targetViews.append(targetView)
            let pass = depthView == nil ? pipelines.renderPass : (pipelines.depthOutputPass ?? pipelines.renderPass)
            let attachments: [VkImageView]
            if let msaa = multisampleColor {
                attachments = [msaa.view, depth.view, targetView] + (depthView.map { [$0] } ?? [])
            } else {
                // Without MSAA the caller's depth image is the depth attachment itself.
                attachments = [targetView, depthView ?? depth.view]
            }
            let framebuffer = try makeFramebuffer(pass: pass, attachments)
            framebuffers.append(framebuffer)
            transition(cmd, image: target.image, layer: target.arrayLayer, from: target.layoutBefore, to: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
            drawEye(cmd, scene: scene, view: view, pass: pass, framebuffer: framebuffer, attachmentCount: attachments.count, draws: draws)
            transition(cmd, image: target.image, layer: target.arrayLayer, from: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, to: target.layoutAfter)
            finishDepth(cmd, target.depth)
        }
        afterDrawing(cmd)
        gpuTimer?.stop(cmd)
        try recorder.submitAndWait()
        submitted = true
        lastFrameGPUMilliseconds = gpuTimer?.milliseconds()
    }

    /// The depth passes leave the caller's depth image in DEPTH_STENCIL_ATTACHMENT_OPTIMAL; move it on if asked.
    private func finishDepth(_ cmd: VkCommandBuffer, _ target: DepthTarget?) {
        guard let target, target.layoutAfter != VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL else { return }
        transition(cmd, image: target.image, layer: 0, from: VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, to: target.layoutAfter,
                   aspect: VK_IMAGE_ASPECT_DEPTH_BIT.rawValue)
    }

    private struct Draw { var range: MeshBuffers.Range; var instanceCount: UInt32; var firstInstance: UInt32; var translucent: Bool }

    /// Writes every instance of every batch into the per-frame instance buffer (grown when needed).
    private func uploadInstances(_ scene: Scene) throws -> [Draw] {
        let total = scene.instanceCount
        let needed = max(total, 1) * RenderPipelines.instanceStride
        let oldSize = instances?.size ?? 0
        if oldSize < needed {
            instances = nil   // the previous frame has finished (every frame waits), so release first
            instances = try GPUBuffer(context: context, size: max(needed, 2 * oldSize, 64 * RenderPipelines.instanceStride),
                                      usage: VK_BUFFER_USAGE_VERTEX_BUFFER_BIT.rawValue, hostVisible: true)
        }
        var data = [Float](); data.reserveCapacity(total * 20)
        var draws: [Draw] = []
        for batch in scene.batches where !batch.instances.isEmpty {
            guard let range = meshes.ranges[batch.shape] else { continue }
            draws.append(Draw(range: range, instanceCount: UInt32(batch.instances.count), firstInstance: UInt32(data.count / 20),
                              translucent: batch.translucent))
            for instance in batch.instances {
                data += instance.transform.floats
                data += [instance.color.x, instance.color.y, instance.color.z, instance.color.w]
            }
        }
        instances?.write(data)
        return draws
    }

    private func makeFramebuffer(pass: VkRenderPass, _ views: [VkImageView]) throws -> VkFramebuffer {
        let attachments: [VkImageView?] = views
        var fb: VkFramebuffer?
        try attachments.withUnsafeBufferPointer { ptr in
            var info = VkFramebufferCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO
            info.renderPass = pass
            info.attachmentCount = UInt32(attachments.count)
            info.pAttachments = ptr.baseAddress
            info.width = UInt32(width)
            info.height = UInt32(height)
            info.layers = 1
            try vkCheck("vkCreateFramebuffer", vkCreateFramebuffer(context.device, &info, nil, &fb))
        }
        guard let framebuffer = fb else { throw VulkanError.call(name: "vkCreateFramebuffer", result: "no framebuffer returned") }
        return framebuffer
    }

    private func drawEye(_ cmd: VkCommandBuffer, scene: Scene, view: EyeView, pass: VkRenderPass, framebuffer: VkFramebuffer,
                         attachmentCount: Int, draws: [Draw]) {
        let clear = scene.sky?.horizon ?? scene.background
        var clears = [VkClearValue(color: VkClearColorValue(float32: (clear.x, clear.y, clear.z, 1))),
                      VkClearValue(depthStencil: VkClearDepthStencilValue(depth: 1, stencil: 0))]
        // One value per attachment; only the first two (cleared) are read.
        while clears.count < attachmentCount { clears.append(clears[0]) }
        clears.withUnsafeBufferPointer { ptr in
            var begin = VkRenderPassBeginInfo()
            begin.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO
            begin.renderPass = pass
            begin.framebuffer = framebuffer
            begin.renderArea = VkRect2D(offset: VkOffset2D(x: 0, y: 0), extent: VkExtent2D(width: UInt32(width), height: UInt32(height)))
            begin.clearValueCount = UInt32(clears.count)
            begin.pClearValues = ptr.baseAddress
            vkCmdBeginRenderPass(cmd, &begin, VK_SUBPASS_CONTENTS_INLINE)
        }
        var viewport = VkViewport(x: 0, y: 0, width: Float(width), height: Float(height), minDepth: 0, maxDepth: 1)
        vkCmdSetViewport(cmd, 0, 1, &viewport)
        var scissor = VkRect2D(offset: VkOffset2D(x: 0, y: 0), extent: VkExtent2D(width: UInt32(width), height: UInt32(height)))
        vkCmdSetScissor(cmd, 0, 1, &scissor)
        var set: VkDescriptorSet? = descriptorSet
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipelines.layout, 0, 1, &set, 0, nil)
        let viewProj = Mat4.perspective(fov: view.fov, near: nearPlane, far: farPlane) * Mat4.view(from: view.pose)
        let p = view.pose.position
        let push = viewProj.floats + [p.x, p.y, p.z, 1]
        push.withUnsafeBytes { raw in
            vkCmdPushConstants(cmd, pipelines.layout, VK_SHADER_STAGE_VERTEX_BIT.rawValue | VK_SHADER_STAGE_FRAGMENT_BIT.rawValue,
                               0, UInt32(raw.count), raw.baseAddress)
        }
        if scene.sky != nil {
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipelines.sky)
            vkCmdDraw(cmd, 3, 1, 0, 0)
        }
        if !draws.isEmpty, let instanceBuffer = instances {
            let buffers: [VkBuffer?] = [meshes.vertices.buffer, instanceBuffer.buffer]
            let offsets: [VkDeviceSize] = [0, 0]
            vkCmdBindVertexBuffers(cmd, 0, 2, buffers, offsets)
            vkCmdBindIndexBuffer(cmd, meshes.indices.buffer, 0, VK_INDEX_TYPE_UINT32)
            // Opaque first, so glass blends over everything behind it.
            for (pipeline, translucent) in [(pipelines.mesh, false), (pipelines.glass, true)] {
                let batch = draws.filter { $0.translucent == translucent }
                guard !batch.isEmpty else { continue }
                vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline)
                for d in batch {
                    vkCmdDrawIndexed(cmd, d.range.indexCount, d.instanceCount, d.range.firstIndex, d.range.vertexOffset, d.firstInstance)
                }
            }
        }
        vkCmdEndRenderPass(cmd)
    }

    /// The std140 Frame block of Shaders/common.glsl.
    static func frameUniformData(_ scene: Scene) -> [Float] {
        let l = scene.lighting, sky = scene.sky
        func v(_ x: Vec3, _ w: Float = 0) -> [Float] { [x.x, x.y, x.z, w] }
        return v(l.direction) + v(l.color) + v(l.ambient) + v(scene.fog.color, max(0, scene.fog.density))
            + v(sky?.zenith ?? .zero) + v(sky?.horizon ?? .zero) + v(sky?.ground ?? .zero)
    }
}

/// CPU time of the calling thread in seconds (excludes time spent waiting for the GPU).
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
