import ArgumentParser
import Foundation
import ExposureCore
import Recording
import SessionRuntime
import XR

/// `exposure demo`: the README's first command. A whole session of the bundled heights protocol on
/// the simulated headset (through the real OpenXR loader), with a scripted patient who habituates,
/// opts out with the grip gesture midway, consents and goes on. Writes the record, a report and a
/// BIDS export, and prints a summary.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a headless demo session on the simulated headset and write its record, report and export.",
        discussion: "The scripted demo is expected to end at the protocol's time limit (time_limit): it exits 0 when it ends "
            + "as --expect says. Any other outcome exits with the status `exposure session` uses: " + Outcome.helpText)

    @Option(help: "Directory of session records.")
    var sessions: String = ProcessInfo.processInfo.environment["EXPOSURE_SESSIONS"] ?? "sessions"

    @Option(help: "The protocol to run.")
    var protocolPath: String = "Protocols/heights-graded.yaml"

    @Option(help: "The scripted patient.")
    var patient: String = "Protocols/patients/demo-habituating.yaml"

    @Option(help: "Display rate of the simulated headset (virtual time: each frame advances the clock by one period, so a 35-minute protocol takes 4200 frames at 2 Hz).")
    var displayRate: Double = 2

    @Option(help: "Eye image size in pixels.")
    var eyeSize: Int = 160

    @Option(help: "Second of the session at which the patient holds both grips to opt out (negative: never).")
    var optOutAt: Double = 539

    @Option(help: "The outcome the scripted session should end with (time_limit for the bundled demo); the demo exits 0 when it does.")
    var expect: String = SessionState.timeLimit.rawValue

    @Flag(help: "Do not start the therapist console.")
    var noConsole = false

    func run() throws {
        let started = Date()
        let work = URL(fileURLWithPath: sessions).appendingPathComponent(".demo-headset")
        let optOut = optOutAt >= 0 ? optOutAt : nil
        // Capture the frame before and the frame after the opt-out, to show the safe room came at once.
        let optOutFrame = optOut.map { Int(($0 + 1.0) * displayRate) }
        let capture = URL(fileURLWithPath: sessions).appendingPathComponent("demo-frames")
        try SimulatedHeadsetSetup.install(
            script: SimulatedHeadsetSetup.demoScript(displayRateHz: displayRate, eyeSize: eyeSize, minutes: 36, optOutAt: optOut,
                                                     captureDirectory: capture.path,
                                                     captureFrames: [Int(displayRate * 60)] + (optOutFrame.map { [$0 - 2, $0 + 2] } ?? []),
                                                     logPath: work.appendingPathComponent("headset.log").path),
            in: work)
        var options = SessionOptions(protocolPath: protocolPath, participantID: "DEMO-001", sessionsDirectory: sessions)
        options.patientScript = try PatientScriptParser.load(path: patient)
        options.sound = false
        // The console listens on loopback on a free port while the demo runs: open it to watch.
        var console = ConsoleOptions()
        console.port = 0
        // The demo is a scripted patient with nobody watching, by design; said so in its record.
        console.supervised = false
        var xr = XRConfiguration()
        // The full renderer, without MSAA: lavapipe draws on the CPU, and the demo should take minutes, not hours.
        xr.makeRenderer = XRConfiguration.stereoRenderer(samples: 1)
        let outcome = try SessionLauncher.run(options, loop: OpenXRFrameLoop(configuration: xr), runtimeLabel: "Exposure Simulated Headset",
                                              console: noConsole ? nil : console)
        let status = Self.exitStatus(outcome, expected: expect)
        SessionLauncher.printOutcome(outcome, status: status)

        let store = try SessionStore(directory: URL(fileURLWithPath: sessions))
        let id = URL(fileURLWithPath: outcome.recordPath).lastPathComponent.replacingOccurrences(of: ".session.sqlite", with: "")
        let record = try store.read(id)
        let exportDir = URL(fileURLWithPath: sessions).appendingPathComponent("\(id)-bids")
        let exported = try RecordExporter.export(record, format: .bids, to: exportDir)
        let report = URL(fileURLWithPath: sessions).appendingPathComponent("\(id)-report.html")
        try SessionReport.write(record, to: report)

        let steps = ReportAnalysis.steps(record)
        print("")
        print("Demo summary")
        print("  record:   \(outcome.recordPath) (\(record.state.rawValue))")
        print("  outcome:  \(Outcome.describe(outcome))\(outcome.state == expect ? ", as expected" : "; expected \(expect)")")
        print("  length:   \(Self.clock(record.sessionLength)) of session time, \(record.poses.count) head poses, \(record.events.count) events, \(record.ratings.count) ratings")
        print("  steps:    \(steps.count) step periods; highest reached: \(steps.max { $0.number < $1.number }?.name ?? "none")")
        for s in steps {
            let peak = s.peakSUDS.map { "peak SUDS \(Int($0))" } ?? "no SUDS"
            let drop = s.reductionPercent.map { ", fell \(Int($0.rounded()))%" } ?? ""
            print("            \(s.number). \(s.name): \(Self.clock(s.end - s.start)), \(peak)\(drop)")
        }
        let safety = record.events.filter { $0.kind == EventKind.safety || $0.kind == EventKind.optOut
            || ($0.actor == .safety && $0.kind == EventKind.step) }
        for e in safety.prefix(8) { print("  safety:   \(Self.clock(e.sessionTime)) \(e.actor.rawValue): \(e.reason)") }
        print("  report:   \(report.path)")
        print("  BIDS:     \(exportDir.path) (\(exported.files.count) files)")
        print("  frames:   \(capture.path) (the safe room appears on the frame after the grips are held)")
        print("  took \(String(format: "%.0f", Date().timeIntervalSince(started))) s")
        if status != 0 { throw ExitCode(status) }
    }

    /// 0 when the session ended as expected (and without error); otherwise `exposure session`'s status.
    static func exitStatus(_ outcome: SessionOutcome, expected: String) -> Int32 {
        if outcome.error == nil, outcome.signal == nil, outcome.state == expected { return 0 }
        return Outcome.status(of: outcome)
    }

    static func clock(_ t: Double) -> String {
        let s = Int(t.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
