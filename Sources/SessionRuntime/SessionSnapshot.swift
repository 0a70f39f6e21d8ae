// What the therapist console and observers see, published by the frame thread after each frame.
// A plain value copied under a lock: readers never touch frame-thread state.
import Foundation
import ExposureCore

public struct SessionSnapshot: Sendable {
    public struct Point: Sendable, Equatable { public var time: Double; public var value: Double }
    public var sessionTime: Double = 0
    /// Predicted display time of the frame this snapshot describes.
    public var displayTimeNs: Int64?
    public var state: String = "not started"
    public var stateCode: String = "not_started"
    public var stepIndex: Int?
    public var stepTitle: String?
    public var stepCount: Int = 0
    public var intensity: Double = 0
    public var environment: String = ""
    public var showing: String = ""
    /// Live environment parameter values, by name (numbers as numbers, choices as text).
    public var parameters: [String: ParameterValue] = [:]
    /// What the engine asks each parameter to be (the live values move toward these).
    public var parameterTargets: [String: ParameterValue] = [:]
    /// Parameters held regardless of the level, and by whom (the engine's target).
    public var pinned: [String: PinSource] = [:]
    public var sudsHistory: [Point] = []
    public var fmsHistory: [Point] = []
    public var intensityHistory: [Point] = []
    public var heartRate: Double?
    /// Where heart rate comes from ("LSL stream ...", "the patient script"); nil when there is no
    /// source and the heart-rate rule cannot act.
    public var heartRateSource: String?
    public var framesPerSecond: Double = 0
    public var cpuMsPerFrame: Double = 0
    public var missedFrames: Int = 0
    public var frameRateHealthy = true
    public var therapistConnected = false
    /// Ordinary inputs the full mailbox refused since the session began (their senders were told).
    public var refusedInputs = 0
    /// No frames are running: the watchdog is applying the safety rules meanwhile.
    public var watchdogActive = false
    public struct Alert: Sendable, Equatable {
        public enum Kind: String, Sendable { case optOut = "opt_out", safety, linkLoss = "link_loss", info }
        public var id: Int
        public var kind: Kind
        public var message: String
        public var time: Double
    }
    /// Recent opt-outs, safety actions and refusals, newest last.
    public var alerts: [Alert] = []
    /// Console command ids applied so far (most recent 64), so a console sees its command took effect.
    public var appliedCommandIDs: [String] = []
    /// The highest console command sequence number applied (commands are numbered as accepted).
    public var lastAppliedCommandSeq: UInt64 = 0
    /// A short text the therapist asked to show the patient, and when.
    /// The therapist's message while it is on the patient's screen (nil once its reading time is up).
    public var patientMessage: String?
    public var prompts: [String] = []
    public var maxIntensityChange: Double = 100
    public var ended = false
    /// The outcome's code once the session ended (EndReason raw value).
    public var outcome: String?
    public var awaitingConsent = false
    public var consentGiven = false
    public init() {}
}

public final class SnapshotBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var current = SessionSnapshot()
    public init() {}
    public func publish(_ s: SessionSnapshot) { lock.lock(); current = s; lock.unlock() }
    public var latest: SessionSnapshot { lock.lock(); defer { lock.unlock() }; return current }
}
