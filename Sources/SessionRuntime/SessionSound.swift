// The session's sound: the Audio module when a device opens, otherwise nothing, with a warning.
// A session never stops because sound failed; it says so once and goes on.
import Audio
import SceneModel

public final class SessionSound: SoundOutput {
    public let engine: AudioEngine
    public private(set) var failure: String?
    private let warn: (String) -> Void

    public init(engine: AudioEngine, warn: @escaping (String) -> Void) {
        self.engine = engine; self.warn = warn
    }

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
            failure = "\(error)"
            warn("sound stopped: \(error); the session goes on without it")
        }
    }
}
