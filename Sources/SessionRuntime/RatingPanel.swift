// The in-headset rating panel: a bar from calm green to red, the number being given in dot-matrix
// digits ("SUDS  45", "FMS 12"), and, while the protocol is asking, a frame that pulses once a
// second so the patient knows a rating is wanted without anyone saying so. Built from plain
// boxes so every environment (and the safe room) can show it without touching the renderer.
import ExposureCore
import Foundation
import SceneModel

/// Which rating the headset's thumbstick slider gives.
public enum HeadsetRating: String, Equatable, Sendable {
    /// Subjective Units of Distress, 0-100.
    case suds
    /// Fast Motion Sickness scale, 0-20.
    case fms
    /// Expectancy: how likely the feared outcome is, 0-100 %, predicted before a trial and
    /// judged again after it (inhibitory learning: the protocol's progression may wait on both).
    case expectancyBefore, expectancyAfter

    public var label: String {
        switch self {
        case .suds: return "SUDS"
        case .fms: return "FMS"
        case .expectancyBefore, .expectancyAfter: return "EXP"
        }
    }
    public var maximum: Int { self == .fms ? 20 : 100 }

    /// The slider always runs 0-100 (XR's InputInterpreter); FMS takes every 5 slider points as
    /// one step, round(v / 5), so full scale is FMS 20. The others use the slider as it is.
    public func value(fromSlider slider: Int) -> Int {
        let v = min(100, max(0, slider))
        return self == .fms ? Int((Double(v) / 5).rounded()) : v
    }

    /// Tick marks: every 10 points on 0-100 scales, every point on FMS; every fifth tick is longer.
    var tickIntervals: Int { self == .fms ? 20 : 10 }

    /// The engine input a headset answer on this scale becomes.
    func engineInput(_ value: Double) -> EngineInput {
        switch self {
        case .suds: return .suds(value)
        case .fms: return .fms(value)
        case .expectancyBefore: return .expectancy(value, .before)
        case .expectancyAfter: return .expectancy(value, .after)
        }
    }
}

enum RatingPanel {
    static let distance: Float = 0.9
    static let width: Float = 0.5
    /// Pitch of the dot-matrix caption: 7 dots make letters 6.3 cm tall, about 4 degrees at 0.9 m.
    static let dot: Float = 0.009
    /// Where the parts sit on the panel (metres, panel space: +x to the patient's right, +y up).
    static let captionTop: Float = 0.107
    static let boardBottom: Float = -0.07, boardTop: Float = 0.125
    static let frameThickness: Float = 0.01

    /// What the panel shows on one frame.
    struct Look: Equatable {
        var rating: HeadsetRating
        /// The slider, 0-100 (its starting value when the patient has not touched it yet).
        var slider: Int
        /// The protocol asked and no answer has arrived: the frame pulses.
        var asking: Bool
        /// The patient is moving the stick: the number is drawn bright rather than dimmed.
        var adjusting: Bool
        /// The runtime's display time, which drives the pulse (deterministic in tests).
        var displayTimeNs: Int64

        var value: Int { rating.value(fromSlider: slider) }
        /// Label and number; the number is right-aligned to the scale's widest so it does not jump.
        var caption: String {
            let digits = String(value), width = String(rating.maximum).count
            return rating.label + " " + String(repeating: " ", count: max(0, width - digits.count)) + digits
        }
    }

    /// The panel's boxes, and which of them draw what (for tests and anything that inspects it).
    struct Drawn {
        var batch: DrawBatch
        /// Instance indices of each caption character, left to right as the caption string reads.
        var glyphs: [[Int]]
        /// Instance indices of the pulsing frame (empty when not asking).
        var frame: Range<Int>
        var caption: String
    }

    /// Frame brightness 0.3...1 in a 1 Hz cosine of the display time: brightest on each whole second.
    static func pulse(displayTimeNs: Int64) -> Float {
        let phase = Double(((displayTimeNs % 1_000_000_000) + 1_000_000_000) % 1_000_000_000) / 1e9
        return Float(0.3 + 0.7 * (0.5 + 0.5 * cos(2 * Double.pi * phase)))
    }

    /// The SUDS panel while the patient moves the stick with nothing asked.
    static func batch(value: Int, head: Pose) -> DrawBatch {
        draw(Look(rating: .suds, slider: value, asking: false, adjusting: true, displayTimeNs: 0), head: head).batch
    }

    /// The panel a little below eye level, 0.9 m ahead, facing the head.
    static func draw(_ look: Look, head: Pose) -> Drawn {
        // In front of where the patient looks, upright (PanelPlacement).
        let facing = PanelPlacement.facing(head)
        let centre = head.position + facing.rotate(Vec3(0, -0.15, -distance))
        var boxes: [Instance] = []
        func add(_ x: Float, _ y: Float, _ z: Float, _ size: Vec3, _ color: Vec3) {
            boxes.append(Instance(position: centre + facing.rotate(Vec3(x, y, z)), rotation: facing, scale: size, color: color))
        }

        let boardWidth = width + 0.04, boardHeight = boardTop - boardBottom, boardY = (boardTop + boardBottom) / 2
        add(0, boardY, 0, Vec3(boardWidth, boardHeight, 0.01), Vec3(0.08, 0.08, 0.1))

        // The bar: filled to the value on its own scale, so FMS snaps to its 21 steps like the number.
        let fraction = Float(look.value) / Float(look.rating.maximum)
        let fill = max(0.004, width * fraction)
        add(-width / 2 + fill / 2, 0, 0.008, Vec3(fill, 0.06, 0.01),
            Vec3(0.2 + 0.75 * fraction, 0.75 - 0.55 * fraction, 0.25))
        let intervals = look.rating.tickIntervals
        for i in 0...intervals {
            add(-width / 2 + width * Float(i) / Float(intervals), -0.045, 0.008,
                Vec3(0.004, i % 5 == 0 ? 0.03 : 0.015, 0.01), Vec3(0.85, 0.85, 0.85))
        }

        let caption = look.caption
        var glyphs = Array(repeating: [Int](), count: caption.count)
        let left = -Float(DotMatrixText.width(caption)) * dot / 2
        let ink = look.adjusting ? Vec3(0.95, 0.95, 0.95) : Vec3(0.6, 0.6, 0.62)
        for run in DotMatrixText.runs(caption) {
            glyphs[run.character].append(boxes.count)
            add(left + (Float(run.column) + Float(run.length) / 2) * dot, captionTop - (Float(run.row) + 0.5) * dot, 0.008,
                Vec3(Float(run.length) * dot - 0.15 * dot, 0.85 * dot, 0.01), ink)
        }

        let frameStart = boxes.count
        if look.asking {
            let glow = Vec3(1.0, 0.72, 0.2) * pulse(displayTimeNs: look.displayTimeNs)
            let t = frameThickness, outerWidth = boardWidth + 2 * t
            add(0, boardTop + t / 2, 0.004, Vec3(outerWidth, t, 0.012), glow)
            add(0, boardBottom - t / 2, 0.004, Vec3(outerWidth, t, 0.012), glow)
            add(-boardWidth / 2 - t / 2, boardY, 0.004, Vec3(t, boardHeight, 0.012), glow)
            add(boardWidth / 2 + t / 2, boardY, 0.004, Vec3(t, boardHeight, 0.012), glow)
        }
        return Drawn(batch: DrawBatch(shape: .box, instances: boxes), glyphs: glyphs,
                     frame: frameStart..<boxes.count, caption: caption)
    }
}
