// Everything one session needs before its first frame: the protocol checked against the
// environment catalog, the engine, the world, the record (with content hashes of what is run),
// the sound, and the conductor that ties them together on the frame thread.
import Foundation
import ExposureCore
import Environments
import Recording
import SceneModel

public struct SessionOptions {
    public var protocolPath: String
    /// A pseudonym such as P-0042; names are refused by the record.
    public var participantID: String
    public var sessionsDirectory: String
    public var sessionID: String?
    public var sessionNumber = 1
    public var seed: UInt64 = 1
    public var patientScript: PatientScript?
    public var sound = true
    public var softwareVersion = "0.1.0"
    public init(protocolPath: String, participantID: String, sessionsDirectory: String) {
        self.protocolPath = protocolPath; self.participantID = participantID; self.sessionsDirectory = sessionsDirectory
    }
}

public enum SessionSetupError: Error, CustomStringConvertible {
    case environments(String)
    case invalidProtocol(ValidationFailure)
    public var description: String {
        switch self {
        case .environments(let why): return "cannot load the environment definitions: \(why)"
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
        let start = Date()
        sessionID = options.sessionID ?? PreparedSession.newSessionID(participant: options.participantID, at: start)

        var environmentHashes: [String: String] = [:]
        for name in catalog.vocabulary.names {
            if let file = catalog.definition(name)?.file, let hash = ContentHash.sha256Hex(file: file) {
                environmentHashes[name] = hash
            }
        }
        let metadata = SessionMetadata(
            sessionID: sessionID, participantID: options.participantID, sessionNumber: options.sessionNumber,
            protocolID: plan.id, protocolVersion: plan.version,
            protocolHash: ContentHash.sha256Hex(file: options.protocolPath) ?? "",
            environmentHashes: environmentHashes, softwareVersion: options.softwareVersion, seed: options.seed,
            runtimeName: runtime, headsetName: headset, displayRateHz: displayRateHz,
            startWallClock: start.timeIntervalSince1970)
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
