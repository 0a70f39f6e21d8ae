// Whether the renderer keeps up: dropped frames make people sick in VR, so a run of misses is
// reported to the engine (which holds escalation back, then pauses after `poor_frame_rate_pause_s`)
// and its recovery too. Judged over the last second of display time, not a count of frames: an app
// at 1 fps would otherwise take a whole window of frames (30 s at 30 frames) to be noticed. Each
// frame carries the display refreshes missed before it, counted against the display's own period.
import Foundation

struct FrameRateWatch {
    /// Seconds of display time judged at once.
    static let window = 1.0
    /// Nothing is judged before this much display time has passed: the first frames of a session
    /// (pipelines compiling, the runtime settling) say little about the rate that follows.
    static let settle = 0.5
    /// Unhealthy above this share of missed refreshes, healthy again below the second.
    static let poorShare = 0.2, recoveredShare = 0.05

    private var frames: [(time: Int64, missed: Int)] = []
    private var firstTime: Int64?
    private(set) var totalMissed = 0
    private(set) var healthy = true

    /// Takes one frame shown at `time` (ns) after `missed` missed refreshes; returns the new health when it changed.
    mutating func observe(missed: Int, at time: Int64) -> Bool? {
        let m = max(0, missed)
        totalMissed += m
        if firstTime == nil { firstTime = time }
        frames.append((time, m))
        let cutoff = time - Int64(Self.window * 1e9)
        if let stale = frames.firstIndex(where: { $0.time > cutoff }), stale > 0 { frames.removeFirst(stale) }
        guard Double(time - (firstTime ?? time)) / 1e9 >= Self.settle else { return nil }
        let share = missedShare
        if healthy, share > Self.poorShare { healthy = false; return false }
        if !healthy, share < Self.recoveredShare { healthy = true; return true }
        return nil
    }

    /// Missed refreshes as a share of the refreshes in the window (shown + missed).
    var missedShare: Double {
        let missed = Double(frames.reduce(0) { $0 + $1.missed }), shown = Double(frames.count)
        return shown + missed > 0 ? missed / (shown + missed) : 0
    }

    /// Frames shown per second over the window, at a display refreshing every `periodNs`.
    func framesPerSecond(periodNs: Int64) -> Double {
        guard periodNs > 0 else { return 0 }
        return 1e9 / Double(periodNs) * (1 - missedShare)
    }
}
