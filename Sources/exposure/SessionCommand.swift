import ArgumentParser
import Foundation
import ExposureCore
import SessionRuntime
import XR

/// `exposure session PROTOCOL`: a real session on the active OpenXR runtime (or desktop mode).
struct Session: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an exposure session on the active OpenXR runtime (SteamVR, Monado) or in desktop mode.")

    @Argument(help: "The protocol file, e.g. Protocols/heights-graded.yaml.")
    var protocolPath: String

    @Option(help: "Pseudonymous participant id (e.g. P-0042). Never a name.")
    var participant: String

    @Option(help: "Directory of session records (default: $EXPOSURE_SESSIONS or ./sessions).")
    var sessions: String = ProcessInfo.processInfo.environment["EXPOSURE_SESSIONS"] ?? "sessions"

    @Option(help: "Session number for this participant (1 = first session).")
    var sessionNumber: Int = 1

    @Option(help: "A scripted patient (docs/patient-script.md) instead of a real one: for rehearsals and tests.")
    var patient: String?

    @Option(help: "Seed for the environments (same seed, same world).")
    var seed: UInt64 = 1

    @Flag(help: "Play no sound.")
    var noSound = false

    @Flag(help: "Enable Vulkan validation (development).")
    var validation = false

    func run() throws {
        var options = SessionOptions(protocolPath: protocolPath, participantID: participant, sessionsDirectory: sessions)
        options.sessionNumber = sessionNumber
        options.seed = seed
        options.sound = !noSound
        if let patient { options.patientScript = try PatientScriptParser.load(path: patient) }
        var xr = XRConfiguration()
        xr.vulkanValidation = validation
        let outcome = try SessionLauncher.run(options, xr: xr, runtimeLabel: "OpenXR")
        SessionLauncher.printOutcome(outcome)
        if outcome.error != nil { throw ExitCode(2) }
    }
}

enum SessionLauncher {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Prepares the session, runs it on the OpenXR frame loop and closes the record.
    static func run(_ options: SessionOptions, xr: XRConfiguration, runtimeLabel: String,
                    mirror: MirrorView? = nil) throws -> SessionOutcome {
        var xr = xr
        // TODO(lead): plug the StereoRenderer adapter in once XR provides it.
        let loop = OpenXRFrameLoop(configuration: xr)
        let prepared: PreparedSession
        do {
            prepared = try PreparedSession(options, runtime: runtimeLabel, headset: "OpenXR headset", displayRateHz: 0, warn: warn)
        } catch let e as SessionSetupError {
            throw ValidationError(e.description)
        }
        print("session \(prepared.sessionID): protocol \(prepared.plan.id) \(prepared.plan.version), \(prepared.plan.steps.count) steps, participant \(options.participantID)")
        return SessionRunner(session: prepared, loop: loop, mirror: mirror).run()
    }

    static func printOutcome(_ o: SessionOutcome) {
        print("session ended as \(o.state) after \(o.frames) frames; record: \(o.recordPath)")
        if let e = o.error { warn(e) }
    }
}
