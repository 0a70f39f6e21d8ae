// An exposure protocol as a clinician writes it in Protocols/*.yaml: a graded hierarchy of steps
// in one environment, with the session's limits and the safety limits the supervisor enforces.

public struct ExposureProtocol: Equatable, Sendable {
    public var id: String
    public var title: String
    public var version: String
    /// Environment id from the vocabulary (heights, crowds, open_spaces).
    public var environment: String
    public var steps: [ProtocolStep]
    public var session: SessionLimits
    public var safety: SafetyLimits
    /// Where the file was read from, for messages.
    public var source: SourceLocation
    /// Parameters held for the whole session whatever the level (e.g. a research design that keeps
    /// the wind at 0 in every block).
    public var pinned: [String: ParameterValue]

    public init(id: String, title: String, version: String, environment: String, steps: [ProtocolStep],
                session: SessionLimits, safety: SafetyLimits, pinned: [String: ParameterValue] = [:],
                source: SourceLocation = SourceLocation(file: "<memory>", line: 1, column: 1)) {
        self.id = id; self.title = title; self.version = version; self.environment = environment
        self.steps = steps; self.session = session; self.safety = safety; self.pinned = pinned; self.source = source
    }
}

/// One item of the hierarchy.
public struct ProtocolStep: Equatable, Sendable {
    public var id: String
    public var title: String
    /// 0...100; nil keeps the intensity of the step before (or the session minimum for the first step).
    public var intensity: Double?
    /// What the patient meets at this step's intensity. Between steps the level interpolates
    /// (see IntensityModel); a parameter with no intensity order is held while at this step.
    public var parameters: [String: ParameterValue]
    /// Parameters held at these values while at this step, whatever the level.
    public var pinned: [String: ParameterValue]
    /// Seconds before any rule may move on.
    public var minDuration: Double
    /// Seconds after which the step moves on whatever the rule says; nil = no limit.
    public var maxDuration: Double?
    public var progression: ProgressionRule
    /// Seconds between SUDS prompts in this step (also asked on entering the step).
    public var sudsEvery: Double
    /// Environment events fired at a time after the step starts.
    public var events: [TimedEvent]

    public init(id: String, title: String, intensity: Double?, parameters: [String: ParameterValue] = [:],
                pinned: [String: ParameterValue] = [:],
                minDuration: Double = 0, maxDuration: Double? = nil, progression: ProgressionRule,
                sudsEvery: Double = 180, events: [TimedEvent] = []) {
        self.id = id; self.title = title; self.intensity = intensity; self.parameters = parameters
        self.pinned = pinned
        self.minDuration = minDuration; self.maxDuration = maxDuration; self.progression = progression
        self.sudsEvery = sudsEvery; self.events = events
    }
}

public struct TimedEvent: Equatable, Sendable {
    /// Seconds after the step starts.
    public var at: Double
    /// Event name the environment reacts to, e.g. `crowd_arrives`.
    public var name: String
    public init(at: Double, name: String) { self.at = at; self.name = name }
}

public struct SessionLimits: Equatable, Sendable {
    /// The session ends gracefully at this time (seconds).
    public var maxDuration: Double
    /// Bounds for every intensity, including therapist commands.
    public var minIntensity: Double
    public var maxIntensity: Double
    /// Seconds between FMS (cybersickness) prompts; nil = never asked.
    public var fmsEvery: Double?

    public init(maxDuration: Double, minIntensity: Double = 0, maxIntensity: Double = 100, fmsEvery: Double? = 60) {
        self.maxDuration = maxDuration; self.minIntensity = minIntensity; self.maxIntensity = maxIntensity
        self.fmsEvery = fmsEvery
    }
}

public struct SafetyLimits: Equatable, Sendable {
    /// A SUDS rating at or above this steps down one step.
    public var sudsCeiling: Double
    /// An FMS rating above this pauses the session.
    public var fmsStop: Double
    /// Heart rate above baseline by this many percent steps down one step.
    public var heartRateOverBaselinePercent: Double
    /// Seconds without the therapist's console before the patient is taken to the safe room.
    public var linkLossTimeout: Double
    /// Largest rise in intensity therapist commands may make within `escalationWindow` without `confirm`.
    public var maxIntensityChange: Double
    /// Seconds over which therapist rises are added up against `maxIntensityChange`.
    public var escalationWindow: Double
    /// How far intensity drops when stepping down from the first step.
    public var stepDownIntensity: Double
    /// Seconds after a safety step-down before the heart rate may cause another.
    public var heartRateCooldown: Double
    /// Seconds of poor frame rate (a cybersickness risk) before the session pauses.
    public var poorFrameRatePause: Double
    /// With the console listening, a session nobody has connected to counts as a lost link from
    /// its start (safe room after `linkLossTimeout`). Off only for runs meant to go unwatched.
    public var requireTherapist: Bool
    /// End the session (interrupted) at the first failed record write instead of after a gap of
    /// `SessionRecorder.maxGapSeconds`: for research runs that need a whole record.
    public var stopOnRecordFailure: Bool

    public init(sudsCeiling: Double, fmsStop: Double, heartRateOverBaselinePercent: Double, linkLossTimeout: Double,
                maxIntensityChange: Double, escalationWindow: Double = 10, stepDownIntensity: Double = 20,
                heartRateCooldown: Double = 60, poorFrameRatePause: Double = 10, requireTherapist: Bool = true,
                stopOnRecordFailure: Bool = false) {
        self.requireTherapist = requireTherapist
        self.stopOnRecordFailure = stopOnRecordFailure
        self.sudsCeiling = sudsCeiling; self.fmsStop = fmsStop
        self.heartRateOverBaselinePercent = heartRateOverBaselinePercent; self.linkLossTimeout = linkLossTimeout
        self.maxIntensityChange = maxIntensityChange; self.escalationWindow = escalationWindow
        self.stepDownIntensity = stepDownIntensity; self.heartRateCooldown = heartRateCooldown
        self.poorFrameRatePause = poorFrameRatePause
    }
}
