// Figures the report shows, computed from a record: steps with their SUDS course, head rotation speed,
// frame timing and SSQ scores.
import ExposureCore
import Foundation

public struct StepSummary: Sendable, Equatable {
    public var number: Int
    public var name: String
    /// Session time (s) the step began and ended.
    public var start: Double
    public var end: Double
    public var peakSUDS: Double?
    /// Last SUDS rated in the step after its peak.
    public var finalSUDS: Double?
    /// Fall from the peak to the last rating after it, in percent of the peak (the common criterion is 50%).
    public var reductionPercent: Double?
}

public struct SSQSummary: Sendable, Equatable {
    public var kind: RatingKind
    public var nausea: Double, oculomotor: Double, disorientation: Double, total: Double
}

public enum ReportAnalysis {
    public static func steps(_ r: SessionRecord) -> [StepSummary] {
        let stepEvents = r.events.filter { $0.kind == EventKind.step }
        let end = r.sessionLength
        let suds = r.ratings.filter { $0.kind == .suds }.map { ($0.sessionTime, $0.value) }
        return stepEvents.enumerated().map { i, e in
            let from = e.sessionTime
            let to = i + 1 < stepEvents.count ? stepEvents[i + 1].sessionTime : end
            // A rating given at the very moment the step ended (the answer that met the rule) belongs
            // to the step it ended; the next step's first answer comes after its start.
            let inStep = suds.filter { ($0.0 > from || (i == 0 && $0.0 >= from)) && $0.0 <= to }
            var peak: Double?, final: Double?, reduction: Double?
            if let p = inStep.max(by: { $0.1 < $1.1 }) {
                peak = p.1
                let after = inStep.filter { $0.0 >= p.0 }
                final = after.last?.1
                if let fl = final { reduction = p.1 > 0 ? (p.1 - fl) / p.1 * 100 : 0 }
            }
            let number = e.number("step").map { Int($0) } ?? (i + 1)
            let name = (e.payload["name"] as? String) ?? "step \(number)"
            return StepSummary(number: number, name: name, start: from, end: to, peakSUDS: peak, finalSUDS: final,
                               reductionPercent: reduction)
        }
    }

    /// Head rotation speed in degrees per second, averaged over bins of `bin` seconds (session time).
    public static func headRotationSpeed(_ r: SessionRecord, bin: Double = 1) -> [(x: Double, y: Double)] {
        guard r.poses.count > 1 else { return [] }
        var sums: [Int: (Double, Int)] = [:]
        for (a, b) in zip(r.poses, r.poses.dropFirst()) {
            let dt = Double(b.displayTimeNs - a.displayTimeNs) / 1e9
            guard dt > 0 else { continue }
            let speed = rotationAngle(a.orientation, b.orientation) * 180 / .pi / dt
            guard speed.isFinite else { continue }
            let k = Int((max(0, r.sessionTime(displayTimeNs: b.displayTimeNs)) / bin).rounded(.down))
            let cur = sums[k] ?? (0, 0)
            sums[k] = (cur.0 + speed, cur.1 + 1)
        }
        return sums.keys.sorted().compactMap { k in
            guard let v = sums[k] else { return nil }
            return (x: (Double(k) + 0.5) * bin, y: v.0 / Double(v.1))
        }
    }

    /// Angle (radians) between two orientations, in Double: per-frame angles are tiny and acos in Float
    /// would quantise them. Uses atan2 of the relative rotation's vector and scalar parts.
    static func rotationAngle(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> Double {
        let ax = Double(a.x), ay = Double(a.y), az = Double(a.z), aw = Double(a.w)
        let bx = Double(b.x), by = Double(b.y), bz = Double(b.z), bw = Double(b.w)
        // conj(a) * b
        let w = aw * bw + ax * bx + ay * by + az * bz
        let x = aw * bx - ax * bw - ay * bz + az * by
        let y = aw * by + ax * bz - ay * bw - az * bx
        let z = aw * bz - ax * by + ay * bx - az * bw
        return 2 * atan2((x * x + y * y + z * z).squareRoot(), abs(w))
    }

    /// Per bin: mean and worst CPU time per frame (ms), and missed frames, by session time.
    public static func frameTiming(_ r: SessionRecord, bin: Double = 1)
        -> (mean: [(x: Double, y: Double)], worst: [(x: Double, y: Double)], missed: Int) {
        guard !r.frames.isEmpty else { return ([], [], 0) }
        var bins: [Int: (sum: Double, n: Int, worst: Double)] = [:]
        var missed = 0
        for f in r.frames {
            let t = r.sessionTime(displayTimeNs: f.displayTimeNs)
            let k = Int((max(0, t) / bin).rounded(.down))
            let cur = bins[k] ?? (0, 0, 0)
            bins[k] = (cur.sum + Double(f.cpuMs), cur.n + 1, max(cur.worst, Double(f.cpuMs)))
            missed += Int(f.missedFrames)
        }
        let keys = bins.keys.sorted()
        return (keys.compactMap { k in bins[k].map { (x: (Double(k) + 0.5) * bin, y: $0.sum / Double($0.n)) } },
                keys.compactMap { k in bins[k].map { (x: (Double(k) + 0.5) * bin, y: $0.worst) } },
                missed)
    }

    /// SSQ subscales from the stored item answers; nil when the answers are missing or invalid.
    public static func ssq(_ r: SessionRecord) -> [SSQSummary] {
        r.ratings.filter { $0.kind == .ssqPre || $0.kind == .ssqPost }.compactMap { rating in
            guard let s = try? SSQ.score(rating.items) else { return nil }
            return SSQSummary(kind: rating.kind, nausea: s.nausea, oculomotor: s.oculomotor,
                              disorientation: s.disorientation, total: s.total)
        }
    }
}
