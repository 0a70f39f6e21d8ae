// Everything one session needs before its first frame: the protocol checked against the
// environment catalog, the engine, the world, the record (with content hashes of what is run),
// the sound, and the conductor that ties them together on the frame thread.
import Foundation
import ExposureCore
import Environments
import LabStreaming
import Recording
import SceneModel

public struct SessionOptions {
    public var protocolPath: String
    /// A pseudonym such as P-0042; names are refused by the record.
    public var participantID: String
    public var sessionsDirectory: String
    public var sessionID: String?
    /// The participant's session number; nil: the next free one in the sessions directory.
    public var sessionNumber: Int?
    public var seed: UInt64 = 1
    public var patientScript: PatientScript?
    public var sound = true
    public var softwareVersion = "0.1.0"
    /// Lab Streaming Layer: nil keeps it off; otherwise the session publishes markers and head
    /// pose and takes heart rate from an LSL stream of this type.
    public var labStreamingHeartRateType: String?
    public init(protocolPath: String, participantID: String, sessionsDirectory: String) {
        self.protocolPath = protocolPath; self.participantID = participantID; self.sessionsDirectory = sessionsDirectory
    }
}

public enum SessionSetupError: Error, CustomStringConvertible {
    case environments(String)
    case invalidProtocol(ValidationFailure)
    case labStreaming(String)
    case sessionNumberUsed(participant: String, number: Int, next: Int)
    public var description: String {
        switch self {
        case let .sessionNumberUsed(participant, number, next):
            return "--session-number \(number): \(participant) already has a session \(number) in this sessions directory; the next free number is \(next) (leave --session-number out to use it)"
        case .environments(let why): return "cannot load the environment definitions: \(why)"
        case .labStreaming(let why): return "Lab Streaming Layer was asked for (--lsl) and cannot start: \(why)"
        case .invalidProtocol(let f): return "the protocol has errors (fix them, then run again):\n\(f)"
        }
    }
}

public final class PreparedSession {
    public let options: SessionOptions
    public let plan: ExposureProtocol
    public let catalog: EnvironmentCatalog
    public let conductor: SessionConductor
    public let recorder: SessionRecorder
    public let store: SessionStore
    public let sessionID: String
    /// The participant's session number this record has.
    public let sessionNumber: Int
    public let sound: SessionSound?

    /// `runtime` and `headset` name what the frame loop runs on, for the record.
    public init(_ options: SessionOptions, runtime: String, headset: String, displayRateHz: Double,
                warn: @escaping (String) -> Void) throws {
        self.options = options
        do { catalog = try EnvironmentCatalog.bundled() } catch { throw SessionSetupError.environments("\(error)") }
        do {
            plan = try ProtocolParser.load(path: options.protocolPath, vocabulary: catalog.vocabulary)
        } catch let f as ValidationFailure {
            throw SessionSetupError.invalidProtocol(f)
        }
        store = try SessionStore(directory: URL(fileURLWithPath: options.sessionsDirectory))
        // Session numbers come from the store: the participant's next one, or the one asked for if free.
        let next = store.nextSessionNumber(for: options.participantID)
        if let asked = options.sessionNumber, store.sessionNumbers(of: options.participantID).contains(asked) {
            throw SessionSetupError.sessionNumberUsed(participant: options.participantID, number: asked, next: next)
        }
        sessionNumber = options.sessionNumber ?? next
        let start = Date()
        sessionID = options.sessionID ?? PreparedSession.newSessionID(participant: options.participantID, at: start)

        var environmentHashes: [String: String] = [:]
        for name in catalog.vocabulary.names {
            if let file = catalog.definition(name)?.file, let hash = ContentHash.sha256Hex(file: file) {
                environmentHashes[name] = hash
            }
        }
        let metadata = SessionMetadata(
            sessionID: sessionID, participantID: options.participantID, sessionNumber: sessionNumber,
            protocolID: plan.id, protocolVersion: plan.version,
            protocolHash: ContentHash.sha256Hex(file: options.protocolPath) ?? "",
            environmentHashes: environmentHashes, softwareVersion: options.softwareVersion, seed: options.seed,
            runtimeName: runtime, headsetName: headset, displayRateHz: displayRateHz,
            startWallClock: start.timeIntervalSince1970)
        // LSL before the record, so a station without liblsl leaves no half-started record.
        var library: LSLLibrary?
        if options.labStreamingHeartRateType != nil {
            do { library = try LSLLibrary.load() } catch { throw SessionSetupError.labStreaming("\(error)") }
        }
        recorder = try store.create(metadata)

        sound = options.sound ? SessionSound.open(warn: warn) : nil
        let vocabulary = catalog.vocabulary
        let engine = ExposureEngine(protocol: plan, parameterSpecs: vocabulary.parameters(of: plan.environment),
                                    eventNames: vocabulary.events(of: plan.environment))
        let world = EnvironmentWorld(catalog: catalog, seed: options.seed)
        conductor = SessionConductor(engine: engine, world: world, recorder: recorder, sound: sound)
        if let script = options.patientScript {
            conductor.patient = ScriptedPatient(script: script)
            if let baseline = script.heartRateBaseline {
                conductor.mailbox.post(SessionInput(.heartRateBaseline(bpm: baseline), from: .script))
            }
        }
        if let type = options.labStreamingHeartRateType, let library {
            let tap = try LabStreamingTap(library: library, sessionID: sessionID, displayRateHz: displayRateHz,
                                          inlets: [.init(streamType: type, recordKind: LabStreamingTap.Inlet.heartRate.recordKind)])
            conductor.lab = tap
            recorder.tapEvents { tap.marker($0) }
        }
        // Say where heart rate comes from; without a source the heart-rate rule cannot act.
        let heartRate = LabStreamingTap.Inlet.heartRate.recordKind
        if options.patientScript?.heartRate != nil {
            conductor.announceSource(kind: heartRate, source: "script", detail: "the patient script")
        } else if let type = options.labStreamingHeartRateType {
            conductor.announceSource(kind: heartRate, source: "none", detail: "waiting for an LSL stream of type \(type)")
        } else {
            conductor.announceSource(kind: heartRate, source: "none", detail: "no sensor: start the session with --lsl and an LSL heart-rate app")
        }
    }

    /// Closes the record with the engine's outcome (completed, ended_by_therapist, time_limit,
    /// patient_stopped, safety_stop, aborted) and the step reached; a session the engine never
    /// ended (the loop stopped: runtime lost, an error) is aborted.
    /// `state` overrides the engine's outcome (interrupted: the record could not be kept).
    @discardableResult
    public func finish(as override: SessionState? = nil) throws -> SessionState {
        if let done = finalState { return done }
        conductor.stopWatchdog()
        let state = override ?? PreparedSession.recordState(conductor.engine.state)
        finalState = state
        try recorder.finish(state: state, endStep: endStep, stepCount: plan.steps.count)
        sound?.engine.close()
        return state
    }

    /// How the record names an engine state once the session is over.
    public static func recordState(_ engineState: EngineState) -> SessionState {
        guard case .ended(let reason) = engineState else { return .aborted }
        return SessionState(rawValue: reason.rawValue) ?? .aborted
    }

    /// The state the record was closed with (nil until `finish()`).
    public private(set) var finalState: SessionState?

    /// The 1-based step the session had reached (nil before the first step).
    public var endStep: Int? { conductor.engine.lastStep.map { $0 + 1 } }

    public var recordPath: String { store.recordPath(for: sessionID) }

    static func newSessionID(participant: String, at date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss"
        let safe = participant.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" }
        return "\(String(String.UnicodeScalarView(safe)).prefix(32))-\(f.string(from: date))"
    }
}
