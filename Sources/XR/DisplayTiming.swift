// How the display is paced, judged the same way on every conformant runtime. The runtime's
// `predictedDisplayPeriod` cannot be trusted as the display's period: Monado reports a placeholder
// for a session's first frame and stretches the period to the app's cadence when the app is slow,
// so "gap / predictedDisplayPeriod - 1" counts almost no missed frames for an app at 1 fps. The
// display's period is taken from XR_FB_display_refresh_rate when the runtime offers it, otherwise
// it is the smallest period seen (in reported periods and in gaps between display times), adopted
// only once a second frame confirms it. Missed frames are counted against that period.
import Foundation

public struct DisplayTiming: Sendable {
    /// The display's refresh period (ns) as the runtime states it (XR_FB_display_refresh_rate); nil if not offered.
    public var statedPeriod: Int64?
    /// The smallest period seen twice (within 2 %), not counting a session's first frame.
    public private(set) var confirmedPeriod: Int64?
    private var recent: [Int64] = []
    private var lastDisplayTime: Int64?
    private var fallbackPeriod: Int64 = 0

    public init(statedRateHz: Double? = nil) {
        if let r = statedRateHz, r.isFinite, r > 0 { statedPeriod = Int64((1e9 / r).rounded()) }
    }

    /// The display's refresh period (ns): stated, else confirmed, else the best guess so far.
    public var refreshPeriod: Int64 { statedPeriod ?? confirmedPeriod ?? recent.min() ?? fallbackPeriod }

    /// The display's refresh rate (Hz), or nil before any frame.
    public var refreshRateHz: Double? { refreshPeriod > 0 ? 1e9 / Double(refreshPeriod) : nil }

    /// The display's rate (Hz) once the runtime stated it or two frames confirmed it; nil while only guessed.
    public var knownRateHz: Double? {
        guard let p = statedPeriod ?? confirmedPeriod, p > 0 else { return nil }
        return 1e9 / Double(p)
    }

    /// Takes one frame's timing from the runtime; returns the display periods missed since the
    /// previous frame of the same session (0 on a session's first frame: no frame was due then;
    /// 0 while the display's period is not yet known).
    public mutating func observe(displayTime: Int64, reportedPeriod: Int64, firstOfSession: Bool) -> Int {
        if fallbackPeriod == 0, reportedPeriod > 0 { fallbackPeriod = reportedPeriod }
        defer { lastDisplayTime = displayTime }
        guard !firstOfSession, let last = lastDisplayTime else { return 0 }
        let gap = displayTime - last
        consider([reportedPeriod, gap].filter { $0 > 0 }.min())
        // Counted only against a period the runtime stated or two frames confirmed: a guess (the
        // first frame's placeholder) would turn every early frame into misses.
        guard gap > 0, let period = statedPeriod ?? confirmedPeriod, period > 0 else { return 0 }
        // Rounded, so a runtime's jitter of a fraction of a period is not a missed frame.
        return max(0, Int((Double(gap) / Double(period)).rounded()) - 1)
    }

    /// A period seen this frame: adopted when it is smaller than what we have and another of the
    /// last 16 frames saw the same (within 2 %), so one odd frame cannot set the display's rate.
    private mutating func consider(_ seen: Int64?) {
        guard let seen else { return }
        recent.append(seen)
        if recent.count > 16 { recent.removeFirst() }
        for v in recent.sorted() {
            if let confirmed = confirmedPeriod, Double(v) >= Double(confirmed) * 0.98 { break }
            if recent.filter({ abs(Double($0 - v)) <= Double(v) * 0.02 }).count >= 2 { confirmedPeriod = v; break }
        }
    }
}
