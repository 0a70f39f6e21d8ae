// BIDS physiological recordings ("Physiological and other continuous recordings"): per signal kind a
// headerless `<stem>_recording-<kind>_physio.tsv.gz` and its `_physio.json`, in the motion directory
// next to the head-motion data they were recorded with.
//
// Why one file per kind: the spec requires a constant SamplingFrequency and a single StartTime per
// file, and kinds come from different devices with different rates and start times (the spec says
// such series MUST be split with `recording-<label>`). `recording-<kind>` is used even for a single
// kind so file names do not change when a second sensor is added.
import Foundation

/// One signal kind put on a fixed sampling grid.
struct PhysioGrid: Equatable {
    /// Hz, 6 significant digits.
    var samplingFrequency: Double
    /// Seconds on the export's time axis (events.tsv onsets) of row 0, which is the first sample.
    var startTime: Double
    /// One value per row; nil is written as n/a (no sample recent enough).
    var values: [Double?]
    /// Samples recorded for this kind (with a usable time).
    var recordedSamples: Int
}

enum BIDSPhysio {
    /// A sample is held for at most this many sampling periods; a longer silence (a strap losing
    /// contact) becomes n/a rather than a flat line nobody measured.
    static let holdPeriods = 3.0
    /// Guard against bursts of near-simultaneous samples making the median interval tiny: never write
    /// more than this many rows per recorded sample (fall back to the mean rate instead).
    static let maxRowsPerSample = 4.0

    /// Resamples irregular samples (times in s, any order) onto a grid at the median sample rate,
    /// starting at the first sample and ending at or before the last one; each row holds the latest
    /// sample at or before its time. Nil when there are fewer than two distinct sample times (no rate).
    static func resample(times: [Double], values: [Double]) -> PhysioGrid? {
        let samples = zip(times, values).filter { $0.0.isFinite }.enumerated()
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        guard let first = samples.first?.0, let last = samples.last?.0, last > first else { return nil }
        let span = last - first
        let intervals = zip(samples.dropFirst(), samples).map { $0.0 - $1.0 }.filter { $0 > 0 }.sorted()
        let mid = intervals.count / 2
        let median = intervals.count % 2 == 1 ? intervals[mid] : (intervals[mid - 1] + intervals[mid]) / 2

        var rate = significant(1 / median)
        if !(rate.isFinite && rate > 0) || span * rate + 1 > maxRowsPerSample * Double(samples.count) {
            rate = significant(Double(samples.count - 1) / span)
        }
        guard rate.isFinite, rate > 0 else { return nil }
        // A thousandth of a period absorbs floating-point noise in the times (wall clocks near 2e9 s).
        let tolerance = 1e-3 / rate
        let rows = Int((span * rate + 1e-3).rounded(.down)) + 1
        let hold = holdPeriods / rate

        var out: [Double?] = []
        out.reserveCapacity(rows)
        var next = 0 // first sample later than the current row
        for i in 0..<rows {
            let t = first + Double(i) / rate
            while next < samples.count && samples[next].0 <= t + tolerance { next += 1 }
            let latest = samples[max(next, 1) - 1]
            out.append(t - latest.0 <= hold + tolerance ? latest.1 : nil)
        }
        return PhysioGrid(samplingFrequency: rate, startTime: first, values: out, recordedSamples: samples.count)
    }

    /// `x` rounded to 6 significant digits, so sidecars read 0.998004 rather than 0.99800399201596801.
    static func significant(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return x }
        let scale = pow(10, 5 - log10(x).rounded(.down))
        let r = (x * scale).rounded() / scale
        return r.isFinite && r > 0 ? r : x
    }

    /// Human name and unit of a record kind named `<what>_<unit>` (e.g. heart_rate_bpm, eda_us).
    static func describe(kind: String) -> (longName: String, units: String) {
        let units: [String: String] = [
            "bpm": "bpm", "us": "uS", "ms": "ms", "s": "s", "mv": "mV", "hz": "Hz",
            "percent": "%", "pct": "%", "c": "oC", "degc": "oC",
        ]
        var parts = kind.split(separator: "_").map(String.init)
        if parts.count > 1, let last = parts.last, let unit = units[last.lowercased()] {
            parts.removeLast()
            return (parts.joined(separator: " "), unit)
        }
        return (parts.isEmpty ? "unknown" : parts.joined(separator: " "), "n/a")
    }

    /// A column name that is never blank and has no characters that would need quoting.
    static func columnName(_ kind: String) -> String {
        let c = String(kind.unicodeScalars.map { s -> Character in
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_"
            return ok ? Character(s) : "_"
        })
        return c.isEmpty ? "unknown" : c
    }

    /// Writes the physio pairs into `dir`, on the same time base as events.tsv and the motion file.
    /// Kinds with fewer than two distinct sample times have no rate and are left to the CSV/JSONL exports.
    static func export(_ r: SessionRecord, timeline: SessionTimeline, stem: String, into dir: URL) throws -> [String] {
        var byKind: [String: [PhysioSample]] = [:]
        for s in r.physio { byKind[s.kind, default: []].append(s) }
        var usedLabels = Set<String>()
        var written: [String] = []
        for (kind, samples) in byKind.sorted(by: { $0.key < $1.key }) {
            guard let grid = resample(times: samples.map { timeline.onset($0.sessionTime) }, values: samples.map(\.value)) else { continue }
            var label = BIDSExport.label(kind)
            if usedLabels.contains(label) {
                var n = 2
                while usedLabels.contains("\(label)\(n)") { n += 1 }
                label = "\(label)\(n)"
            }
            usedLabels.insert(label)

            let name = "\(stem)_recording-\(label)_physio"
            var table = grid.values.map { $0.map(ExportFiles.num) ?? "n/a" }.joined(separator: "\n")
            table += "\n"
            written.append(try BIDSPhysioGzip.write(table, to: dir.appendingPathComponent("\(name).tsv.gz")))
            written.append(try ExportFiles.write(ExportFiles.json(sidecar(kind: kind, grid: grid)),
                                                 to: dir.appendingPathComponent("\(name).json")))
        }
        return written
    }

    static func sidecar(kind: String, grid: PhysioGrid) -> [String: Any] {
        let column = columnName(kind)
        let (longName, units) = describe(kind: kind)
        let period = ExportFiles.num(1 / grid.samplingFrequency)
        return [
            "TaskName": "exposure",
            "PhysioType": "generic",
            "SamplingFrequency": grid.samplingFrequency,
            "StartTime": grid.startTime,
            "Columns": [column],
            column: [
                "LongName": longName,
                "Units": units,
                "Description": "Record kind '\(kind)', \(grid.recordedSamples) samples at irregular times, put on a fixed grid: "
                    + "SamplingFrequency is the median rate of the recorded samples; row 0 is the first sample and each row "
                    + "holds the latest sample at or before its time (every \(period) s); rows more than "
                    + "\(ExportFiles.num(holdPeriods)) periods after the latest sample are n/a; the last row is at or before "
                    + "the last sample. Times are seconds from the first head-pose sample on the session's display clock, "
                    + "the same zero and clock as the onsets in events.tsv and the motion samples (StartTime may be negative "
                    + "when the sensor started first).",
            ],
        ]
    }
}
