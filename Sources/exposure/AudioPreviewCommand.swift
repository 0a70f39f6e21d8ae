import ArgumentParser
import Audio
import Foundation
import SceneModel

/// Renders the session sounds to a WAV file through OpenAL Soft's loopback device, so a
/// clinician or developer can listen to them (with headphones, for HRTF) without a headset.
struct AudioPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio-preview",
        abstract: "Render the environment sounds, circling the listener, to a WAV file (no headset or sound card needed).")

    @Argument(help: "WAV file to write.")
    var output: String

    @Option(help: "Sound kinds to include (\(SoundKind.allCases.map(\.rawValue).joined(separator: ", "))); all exposure sounds if not given.")
    var kind: [String] = []

    @Option(help: "Length in seconds (1-60).")
    var seconds: Double = 6

    @Option(help: "Switch to the safe room (as on pause or opt-out) after this many seconds.")
    var safeRoomAfter: Double?

    @Flag(help: "Plain stereo panning instead of HRTF.")
    var noHrtf = false

    func validate() throws {
        guard (1...60).contains(seconds) else { throw ValidationError("--seconds must be between 1 and 60, got \(seconds)") }
        for k in kind where SoundKind(rawValue: k) == nil {
            throw ValidationError("unknown sound kind \"\(k)\"; use one of \(SoundKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let kinds = kind.isEmpty ? SoundKind.allCases.filter { $0 != .roomTone } : kind.compactMap(SoundKind.init(rawValue:))
        let rate = 48000, framesPerUpdate = rate / 90
        let engine = try AudioEngine(output: .loopback(sampleRate: rate), hrtf: noHrtf ? .off : .on)
        let head = Pose(position: Vec3(0, 1.6, 0))
        var samples: [Float] = []
        samples.reserveCapacity(Int(seconds * Double(rate)) * 2)
        var t = 0.0
        while t < seconds {
            let emitters = kinds.enumerated().map { i, k in Self.circling(k, id: i, count: kinds.count, time: t, period: seconds) }
            let mode: AudioMode = (safeRoomAfter.map { t >= $0 } ?? false) ? .safeRoom : .exposure
            try engine.update(listener: head, emitters: emitters, mode: mode)
            samples += try engine.render(frames: framesPerUpdate)
            t += Double(framesPerUpdate) / Double(rate)
        }
        try WAVWriter.write(samples: samples, sampleRate: rate, to: URL(fileURLWithPath: output))
        let peak = samples.reduce(0) { max($0, abs($1)) }
        print("wrote \(output): \(String(format: "%.1f", t)) s, \(kinds.map(\.rawValue).joined(separator: ", ")), "
              + "HRTF \(engine.hrtfStatus.rawValue)\(engine.hrtfName.map { " (\($0))" } ?? ""), peak \(String(format: "%.2f", peak))")
    }

    /// Each sound goes once round the listener during the preview, at a distance typical of its kind.
    static func circling(_ kind: SoundKind, id: Int, count: Int, time: Double, period: Double) -> SoundEmitter {
        if kind == .wind || kind == .roomTone { return SoundEmitter(id: id, kind: kind, position: nil, gain: 0.6) }
        let radius: Float, height: Float
        switch kind {
        case .traffic: radius = 25; height = 0
        case .birds: radius = 6; height = 6
        case .footsteps: radius = 1.5; height = 0
        default: radius = 2; height = 1.6
        }
        let angle = Float(time / period) * 2 * .pi + Float(id) / Float(max(1, count)) * 2 * .pi
        return SoundEmitter(id: id, kind: kind, position: Vec3(radius * sin(angle), height, -radius * cos(angle)), gain: 1)
    }
}
