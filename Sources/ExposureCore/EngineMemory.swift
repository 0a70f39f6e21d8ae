// Everything the engine remembers between inputs, as one plain value. Two engines with equal
// memory (and the same protocol) behave identically, so the exhaustive safety check can copy an
// engine at any point and merge paths that reach the same memory.

public struct EngineMemory: Hashable, Sendable {
    public internal(set) var state: EngineState = .notStarted
    public internal(set) var intensity: Double = 0
    /// Parameters the therapist holds at a value (cleared when the step changes or safety steps down).
    public internal(set) var therapistPins: [String: ParameterValue] = [:]
    public internal(set) var progress = StepProgress()
    public internal(set) var heartRateBaseline: Double?
    public internal(set) var lastStep: Int?
    public internal(set) var latestFMS: Double?

    /// Latest time seen (ticks and inputs); never goes backwards.
    var now: Double?
    var lastTick: Double?
    var sessionStart = 0.0
    var firedEvents: Set<Int> = []
    var nextSUDSPrompt: Double?
    var nextFMSPrompt: Double?
    var askedExpectancyAfter = false
    var newSUDSAtCeiling: Double?
    var newFMSOverStop: Double?
    var heartRate: Double?
    var baseline = BaselineSamples()
    var lastHeartRateStepDown: Double?
    var linkLostSince: Double?
    var poorFrameRateSince: Double?
    /// After an opt-out: whether the patient has agreed to carry on.
    var consentAfterOptOut = false
    /// Where the patient left when they opted out; the return is at least one step lower.
    var optOutFrom: Int?
    /// The lowest level the therapist set while the patient was away; the return is not above it.
    var returnCeiling: Double?
    var escalationHeldReported = false
    var therapistRises: [TimedRise] = []
    var commandWindow = CommandWindow()

    public init() {}
}

struct BaselineSamples: Hashable, Sendable {
    var sum = 0.0
    var count = 0
    var first: Double?
}

struct TimedRise: Hashable, Sendable {
    var time: Double
    var amount: Double
}

struct CommandWindow: Hashable, Sendable {
    var start = 0.0
    var count = 0
    var dropped = 0
}
