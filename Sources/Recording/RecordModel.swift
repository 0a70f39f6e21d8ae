// The record's own plain model. SessionRuntime maps engine events onto these; nothing here
// knows about the engine, OpenXR or Vulkan.
import Foundation

/// How a session ended (or that it has not yet). The ended cases carry the engine's outcome; their
/// raw values are ExposureCore's `EndReason` raw values, so the record and the engine agree.
public enum SessionState: String, Sendable, Codable, CaseIterable {
    case running
    /// The protocol's last step was done.
    case completed
    /// The therapist ended it.
    case therapist = "ended_by_therapist"
    /// The session time limit came first.
    case timeLimit = "time_limit"
    /// The patient opted out and did not go back.
    case patientStopped = "patient_stopped"
    /// It ended while a safety rule held the session.
    case safetyStop = "safety_stop"
    /// Stopped before the engine ended it (Ctrl-C, SIGTERM, the runtime lost, an error).
    case aborted
    /// The process died without finishing; set on the next start.
    case interrupted

    /// The outcome in plain words ("ended by the therapist").
    public var plainWords: String {
        switch self {
        case .running: return "still running"
        case .completed: return "completed"
        case .therapist: return "ended by the therapist"
        case .timeLimit: return "ended at the session time limit"
        case .patientStopped: return "stopped by the patient (opted out)"
        case .safetyStop: return "stopped by a safety rule"
        case .aborted: return "aborted (stopped before the protocol ended it)"
        case .interrupted: return "interrupted (the process died, or its record could not be written)"
        }
    }

    /// The outcome in plain words with the step reached, e.g. "ended by the therapist at step 2/8".
    /// `endStep` is 1-based; either number may be unknown (records written before they were kept).
    public func describe(endStep: Int?, stepCount: Int?) -> String {
        guard self != .running, let step = endStep else { return plainWords }
        return plainWords + " at step \(step)" + (stepCount.map { "/\($0)" } ?? "")
    }
}

public struct SessionMetadata: Sendable, Equatable {
    public var sessionID: String
    /// Pseudonymous participant id (e.g. "P-0042"); never a name.
    public var participantID: String
    /// Session number for this participant (BIDS `ses-<n>`).
    public var sessionNumber: Int
    public var protocolID: String
    public var protocolVersion: String
    public var protocolHash: String
    /// Environment id -> content hash of its definition.
    public var environmentHashes: [String: String]
    public var softwareVersion: String
    public var seed: UInt64
    public var runtimeName: String
    public var headsetName: String
    /// The display's refresh rate in Hz as the runtime states it or frame timing shows it (pose
    /// samples are taken once per frame).
    public var displayRateHz: Double
    /// What the runtime said about itself (empty when the record predates these fields or the
    /// runtime did not say): its version, the display rates on offer, the recommended per-eye
    /// size ("1832x1920"), the reference space ("stage" or "local") and the controllers' profile.
    public var runtimeVersion = ""
    public var displayRatesHz: [Double] = []
    public var recommendedViewSize = ""
    public var referenceSpace = ""
    public var interactionProfile = ""
    /// Wall clock at session start, seconds since 1970.
    public var startWallClock: Double

    public init(sessionID: String, participantID: String, sessionNumber: Int = 1,
                protocolID: String, protocolVersion: String, protocolHash: String,
                environmentHashes: [String: String] = [:], softwareVersion: String, seed: UInt64,
                runtimeName: String, headsetName: String, displayRateHz: Double = 90,
                startWallClock: Double = Date().timeIntervalSince1970) {
        self.sessionID = sessionID; self.participantID = participantID; self.sessionNumber = sessionNumber
        self.protocolID = protocolID; self.protocolVersion = protocolVersion; self.protocolHash = protocolHash
        self.environmentHashes = environmentHashes; self.softwareVersion = softwareVersion; self.seed = seed
        self.runtimeName = runtimeName; self.headsetName = headsetName; self.displayRateHz = displayRateHz
        self.startWallClock = startWallClock
    }

    private static func isSafeScalar(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "-" || s == "_"
    }

    /// Refuses ids that could identify a person: only letters, digits, dashes, underscores, with a digit.
    public static func validatePseudonym(_ id: String) throws {
        if id.contains(" ") {
            throw RecordError.notAPseudonym(reason: "it contains spaces, like a person's name; use a code such as P-0042")
        }
        guard !id.isEmpty, id.count <= 32, id.unicodeScalars.allSatisfy(isSafeScalar),
              id.contains(where: { $0.isNumber }) else {
            throw RecordError.notAPseudonym(
                reason: "use letters, digits and dashes with at least one digit, e.g. P-0042 (at most 32 characters)")
        }
    }

    /// Session ids become file names, so they are held to the same safe alphabet.
    public static func validateSessionID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 64, id.unicodeScalars.allSatisfy(isSafeScalar) else {
            throw RecordError.invalidSessionID(id)
        }
    }
}

/// Who caused an event. (ExposureCore has its own Actor for the engine; SessionRuntime maps one onto the
/// other, so refer to this one as Recording.Actor where both modules are imported.)
public enum Actor: String, Sendable, Codable, CaseIterable {
    case patient, therapist, `protocol`, safety, system
}

/// Event kinds the exports and the report understand; others are kept and exported as they are.
public enum EventKind {
    public static let state = "state"
    public static let step = "step"
    public static let intensity = "intensity"
    public static let parameter = "parameter"
    public static let command = "command"
    public static let safety = "safety"
    public static let optOut = "optout"
    public static let annotation = "annotation"
    /// Writing the record failed for a while and works again: how long, how many rows were lost, why.
    public static let recordGap = "record_gap"
}

public struct RecordedEvent: Sendable, Equatable {
    /// Sequence number assigned by the recorder (1, 2, ...); 0 until recorded.
    public var sequence: Int64
    /// Seconds since session start on the session clock.
    public var sessionTime: Double
    public var wallClock: Double
    /// OpenXR predicted display time of the frame the event belongs to, when there is one.
    public var displayTimeNs: Int64?
    public var kind: String
    public var actor: Actor
    public var reason: String
    /// Small JSON object, e.g. {"intensity": 40} or {"step": 2, "name": "balcony"}.
    public var payloadJSON: String

    public init(sequence: Int64 = 0, sessionTime: Double, wallClock: Double = Date().timeIntervalSince1970,
                displayTimeNs: Int64? = nil, kind: String, actor: Actor, reason: String = "", payloadJSON: String = "{}") {
        self.sequence = sequence; self.sessionTime = sessionTime; self.wallClock = wallClock
        self.displayTimeNs = displayTimeNs; self.kind = kind; self.actor = actor; self.reason = reason
        self.payloadJSON = payloadJSON
    }

    /// Builds the payload from plain values (numbers, strings, bools).
    public static func payload(_ values: [String: Any]) -> String {
        guard JSONSerialization.isValidJSONObject(values),
              let d = try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]),
              let s = String(data: d, encoding: .utf8) else { return "{}" }
        return s
    }

    /// The payload decoded as a JSON object (empty if it is not one).
    public var payload: [String: Any] {
        guard let d = payloadJSON.data(using: .utf8),
              let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return [:] }
        return o
    }

    /// A number from the payload, e.g. `number("intensity")`.
    public func number(_ key: String) -> Double? { (payload[key] as? NSNumber)?.doubleValue }
}

public enum RatingKind: String, Sendable, Codable, CaseIterable {
    case suds, fms
    case ssqPre = "ssq_pre"
    case ssqPost = "ssq_post"
    case expectancyBefore = "expectancy_before"
    case expectancyAfter = "expectancy_after"
}

public struct Rating: Sendable, Equatable {
    public var sessionTime: Double
    public var wallClock: Double
    public var displayTimeNs: Int64?
    public var kind: RatingKind
    /// SUDS 0-100, FMS 0-20, expectancy 0-100, SSQ total 0-235.62.
    public var value: Double
    /// Item answers (the 16 SSQ items in standard order); empty for single ratings.
    public var items: [Int]
    /// "headset" or "console" (ExposureCore.RatingSource).
    public var source: String

    public init(sessionTime: Double, wallClock: Double = Date().timeIntervalSince1970, displayTimeNs: Int64? = nil,
                kind: RatingKind, value: Double, items: [Int] = [], source: String = "headset") {
        self.sessionTime = sessionTime; self.wallClock = wallClock; self.displayTimeNs = displayTimeNs
        self.kind = kind; self.value = value; self.items = items; self.source = source
    }
}

/// Head pose at one displayed frame.
public struct PoseSample: Sendable, Equatable {
    public var displayTimeNs: Int64
    public var wallClock: Double
    public var position: SIMD3<Float>
    /// Orientation quaternion (x, y, z, w), OpenXR convention.
    public var orientation: SIMD4<Float>
    public init(displayTimeNs: Int64, wallClock: Double, position: SIMD3<Float>, orientation: SIMD4<Float>) {
        self.displayTimeNs = displayTimeNs; self.wallClock = wallClock
        self.position = position; self.orientation = orientation
    }
}

public struct FrameSample: Sendable, Equatable {
    public var index: Int64
    public var displayTimeNs: Int64
    public var cpuMs: Float
    public var missedFrames: Int32
    public init(index: Int64, displayTimeNs: Int64, cpuMs: Float, missedFrames: Int32) {
        self.index = index; self.displayTimeNs = displayTimeNs; self.cpuMs = cpuMs; self.missedFrames = missedFrames
    }
}

public struct PhysioSample: Sendable, Equatable {
    /// e.g. "heart_rate_bpm", "eda_us".
    public var kind: String
    public var value: Double
    public var sessionTime: Double
    public var wallClock: Double
    public init(kind: String, value: Double, sessionTime: Double, wallClock: Double = Date().timeIntervalSince1970) {
        self.kind = kind; self.value = value; self.sessionTime = sessionTime; self.wallClock = wallClock
    }
}
