// A minimal time-series plot rendered as inline SVG (no scripts), for the session report.
import Foundation

struct SVGPlot {
    struct Series {
        var name: String
        var cssClass: String
        var color: String
        var points: [(x: Double, y: Double)]
        /// Hold each value until the next one (intensity) instead of joining them diagonally.
        var stepped = false
        var dots = false
    }

    struct Band { var from: Double; var to: Double; var label: String }
    struct Marker { var x: Double; var label: String; var cssClass: String; var color: String }

    var title: String
    var yLabel: String
    var xMax: Double
    var yMin: Double
    var yMax: Double
    var series: [Series] = []
    var bands: [Band] = []
    var markers: [Marker] = []
    /// Horizontal reference line (e.g. the frame budget).
    var reference: (y: Double, label: String)?

    let width = 900.0, height = 240.0
    let left = 56.0, right = 16.0, top = 28.0, bottom = 36.0

    private func px(_ x: Double) -> Double { left + (xMax > 0 ? x / xMax : 0) * (width - left - right) }
    private func py(_ y: Double) -> Double {
        let span = yMax - yMin
        let f = span > 0 ? (y - yMin) / span : 0
        return top + (1 - min(1, max(0, f))) * (height - top - bottom)
    }
    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// "Nice" tick step giving about `count` ticks over `span`.
    static func tickStep(_ span: Double, count: Double = 6) -> Double {
        guard span > 0 else { return 1 }
        let raw = span / count, mag = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where raw <= m * mag { return m * mag }
        return 10 * mag
    }

    func render() -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        s += "width=\"\(Int(width))\" height=\"\(Int(height))\" aria-label=\"\(Self.escape(title))\">\n"
        s += "<title>\(Self.escape(title))</title>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        let plotBottom = height - bottom
        for (i, b) in bands.enumerated() {
            let x0 = px(b.from), x1 = px(min(b.to, xMax))
            s += "<rect class=\"step\" x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(0, x1 - x0)))\" height=\"\(f(plotBottom - top))\" "
            s += "fill=\"\(i % 2 == 0 ? "#eef3fb" : "#f7f7f7")\"/>\n"
            s += "<text x=\"\(f(x0 + 3))\" y=\"\(f(top + 12))\" font-size=\"10\" fill=\"#556\">\(Self.escape(b.label))</text>\n"
        }
        // Axes and ticks: x in minutes, y in the series' units.
        s += "<line x1=\"\(f(left))\" y1=\"\(f(plotBottom))\" x2=\"\(f(width - right))\" y2=\"\(f(plotBottom))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(plotBottom))\" stroke=\"#333\"/>\n"
        // Time ticks at a round number of seconds or minutes, labelled m:ss as clinicians read clocks.
        let xStep = [5.0, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].first { xMax / $0 <= 8 } ?? 3600
        var x = 0.0
        while x <= xMax + 1e-9 {
            s += "<text x=\"\(f(px(x)))\" y=\"\(f(plotBottom + 14))\" font-size=\"10\" text-anchor=\"middle\">\(SessionReport.minutes(x))</text>\n"
            x += xStep
        }
        s += "<text x=\"\(f(width - right))\" y=\"\(f(height - 4))\" font-size=\"10\" text-anchor=\"end\">time (min:s)</text>\n"
        let yStep = Self.tickStep(yMax - yMin, count: 4)
        var y = (yMin / yStep).rounded(.up) * yStep
        while y <= yMax + 1e-9 {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 3))\" font-size=\"10\" text-anchor=\"end\">\(ExportFiles.num(y))</text>\n"
            y += yStep
        }
        s += "<text x=\"12\" y=\"\(f(top + (plotBottom - top) / 2))\" font-size=\"10\" transform=\"rotate(-90 12 \(f(top + (plotBottom - top) / 2)))\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        if let r = reference {
            s += "<line class=\"reference\" x1=\"\(f(left))\" y1=\"\(f(py(r.y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(r.y)))\" stroke=\"#c60\" stroke-dasharray=\"6 4\"/>\n"
            s += "<text x=\"\(f(width - right - 2))\" y=\"\(f(py(r.y) - 3))\" font-size=\"10\" fill=\"#c60\" text-anchor=\"end\">\(Self.escape(r.label))</text>\n"
        }
        for ser in series where !ser.points.isEmpty {
            var pts: [String] = []
            for (i, p) in ser.points.enumerated() {
                if ser.stepped && i > 0 { pts.append("\(f(px(p.x))),\(f(py(ser.points[i - 1].y)))") }
                pts.append("\(f(px(p.x))),\(f(py(p.y)))")
            }
            if ser.stepped, let last = ser.points.last { pts.append("\(f(px(xMax))),\(f(py(last.y)))") }
            s += "<polyline class=\"\(ser.cssClass)\" fill=\"none\" stroke=\"\(ser.color)\" stroke-width=\"2\" points=\"\(pts.joined(separator: " "))\"/>\n"
            if ser.dots {
                for p in ser.points {
                    s += "<circle class=\"\(ser.cssClass)-point\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(ser.color)\"><title>\(Self.escape(ser.name)) \(ExportFiles.num(p.y))</title></circle>\n"
                }
            }
        }
        for m in markers {
            let mx = px(m.x)
            s += "<g class=\"\(m.cssClass)\"><line x1=\"\(f(mx))\" y1=\"\(f(top))\" x2=\"\(f(mx))\" y2=\"\(f(plotBottom))\" stroke=\"\(m.color)\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>"
            s += "<path d=\"M\(f(mx - 5)),\(f(top - 2)) L\(f(mx + 5)),\(f(top - 2)) L\(f(mx)),\(f(top + 6)) Z\" fill=\"\(m.color)\"/>"
            s += "<title>\(Self.escape(m.label))</title></g>\n"
        }
        // Legend.
        var lx = width - right
        for ser in series.reversed() {
            let w = Double(ser.name.count) * 6 + 22
            lx -= w
            s += "<rect x=\"\(f(lx))\" y=\"10\" width=\"12\" height=\"4\" fill=\"\(ser.color)\"/><text x=\"\(f(lx + 16))\" y=\"16\" font-size=\"10\">\(Self.escape(ser.name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
