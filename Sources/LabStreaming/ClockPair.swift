// Clock pairs relate the session's display clock to the host's clocks, so any stream can be put on
// any of them: the same instant read on the runtime's display clock, CLOCK_MONOTONIC,
// CLOCK_REALTIME and (when LSL is loaded) LSL's clock. The session records one at its start and
// then every few seconds; a reader maps a display time through the nearest pair.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public struct ClockPair: Sendable, Equatable {
    public var displayTimeNs: Int64
    public var monotonicNs: Int64
    public var realtimeNs: Int64
    /// LSL's clock in seconds, when LSL is loaded.
    public var lslSeconds: Double?

    public init(displayTimeNs: Int64, monotonicNs: Int64, realtimeNs: Int64, lslSeconds: Double?) {
        self.displayTimeNs = displayTimeNs; self.monotonicNs = monotonicNs; self.realtimeNs = realtimeNs; self.lslSeconds = lslSeconds
    }

    /// The host clocks now, paired with the display time the runtime gives for this instant.
    public static func now(displayTimeNs: Int64, lsl: LSLLibrary?) -> ClockPair {
        ClockPair(displayTimeNs: displayTimeNs, monotonicNs: read(CLOCK_MONOTONIC), realtimeNs: read(CLOCK_REALTIME),
                  lslSeconds: lsl?.localClock())
    }

    /// A display time on LSL's clock (nil without LSL).
    public func lslTime(displayTimeNs ns: Int64) -> Double? {
        lslSeconds.map { $0 + Double(ns - displayTimeNs) / 1e9 }
    }

    /// A display time on the wall clock (s since 1970).
    public func wallClock(displayTimeNs ns: Int64) -> Double { Double(realtimeNs + (ns - displayTimeNs)) / 1e9 }

    /// The record's payload for a `clock_pair` event.
    public var payload: [String: Any] {
        var p: [String: Any] = ["monotonic_ns": monotonicNs, "realtime_ns": realtimeNs]
        if let l = lslSeconds { p["lsl_s"] = l }
        return p
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
