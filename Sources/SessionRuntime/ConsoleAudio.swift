// The therapist's volume and mute. They have no safety meaning, so they skip the engine and the
// frame thread: the values are applied to the sound at once (the audio engine takes its own
// lock) and remembered here for telemetry, also when the session has no sound device.
import Foundation
import Control
import Recording

final class ConsoleAudio: @unchecked Sendable {
    struct State: Equatable, Sendable {
        var volume: Double = 1
        var muted = false
        var output: AudioOutputStatus = .noDevice
    }

    private let sound: SessionSound?
    private let lock = NSLock()
    private var volume: Double
    private var muted: Bool

    init(sound: SessionSound?) {
        self.sound = sound
        volume = sound?.volume ?? 1
        muted = sound?.isMuted ?? false
    }

    var state: State {
        let output: AudioOutputStatus
        if let sound { output = sound.failure == nil ? .playing : .failed } else { output = .noDevice }
        return lock.withLock { State(volume: volume, muted: muted, output: output) }
    }

    /// Applies a volume or mute command; nil for every other command. Returns the event for the
    /// record, naming the values after the change and who asked.
    func apply(_ command: ControlCommand, sender: String, sequence: UInt64, sessionTime: Double, displayTimeNs: Int64? = nil) -> RecordedEvent? {
        let output = state.output
        // One lock around remembering and applying, so two consoles cannot leave the engine and
        // telemetry disagreeing.
        let change: (reason: String, volume: Double, muted: Bool)? = lock.withLock {
            switch command {
            case .setVolume(let v):
                volume = min(1, max(0, v))
                sound?.setVolume(volume)
                return ("therapist set the volume to \(Int((volume * 100).rounded()))%", volume, muted)
            case .setMuted(let m):
                muted = m
                sound?.setMuted(m)
                return (m ? "therapist muted the patient's sound" : "therapist unmuted the patient's sound", volume, muted)
            default:
                return nil
            }
        }
        guard let change else { return nil }
        let reason = output == .playing ? change.reason : change.reason + " (no sound is playing: \(output.rawValue))"
        return RecordedEvent(sessionTime: sessionTime, displayTimeNs: displayTimeNs, kind: "audio", actor: .therapist, reason: reason,
                             payloadJSON: RecordedEvent.payload([
                                 "volume": change.volume, "muted": change.muted, "sender": sender,
                                 "audio_output": output.rawValue, "command_id": String(sequence),
                             ]))
    }
}

/// Sequences settled outside the frame thread (volume, mute, commands the full mailbox turned
/// away), so telemetry can confirm them in order: `lastAppliedCommandSeq` never claims a
/// sequence whose earlier commands are still waiting for a frame.
struct SettledSequences {
    private var outside: Set<UInt64> = []
    private var confirmed: UInt64 = 0

    mutating func settle(_ sequence: UInt64) { outside.insert(sequence) }

    /// The highest sequence such that it and everything before it has been applied or settled.
    mutating func confirmedThrough(frameApplied: UInt64) -> UInt64 {
        confirmed = max(confirmed, frameApplied)
        while outside.remove(confirmed + 1) != nil { confirmed += 1 }
        outside = outside.filter { $0 > confirmed }
        return confirmed
    }
}
