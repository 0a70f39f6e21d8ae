import Audio
import SceneModel

/// The audio part of `exposure doctor` (add `+ AudioDoctor.checks()` to `DoctorCommand.allChecks`).
enum AudioDoctor {
    static func checks() -> [DoctorCheck] {
        let report = AudioDeviceProbe.probe()
        var checks: [DoctorCheck] = []
        if report.isUsable {
            let hrtf = report.hrtfAvailable ? "HRTF for headphones (\(report.hrtfNames.joined(separator: ", ")))" : "no HRTF data (plain stereo panning)"
            checks.append(.pass("audio device", "\(report.defaultDevice ?? "default device") opens; \(hrtf); \(report.openALVersion ?? "OpenAL")"))
        } else {
            checks.append(.fail("audio device", "\(report.problem ?? "the default device does not open"); sessions run without sound",
                                fix: report.fix ?? "connect headphones and start PipeWire or PulseAudio"))
        }
        checks.append(loopbackCheck())
        return checks
    }

    /// Renders a short sound through OpenAL Soft's loopback device: proves synthesis, HRTF and mixing
    /// work here, whether or not there is a sound card (tests and `audio-preview` rely on it).
    static func loopbackCheck() -> DoctorCheck {
        do {
            let engine = try AudioEngine(output: .loopback(sampleRate: 48000))
            try engine.update(listener: Pose(position: Vec3(0, 1.6, 0)),
                              emitters: [SoundEmitter(id: 1, kind: .wind, position: Vec3(-2, 1.6, 0), gain: 1)], mode: .exposure)
            let samples = try engine.render(frames: 48000 / 2)
            let left = samples.enumerated().filter { $0.offset % 2 == 0 }.reduce(Float(0)) { $0 + $1.element * $1.element }
            let right = samples.enumerated().filter { $0.offset % 2 == 1 }.reduce(Float(0)) { $0 + $1.element * $1.element }
            guard left > 0, left > right else {
                return .fail("audio loopback render", "a sound on the left did not come out louder on the left",
                             fix: "reinstall OpenAL Soft (`sudo apt-get install --reinstall libopenal1 libopenal-data`) and report the problem")
            }
            return .pass("audio loopback render", "spatial mix works (HRTF \(engine.hrtfStatus.rawValue))")
        } catch {
            return .fail("audio loopback render", "\(error)",
                         fix: "install OpenAL Soft 1.19 or newer: `sudo apt-get install libopenal1 libopenal-data`")
        }
    }
}
