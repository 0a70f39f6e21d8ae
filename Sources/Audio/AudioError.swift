// Every OpenAL failure becomes one of these, naming the call and the error, and saying what to do.

/// Why the audio module could not do what was asked.
public enum AudioError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An `al*` call set an AL error (e.g. `alSourcePlay` -> `AL_INVALID_NAME`).
    case al(call: String, error: String)
    /// An `alc*` call failed (e.g. `alcCreateContext` -> `ALC_INVALID_VALUE`).
    case alc(call: String, error: String)
    /// No playback device could be opened. `reason` and `fix` come from `AudioDeviceProbe`.
    case noDevice(reason: String, fix: String)
    /// The playback device went away during the session (unplugged headphones, sound server stopped).
    case deviceDisconnected(device: String)
    /// An OpenAL extension the engine needs is missing (e.g. `ALC_SOFT_loopback`).
    case extensionMissing(name: String, neededFor: String)
    /// The loopback device refused the render format (rate, channels, sample type).
    case renderFormatUnsupported(sampleRate: Int)
    /// `render(frames:)` was called on an engine that plays to a real device.
    case notLoopback
    /// A WAV file could not be written.
    case wavWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .al(call, error):
            return "OpenAL call \(call) failed with \(error); this is a bug in the audio module, please report it with the session log"
        case let .alc(call, error):
            return "OpenAL device call \(call) failed with \(error); check the audio device (run `exposure doctor`)"
        case let .noDevice(reason, fix):
            return "no audio device: \(reason). Fix: \(fix)"
        case let .deviceDisconnected(device):
            return "audio device \"\(device)\" was disconnected; the session continues without sound (run `exposure doctor`)"
        case let .extensionMissing(name, neededFor):
            return "OpenAL extension \(name) is missing (needed for \(neededFor)); install OpenAL Soft 1.19 or newer (Debian: libopenal1)"
        case let .renderFormatUnsupported(rate):
            return "the OpenAL loopback device cannot render 32-bit float stereo at \(rate) Hz; use 44100 or 48000"
        case .notLoopback:
            return "render(frames:) only works on an engine created with output .loopback"
        case let .wavWrite(path, reason):
            return "could not write WAV file \(path): \(reason); check the folder exists and is writable"
        }
    }
}
