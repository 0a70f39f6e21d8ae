import CVulkan

/// The GPU's own time for one submitted frame, from two timestamps around its commands
/// (VK_QUERY_TYPE_TIMESTAMP): what the frame cost the GPU, beside the CPU time and the runtime's
/// timing. Absent (nil) where the queue has no timestamps.
final class GPUTimer {
    private let device: VkDevice
    private let pool: VkQueryPool
    private let nanosecondsPerTick: Double
    private let validMask: UInt64

    init?(context: VulkanContext) {
        var count: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(context.physicalDevice, &count, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(count))
        vkGetPhysicalDeviceQueueFamilyProperties(context.physicalDevice, &count, &families)
        let index = Int(context.queueFamilyIndex)
        guard index < families.count else { return nil }
        let bits = families[index].timestampValidBits
        let period = Double(context.properties.limits.timestampPeriod)
        guard bits > 0, period > 0 else { return nil }
        var info = VkQueryPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO
        info.queryType = VK_QUERY_TYPE_TIMESTAMP
        info.queryCount = 2
        var made: VkQueryPool?
        guard vkCreateQueryPool(context.device, &info, nil, &made) == VK_SUCCESS, let made else { return nil }
        device = context.device; pool = made; nanosecondsPerTick = period
        validMask = bits >= 64 ? UInt64.max : (UInt64(1) << UInt64(bits)) - 1
    }

    deinit { vkDestroyQueryPool(device, pool, nil) }

    /// First command of the frame.
    func start(_ cmd: VkCommandBuffer) {
        vkCmdResetQueryPool(cmd, pool, 0, 2)
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0)
    }

    /// Last command of the frame.
    func stop(_ cmd: VkCommandBuffer) {
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1)
    }

    /// Milliseconds between the two timestamps; call after the frame's fence has signalled.
    func milliseconds() -> Double? {
        var ticks = [UInt64](repeating: 0, count: 2)
        let result = ticks.withUnsafeMutableBytes { buf in
            vkGetQueryPoolResults(device, pool, 0, 2, buf.count, buf.baseAddress, 8, VK_QUERY_RESULT_64_BIT.rawValue)
        }
        guard result == VK_SUCCESS else { return nil }
        let elapsed = (ticks[1] &- ticks[0]) & validMask
        return Double(elapsed) * nanosecondsPerTick / 1e6
    }
}
