// The live picture of a session that the server streams to every connection.

/// Session state as shown to the therapist.
public enum SessionPhase: String, Sendable, Codable {
    case starting
    case running
    case paused
    /// The patient opted out: the safe room is shown; intensity cannot be raised.
    case optedOut = "opted_out"
    case ended
}

public struct StepInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var count: Int
    public var name: String
    public init(index: Int, count: Int, name: String) {
        self.index = index
        self.count = count
        self.name = name
    }
}

/// A rating (SUDS 0-100 or FMS 0-20) at a time in seconds since the session started.
public struct TimedRating: Sendable, Codable, Equatable {
    public var t: Double
    public var value: Double
    public init(t: Double, value: Double) {
        self.t = t
        self.value = value
    }
}

/// Intensity at a time, for the console's chart.
public typealias TimedValue = TimedRating

public struct FrameHealth: Sendable, Codable, Equatable {
    /// Frames per second over the last second.
    public var frameRate: Double
    /// Frames that missed their display time since the session started.
    public var missedFrames: Int
    /// CPU time of the last frame, in milliseconds.
    public var cpuMilliseconds: Double

    public init(frameRate: Double, missedFrames: Int, cpuMilliseconds: Double) {
        self.frameRate = frameRate
        self.missedFrames = missedFrames
        self.cpuMilliseconds = cpuMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case frameRate = "frame_rate"
        case missedFrames = "missed_frames"
        case cpuMilliseconds = "cpu_ms"
    }
}

/// Something the therapist must see now: an opt-out, a safety rule, a lost link.
public struct SessionAlert: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case optOut = "opt_out"
        case safetyRule = "safety_rule"
        case linkLoss = "link_loss"
        /// The session record cannot be written (disk full, I/O error).
        case record
        case info
    }
    public var id: Int
    public var kind: Kind
    public var message: String
    public var t: Double

    public init(id: Int, kind: Kind, message: String, t: Double) {
        self.id = id
        self.kind = kind
        self.message = message
        self.t = t
    }
}

/// Whether the patient's sound is actually playing, so the console can say when the volume and
/// mute controls have nothing to act on.
public enum AudioOutputStatus: String, Sendable, Codable {
    /// A sound device is open and playing the session.
    case playing
    /// The session started without a sound device; volume and mute are remembered only.
    case noDevice = "no_device"
    /// The device failed during the session (unplugged headphones); the session went on silent.
    case failed
}

public struct Telemetry: Sendable, Codable, Equatable {
    /// Pseudonymous session id; never a participant's name.
    public var sessionId: String
    public var state: SessionPhase
    /// Seconds since the session started.
    public var elapsed: Double
    public var step: StepInfo
    public var intensity: Double
    /// Largest intensity change the protocol allows without the therapist's confirmation.
    public var intensityStepLimit: Double
    /// Live numeric parameters by name (choices left out); kept for older consoles, see `world`.
    public var parameters: [String: Double]
    /// Every parameter of the world the patient is in, numbers and choices, with unit and who
    /// holds it, in the environment definition's order.
    public var world: [WorldParameter]
    public var intensityHistory: [TimedValue]
    public var suds: [TimedRating]
    public var fms: [TimedRating]
    public var heartRate: Double?
    public var frameHealth: FrameHealth
    public var alerts: [SessionAlert]
    /// Sequence of the last command the frame loop applied (see CommandOutcome.accepted).
    public var lastAppliedCommandSeq: UInt64
    public var therapistConnected: Bool
    /// The last message shown to the patient, if one is on screen.
    public var patientMessage: String?
    /// The therapist's master volume, 0...1.
    public var volume: Double
    /// True while the therapist has muted the patient's sound.
    public var muted: Bool
    public var audioOutput: AudioOutputStatus
    /// Ratings the session is asking the patient for now ("suds", "fms", "expectancy_before", ...),
    /// so the therapist can type in a spoken answer.
    public var prompts: [String]
    /// How the session ended ("completed", "ended_by_therapist", "time_limit", "patient_stopped",
    /// "safety_stop", "aborted"); nil while it runs.
    public var outcome: String?
    /// The patient opted out and has not yet agreed to go on (the console offers "consented aloud").
    public var awaitingConsent: Bool
    /// The patient has agreed to go on after an opt-out: the therapist's Resume will work.
    public var consentGiven: Bool

    public init(
        sessionId: String, state: SessionPhase, elapsed: Double, step: StepInfo, intensity: Double,
        intensityStepLimit: Double, parameters: [String: Double] = [:], intensityHistory: [TimedValue] = [],
        suds: [TimedRating] = [], fms: [TimedRating] = [], heartRate: Double? = nil,
        frameHealth: FrameHealth, alerts: [SessionAlert] = [], lastAppliedCommandSeq: UInt64 = 0,
        therapistConnected: Bool = false, patientMessage: String? = nil,
        volume: Double = 1, muted: Bool = false, audioOutput: AudioOutputStatus = .playing, prompts: [String] = [],
        outcome: String? = nil, awaitingConsent: Bool = false, consentGiven: Bool = false, world: [WorldParameter] = []
    ) {
        self.world = world
        self.outcome = outcome
        self.awaitingConsent = awaitingConsent
        self.consentGiven = consentGiven
        self.sessionId = sessionId
        self.state = state
        self.elapsed = elapsed
        self.step = step
        self.intensity = intensity
        self.intensityStepLimit = intensityStepLimit
        self.parameters = parameters
        self.intensityHistory = intensityHistory
        self.suds = suds
        self.fms = fms
        self.heartRate = heartRate
        self.frameHealth = frameHealth
        self.alerts = alerts
        self.lastAppliedCommandSeq = lastAppliedCommandSeq
        self.therapistConnected = therapistConnected
        self.patientMessage = patientMessage
        self.volume = volume
        self.muted = muted
        self.audioOutput = audioOutput
        self.prompts = prompts
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case state, elapsed, step, intensity
        case intensityStepLimit = "intensity_step_limit"
        case parameters, world
        case intensityHistory = "intensity_history"
        case suds, fms
        case heartRate = "heart_rate"
        case frameHealth = "frame_health"
        case alerts
        case lastAppliedCommandSeq = "last_applied_command_seq"
        case therapistConnected = "therapist_connected"
        case patientMessage = "patient_message"
        case volume, muted
        case audioOutput = "audio_output"
        case prompts, outcome
        case awaitingConsent = "awaiting_consent"
        case consentGiven = "consent_given"
    }
}
