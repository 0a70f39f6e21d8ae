import CVulkan

/// Multisampled render passes that also resolve the eye's depth into the caller's single-sampled
/// depth image, so the compositor can reproject with it (OpenXR XR_KHR_composition_layer_depth).
///
/// A copy cannot do this: vkCmdResolveImage takes colour only, and a 4x depth image cannot be
/// copied into a 1x one. Depth resolve is a subpass feature (VkSubpassDescriptionDepthStencilResolve,
/// core in Vulkan 1.2), reachable only through vkCreateRenderPass2. Sample 0 is used: every
/// Vulkan 1.2 device supports it, and the compositor wants one depth per pixel, not an average
/// of a near edge and the far background.
///
/// Attachments: 0 multisampled colour, 1 multisampled depth, then (resolveColorInPass) 2 the eye's
/// colour target and 3 its depth target, or (explicit colour resolve) 2 the eye's depth target.
/// Single-subpass passes that differ only in resolve attachments are compatible, so the
/// renderer's pipelines draw in these passes too.
enum DepthOutputPasses {
    /// vkCreateRenderPass2 when the device offers it at the context's API version (1.2+), else nil.
    static func createRenderPass2(_ context: VulkanContext) -> PFN_vkCreateRenderPass2? {
        guard context.apiVersion >= exposure_vk_api_version_1_2() else { return nil }
        return context.deviceFunction("vkCreateRenderPass2", as: PFN_vkCreateRenderPass2.self)
    }

    static func make(_ device: VkDevice, _ create: PFN_vkCreateRenderPass2, _ colorFormat: VkFormat, _ depthFormat: VkFormat,
                     _ samples: VkSampleCountFlagBits, resolveColorInPass: Bool) throws -> VkRenderPass {
        let arena = CArena()
        func attachment(_ format: VkFormat, _ samples: VkSampleCountFlagBits, load: VkAttachmentLoadOp, store: VkAttachmentStoreOp,
                        initial: VkImageLayout, final: VkImageLayout) -> VkAttachmentDescription2 {
            var a = VkAttachmentDescription2()
            a.sType = VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2
            a.format = format
            a.samples = samples
            a.loadOp = load
            a.storeOp = store
            a.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE
            a.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE
            a.initialLayout = initial
            a.finalLayout = final
            return a
        }
        func reference(_ index: UInt32, _ layout: VkImageLayout, _ aspect: VkImageAspectFlagBits) -> UnsafePointer<VkAttachmentReference2> {
            var r = VkAttachmentReference2()
            r.sType = VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2
            r.attachment = index
            r.layout = layout
            r.aspectMask = aspect.rawValue
            return UnsafePointer(arena.put(r))
        }
        let colorLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL
        let depthLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL
        var attachments = [
            // Kept for vkCmdResolveImage when colour is not resolved in the pass.
            attachment(colorFormat, samples, load: VK_ATTACHMENT_LOAD_OP_CLEAR,
                       store: resolveColorInPass ? VK_ATTACHMENT_STORE_OP_DONT_CARE : VK_ATTACHMENT_STORE_OP_STORE,
                       initial: VK_IMAGE_LAYOUT_UNDEFINED, final: resolveColorInPass ? colorLayout : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL),
            attachment(depthFormat, samples, load: VK_ATTACHMENT_LOAD_OP_CLEAR, store: VK_ATTACHMENT_STORE_OP_DONT_CARE,
                       initial: VK_IMAGE_LAYOUT_UNDEFINED, final: depthLayout),
        ]
        if resolveColorInPass {
            attachments.append(attachment(colorFormat, VK_SAMPLE_COUNT_1_BIT, load: VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                          store: VK_ATTACHMENT_STORE_OP_STORE, initial: colorLayout, final: colorLayout))
        }
        // Every texel is written by the resolve, so what was there before does not matter.
        attachments.append(attachment(depthFormat, VK_SAMPLE_COUNT_1_BIT, load: VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                      store: VK_ATTACHMENT_STORE_OP_STORE, initial: VK_IMAGE_LAYOUT_UNDEFINED, final: depthLayout))
        let depthTargetIndex = UInt32(attachments.count - 1)

        var depthResolve = VkSubpassDescriptionDepthStencilResolve()
        depthResolve.sType = VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE
        // Same mode for both: devices without independentResolveNone require it even for depth-only formats.
        depthResolve.depthResolveMode = VK_RESOLVE_MODE_SAMPLE_ZERO_BIT
        depthResolve.stencilResolveMode = VK_RESOLVE_MODE_SAMPLE_ZERO_BIT
        depthResolve.pDepthStencilResolveAttachment = reference(depthTargetIndex, depthLayout, VK_IMAGE_ASPECT_DEPTH_BIT)

        var subpass = VkSubpassDescription2()
        subpass.sType = VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2
        subpass.pNext = UnsafeRawPointer(arena.put(depthResolve))
        subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS
        subpass.colorAttachmentCount = 1
        subpass.pColorAttachments = reference(0, colorLayout, VK_IMAGE_ASPECT_COLOR_BIT)
        subpass.pDepthStencilAttachment = reference(1, depthLayout, VK_IMAGE_ASPECT_DEPTH_BIT)
        if resolveColorInPass {
            subpass.pResolveAttachments = reference(2, colorLayout, VK_IMAGE_ASPECT_COLOR_BIT)
        }

        var dependency2 = VkSubpassDependency2()
        dependency2.sType = VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2
        let dependency = EyePassOrdering.dependency(dependency2)

        var info = VkRenderPassCreateInfo2()
        info.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2
        info.attachmentCount = UInt32(attachments.count)
        info.pAttachments = UnsafePointer(arena.put(attachments))
        info.subpassCount = 1
        info.pSubpasses = UnsafePointer(arena.put(subpass))
        info.dependencyCount = 1
        info.pDependencies = UnsafePointer(arena.put(dependency))
        var rp: VkRenderPass?
        try vkCheck("vkCreateRenderPass2", create(device, &info, nil, &rp))
        guard let pass = rp else { throw VulkanError.call(name: "vkCreateRenderPass2", result: "no render pass returned") }
        return pass
    }
}
