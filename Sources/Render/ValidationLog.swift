import CVulkan
import Foundation

/// Collects the validation layer's warnings and errors (VK_EXT_debug_utils). Tests assert it stays
/// empty; the runtime logs what it holds. Thread-safe: the layer may call from driver threads.
final class ValidationLog {
    private let lock = NSLock()
    private var stored: [String] = []

    var messages: [String] { lock.lock(); defer { lock.unlock() }; return stored }

    func append(_ message: String) { lock.lock(); stored.append(message); lock.unlock() }
    func clear() { lock.lock(); stored.removeAll(); lock.unlock() }

    /// The create info for a messenger that feeds this log (warnings and errors only).
    func messengerCreateInfo() -> VkDebugUtilsMessengerCreateInfoEXT {
        var info = VkDebugUtilsMessengerCreateInfoEXT()
        info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue
        info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue
        info.pfnUserCallback = validationCallback
        info.pUserData = Unmanaged.passUnretained(self).toOpaque()
        return info
    }
}

private let validationCallback: PFN_vkDebugUtilsMessengerCallbackEXT = { severity, _, data, userData in
    guard let userData = userData else { return VkBool32(VK_FALSE) }
    let log = Unmanaged<ValidationLog>.fromOpaque(userData).takeUnretainedValue()
    let text = data?.pointee.pMessage.map { String(cString: $0) } ?? "(no message text)"
    let level = severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue != 0 ? "error" : "warning"
    log.append("[\(level)] \(text)")
    return VkBool32(VK_FALSE)
}
