// The one time base of every export: session time, which is the runtime's display clock (0 = the
// first frame's predicted display time). Events, ratings and physio samples carry it as
// `session_time`; poses and frames carry display times, mapped onto it. Wall clocks are stored
// beside it for people (when a session took place), never used to place one stream against another:
// a simulated headset runs its display clock faster than the wall clock, and a real one drifts.
import Foundation

struct SessionTimeline {
    /// Session time of onset zero in the exports: the first head-pose sample (0 without poses).
    let zero: Double
    /// Session time of the last thing recorded.
    let end: Double
    private let record: SessionRecord

    init(_ r: SessionRecord) {
        record = r
        zero = r.poses.first.map { r.sessionTime(displayTimeNs: $0.displayTimeNs) } ?? 0
        end = r.sessionLength
    }

    /// Seconds from onset zero of something recorded at `sessionTime`.
    func onset(_ sessionTime: Double) -> Double { sessionTime - zero }

    /// Seconds from onset zero of a display time.
    func onset(displayTimeNs ns: Int64) -> Double { record.sessionTime(displayTimeNs: ns) - zero }

    /// How long the recording lasts from onset zero to the last thing recorded.
    var duration: Double { max(0, end - zero) }
}
