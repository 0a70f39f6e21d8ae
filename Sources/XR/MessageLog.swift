// Collects validation messages (OpenXR core validation via XR_EXT_debug_utils, Vulkan validation
// via VK_EXT_debug_utils) so tests can fail on any and the app can log them.
import Foundation

public final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    private var reported = 0
    private var seen: Set<String> = []
    public init() {}
    public func append(_ m: String) { lock.lock(); items.append(m); lock.unlock() }
    public var messages: [String] { lock.lock(); defer { lock.unlock() }; return items }
    /// Messages that arrived since the last call, each text only the first time it is seen: a
    /// layer repeating a warning every frame must not flood the terminal or the record.
    public func takeNew() -> [String] {
        lock.lock(); defer { lock.unlock() }
        guard reported < items.count else { return [] }
        let fresh = items[reported...].filter { seen.insert($0).inserted }
        reported = items.count
        return fresh
    }
}
