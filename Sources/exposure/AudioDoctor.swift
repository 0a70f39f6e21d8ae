import Audio
import SceneModel

/// The audio part of `exposure doctor`. Sessions run silently without a device, so a missing
/// device blocks only "session sound"; the loopback render is what the tests and WAV export use.
enum AudioDoctor {
    static func checks() -> [DoctorCheck] {
        deviceChecks(from: AudioDeviceProbe.probe()) + [loopbackCheck()]
    }

    static func deviceChecks(from report: AudioProbeReport) -> [DoctorCheck] {
        if report.isUsable {
            let hrtf = report.hrtfAvailable ? "HRTF for headphones (\(report.hrtfNames.joined(separator: ", ")))" : "no HRTF data (plain stereo panning)"
            return [.pass("Audio device", "\(report.defaultDevice ?? "default device") opens; \(hrtf); \(report.openALVersion ?? "OpenAL")",
                          for: .sound)]
        }
        let seen = report.devices.isEmpty ? "OpenAL sees no playback device" : "OpenAL sees \(report.devices.joined(separator: ", ")) but the default does not open"
        return [.fail("Audio device", "\(seen): \(report.problem ?? "reason unknown"); sessions run without sound",
                      fix: report.fix ?? "connect headphones and start PipeWire or PulseAudio", for: .sound)]
    }

    /// Renders a short sound through OpenAL Soft's loopback device: proves synthesis, HRTF and mixing
    /// work here, whether or not there is a sound card (tests and `audio-preview` rely on it).
    static func loopbackCheck() -> DoctorCheck {
        let name = "Audio loopback"
        do {
            let engine = try AudioEngine(output: .loopback(sampleRate: 48000))
            try engine.update(listener: Pose(position: Vec3(0, 1.6, 0)),
                              emitters: [SoundEmitter(id: 1, kind: .wind, position: Vec3(-2, 1.6, 0), gain: 1)], mode: .exposure)
            let samples = try engine.render(frames: 48000 / 2)
            let left = samples.enumerated().filter { $0.offset % 2 == 0 }.reduce(Float(0)) { $0 + $1.element * $1.element }
            let right = samples.enumerated().filter { $0.offset % 2 == 1 }.reduce(Float(0)) { $0 + $1.element * $1.element }
            guard left > 0, left > right else {
                return .fail(name, "a sound on the left did not come out louder on the left",
                             fix: "reinstall OpenAL Soft (`sudo apt-get install --reinstall libopenal1 libopenal-data`) and report the problem",
                             for: .development)
            }
            return .pass(name, "spatial mix renders without a device (HRTF \(engine.hrtfStatus.rawValue)); used by the tests and audio-preview",
                         for: .development)
        } catch {
            return .fail(name, "\(error)", fix: "install OpenAL Soft 1.19 or newer: `sudo apt-get install libopenal1 libopenal-data`",
                         for: .development)
        }
    }
}
