// What a session holds: the engine when there is a device, nothing (and one warning) when there
// is not. Sound is never a reason to stop an exposure session.
import Foundation
import SceneModel

public final class SessionAudio: @unchecked Sendable {
    private let lock = NSLock()
    private var engine: AudioEngine?
    private var masterVolume: Float = 1
    private var muted = false
    private let onWarning: @Sendable (String) -> Void
    /// Why the session has no sound, if it has none (shown to the therapist, written to the record).
    public private(set) var warning: String?

    /// Opens `output`; on failure the session runs silent and `onWarning` is called once with why.
    public init(output: AudioOutput = .defaultDevice, hrtf: HRTFRequest = .on,
                onWarning: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onWarning = onWarning
        do {
            engine = try AudioEngine(output: output, hrtf: hrtf)
        } catch {
            disable(because: error)
        }
    }

    /// Wraps an engine the caller made (tests, the preview command).
    public init(engine: AudioEngine, onWarning: @escaping @Sendable (String) -> Void = { _ in }) {
        self.engine = engine
        self.onWarning = onWarning
    }

    public var isPlaying: Bool { lock.lock(); defer { lock.unlock() }; return engine != nil }
    public var hrtfStatus: HRTFStatus? { lock.lock(); defer { lock.unlock() }; return engine?.hrtfStatus }

    /// Once per frame. Never throws: a failing device turns the sound off with a warning.
    public func update(listener: Pose, emitters: [SoundEmitter], safeRoom: Bool) {
        lock.lock()
        let current = engine
        lock.unlock()
        guard let current else { return }
        do {
            try current.update(listener: listener, emitters: emitters, mode: safeRoom ? .safeRoom : .exposure)
        } catch {
            disable(because: error)
        }
    }

    /// Therapist's master volume, kept even while silent so it applies if sound comes back.
    public func setMasterVolume(_ volume: Float) {
        guard volume.isFinite else { return }
        lock.lock(); defer { lock.unlock() }
        masterVolume = min(1, max(0, volume))
        engine?.setMasterVolume(masterVolume)
    }

    public func setMuted(_ muted: Bool) {
        lock.lock(); defer { lock.unlock() }
        self.muted = muted
        engine?.setMuted(muted)
    }

    public var currentMasterVolume: Float { lock.lock(); defer { lock.unlock() }; return masterVolume }
    public var isMuted: Bool { lock.lock(); defer { lock.unlock() }; return muted }

    public func close() {
        lock.lock(); defer { lock.unlock() }
        engine?.close()
        engine = nil
    }

    private func disable(because error: Error) {
        let message = "audio off for this session: \((error as? AudioError)?.description ?? "\(error)")"
        lock.lock()
        engine?.close()
        engine = nil
        let first = warning == nil
        warning = message
        lock.unlock()
        if first { onWarning(message) }
    }
}
