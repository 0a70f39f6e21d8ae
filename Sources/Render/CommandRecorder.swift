import CVulkan

/// One command buffer and the fence that tells when the GPU has finished it.
/// With `pool: nil` it makes its own resettable pool (the renderer's per-frame buffer).
final class CommandRecorder {
    let context: VulkanContext
    let buffer: VkCommandBuffer
    private let pool: VkCommandPool
    private let ownsPool: Bool
    private let fence: VkFence

    init(context: VulkanContext, pool existing: VkCommandPool?) throws {
        self.context = context
        let device = context.device
        if let existing = existing {
            pool = existing; ownsPool = false
        } else {
            var info = VkCommandPoolCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
            info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue
            info.queueFamilyIndex = context.queueFamilyIndex
            var p: VkCommandPool?
            try vkCheck("vkCreateCommandPool", vkCreateCommandPool(device, &info, nil, &p))
            guard let made = p else { throw VulkanError.call(name: "vkCreateCommandPool", result: "no pool returned") }
            pool = made; ownsPool = true
        }
        var alloc = VkCommandBufferAllocateInfo()
        alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        alloc.commandPool = pool
        alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        alloc.commandBufferCount = 1
        var cb: VkCommandBuffer?
        let allocResult = vkAllocateCommandBuffers(device, &alloc, &cb)
        var fenceInfo = VkFenceCreateInfo()
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        var f: VkFence?
        let fenceResult = vkCreateFence(device, &fenceInfo, nil, &f)
        guard allocResult.rawValue >= 0, let cmd = cb, fenceResult.rawValue >= 0, let madeFence = f else {
            if let cmd = cb { var c: VkCommandBuffer? = cmd; vkFreeCommandBuffers(device, pool, 1, &c) }
            if let made = f { vkDestroyFence(device, made, nil) }
            if ownsPool { vkDestroyCommandPool(device, pool, nil) }
            throw allocResult.rawValue < 0
                ? VulkanError.call(name: "vkAllocateCommandBuffers", result: vkResultName(allocResult))
                : VulkanError.call(name: "vkCreateFence", result: vkResultName(fenceResult))
        }
        buffer = cmd
        fence = madeFence
    }

    deinit {
        let device = context.device
        // submitAndWait always waits, so nothing recorded here is still running.
        vkDestroyFence(device, fence, nil)
        var cmd: VkCommandBuffer? = buffer
        vkFreeCommandBuffers(device, pool, 1, &cmd)
        if ownsPool { vkDestroyCommandPool(device, pool, nil) }
    }

    func begin() throws {
        try vkCheck("vkResetCommandBuffer", vkResetCommandBuffer(buffer, 0))
        var info = VkCommandBufferBeginInfo()
        info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue
        try vkCheck("vkBeginCommandBuffer", vkBeginCommandBuffer(buffer, &info))
    }

    func submitAndWait() throws {
        try vkCheck("vkEndCommandBuffer", vkEndCommandBuffer(buffer))
        try vkCheck("vkResetFences", vkResetFences(context.device, 1, [fence]))
        var cmd: VkCommandBuffer? = buffer
        try withUnsafePointer(to: &cmd) { cmdPtr in
            var submit = VkSubmitInfo()
            submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            submit.commandBufferCount = 1
            submit.pCommandBuffers = cmdPtr
            try vkCheck("vkQueueSubmit", vkQueueSubmit(context.queue, 1, &submit, fence))
        }
        try vkCheck("vkWaitForFences", vkWaitForFences(context.device, 1, [fence], VkBool32(VK_TRUE), UInt64.max))
    }
}
