// Spatial sound for a session: one OpenAL Soft context (HRTF for headphones), a listener that
// follows the head, one source per emitter of the current scene, and the fade into the safe room.
import COpenAL
import Foundation
import SceneModel

/// Where the engine sends its sound.
public enum AudioOutput: Equatable, Sendable {
    /// The system's default playback device (PipeWire, PulseAudio or ALSA through OpenAL Soft).
    case defaultDevice
    /// A named device from `AudioDeviceProbe.probe().devices`.
    case device(name: String)
    /// No device: `render(frames:)` mixes into memory, faster than real time (tests, WAV export).
    case loopback(sampleRate: Int)
}

/// Whether to render with a head-related transfer function (3D sound on headphones).
public enum HRTFRequest: Sendable {
    case on, off, deviceDefault
}

/// What OpenAL Soft reports about HRTF (ALC_HRTF_STATUS_SOFT).
public enum HRTFStatus: String, Sendable {
    case disabled, enabled, denied, required, headphonesDetected, unsupportedFormat, notSupported

    init(alValue: ALCint) {
        switch alValue {
        case ALC_HRTF_DISABLED_SOFT: self = .disabled
        case ALC_HRTF_ENABLED_SOFT: self = .enabled
        case ALC_HRTF_DENIED_SOFT: self = .denied
        case ALC_HRTF_REQUIRED_SOFT: self = .required
        case ALC_HRTF_HEADPHONES_DETECTED_SOFT: self = .headphonesDetected
        case ALC_HRTF_UNSUPPORTED_FORMAT_SOFT: self = .unsupportedFormat
        default: self = .notSupported
        }
    }
    public var isActive: Bool { self == .enabled || self == .required || self == .headphonesDetected }
}

/// Not thread-confined: every call takes an internal lock, so the session may call `update`
/// from the frame thread and `setMasterVolume` from the control side. No call waits on the
/// device: OpenAL Soft mixes on its own thread and only reads the values set here.
public final class AudioEngine: @unchecked Sendable {
    /// How long a full fade takes (mode switch, emitters appearing or leaving). Under the 300 ms the issue asks for.
    public static let fadeSeconds: Double = 0.25
    /// Level of the engine's own room tone (pause with the exposure scene still loaded): about -40 dBFS.
    static let ownRoomToneGain: Float = 0.3
    /// Loopback renders in blocks this long so fades move smoothly and deterministically.
    static let blockSeconds: Double = 0.005

    public let output: AudioOutput
    public let sampleRate: Int
    public let deviceName: String
    public let hrtfStatus: HRTFStatus
    /// The HRTF data set in use (e.g. "default-48000"), if any.
    public let hrtfName: String?
    public var hrtfEnabled: Bool { hrtfStatus.isActive }
    /// At most this many emitters sound at once; the quietest at the listener are left out.
    public let maxVoices: Int
    /// Sources sounding plus fading out never exceed this (room for a full scene change).
    var sourceBudget: Int { Self.sourceBudget(maxVoices: maxVoices) }
    static func sourceBudget(maxVoices: Int) -> Int { maxVoices * 2 + 6 }

    let device: OpaquePointer
    let context: OpaquePointer
    let loopback: LoopbackFunctions?
    let deferred: DeferredUpdateFunctions?
    let lock = NSLock()
    let bank: SoundBank

    var voices: [Int: Voice] = [:]
    /// Voices whose emitter left the scene, fading out before their source is reused.
    var departing: [Voice] = []
    var roomTone: Voice
    var freeSources: [ALuint] = []
    var mode: AudioMode = .exposure
    var masterVolume: Float = 1
    var muted = false
    var lastUpdateNanos: UInt64?
    var closed = false

    public init(output: AudioOutput, hrtf: HRTFRequest = .on, maxVoices: Int = 48, seed: UInt64 = 1) throws {
        self.output = output
        self.maxVoices = max(1, maxVoices)
        var attributes: [ALCint] = [ALC_MONO_SOURCES, ALCint(Self.sourceBudget(maxVoices: self.maxVoices) + 2)]
        switch hrtf {
        case .on: attributes += [ALC_HRTF_SOFT, ALC_TRUE]
        case .off: attributes += [ALC_HRTF_SOFT, ALC_FALSE]
        case .deviceDefault: break
        }

        // Synthesis is the slow part (seconds in a debug build): do it before the device starts playing silence.
        for kind in SoundKind.allCases { _ = SoundBank.samples(kind, sampleRate: SoundBank.synthesisRate, seed: seed) }

        let device: OpaquePointer
        switch output {
        case let .loopback(rate):
            let functions = try LoopbackFunctions.load()
            guard let d = functions.openDevice(nil) else {
                throw AudioError.alc(call: "alcLoopbackOpenDeviceSOFT", error: AL.alcErrorName(alcGetError(nil)))
            }
            guard rate > 0, functions.isRenderFormatSupported(d, ALCsizei(rate), ALC_STEREO_SOFT, ALC_FLOAT_SOFT) != ALC_FALSE else {
                alcCloseDevice(d)
                throw AudioError.renderFormatUnsupported(sampleRate: rate)
            }
            attributes += [ALC_FORMAT_CHANNELS_SOFT, ALC_STEREO_SOFT, ALC_FORMAT_TYPE_SOFT, ALC_FLOAT_SOFT,
                           ALC_FREQUENCY, ALCint(rate)]
            device = d
            loopback = functions
        case .defaultDevice, .device:
            var name: String?
            if case let .device(n) = output { name = n }
            guard let d = alcOpenDevice(name) else {
                let report = AudioDeviceProbe.probe()
                throw AudioError.noDevice(reason: report.problem ?? "OpenAL could not open \(name ?? "the default device")",
                                          fix: report.fix ?? "run `exposure doctor` for details")
            }
            device = d
            loopback = nil
        }
        // Many close voices can sum past full scale; the limiter keeps the headphones from clipping.
        if AL.hasDeviceExtension(device, "ALC_SOFT_output_limiter") { attributes += [ALC_OUTPUT_LIMITER_SOFT, ALC_TRUE] }
        attributes.append(0)

        guard let ctx = alcCreateContext(device, attributes) else {
            let error = AL.alcErrorName(alcGetError(device))
            alcCloseDevice(device)
            throw AudioError.alc(call: "alcCreateContext", error: error)
        }
        self.device = device
        self.context = ctx

        var frequency: ALCint = 0, status: ALCint = -1
        alcGetIntegerv(device, ALC_FREQUENCY, 1, &frequency)
        if AL.hasDeviceExtension(device, "ALC_SOFT_HRTF") { alcGetIntegerv(device, ALC_HRTF_STATUS_SOFT, 1, &status) }
        if case let .loopback(rate) = output { sampleRate = rate } else { sampleRate = Int(frequency) }
        hrtfStatus = HRTFStatus(alValue: status)
        hrtfName = hrtfStatus.isActive ? AL.string(alcGetString(device, ALC_HRTF_SPECIFIER_SOFT)) : nil
        deviceName = AL.string(alcGetString(device, ALC_ALL_DEVICES_SPECIFIER))
            ?? AL.string(alcGetString(device, ALC_DEVICE_SPECIFIER)) ?? "unknown"

        // Everything that can fail happens before the stored properties are set, so a failed
        // init cleans up here and deinit never runs on a half-made engine.
        AL.lock.lock()
        defer { AL.lock.unlock() }
        alcMakeContextCurrent(ctx)
        let prepared: (bank: SoundBank, roomToneSource: ALuint, deferred: DeferredUpdateFunctions?)
        do {
            prepared = try Self.prepareContext(seed: seed)
        } catch {
            alcMakeContextCurrent(nil)
            alcDestroyContext(ctx)
            alcCloseDevice(device)
            throw error
        }
        bank = prepared.bank
        deferred = prepared.deferred
        roomTone = Voice(source: prepared.roomToneSource, kind: .roomTone, gain: 1, fade: Fade())
    }

    /// Needs the new context current: global listener settings, the sound loops, the engine's own room tone.
    private static func prepareContext(seed: UInt64) throws -> (bank: SoundBank, roomToneSource: ALuint, deferred: DeferredUpdateFunctions?) {
        _ = alGetError()
        alDistanceModel(AL_INVERSE_DISTANCE_CLAMPED)
        alDopplerFactor(0)   // emitters carry no velocity; avoid pitch artefacts from position jumps
        try AL.check("alDistanceModel")
        let bank = try SoundBank(sampleRate: SoundBank.synthesisRate, seed: seed)
        do {
            let source = try makeSource()
            try startLoop(source: source, buffer: bank.buffer(.roomTone), offset: 0, position: nil)
            return (bank, source, DeferredUpdateFunctions.load())
        } catch {
            bank.release()
            throw error
        }
    }

    deinit { close() }

    /// Releases the device. Safe to call more than once; the engine is silent afterwards.
    public func close() {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        AL.lock.lock(); defer { AL.lock.unlock() }
        alcMakeContextCurrent(context)
        var sources = voices.values.map(\.source) + departing.map(\.source) + freeSources + [roomTone.source]
        for s in sources { alSourceStop(s); alSourcei(s, AL_BUFFER, 0) }
        alDeleteSources(ALsizei(sources.count), &sources)
        bank.release()
        alcMakeContextCurrent(nil)
        alcDestroyContext(context)
        alcCloseDevice(device)
    }

    /// Once per frame: where the head is, what sounds the scene has, and which mode the session is in.
    /// Cheap (a few AL property writes per emitter) and never waits on the device.
    public func update(listener: Pose, emitters: [SoundEmitter], mode: AudioMode) throws {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        AL.lock.lock(); defer { AL.lock.unlock() }
        alcMakeContextCurrent(context)
        try checkConnected()
        deferred?.defer_()
        defer { deferred?.process() }
        self.mode = mode
        try placeListener(listener)
        try assignVoices(MixPlan.audible(emitters, listener: listener.position, maxVoices: maxVoices))
        if loopback == nil {
            // A real device plays in real time, so fades follow the wall clock between updates.
            let now = DispatchTime.now().uptimeNanoseconds
            let elapsed = lastUpdateNanos.map { Double(now &- $0) / 1e9 } ?? 0
            lastUpdateNanos = now
            stepFades(seconds: min(elapsed, 0.1))
        }
        try applyGains()
    }

    /// Therapist's master volume, 0...1 (values outside are clamped; NaN is ignored).
    public func setMasterVolume(_ volume: Float) {
        guard volume.isFinite else { return }
        lock.lock(); defer { lock.unlock() }
        masterVolume = min(1, max(0, volume))
        applyListenerGain()
    }

    public func setMuted(_ muted: Bool) {
        lock.lock(); defer { lock.unlock() }
        self.muted = muted
        applyListenerGain()
    }

    public var currentMasterVolume: Float { lock.lock(); defer { lock.unlock() }; return masterVolume }
    public var isMuted: Bool { lock.lock(); defer { lock.unlock() }; return muted }
    /// Sources currently sounding or fading out (not counting the engine's own room tone).
    public var activeVoiceCount: Int { lock.lock(); defer { lock.unlock() }; return voices.count + departing.count }

    /// Loopback only: mixes the next `frames` frames and returns them as interleaved stereo floats.
    /// Fades advance by the rendered time, in 5 ms blocks.
    public func render(frames: Int) throws -> [Float] {
        lock.lock(); defer { lock.unlock() }
        guard let loopback else { throw AudioError.notLoopback }
        guard frames > 0, !closed else { return [] }
        AL.lock.lock(); defer { AL.lock.unlock() }
        alcMakeContextCurrent(context)
        var out = [Float](repeating: 0, count: frames * 2)
        let block = max(1, Int(Double(sampleRate) * Self.blockSeconds))
        var done = 0
        try out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while done < frames {
                let n = min(block, frames - done)
                try applyGains()
                loopback.renderSamples(device, base + done * 2, ALCsizei(n))
                try AL.checkDevice(device, "alcRenderSamplesSOFT")
                stepFades(seconds: Double(n) / Double(sampleRate))
                done += n
            }
        }
        return out
    }

    private func applyListenerGain() {
        guard !closed else { return }
        AL.lock.lock(); defer { AL.lock.unlock() }
        alcMakeContextCurrent(context)
        alListenerf(AL_GAIN, muted ? 0 : masterVolume)
    }

    private func checkConnected() throws {
        guard loopback == nil, AL.hasDeviceExtension(device, "ALC_EXT_disconnect") else { return }
        var connected: ALCint = 1
        alcGetIntegerv(device, ALC_CONNECTED, 1, &connected)
        if connected == 0 { throw AudioError.deviceDisconnected(device: deviceName) }
    }
}
