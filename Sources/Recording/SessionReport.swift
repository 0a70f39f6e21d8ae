// One self-contained HTML page per session for the clinician: inline SVG plots, no scripts, no links out.
import Foundation

public enum SessionReport {
    /// Where heart rate came from, as the session said it (`signal_source` events): a session
    /// without a source says that its heart-rate rule was inactive rather than leave it unsaid.
    static func heartRateRow(_ r: SessionRecord) -> [(String, String)] {
        let said = r.events.filter { $0.kind == "signal_source" && $0.payload["signal"] as? String == "heart_rate_bpm" }
        guard let last = said.last else { return [] }
        let samples = r.physio.filter { $0.kind == "heart_rate_bpm" }.count
        if last.payload["rule_active"] as? Bool == true {
            return [("Heart rate", "\(last.reason) (\(samples) samples); the heart-rate rule was active")]
        }
        return [("Heart rate", "\(last.reason); the heart-rate safety rule was inactive this session")]
    }

    public static func html(_ r: SessionRecord) -> String {
        let m = r.metadata
        let duration = max(r.sessionLength, 1)
        let steps = ReportAnalysis.steps(r)
        let e = SVGPlot.escape
        let bands = steps.map { SVGPlot.Band(from: $0.start, to: $0.end, label: "\($0.number). \($0.name)") }
        let start = m.startWallClock

        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Session \(e(m.sessionID)) - \(e(m.participantID))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:960px}
        table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
        th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}.damage{background:#fee;border:1px solid #c00;padding:8px}
        svg.plot{display:block;margin:12px 0 20px;border:1px solid #eee}
        </style></head><body>
        <h1>Exposure session \(e(m.sessionID))</h1>
        <p class="outcome"><b>Outcome:</b> \(e(r.outcome.prefix(1).uppercased() + r.outcome.dropFirst())).</p>

        """
        out += "<table class=\"summary\">"
        let rows: [(String, String)] = [
            ("Participant", m.participantID), ("Session", String(m.sessionNumber)),
            ("Protocol", "\(m.protocolID) \(m.protocolVersion) (\(m.protocolHash.prefix(12)))"),
            ("Started (UTC)", iso(start)), ("Length", minutes(r.sessionLength)), ("Ended as", "\(r.outcome) (\(r.state.rawValue))"),
            ("Headset", "\(m.headsetName) via \(m.runtimeName)\(m.runtimeVersion.isEmpty ? "" : " " + m.runtimeVersion), display \(String(format: "%.4g", m.displayRateHz)) Hz"), ("Software", m.softwareVersion), ("Seed", String(m.seed)),
        ] + heartRateRow(r)
        for (k, v) in rows { out += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>" }
        out += "</table>\n"
        if !r.damage.isEmpty {
            out += "<div class=\"damage\"><b>Parts of this record are damaged; plots show what could be read.</b><ul>"
            for d in r.damage { out += "<li>\(e(d.description))</li>" }
            out += "</ul></div>\n"
        }

        // SUDS and intensity, steps shaded, safety events and opt-outs marked.
        let suds = r.ratings.filter { $0.kind == .suds }.map { (x: $0.sessionTime, y: $0.value) }
        // Any event that set the intensity counts, including safety step-downs recorded as safety events.
        let intensity = r.events.compactMap { ev in ev.number("intensity").map { (x: ev.sessionTime, y: $0) } }
        let markers = r.events.filter { $0.kind == EventKind.safety || $0.kind == EventKind.optOut || ($0.actor == .safety && $0.kind == EventKind.step) }.map {
            SVGPlot.Marker(x: $0.sessionTime, label: "\($0.kind) at \(minutes($0.sessionTime)): \($0.reason)",
                           cssClass: $0.kind == EventKind.optOut ? "optout-marker" : "safety-marker", color: "#c00")
        }
        var main = SVGPlot(title: "Distress (SUDS) and intensity", yLabel: "0-100", xMax: duration, yMin: 0, yMax: 100)
        main.bands = bands
        main.markers = markers
        main.series = [
            .init(name: "intensity", cssClass: "intensity", color: "#888", points: intensity, stepped: true),
            .init(name: "SUDS", cssClass: "suds", color: "#1f5fbf", points: suds, dots: true),
        ]
        out += main.render()

        let hr = r.physio.filter { $0.kind == "heart_rate_bpm" }.map { (x: $0.sessionTime, y: $0.value) }
        if hr.isEmpty {
            out += "<p class=\"no-data\">No heart rate was recorded in this session.</p>\n"
        } else {
            let lo = (hr.map(\.y).min() ?? 60) - 5, hi = (hr.map(\.y).max() ?? 100) + 5
            var p = SVGPlot(title: "Heart rate", yLabel: "beats/min", xMax: duration, yMin: max(0, lo.rounded(.down)),
                            yMax: hi.rounded(.up))
            p.bands = bands; p.markers = markers
            p.series = [.init(name: "heart rate", cssClass: "heart-rate", color: "#b03060", points: hr)]
            out += p.render()
        }

        let rot = ReportAnalysis.headRotationSpeed(r)
        if rot.isEmpty {
            out += "<p class=\"no-data\">No head pose was recorded in this session.</p>\n"
        } else {
            var p = SVGPlot(title: "Head rotation speed (1 s means)", yLabel: "degrees/s", xMax: duration, yMin: 0,
                            yMax: max(10, (rot.map(\.y).max() ?? 10) * 1.1))
            p.bands = bands
            p.series = [.init(name: "rotation speed", cssClass: "rotation", color: "#2a8a4a", points: rot)]
            out += p.render()
        }

        let ft = ReportAnalysis.frameTiming(r)
        if ft.mean.isEmpty {
            out += "<p class=\"no-data\">No frame timing was recorded in this session.</p>\n"
        } else {
            let budget = 1000 / max(1, m.displayRateHz)
            var p = SVGPlot(title: "Frame timing (CPU per frame; \(ft.missed) missed frames)", yLabel: "ms", xMax: duration,
                            yMin: 0, yMax: max(budget * 1.5, (ft.worst.map(\.y).max() ?? budget) * 1.1))
            p.reference = (budget, "budget \(String(format: "%.1f", budget)) ms")
            p.series = [.init(name: "mean", cssClass: "cpu-mean", color: "#555", points: ft.mean),
                        .init(name: "worst", cssClass: "cpu-worst", color: "#d08000", points: ft.worst)]
            out += p.render()
        }

        out += "<h2>Steps</h2>\n<table class=\"steps\"><tr><th>Step</th><th>Start</th><th>Length</th><th>Peak SUDS</th><th>Last SUDS</th><th>Within-step reduction</th></tr>"
        for s in steps {
            out += "<tr><td>\(s.number). \(e(s.name))</td><td>\(minutes(s.start))</td><td>\(minutes(s.end - s.start))</td>"
            out += "<td>\(s.peakSUDS.map(ExportFiles.num) ?? "-")</td><td>\(s.finalSUDS.map(ExportFiles.num) ?? "-")</td>"
            out += "<td>\(s.reductionPercent.map { String(format: "%.0f%%", $0) } ?? "-")</td></tr>"
        }
        out += "</table>\n"

        out += "<h2>Simulator sickness (SSQ)</h2>\n"
        let ssq = ReportAnalysis.ssq(r)
        if ssq.isEmpty {
            out += "<p class=\"no-data\">No SSQ was recorded.</p>\n"
        } else {
            out += "<table class=\"ssq\"><tr><th></th><th>Nausea</th><th>Oculomotor</th><th>Disorientation</th><th>Total</th></tr>"
            for s in ssq {
                out += "<tr><td>\(s.kind == .ssqPre ? "Before" : "After")</td>"
                for v in [s.nausea, s.oculomotor, s.disorientation, s.total] { out += "<td>\(String(format: "%.2f", v))</td>" }
                out += "</tr>"
            }
            out += "</table>\n"
        }
        let fms = r.ratings.filter { $0.kind == .fms }.map(\.value)
        if let worst = fms.max() {
            out += "<p class=\"fms\">Fast Motion Sickness: \(fms.count) ratings, highest \(ExportFiles.num(worst)) of 20.</p>\n"
        }
        out += "<p><small>Generated by exposure \(e(m.softwareVersion)). Pseudonymous record; keep the key linking ids to people elsewhere.</small></p>\n"
        out += "</body></html>\n"
        return out
    }

    public static func write(_ r: SessionRecord, to url: URL) throws {
        try ExportFiles.write(html(r), to: url)
    }

    static func minutes(_ s: Double) -> String {
        let t = Int(max(0, s).rounded())
        return String(format: "%d:%02d", t / 60, t % 60)
    }

    static func iso(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
