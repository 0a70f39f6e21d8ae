import Audio

/// The sound part of `exposure doctor`. Sessions run silently without a device, so a missing
/// device blocks only "session sound"; loopback rendering is what the tests and WAV export use.
enum AudioDoctor {
    static func checks() -> [DoctorCheck] {
        checks(from: AudioDeviceProbe.probe())
    }

    static func checks(from report: AudioProbeReport) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let version = report.openALVersion.map { "OpenAL \($0), " } ?? ""
        if report.isUsable {
            let hrtf = report.hrtfAvailable ? "HRTF available (3D sound on headphones)" : "no HRTF (sound is panned, not 3D)"
            checks.append(.pass("Audio device", "\(version)default device \(report.defaultDevice ?? "unnamed") opens; \(hrtf)", for: .sound))
        } else {
            let seen = report.devices.isEmpty ? "OpenAL sees no playback device" : "OpenAL sees \(report.devices.joined(separator: ", ")) but the default does not open"
            checks.append(.fail("Audio device", "\(seen): \(report.problem ?? "reason unknown"); sessions will run without sound",
                                fix: report.fix ?? "connect headphones or a sound card and start PipeWire or PulseAudio",
                                for: .sound))
        }
        checks.append(report.loopbackAvailable
            ? .pass("Audio loopback", "ALC_SOFT_loopback available (renders sound without a device: tests, audio-preview WAV export)", for: .development)
            : .fail("Audio loopback", "ALC_SOFT_loopback is missing: the OpenAL library is not OpenAL Soft",
                    fix: "`sudo apt-get install libopenal1` (OpenAL Soft)", for: .development))
        return checks
    }
}
