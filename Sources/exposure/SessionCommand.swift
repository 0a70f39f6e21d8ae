import ArgumentParser
import Foundation
import ExposureCore
import SessionRuntime
import XR

/// `exposure session PROTOCOL`: a real session on the active OpenXR runtime (or desktop mode).
struct Session: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an exposure session on the active OpenXR runtime (SteamVR, Monado) or in desktop mode.",
        discussion: "Ctrl-C or SIGTERM ends the session as aborted and closes its record. With the console, `codes` + Enter (or SIGUSR1) issues new pairing codes and prints them; the old ones stop working. " + Outcome.helpText)

    @Argument(help: "The protocol file, e.g. Protocols/heights-graded.yaml.")
    var protocolPath: String

    @Option(help: "Pseudonymous participant id (e.g. P-0042). Never a name.")
    var participant: String

    @Option(help: "Directory of session records (default: $EXPOSURE_SESSIONS or ./sessions).")
    var sessions: String = ProcessInfo.processInfo.environment["EXPOSURE_SESSIONS"] ?? "sessions"

    @Option(help: "Session number for this participant (1 = first session). Default: the participant's next free number in the sessions directory; a number already used is refused.")
    var sessionNumber: Int?

    @Option(help: "A scripted patient (docs/patient-script.md) instead of a real one: for rehearsals and tests.")
    var patient: String?

    @Option(help: "Seed for the environments (same seed, same world).")
    var seed: UInt64 = 1

    @Flag(help: "Play no sound.")
    var noSound = false

    @Flag(help: "Enable Vulkan validation (development).")
    var validation = false

    @Option(help: "Address the therapist console listens on. Anything but loopback needs TLS (--tls-cert/--tls-key or --tls-self-signed).")
    var listen: String = "127.0.0.1"

    @Option(help: "Port of the therapist console.")
    var port: Int = 8770

    @Option(help: "TLS certificate (PEM) for the console.")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM) for the console.")
    var tlsKey: String?

    @Flag(help: "Generate a self-signed TLS certificate for the console on first run (kept in the sessions directory).")
    var tlsSelfSigned = false

    @Flag(help: "Run without the therapist console.")
    var noConsole = false

    @Option(name: .customLong("allow-host"), help: "Another name the console answers to (repeatable), e.g. this station's name on the clinic's DNS. Requests naming any other host or page origin are refused.")
    var allowHosts: [String] = []

    @Flag(help: "A run meant to go unwatched (a scripted rehearsal or research run): nobody at the console does not count as a lost link. Said so in the record. Without it, with the console listening, the session is supervised from its start (see the protocol's require_therapist).")
    var unsupervised = false

    @Flag(help: "Lab Streaming Layer: publish the session's markers and head pose, and take heart rate from an LSL stream (docs/lab-streaming.md). Needs liblsl (a system package, or `pip install pylsl`).")
    var lsl = false

    @Option(help: "With --lsl: the LSL stream type heart rate is taken from.")
    var lslHeartRateType = "HeartRate"

    @Flag(help: "Desktop mode: no OpenXR runtime; the same frame loop renders offscreen, keys on stdin (o = opt out, p = pause, c = consent, r = resume, 0-9 = the asked rating (SUDS when none) at 0-90 % of its scale).")
    var desktop = false

    @Option(help: "Desktop mode: stop after this many frames (default: when the session ends).")
    var frames: Int?

    @Flag(help: "Desktop mode: show both eyes in an X11 window (needs $DISPLAY; keys go to the window). Without a display it renders offscreen and says so.")
    var window = false

    func run() throws {
        var options = SessionOptions(protocolPath: protocolPath, participantID: participant, sessionsDirectory: sessions)
        options.sessionNumber = sessionNumber
        options.seed = seed
        options.sound = !noSound
        if lsl { options.labStreamingHeartRateType = lslHeartRateType }
        if let patient { options.patientScript = try PatientScriptParser.load(path: patient) }
        var xr = XRConfiguration()
        xr.vulkanValidation = validation
        xr.makeRenderer = XRConfiguration.stereoRenderer(samples: 4)
        var console: ConsoleOptions?
        if !noConsole {
            var c = ConsoleOptions()
            c.host = listen; c.port = port; c.certificate = tlsCert; c.privateKey = tlsKey
            if tlsSelfSigned { c.selfSignedDirectory = URL(fileURLWithPath: sessions).appendingPathComponent(".tls").path }
            c.allowedHosts = allowHosts
            c.supervised = !unsupervised
            console = c
        }
        let loop: FrameLoop
        if desktop {
            var d = DesktopConfiguration()
            d.vulkanValidation = validation
            d.readKeyboard = !window
            d.window = window
            d.frameLimit = frames
            loop = DesktopFrameLoop(configuration: d)
        } else {
            loop = OpenXRFrameLoop(configuration: xr)
        }
        let outcome: SessionOutcome
        do {
            outcome = try SessionLauncher.run(options, loop: loop, runtimeLabel: desktop ? "desktop" : "OpenXR", console: console)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // A session that could not run is status 2 (see --help), said in one line without usage text.
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let status = Outcome.status(of: outcome)
        SessionLauncher.printOutcome(outcome, status: status)
        if status != 0 { throw ExitCode(status) }
    }
}

enum SessionLauncher {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Prepares the session, runs it on the OpenXR frame loop and closes the record.
    static func run(_ options: SessionOptions, loop: FrameLoop, runtimeLabel: String,
                    console: ConsoleOptions?) throws -> SessionOutcome {
        let prepared: PreparedSession
        do {
            prepared = try PreparedSession(options, runtime: runtimeLabel, headset: "OpenXR headset", displayRateHz: 0, warn: warn)
        } catch let e as SessionSetupError {
            throw ValidationError(e.description)
        }
        // A person reads these lines while the session runs, often through a pipe or a log file
        // (block-buffered by default): every line goes out as it is printed.
        setvbuf(stdout, nil, _IOLBF, 0)
        print("session \(prepared.sessionID): protocol \(prepared.plan.id) \(prepared.plan.version), \(prepared.plan.steps.count) steps, participant \(options.participantID)")
        var mirror: MirrorView?
        var host: ConsoleHost?
        if let console {
            mirror = MirrorView()
            do {
                let h = try ConsoleHost(session: prepared, mirror: mirror, options: console)
                _ = try h.start()
                print(h.instructions)
                fflush(stdout)
                host = h
            } catch {
                // The session must not start without its console when one was asked for.
                _ = try? prepared.finish()
                throw ValidationError("the therapist console could not start: \(error)")
            }
        }
        defer { host?.stop() }
        let runner = SessionRunner(session: prepared, loop: loop, mirror: mirror)
        let terminal = host.map { TerminalCommands(host: $0) }
        if let terminal {
            terminal.start(readStdin: !(loop is DesktopFrameLoop), bridge: runner.bridge)
            print(TerminalCommands.help)
        }
        defer { terminal?.cancel() }
        return runner.run()
    }

    /// `status` is the exit status the command will give (the demo's differs when it ended as expected).
    static func printOutcome(_ o: SessionOutcome, status: Int32) {
        print("session ended as \(o.state) after \(o.frames) frames; record: \(o.recordPath)")
        print("outcome: \(Outcome.describe(o)); exit status \(status)")
        if let e = o.error { warn(e) }
    }
}
