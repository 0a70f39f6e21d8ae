// For `exposure doctor`: which playback devices OpenAL Soft sees, whether the default one opens,
// and if not, why (no sound server, no sound card, a container) and how to fix it.
import COpenAL
import Foundation

/// What the audio system looks like on this machine.
public struct AudioProbeReport: Equatable, Sendable {
    /// OpenAL's version string, e.g. "1.1 ALSOFT 1.19.1".
    public var openALVersion: String?
    public var devices: [String]
    public var defaultDevice: String?
    /// Whether the default device opened (it is closed again straight away).
    public var defaultDeviceOpens: Bool
    /// Whether the default device offers HRTF (3D sound for headphones).
    public var hrtfAvailable: Bool
    public var hrtfNames: [String]
    public var loopbackAvailable: Bool
    /// Why there is no sound, in plain words; nil when the default device works.
    public var problem: String?
    /// What to do about `problem`.
    public var fix: String?

    public var isUsable: Bool { defaultDeviceOpens }

    /// Lines for `exposure doctor`.
    public var summary: [String] {
        var lines = ["OpenAL: \(openALVersion ?? "not loaded")"]
        lines.append("playback devices: " + (devices.isEmpty ? "none" : devices.joined(separator: ", ")))
        lines.append("default device: \(defaultDevice ?? "none") (\(defaultDeviceOpens ? "opens" : "does not open"))")
        if defaultDeviceOpens {
            lines.append("HRTF (3D sound on headphones): " + (hrtfAvailable ? "available (\(hrtfNames.joined(separator: ", ")))" : "not available"))
        }
        lines.append("loopback rendering (tests, WAV export): \(loopbackAvailable ? "available" : "missing")")
        if let problem { lines.append("problem: \(problem)") }
        if let fix { lines.append("fix: \(fix)") }
        return lines
    }
}

/// Facts about the host that explain a missing device; gathered by `probe()`, injectable in tests.
public struct AudioHostFacts: Equatable, Sendable {
    public var inContainer: Bool
    public var soundCardNodes: Bool          // /dev/snd exists
    public var soundCards: [String]          // /proc/asound/cards
    public var pulseSocket: Bool             // $PULSE_SERVER or $XDG_RUNTIME_DIR/pulse/native
    public var pipewireSocket: Bool          // $XDG_RUNTIME_DIR/pipewire-0
    public var runtimeDirSet: Bool           // $XDG_RUNTIME_DIR
    public init(inContainer: Bool, soundCardNodes: Bool, soundCards: [String], pulseSocket: Bool,
                pipewireSocket: Bool, runtimeDirSet: Bool) {
        self.inContainer = inContainer; self.soundCardNodes = soundCardNodes; self.soundCards = soundCards
        self.pulseSocket = pulseSocket; self.pipewireSocket = pipewireSocket; self.runtimeDirSet = runtimeDirSet
    }
}

public enum AudioDeviceProbe {
    /// Asks OpenAL Soft and the host. Opens and closes the default device once; takes well under a second.
    public static func probe() -> AudioProbeReport {
        let devices = AL.stringList(alcGetString(nil, ALC_ALL_DEVICES_SPECIFIER))
        let defaultName = AL.string(alcGetString(nil, ALC_DEFAULT_ALL_DEVICES_SPECIFIER))
        var report = AudioProbeReport(openALVersion: nil, devices: devices, defaultDevice: defaultName?.isEmpty == false ? defaultName : nil,
                                      defaultDeviceOpens: false, hrtfAvailable: false, hrtfNames: [],
                                      loopbackAvailable: AL.hasDeviceExtension(nil, "ALC_SOFT_loopback"), problem: nil, fix: nil)
        if let device = alcOpenDevice(nil) {
            report.defaultDeviceOpens = true
            if let hrtf = HRTFFunctions.load(device: device) {
                report.hrtfNames = hrtf.names(device: device)
                report.hrtfAvailable = !report.hrtfNames.isEmpty
            }
            // The version string needs a current context; a throwaway one is cheap.
            if let ctx = alcCreateContext(device, nil) {
                AL.lock.lock()
                let previous = alcGetCurrentContext()
                alcMakeContextCurrent(ctx)
                report.openALVersion = AL.string(alGetString(AL_VERSION))
                alcMakeContextCurrent(previous)
                AL.lock.unlock()
                alcDestroyContext(ctx)
            }
            alcCloseDevice(device)
        } else {
            let (problem, fix) = diagnose(facts: gatherFacts(), devices: devices)
            report.problem = problem
            report.fix = fix
        }
        return report
    }

    /// Why OpenAL found no usable device, from the host facts, and what to do.
    public static func diagnose(facts: AudioHostFacts, devices: [String]) -> (problem: String, fix: String) {
        let server = facts.pulseSocket || facts.pipewireSocket
        if facts.inContainer && !server && !facts.soundCardNodes {
            return ("running in a container with no sound server socket and no /dev/snd",
                    "share the host's sound server with the container (mount $XDG_RUNTIME_DIR/pulse/native and set PULSE_SERVER=unix:<path>), or pass the sound card with --device /dev/snd")
        }
        if !server && !facts.soundCardNodes {
            return ("no PulseAudio or PipeWire server is running and there is no sound card (/dev/snd is missing)",
                    "connect headphones or a sound card, then start the sound server (systemctl --user start pipewire pipewire-pulse, or pulseaudio --start)")
        }
        if !server && facts.soundCards.isEmpty {
            return ("no sound server is running and ALSA lists no sound card",
                    "check that the headset's audio device is connected and its driver loaded (aplay -l), then start PipeWire or PulseAudio")
        }
        if server && devices.allSatisfy({ !$0.lowercased().contains("pulse") && !$0.lowercased().contains("pipewire") }) {
            return ("a sound server socket exists but OpenAL Soft did not connect to it (devices: \(devices.isEmpty ? "none" : devices.joined(separator: ", ")))",
                    "install libpulse0 (OpenAL Soft talks to PipeWire through pipewire-pulse), check the server runs as this user, and that XDG_RUNTIME_DIR points at it")
        }
        if !facts.runtimeDirSet {
            return ("XDG_RUNTIME_DIR is not set, so the sound server of the logged-in user cannot be found",
                    "run the session from the user's desktop login, or export XDG_RUNTIME_DIR=/run/user/$(id -u)")
        }
        return ("the default audio device exists but could not be opened (it may be in use by another program)",
                "close other programs using the device exclusively, or pick another device in the sound settings")
    }

    static func gatherFacts() -> AudioHostFacts {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        let runtimeDir = env["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        let cards = (try? String(contentsOfFile: "/proc/asound/cards", encoding: .utf8))?
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.contains("no soundcards") } ?? []
        let pulse = (env["PULSE_SERVER"].map { !$0.isEmpty } ?? false)
            || runtimeDir.map { fm.fileExists(atPath: $0 + "/pulse/native") } ?? false
        let pipewire = runtimeDir.map { fm.fileExists(atPath: $0 + "/pipewire-0") } ?? false
        let container = fm.fileExists(atPath: "/.dockerenv") || fm.fileExists(atPath: "/run/.containerenv")
            || env["container"] != nil
        return AudioHostFacts(inContainer: container, soundCardNodes: fm.fileExists(atPath: "/dev/snd"), soundCards: cards,
                              pulseSocket: pulse, pipewireSocket: pipewire, runtimeDirSet: runtimeDir != nil)
    }
}
