// The session's sound: the Audio module when a device opens, otherwise nothing, with a warning.
// A session never stops because sound failed; it says so once and goes on.
import Foundation
import Audio
import SceneModel

public final class SessionSound: SoundOutput, @unchecked Sendable {
    public let engine: AudioEngine
    private let warn: (String) -> Void
    // The frame thread writes the failure; the console reads it for telemetry.
    private let lock = NSLock()
    private var _failure: String?

    public init(engine: AudioEngine, warn: @escaping (String) -> Void) {
        self.engine = engine; self.warn = warn
    }

    /// Why sound stopped during the session, or nil while it plays.
    public var failure: String? { lock.withLock { _failure } }

    /// Opens the default device; nil (after a warning naming why) when there is none.
    public static func open(warn: @escaping (String) -> Void) -> SessionSound? {
        do {
            return SessionSound(engine: try AudioEngine(output: .defaultDevice), warn: warn)
        } catch {
            warn("no sound this session: \(error). `exposure doctor` says how to fix it.")
            return nil
        }
    }

    public func update(listener: Pose, emitters: [SoundEmitter], safeRoom: Bool) {
        guard failure == nil else { return }
        do {
            try engine.update(listener: listener, emitters: emitters, mode: safeRoom ? .safeRoom : .exposure)
        } catch {
            lock.withLock { _failure = "\(error)" }
            warn("sound stopped: \(error); the session goes on without it")
        }
    }

    /// The therapist's master volume, 0...1. Safe from any thread (the engine takes its own lock),
    /// so the console applies it without waiting for a frame.
    public func setVolume(_ volume: Double) { engine.setMasterVolume(Float(volume)) }

    /// Silences or restores the patient's sound; the volume is kept.
    public func setMuted(_ muted: Bool) { engine.setMuted(muted) }

    public var volume: Double { Double(engine.currentMasterVolume) }
    public var isMuted: Bool { engine.isMuted }
}
