// The engine's decisions that do not need OpenAL: which emitters get a voice, and how each
// voice's fade moves. Kept apart so they are plain, testable arithmetic.
import SceneModel

/// What the patient should hear: the exposure environment, or the safe room (pause, opt-out).
public enum AudioMode: String, Sendable, Equatable {
    case exposure, safeRoom
}

/// A linear ramp between silent (0) and full (1). The engine steps it per rendered block
/// (loopback) or per update (real device), so fades are deterministic in tests.
struct Fade: Equatable {
    var level: Float = 0
    var target: Float = 0

    /// Moves towards `target` at one full swing per `duration` seconds.
    mutating func step(seconds: Double, duration: Double) {
        guard level != target else { return }
        let delta = Float(seconds / duration)
        level = level < target ? min(target, level + delta) : max(target, level - delta)
    }
    var isSilentAndSettled: Bool { level == 0 && target == 0 }
}

enum MixPlan {
    /// Safe-room sounds keep playing in both modes; everything else is exposure sound.
    static func isExposureSound(_ kind: SoundKind) -> Bool { kind != .roomTone }

    /// How much a voice should sound: exposure sound is silent in the safe room.
    static func fadeTarget(kind: SoundKind, mode: AudioMode) -> Float {
        if mode == .safeRoom && isExposureSound(kind) { return 0 }
        return 1
    }

    /// The emitters that get a voice when there are more than `maxVoices`: ambient sounds first,
    /// then the loudest at the listener (gain over distance), ties broken by id so the choice
    /// is stable from frame to frame. Order of the result follows the input order.
    static func audible(_ emitters: [SoundEmitter], listener: Vec3, maxVoices: Int) -> [SoundEmitter] {
        var seen = Set<Int>()   // a repeated id keeps its first emitter
        let valid = emitters.filter {
            $0.gain.isFinite && $0.gain > 0 && ($0.position.map(isFinite) ?? true) && seen.insert($0.id).inserted
        }
        guard valid.count > maxVoices else { return valid }
        func score(_ e: SoundEmitter) -> Float {
            guard let p = e.position else { return .infinity }
            return e.gain / max(1, (p - listener).length)
        }
        let ranked = valid.sorted { a, b in
            let sa = score(a), sb = score(b)
            return sa != sb ? sa > sb : a.id < b.id
        }
        let keep = Set(ranked.prefix(maxVoices).map(\.id))
        return valid.filter { keep.contains($0.id) }
    }

    static func isFinite(_ v: Vec3) -> Bool { v.x.isFinite && v.y.isFinite && v.z.isFinite }

    /// Where in its loop an emitter starts, spread by id so identical kinds do not play in unison.
    static func startOffset(id: Int, loopLength: Int) -> Int {
        guard loopLength > 0 else { return 0 }
        let h = UInt64(bitPattern: Int64(id)) &* 0x9E37_79B9_7F4A_7C15
        return Int((h >> 17) % UInt64(loopLength))
    }
}
