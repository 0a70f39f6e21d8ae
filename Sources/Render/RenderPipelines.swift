import CVulkan

/// The render pass, descriptor layout, pipeline layout and the two pipelines (sky, instanced meshes).
/// One render pass instance draws one eye: multisampled colour + depth, resolved into the eye's target.
final class RenderPipelines {
    static let pushConstantSize = 80   // mat4 viewProj + vec4 eye position
    static let frameUniformSize = 112  // 7 x vec4, see Shaders/common.glsl
    static let vertexStride = 24       // position + normal
    static let instanceStride = 80     // mat4 model + vec4 colour

    let context: VulkanContext
    let renderPass: VkRenderPass
    /// Multisampled only: a pass that keeps the multisampled colour (for vkCmdResolveImage) instead of
    /// resolving in the pass. Lavapipe (Mesa 22.3) ignores the base array layer of a resolve
    /// attachment's view, so eyes in layer 1+ of an array image are resolved with a command.
    /// Single-subpass passes that differ only in resolve attachments are compatible, so the
    /// same pipelines serve both.
    let explicitResolvePass: VkRenderPass?
    /// The same two passes, also handing the eye's depth to the caller (an OpenXR depth swapchain
    /// image, layer 0): stored directly without MSAA, resolved (sample 0) with MSAA. Nil when the
    /// device cannot: MSAA depth resolve needs Vulkan 1.2. See DepthOutputPasses.swift.
    let depthOutputPass: VkRenderPass?
    let depthOutputExplicitResolvePass: VkRenderPass?
    let setLayout: VkDescriptorSetLayout
    let layout: VkPipelineLayout
    private(set) var sky: VkPipeline?
    private(set) var mesh: VkPipeline?
    /// Meshes blended by colour alpha, depth-tested but not written (DrawBatch.translucent).
    private(set) var glass: VkPipeline?

    init(context: VulkanContext, colorFormat: VkFormat, depthFormat: VkFormat, samples: VkSampleCountFlagBits) throws {
        self.context = context
        let device = context.device
        // Passes made so far, destroyed if a later step fails (deinit does not run then).
        var made: [VkRenderPass] = []
        func keep(_ pass: VkRenderPass?) -> VkRenderPass? { if let pass { made.append(pass) }; return pass }
        do {
            let multisampled = samples != VK_SAMPLE_COUNT_1_BIT
            let main = try RenderPipelines.makeRenderPass(device, colorFormat, depthFormat, samples, resolveInPass: true)
            made.append(main)
            renderPass = main
            explicitResolvePass = multisampled
                ? keep(try RenderPipelines.makeRenderPass(device, colorFormat, depthFormat, samples, resolveInPass: false)) : nil
            if !multisampled {
                depthOutputPass = keep(try RenderPipelines.makeRenderPass(device, colorFormat, depthFormat, samples,
                                                                          resolveInPass: true, storeDepth: true))
                depthOutputExplicitResolvePass = nil
            } else if let create = DepthOutputPasses.createRenderPass2(context) {
                depthOutputPass = keep(try DepthOutputPasses.make(device, create, colorFormat, depthFormat, samples, resolveColorInPass: true))
                depthOutputExplicitResolvePass = keep(try DepthOutputPasses.make(device, create, colorFormat, depthFormat, samples,
                                                                                 resolveColorInPass: false))
            } else {
                depthOutputPass = nil
                depthOutputExplicitResolvePass = nil
            }
        } catch {
            made.forEach { vkDestroyRenderPass(device, $0, nil) }
            throw error
        }
        do {
            let arena = CArena()
            var binding = VkDescriptorSetLayoutBinding()
            binding.binding = 0
            binding.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
            binding.descriptorCount = 1
            binding.stageFlags = VK_SHADER_STAGE_VERTEX_BIT.rawValue | VK_SHADER_STAGE_FRAGMENT_BIT.rawValue
            var setInfo = VkDescriptorSetLayoutCreateInfo()
            setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
            setInfo.bindingCount = 1
            setInfo.pBindings = UnsafePointer(arena.put(binding))
            var sl: VkDescriptorSetLayout?
            try vkCheck("vkCreateDescriptorSetLayout", vkCreateDescriptorSetLayout(device, &setInfo, nil, &sl))
            guard let setLayout = sl else { throw VulkanError.call(name: "vkCreateDescriptorSetLayout", result: "no layout returned") }
            self.setLayout = setLayout

            var range = VkPushConstantRange()
            range.stageFlags = VK_SHADER_STAGE_VERTEX_BIT.rawValue | VK_SHADER_STAGE_FRAGMENT_BIT.rawValue
            range.size = UInt32(RenderPipelines.pushConstantSize)
            var layoutInfo = VkPipelineLayoutCreateInfo()
            layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
            layoutInfo.setLayoutCount = 1
            layoutInfo.pSetLayouts = UnsafePointer(arena.put([Optional(setLayout)]))
            layoutInfo.pushConstantRangeCount = 1
            layoutInfo.pPushConstantRanges = UnsafePointer(arena.put(range))
            var pl: VkPipelineLayout?
            let r = vkCreatePipelineLayout(device, &layoutInfo, nil, &pl)
            guard r.rawValue >= 0, let layout = pl else {
                vkDestroyDescriptorSetLayout(device, setLayout, nil)
                throw VulkanError.call(name: "vkCreatePipelineLayout", result: vkResultName(r))
            }
            self.layout = layout
        } catch {
            made.forEach { vkDestroyRenderPass(device, $0, nil) }
            throw error
        }
        // From here on deinit cleans up whatever was made.
        sky = try makePipeline(vertex: "sky.vert", fragment: "sky.frag", samples: samples, meshInput: false)
        mesh = try makePipeline(vertex: "mesh.vert", fragment: "mesh.frag", samples: samples, meshInput: true)
        glass = try makePipeline(vertex: "mesh.vert", fragment: "mesh.frag", samples: samples, meshInput: true, translucent: true)
    }

    deinit {
        let device = context.device
        if let p = sky { vkDestroyPipeline(device, p, nil) }
        if let p = mesh { vkDestroyPipeline(device, p, nil) }
        if let p = glass { vkDestroyPipeline(device, p, nil) }
        vkDestroyPipelineLayout(device, layout, nil)
        vkDestroyDescriptorSetLayout(device, setLayout, nil)
        for pass in [renderPass, explicitResolvePass, depthOutputPass, depthOutputExplicitResolvePass] {
            if let pass { vkDestroyRenderPass(device, pass, nil) }
        }
    }

    private static func makeRenderPass(_ device: VkDevice, _ colorFormat: VkFormat, _ depthFormat: VkFormat,
                                       _ samples: VkSampleCountFlagBits, resolveInPass: Bool,
                                       storeDepth: Bool = false) throws -> VkRenderPass {
        let arena = CArena()
        let multisampled = samples != VK_SAMPLE_COUNT_1_BIT
        var color = VkAttachmentDescription()
        color.format = colorFormat
        color.samples = samples
        color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR
        // Multisampled colour is only an intermediate; without MSAA it is the eye's target itself.
        color.storeOp = multisampled && resolveInPass ? VK_ATTACHMENT_STORE_OP_DONT_CARE : VK_ATTACHMENT_STORE_OP_STORE
        color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE
        color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE
        color.initialLayout = multisampled ? VK_IMAGE_LAYOUT_UNDEFINED : VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL
        color.finalLayout = multisampled && !resolveInPass ? VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL : VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL
        var depth = VkAttachmentDescription()
        depth.format = depthFormat
        depth.samples = samples
        depth.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR
        // Kept only when the depth attachment is the caller's image (1x, depth for the compositor).
        depth.storeOp = storeDepth ? VK_ATTACHMENT_STORE_OP_STORE : VK_ATTACHMENT_STORE_OP_DONT_CARE
        depth.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE
        depth.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE
        depth.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED
        depth.finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL
        var resolve = VkAttachmentDescription()
        resolve.format = colorFormat
        resolve.samples = VK_SAMPLE_COUNT_1_BIT
        resolve.loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE
        resolve.storeOp = VK_ATTACHMENT_STORE_OP_STORE
        resolve.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE
        resolve.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE
        resolve.initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL
        resolve.finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL

        var subpass = VkSubpassDescription()
        subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS
        subpass.colorAttachmentCount = 1
        subpass.pColorAttachments = UnsafePointer(arena.put(VkAttachmentReference(attachment: 0, layout: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)))
        subpass.pDepthStencilAttachment = UnsafePointer(arena.put(VkAttachmentReference(attachment: 1, layout: VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)))
        if multisampled && resolveInPass {
            subpass.pResolveAttachments = UnsafePointer(arena.put(VkAttachmentReference(attachment: 2, layout: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)))
        }
        let dependency = EyePassOrdering.dependency(VkSubpassDependency())
        let attachments = multisampled && resolveInPass ? [color, depth, resolve] : [color, depth]
        var info = VkRenderPassCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO
        info.attachmentCount = UInt32(attachments.count)
        info.pAttachments = UnsafePointer(arena.put(attachments))
        info.subpassCount = 1
        info.pSubpasses = UnsafePointer(arena.put(subpass))
        info.dependencyCount = 1
        info.pDependencies = UnsafePointer(arena.put(dependency))
        var rp: VkRenderPass?
        try vkCheck("vkCreateRenderPass", vkCreateRenderPass(device, &info, nil, &rp))
        guard let pass = rp else { throw VulkanError.call(name: "vkCreateRenderPass", result: "no render pass returned") }
        return pass
    }

    private func shaderModule(_ name: String) throws -> VkShaderModule {
        let code = try ShaderLibrary.spirv(name)
        var m: VkShaderModule?
        let result: VkResult = code.withUnsafeBufferPointer { words in
            var info = VkShaderModuleCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
            info.codeSize = words.count * 4
            info.pCode = words.baseAddress
            return vkCreateShaderModule(context.device, &info, nil, &m)
        }
        try vkCheck("vkCreateShaderModule(\(name))", result)
        guard let module = m else { throw VulkanError.call(name: "vkCreateShaderModule(\(name))", result: "no module returned") }
        return module
    }

    private func makePipeline(vertex: String, fragment: String, samples: VkSampleCountFlagBits, meshInput: Bool,
                              translucent: Bool = false) throws -> VkPipeline {
        let device = context.device
        let vs = try shaderModule(vertex)
        defer { vkDestroyShaderModule(device, vs, nil) }
        let fs = try shaderModule(fragment)
        defer { vkDestroyShaderModule(device, fs, nil) }
        let arena = CArena()
        let main = arena.cString("main")
        var stages = [VkPipelineShaderStageCreateInfo](repeating: VkPipelineShaderStageCreateInfo(), count: 2)
        for (i, (stage, module)) in [(VK_SHADER_STAGE_VERTEX_BIT, vs), (VK_SHADER_STAGE_FRAGMENT_BIT, fs)].enumerated() {
            stages[i].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
            stages[i].stage = stage
            stages[i].module = module
            stages[i].pName = main
        }

        var vertexInput = VkPipelineVertexInputStateCreateInfo()
        vertexInput.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO
        if meshInput {
            let bindings = [
                VkVertexInputBindingDescription(binding: 0, stride: UInt32(RenderPipelines.vertexStride), inputRate: VK_VERTEX_INPUT_RATE_VERTEX),
                VkVertexInputBindingDescription(binding: 1, stride: UInt32(RenderPipelines.instanceStride), inputRate: VK_VERTEX_INPUT_RATE_INSTANCE),
            ]
            let vec3 = VK_FORMAT_R32G32B32_SFLOAT, vec4 = VK_FORMAT_R32G32B32A32_SFLOAT
            let attributes = [
                VkVertexInputAttributeDescription(location: 0, binding: 0, format: vec3, offset: 0),
                VkVertexInputAttributeDescription(location: 1, binding: 0, format: vec3, offset: 12),
                VkVertexInputAttributeDescription(location: 2, binding: 1, format: vec4, offset: 0),
                VkVertexInputAttributeDescription(location: 3, binding: 1, format: vec4, offset: 16),
                VkVertexInputAttributeDescription(location: 4, binding: 1, format: vec4, offset: 32),
                VkVertexInputAttributeDescription(location: 5, binding: 1, format: vec4, offset: 48),
                VkVertexInputAttributeDescription(location: 6, binding: 1, format: vec4, offset: 64),
            ]
            vertexInput.vertexBindingDescriptionCount = UInt32(bindings.count)
            vertexInput.pVertexBindingDescriptions = UnsafePointer(arena.put(bindings))
            vertexInput.vertexAttributeDescriptionCount = UInt32(attributes.count)
            vertexInput.pVertexAttributeDescriptions = UnsafePointer(arena.put(attributes))
        }
        var assembly = VkPipelineInputAssemblyStateCreateInfo()
        assembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO
        assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST
        var viewport = VkPipelineViewportStateCreateInfo()
        viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO
        viewport.viewportCount = 1
        viewport.scissorCount = 1
        var raster = VkPipelineRasterizationStateCreateInfo()
        raster.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO
        raster.polygonMode = VK_POLYGON_MODE_FILL
        // Meshes wind counter-clockwise seen from outside; the projection's y flip keeps that
        // counter-clockwise in Vulkan's framebuffer convention.
        raster.cullMode = meshInput ? VK_CULL_MODE_BACK_BIT.rawValue : VK_CULL_MODE_NONE.rawValue
        raster.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE
        raster.lineWidth = 1
        var multisample = VkPipelineMultisampleStateCreateInfo()
        multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO
        multisample.rasterizationSamples = samples
        var depth = VkPipelineDepthStencilStateCreateInfo()
        depth.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO
        // The sky is drawn first, behind everything, without touching depth.
        depth.depthTestEnable = VkBool32(meshInput ? VK_TRUE : VK_FALSE)
        // Glass is tested against what is in front of it but leaves depth to what is behind.
        depth.depthWriteEnable = VkBool32(meshInput && !translucent ? VK_TRUE : VK_FALSE)
        depth.depthCompareOp = VK_COMPARE_OP_LESS
        var blendAttachment = VkPipelineColorBlendAttachmentState()
        if translucent {
            // Ordinary "over" blending in linear colour: alpha of the glass, the rest from behind.
            blendAttachment.blendEnable = VkBool32(VK_TRUE)
            blendAttachment.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA
            blendAttachment.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA
            blendAttachment.colorBlendOp = VK_BLEND_OP_ADD
            blendAttachment.srcAlphaBlendFactor = VK_BLEND_FACTOR_ZERO
            blendAttachment.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE
            blendAttachment.alphaBlendOp = VK_BLEND_OP_ADD
        }
        blendAttachment.colorWriteMask = VK_COLOR_COMPONENT_R_BIT.rawValue | VK_COLOR_COMPONENT_G_BIT.rawValue
            | VK_COLOR_COMPONENT_B_BIT.rawValue | VK_COLOR_COMPONENT_A_BIT.rawValue
        var blend = VkPipelineColorBlendStateCreateInfo()
        blend.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO
        blend.attachmentCount = 1
        blend.pAttachments = UnsafePointer(arena.put(blendAttachment))
        let dynamicStates = [VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR]
        var dynamic = VkPipelineDynamicStateCreateInfo()
        dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO
        dynamic.dynamicStateCount = UInt32(dynamicStates.count)
        dynamic.pDynamicStates = UnsafePointer(arena.put(dynamicStates))

        var info = VkGraphicsPipelineCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO
        info.stageCount = 2
        info.pStages = UnsafePointer(arena.put(stages))
        info.pVertexInputState = UnsafePointer(arena.put(vertexInput))
        info.pInputAssemblyState = UnsafePointer(arena.put(assembly))
        info.pViewportState = UnsafePointer(arena.put(viewport))
        info.pRasterizationState = UnsafePointer(arena.put(raster))
        info.pMultisampleState = UnsafePointer(arena.put(multisample))
        info.pDepthStencilState = UnsafePointer(arena.put(depth))
        info.pColorBlendState = UnsafePointer(arena.put(blend))
        info.pDynamicState = UnsafePointer(arena.put(dynamic))
        info.layout = layout
        info.renderPass = renderPass
        info.subpass = 0
        var p: VkPipeline?
        try vkCheck("vkCreateGraphicsPipelines(\(vertex)+\(fragment))", vkCreateGraphicsPipelines(device, nil, 1, &info, nil, &p))
        guard let pipeline = p else { throw VulkanError.call(name: "vkCreateGraphicsPipelines", result: "no pipeline returned") }
        return pipeline
    }
}

/// Every eye's render pass waits for the previous eye's: the eyes reuse the same multisampled
/// colour and depth images one after the other, so the next eye's clear must wait for the
/// previous eye's writes (and for a resolve command's reads). Resolves, depth ones included,
/// write in the colour-attachment-output stage.
enum EyePassOrdering {
    static let stages = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT.rawValue
        | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT.rawValue | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT.rawValue

    /// Fills the external dependency of either struct version (VkSubpassDependency or ...2).
    static func dependency<D: EyePassDependency>(_ d: D) -> D {
        var d = d
        d.srcSubpass = VK_SUBPASS_EXTERNAL
        d.dstSubpass = 0
        d.srcStageMask = stages | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue
        d.dstStageMask = stages
        d.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT.rawValue | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT.rawValue
        d.dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT.rawValue | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT.rawValue
            | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT.rawValue | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT.rawValue
        return d
    }
}

/// The fields VkSubpassDependency and VkSubpassDependency2 share.
protocol EyePassDependency {
    var srcSubpass: UInt32 { get set }
    var dstSubpass: UInt32 { get set }
    var srcStageMask: VkPipelineStageFlags { get set }
    var dstStageMask: VkPipelineStageFlags { get set }
    var srcAccessMask: VkAccessFlags { get set }
    var dstAccessMask: VkAccessFlags { get set }
}
extension VkSubpassDependency: EyePassDependency {}
extension VkSubpassDependency2: EyePassDependency {}
