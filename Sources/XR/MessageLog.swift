// Collects validation messages (OpenXR core validation via XR_EXT_debug_utils, Vulkan validation
// via VK_EXT_debug_utils) so tests can fail on any and the app can log them.
import Foundation

public final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    public init() {}
    public func append(_ m: String) { lock.lock(); items.append(m); lock.unlock() }
    public var messages: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
