// Process-wide state of the simulated headset: handles, the virtual clock, the script and the log.
// One lock guards everything; OpenXR calls may come from any app thread.
import COpenXR
import CVulkan
import Foundation
import SceneModel

final class SimInstance {
    var eventQueue: [SimEvent] = []
    var extensions: Set<String>
    var vkInstance: VkInstance?
    var vkPhysicalDevice: VkPhysicalDevice?
    init(extensions: Set<String>) { self.extensions = extensions }
}

enum SimEvent {
    case sessionState(session: UInt, state: XrSessionState, time: XrTime)
    case interactionProfileChanged(session: UInt)
}

final class SimSession {
    let instance: UInt
    var state: XrSessionState = XR_SESSION_STATE_IDLE
    var running = false
    var exitRequested = false
    var device: VkDevice?
    var queueFamily: UInt32 = 0
    var queueIndex: UInt32 = 0
    var attachedActionSets: [UInt] = []
    var lastSyncTime: XrTime = 0
    var previousSyncTime: XrTime = 0
    /// Frames begun since xrBeginSession; the first submission makes the session visible and focused.
    var framesEnded = 0
    var headsetOff = false
    /// Scripted abrupt loss: every frame call fails with XR_ERROR_SESSION_LOST.
    var lost = false
    var pendingFrameBegin = false
    var lastWaitedTime: XrTime = 0
    var focusedAtSync = false
    var capture: CaptureResources?
    var physicalDevice: VkPhysicalDevice?
    init(instance: UInt) { self.instance = instance }
}

final class SimSpace {
    let session: UInt
    let referenceType: XrReferenceSpaceType?
    let action: UInt?
    let subactionPath: XrPath
    let poseInSpace: Pose
    init(session: UInt, referenceType: XrReferenceSpaceType?, action: UInt?, subactionPath: XrPath, poseInSpace: Pose) {
        self.session = session; self.referenceType = referenceType; self.action = action
        self.subactionPath = subactionPath; self.poseInSpace = poseInSpace
    }
}

struct SimMessenger {
    let instance: UInt
    let callback: PFN_xrDebugUtilsMessengerCallbackEXT?
    let userData: UnsafeMutableRawPointer?
}

final class SimActionSet {
    let instance: UInt
    let name: String
    var attached = false
    init(instance: UInt, name: String) { self.instance = instance; self.name = name }
}

final class SimAction {
    let actionSet: UInt
    let name: String
    let type: XrActionType
    let subactionPaths: [XrPath]
    init(actionSet: UInt, name: String, type: XrActionType, subactionPaths: [XrPath]) {
        self.actionSet = actionSet; self.name = name; self.type = type; self.subactionPaths = subactionPaths
    }
}

final class SimRuntime {
    static let shared = SimRuntime()

    let lock = NSLock()
    var config = HeadsetConfig()
    private var nextHandle: UInt = 0x1000
    var instances: [UInt: SimInstance] = [:]
    var sessions: [UInt: SimSession] = [:]
    var spaces: [UInt: SimSpace] = [:]
    var swapchains: [UInt: SimSwapchain] = [:]
    var actionSets: [UInt: SimActionSet] = [:]
    var actions: [UInt: SimAction] = [:]
    /// Debug utils messengers: the app's callback, to deliver scripted `debugMessage` events.
    var messengers: [UInt: SimMessenger] = [:]
    /// Suggested bindings per instance: interaction profile path -> [(action, binding path)].
    var suggested: [UInt: [XrPath: [(action: UInt, binding: XrPath)]]] = [:]
    private var pathStrings: [String] = []
    private var pathIds: [String: XrPath] = [:]

    // The virtual clock is per process, so a recreated session continues the script rather than replaying it.
    static let epoch: XrTime = 1_000_000_000
    var framesWaited = 0
    var framesSubmitted = 0
    var firedEvents: Set<Int> = []
    /// A scripted loss has fired (for `compositorFailsAfterLoss`).
    var sessionWasLost = false
    var wallStart = Date()
    private var logHandle: FileHandle?
    private var loadedConfigPath: String??

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// A new config path starts a new script (fresh clock and log); the same path continues it,
    /// so an app that recreates its instance after a loss resumes where it was.
    func loadConfigIfChanged() {
        let path = ProcessInfo.processInfo.environment["EXPOSURE_SIMHEADSET_CONFIG"]
        if let loaded = loadedConfigPath, loaded == path { return }
        loadedConfigPath = .some(path)
        let (cfg, problem) = HeadsetConfig.load()
        config = cfg
        framesWaited = 0
        framesSubmitted = 0
        firedEvents = []
        sessionWasLost = false
        try? logHandle?.close()
        logHandle = nil
        if let path = cfg.logPath {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            logHandle = FileHandle(forWritingAtPath: path)
        }
        if let problem { log(problem) }
        if let dir = cfg.captureDirectory {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    func log(_ line: String) {
        let data = Data((line + "\n").utf8)
        if let logHandle { logHandle.write(data) } else { FileHandle.standardError.write(data) }
    }

    func newHandle() -> UInt { nextHandle += 1; return nextHandle }

    func path(_ string: String) -> XrPath {
        if let id = pathIds[string] { return id }
        pathStrings.append(string)
        let id = XrPath(pathStrings.count)
        pathIds[string] = id
        return id
    }
    func string(for path: XrPath) -> String? {
        guard path > 0, Int(path) <= pathStrings.count else { return nil }
        return pathStrings[Int(path) - 1]
    }

    var period: XrTime { config.periodNanoseconds }
    func seconds(at time: XrTime) -> Double { Double(time - SimRuntime.epoch) / 1e9 }

    /// Queue a state change for the session and log it (tests read the log).
    func setState(_ session: UInt, _ state: XrSessionState) {
        guard let s = sessions[session], s.state != state else { return }
        s.state = state
        let time = SimRuntime.epoch + XrTime(framesWaited) * period
        instances[s.instance]?.eventQueue.append(.sessionState(session: session, state: state, time: time))
        log("state \(stateName(state)) frame \(framesSubmitted)")
    }
}

func stateName(_ s: XrSessionState) -> String {
    switch s {
    case XR_SESSION_STATE_IDLE: return "IDLE"
    case XR_SESSION_STATE_READY: return "READY"
    case XR_SESSION_STATE_SYNCHRONIZED: return "SYNCHRONIZED"
    case XR_SESSION_STATE_VISIBLE: return "VISIBLE"
    case XR_SESSION_STATE_FOCUSED: return "FOCUSED"
    case XR_SESSION_STATE_STOPPING: return "STOPPING"
    case XR_SESSION_STATE_LOSS_PENDING: return "LOSS_PENDING"
    case XR_SESSION_STATE_EXITING: return "EXITING"
    default: return "UNKNOWN(\(s.rawValue))"
    }
}

// MARK: handle and C-string helpers

func handleValue(_ h: OpaquePointer?) -> UInt { UInt(bitPattern: h) }
func makeHandle(_ v: UInt) -> OpaquePointer? { OpaquePointer(bitPattern: v) }

/// Copy `string` into a fixed-size C char array (imported as a tuple), always NUL-terminated.
func setCString<T>(_ field: inout T, _ string: String) {
    withUnsafeMutableBytes(of: &field) { buf in
        let bytes = Array(string.utf8.prefix(buf.count - 1))
        buf.copyBytes(from: bytes)
        buf[bytes.count] = 0
    }
}
func readCString<T>(_ field: T) -> String {
    var copy = field
    return withUnsafeBytes(of: &copy) { buf in
        let bytes = buf.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The two-call idiom: report the count, and fill the array when the caller gave room for it.
func twoCall<T, U>(_ items: [T], capacity: UInt32, count: UnsafeMutablePointer<UInt32>?,
                   out: UnsafeMutablePointer<U>?, write: (UnsafeMutablePointer<U>, T) -> Void) -> XrResult {
    guard let count else { return XR_ERROR_VALIDATION_FAILURE }
    count.pointee = UInt32(items.count)
    if capacity == 0 { return XR_SUCCESS }
    guard let out else { return XR_ERROR_VALIDATION_FAILURE }
    if capacity < items.count { return XR_ERROR_SIZE_INSUFFICIENT }
    for (i, item) in items.enumerated() { write(out + i, item) }
    return XR_SUCCESS
}

func twoCallString(_ s: String, capacity: UInt32, count: UnsafeMutablePointer<UInt32>?, buffer: UnsafeMutablePointer<CChar>?) -> XrResult {
    let bytes = Array(s.utf8CString)
    return twoCall(bytes, capacity: capacity, count: count, out: buffer) { $0.pointee = $1 }
}

/// Walk a `next` chain for a struct of the given type.
func findInChain(_ next: UnsafeRawPointer?, _ type: XrStructureType) -> UnsafeRawPointer? {
    var p = next
    while let cur = p {
        let base = cur.assumingMemoryBound(to: XrBaseInStructure.self)
        if base.pointee.type == type { return cur }
        p = UnsafeRawPointer(base.pointee.next)
    }
    return nil
}
