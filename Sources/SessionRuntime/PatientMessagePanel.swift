// The therapist's message in the headset: a dark board just above eye level with the text in
// light dot-matrix letters, word-wrapped and centred, turned with the head's heading like the
// rating panel (which sits below eye level, so both can show at once). Built from plain boxes,
// so every environment and the safe room show it without touching the renderer.
import Foundation
import SceneModel

/// A message the therapist sent to the patient, as the headset shows it.
public struct PatientMessage: Equatable, Sendable {
    public var text: String
    /// Session time (seconds, display clock) of the frame that first showed it.
    public var shownAt: Double

    public init(text: String, shownAt: Double) { self.text = text; self.shownAt = shownAt }

    /// How long it stays: 0.35 s a character (about 35 words a minute, far slower than anyone
    /// reads, because an anxious patient may read it twice and look away between), and never
    /// under 8 s so a short "Breathe" is not gone before the patient finds it.
    public var readingSeconds: Double { max(8, 0.35 * Double(text.count)) }
    /// Session time at which the board goes away.
    public var hiddenAt: Double { shownAt + readingSeconds }

    /// True from the frame it arrived until its reading time is up.
    public func isShowing(at sessionTime: Double) -> Bool { sessionTime >= shownAt && sessionTime < hiddenAt }
}

enum PatientMessagePanel {
    /// Same depth as the rating panel, so the eyes need not refocus between the two.
    static let distance: Float = 0.9
    /// Dot pitch. 7 dots make letters 2.8 cm tall, 1.78 degrees at 0.9 m: above the ~1.5 degrees
    /// below which headset text gets hard to read, and 25-35 pixels tall on current headsets
    /// (14-20 pixels a degree), so each dot is at least 3 pixels even after the lens blurs it.
    static let dot: Float = 0.004
    /// Characters on one line: 131 dots, 0.52 m, about 32 degrees wide, as wide as the rating
    /// panel, so the patient reads a line by moving the eyes alone.
    static let charactersPerLine = 22
    /// Any message the console accepts (140 characters) wraps to at most 11 lines at 22 a line.
    static let maxLines = 12
    /// Line pitch in dots: 7 for the letters, 3 blank between lines.
    static let lineAdvance = 10
    static let margin: Float = 0.02
    /// The board's bottom edge, 2 cm (1.3 degrees) above eye level: the view straight ahead and
    /// the rating panel below it stay clear; a two-line message reaches about 7 degrees up.
    static let boardBottom: Float = 0.02

    /// The panel's boxes and which of them draw what (for tests and anything that inspects it).
    struct Drawn {
        var batch: DrawBatch
        /// The text as shown, one entry per line, top to bottom.
        var lines: [String]
        /// Instance indices of each character, by line and then left to right as the line reads.
        var glyphs: [[[Int]]]
        /// The board's instance (the first one).
        var board: Int
    }

    /// `text` broken into lines of at most `width` characters at spaces. A word is split only
    /// when it alone is longer than a line. Extra spaces collapse; beyond `maxLines` the last
    /// line ends in "..." so the patient sees that something was cut.
    static func lines(_ text: String, width: Int = charactersPerLine, maxLines: Int = maxLines) -> [String] {
        guard width > 0, maxLines > 0 else { return [] }
        var out: [String] = []
        var line = ""
        for word in DotMatrixText.displayForm(text).split(separator: " ") {
            var word = String(word)
            if !line.isEmpty {
                if line.count + 1 + word.count <= width { line += " " + word; continue }
                out.append(line); line = ""
            }
            while word.count > width {
                out.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            line = word
        }
        if !line.isEmpty { out.append(line) }
        if out.count > maxLines {
            out = Array(out.prefix(maxLines))
            out[maxLines - 1] = String(out[maxLines - 1].prefix(max(0, width - 3))) + "..."
        }
        return out
    }

    /// The board for `text`, 0.9 m ahead, its bottom edge just above eye level, facing the head.
    static func draw(_ text: String, head: Pose) -> Drawn {
        // In front of where the patient looks, upright (PanelPlacement).
        let facing = PanelPlacement.facing(head)
        let centre = head.position + facing.rotate(Vec3(0, 0, -distance))
        var boxes: [Instance] = []
        func add(_ x: Float, _ y: Float, _ z: Float, _ size: Vec3, _ color: Vec3) {
            boxes.append(Instance(position: centre + facing.rotate(Vec3(x, y, z)), rotation: facing, scale: size, color: color))
        }

        let lines = lines(text)
        let textWidth = Float(lines.map(DotMatrixText.width).max() ?? 0) * dot
        let textHeight = Float(max(1, lines.count) * lineAdvance - (lineAdvance - DotMatrixText.glyphHeight)) * dot
        let boardWidth = textWidth + 2 * margin, boardHeight = textHeight + 2 * margin
        add(0, boardBottom + boardHeight / 2, 0, Vec3(boardWidth, boardHeight, 0.01), Vec3(0.08, 0.08, 0.1))

        var glyphs: [[[Int]]] = []
        let ink = Vec3(0.95, 0.93, 0.85)
        for (n, line) in lines.enumerated() {
            var chars = Array(repeating: [Int](), count: line.count)
            let left = -Float(DotMatrixText.width(line)) * dot / 2
            let top = boardBottom + boardHeight - margin - Float(n * lineAdvance) * dot
            for run in DotMatrixText.runs(line) {
                chars[run.character].append(boxes.count)
                add(left + (Float(run.column) + Float(run.length) / 2) * dot, top - (Float(run.row) + 0.5) * dot, 0.008,
                    Vec3(Float(run.length) * dot - 0.15 * dot, 0.85 * dot, 0.01), ink)
            }
            glyphs.append(chars)
        }
        return Drawn(batch: DrawBatch(shape: .box, instances: boxes), lines: lines, glyphs: glyphs, board: 0)
    }
}
