// The consent panel in the safe room after an opt-out: "Ready to go on? Hold the trigger", with a
// bar that fills while the trigger is held, then "Thank you. Your therapist will continue." once
// the patient has agreed. It sits where the rating panel sits (below eye level, 0.9 m ahead), so
// the therapist's message above eye level can show with it, and is built from plain boxes like
// the other panels, so the safe room shows it without touching the renderer.
import Foundation
import SceneModel

enum ConsentPanel {
    /// What the panel shows on one frame.
    enum Look: Equatable {
        /// Consent is awaited; `hold` is how far the trigger hold has come (0...1, 0 when not held).
        case asking(hold: Double)
        /// Consent was given; the therapist decides when to go on.
        case thanks

        /// Each sentence starts a line of its own, so the question and the instruction read apart.
        var sentences: [String] {
            switch self {
            case .asking: return ["Ready to go on?", "Hold the trigger"]
            case .thanks: return ["Thank you.", "Your therapist will continue."]
            }
        }
    }

    /// Same depth and height as the rating panel: the eyes need not refocus, and the view ahead stays clear.
    static let distance: Float = 0.9
    static let centreBelowEyes: Float = 0.15
    /// Dot pitch: 7 dots make letters 3.5 cm tall, about 2.2 degrees at 0.9 m (readable in a
    /// headset, see PatientMessagePanel.dot), and 16 characters make a line as wide as the rating panel.
    static let dot: Float = 0.005
    static let charactersPerLine = 16
    static let lineAdvance = 10
    static let margin: Float = 0.02
    /// The board's top edge in panel space: 3 cm below eye level, clear of the message board above.
    static let boardTop: Float = 0.12
    static let barHeight: Float = 0.03

    /// The panel's boxes and which of them draw what (for tests and anything that inspects it).
    struct Drawn {
        var batch: DrawBatch
        /// The text as shown, one entry per line, top to bottom.
        var lines: [String]
        /// Instance indices of each character, by line and then left to right as the line reads.
        var glyphs: [[[Int]]]
        /// The board's instance (the first one).
        var board: Int
        /// The bar's empty track and its fill (nil when not asking, or nothing held yet).
        var track: Int?
        var fill: Int?
    }

    /// The panel for `look`, facing the head (PanelPlacement), below eye level.
    static func draw(_ look: Look, head: Pose) -> Drawn {
        let facing = PanelPlacement.facing(head)
        let centre = head.position + facing.rotate(Vec3(0, -centreBelowEyes, -distance))
        var boxes: [Instance] = []
        func add(_ x: Float, _ y: Float, _ z: Float, _ size: Vec3, _ color: Vec3) {
            boxes.append(Instance(position: centre + facing.rotate(Vec3(x, y, z)), rotation: facing, scale: size, color: color))
        }

        let lines = look.sentences.flatMap { PatientMessagePanel.lines($0, width: charactersPerLine) }
        let textHeight = Float(max(1, lines.count) * lineAdvance - (lineAdvance - DotMatrixText.glyphHeight)) * dot
        let barSpace: Float
        if case .asking = look { barSpace = margin + barHeight } else { barSpace = 0 }
        let barWidth = Float(DotMatrixText.width(String(repeating: "M", count: charactersPerLine))) * dot
        let boardWidth = barWidth + 2 * margin
        let boardHeight = textHeight + barSpace + 2 * margin
        add(0, boardTop - boardHeight / 2, 0, Vec3(boardWidth, boardHeight, 0.01), Vec3(0.08, 0.08, 0.1))

        var glyphs: [[[Int]]] = []
        let ink = Vec3(0.95, 0.93, 0.85)
        for (n, line) in lines.enumerated() {
            var chars = Array(repeating: [Int](), count: line.count)
            let left = -Float(DotMatrixText.width(line)) * dot / 2
            let top = boardTop - margin - Float(n * lineAdvance) * dot
            for run in DotMatrixText.runs(line) {
                chars[run.character].append(boxes.count)
                add(left + (Float(run.column) + Float(run.length) / 2) * dot, top - (Float(run.row) + 0.5) * dot, 0.008,
                    Vec3(Float(run.length) * dot - 0.15 * dot, 0.85 * dot, 0.01), ink)
            }
            glyphs.append(chars)
        }

        var track: Int?, fill: Int?
        if case .asking(let hold) = look {
            // The track shows there is something to fill; the fill grows left to right as the hold goes on.
            let barY = boardTop - margin - textHeight - margin - barHeight / 2
            track = boxes.count
            add(0, barY, 0.006, Vec3(barWidth, barHeight, 0.01), Vec3(0.22, 0.22, 0.26))
            let fraction = Float(min(1, max(0, hold)))
            if fraction > 0 {
                fill = boxes.count
                let width = barWidth * fraction
                add(-barWidth / 2 + width / 2, barY, 0.01, Vec3(width, barHeight, 0.01), Vec3(0.3, 0.8, 0.5))
            }
        }
        return Drawn(batch: DrawBatch(shape: .box, instances: boxes), lines: lines, glyphs: glyphs, board: 0, track: track, fill: fill)
    }
}
