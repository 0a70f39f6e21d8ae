// The simulated headset's script: display, head path, inputs, events, capture. JSON, documented
// in docs/simulated-headset.md. Read once per xrCreateInstance from $EXPOSURE_SIMHEADSET_CONFIG.
import Foundation
import SceneModel

struct HeadsetConfig: Decodable {
    /// Display refresh rate; one frame period is 1/displayRateHz seconds of virtual time.
    var displayRateHz: Double = 90
    /// Per-eye recommended image size.
    var width: Int = 64
    var height: Int = 64
    /// false: virtual time, frames as fast as the app submits. true: xrWaitFrame sleeps to the period.
    var realTime: Bool = false
    /// Interaction profile the simulated controllers present.
    var interactionProfile: String = "/interaction_profiles/oculus/touch_controller"
    /// Offer the stage reference space (false: only view and local, to test the app's fallback).
    var offerStage: Bool = true
    var headPath: [HeadKeyframe] = []
    var inputs: [ScriptedInput] = []
    var events: [ScriptedEvent] = []
    /// Directory for PNGs of submitted projection layers (frame-NNNNNN-eyeE.png); nil = no capture.
    var captureDirectory: String?
    /// Capture only these frame indices (nil = every frame).
    var captureFrames: [Int]?
    /// After this many submitted frames the runtime asks the app to exit (state STOPPING).
    var exitAfterFrames: Int?
    /// Log of states and frames (one line each); nil = stderr.
    var logPath: String?
    /// How xrWaitFrame reports `predictedDisplayPeriod`: fixed (always the display's period) or
    /// monado (the first frame's period a placeholder, then stretched to the app's cadence when it is slow).
    var pacing: Pacing = .fixed
    /// Virtual time only: while the script clock is in `from..<to`, each app frame takes `seconds`
    /// (the next predicted display time is the first vsync after it), as a slow app would.
    var appFrameTimes: [AppFrameTime] = []
    /// The name xrGetSystemProperties gives the headset.
    var systemName = "Exposure Simulated Headset"
    /// Offer XR_FB_display_refresh_rate with these rates (Hz); `displayRateHz` is the current one. nil: not offered.
    var refreshRates: [Double]?

    /// xrCreateSession fails with XR_ERROR_INITIALIZATION_FAILED, as a runtime whose compositor
    /// cannot start does (the instance and system still work).
    var compositorFails = false
    /// Once a scripted lossPending or sessionLost has fired, xrCreateSession fails as with
    /// `compositorFails`: the app's recreate attempts (and their backoff) run with no frames.
    var compositorFailsAfterLoss = false

    enum Pacing: String, Decodable { case fixed, monado }

    /// Monado's placeholder period for a session's first frame (62.5 Hz).
    static let placeholderPeriodNanoseconds: Int64 = 16_000_000

    /// Seconds one app frame takes at script time `t`, when the script slows the app then.
    func appFrameSeconds(at t: Double) -> Double? {
        appFrameTimes.last { t >= $0.from && t < $0.to }?.seconds
    }

    enum CodingKeys: String, CodingKey {
        case displayRateHz, width, height, realTime, interactionProfile, offerStage, headPath, inputs, events
        case captureDirectory, captureFrames, exitAfterFrames, logPath, pacing, appFrameTimes, systemName, refreshRates, compositorFails
        case compositorFailsAfterLoss
    }
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        displayRateHz = try c.decodeIfPresent(Double.self, forKey: .displayRateHz) ?? 90
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 64
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? 64
        realTime = try c.decodeIfPresent(Bool.self, forKey: .realTime) ?? false
        interactionProfile = try c.decodeIfPresent(String.self, forKey: .interactionProfile) ?? interactionProfile
        offerStage = try c.decodeIfPresent(Bool.self, forKey: .offerStage) ?? true
        headPath = try c.decodeIfPresent([HeadKeyframe].self, forKey: .headPath) ?? []
        inputs = try c.decodeIfPresent([ScriptedInput].self, forKey: .inputs) ?? []
        events = try c.decodeIfPresent([ScriptedEvent].self, forKey: .events) ?? []
        captureDirectory = try c.decodeIfPresent(String.self, forKey: .captureDirectory)
        captureFrames = try c.decodeIfPresent([Int].self, forKey: .captureFrames)
        exitAfterFrames = try c.decodeIfPresent(Int.self, forKey: .exitAfterFrames)
        logPath = try c.decodeIfPresent(String.self, forKey: .logPath)
        pacing = try c.decodeIfPresent(Pacing.self, forKey: .pacing) ?? .fixed
        appFrameTimes = try c.decodeIfPresent([AppFrameTime].self, forKey: .appFrameTimes) ?? []
        systemName = try c.decodeIfPresent(String.self, forKey: .systemName) ?? systemName
        refreshRates = try c.decodeIfPresent([Double].self, forKey: .refreshRates)
        compositorFails = try c.decodeIfPresent(Bool.self, forKey: .compositorFails) ?? false
        compositorFailsAfterLoss = try c.decodeIfPresent(Bool.self, forKey: .compositorFailsAfterLoss) ?? false
        guard displayRateHz > 0, width > 0, height > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "displayRateHz, width and height must be > 0"))
        }
    }

    var periodNanoseconds: Int64 { Int64((1e9 / displayRateHz).rounded()) }

    /// Head pose at `t` seconds: linear interpolation of position, yaw and pitch between keyframes.
    func headPose(at t: Double) -> Pose {
        guard let first = headPath.first else { return Pose(position: Vec3(0, 1.6, 0)) }
        if t <= first.t { return first.pose }
        for (a, b) in zip(headPath, headPath.dropFirst()) where t <= b.t {
            let span = b.t - a.t
            let f = Float(span > 0 ? (t - a.t) / span : 1)
            let p = a.positionVector + (b.positionVector - a.positionVector) * f
            let yaw = a.yawDegrees + (b.yawDegrees - a.yawDegrees) * f
            let pitch = a.pitchDegrees + (b.pitchDegrees - a.pitchDegrees) * f
            return Pose(position: p, orientation: .yawPitch(yaw: yaw * .pi / 180, pitch: pitch * .pi / 180))
        }
        return headPath[headPath.count - 1].pose
    }

    static func load() -> (HeadsetConfig, String?) {
        guard let path = ProcessInfo.processInfo.environment["EXPOSURE_SIMHEADSET_CONFIG"], !path.isEmpty else {
            return (HeadsetConfig(), nil)
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return (try JSONDecoder().decode(HeadsetConfig.self, from: data), nil)
        } catch {
            return (HeadsetConfig(), "simulated headset: cannot read config \(path): \(error)")
        }
    }
}

/// A stretch of script time in which the app's frames take `seconds` each.
struct AppFrameTime: Decodable {
    var from: Double
    var to: Double
    var seconds: Double
}

struct HeadKeyframe: Decodable {
    var t: Double
    var position: [Float]
    var yawDegrees: Float = 0
    var pitchDegrees: Float = 0
    enum CodingKeys: String, CodingKey { case t, position, yawDegrees, pitchDegrees }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        t = try c.decode(Double.self, forKey: .t)
        position = try c.decode([Float].self, forKey: .position)
        guard position.count == 3 else {
            throw DecodingError.dataCorruptedError(forKey: .position, in: c, debugDescription: "position needs 3 numbers [x, y, z] in metres")
        }
        yawDegrees = try c.decodeIfPresent(Float.self, forKey: .yawDegrees) ?? 0
        pitchDegrees = try c.decodeIfPresent(Float.self, forKey: .pitchDegrees) ?? 0
    }
    var positionVector: Vec3 { Vec3(position[0], position[1], position[2]) }
    var pose: Pose {
        Pose(position: positionVector, orientation: .yawPitch(yaw: yawDegrees * .pi / 180, pitch: pitchDegrees * .pi / 180))
    }
}

/// An input held from `from` to `to` seconds: `value` for buttons/triggers, `x`/`y` for thumbsticks/trackpads.
struct ScriptedInput: Decodable {
    var path: String
    var from: Double
    var to: Double
    var value: Float?
    var x: Float?
    var y: Float?

    func active(at t: Double) -> Bool { t >= from && t < to }

    /// The value this input gives a binding path, or nil if it does not drive it.
    /// "/user/hand/left/input/thumbstick" with x/y drives ".../thumbstick", ".../thumbstick/x" and ".../thumbstick/y";
    /// ".../squeeze/value" also drives the implicit ".../squeeze" and ".../squeeze/click".
    func drive(binding: String) -> (scalar: Float, vector: SIMD2<Float>)? {
        let vector = SIMD2<Float>(x ?? 0, y ?? 0)
        let scalar = value ?? (y ?? 0)
        if binding == path { return (scalar, vector) }
        if binding.hasPrefix(path + "/") {
            switch binding.dropFirst(path.count + 1) {
            case "x": return (vector.x, vector)
            case "y": return (vector.y, vector)
            default: return (scalar, vector)
            }
        }
        // A component's value drives its siblings (value <-> click/force) and the implicit component path.
        let parts = path.split(separator: "/")
        guard let last = parts.last, ["value", "click", "force"].contains(last) else { return nil }
        let stem = "/" + parts.dropLast().joined(separator: "/")
        if binding == stem || ["value", "click", "force"].contains(where: { binding == stem + "/" + $0 }) {
            return (scalar, vector)
        }
        return nil
    }
}

/// Something the headset does at time `t`: headsetOff (FOCUSED -> VISIBLE), headsetOn (-> FOCUSED),
/// lossPending (session lost: LOSS_PENDING), sessionLost (frame calls fail with XR_ERROR_SESSION_LOST,
/// no state event first), exitRequest (the runtime asks the app to stop: STOPPING).
/// debugMessage: the runtime reports `message` as a validation warning to the app's XR_EXT_debug_utils messengers.
struct ScriptedEvent: Decodable {
    enum Kind: String, Decodable { case headsetOff, headsetOn, lossPending, sessionLost, exitRequest, debugMessage }
    var t: Double
    var kind: Kind
    var message: String?
}
