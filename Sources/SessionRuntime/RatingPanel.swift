// The in-headset SUDS panel: while the patient moves the thumbstick, a bar in front of them shows
// the rating they are about to give, from calm green at 0 to red at 100. Built from plain boxes so
// every environment (and the safe room) can show it without touching the renderer.
import Foundation
import SceneModel

enum RatingPanel {
    static let distance: Float = 0.9
    static let width: Float = 0.5

    /// Boxes for a rating of `value` (0-100), facing the head, a little below eye level.
    static func batch(value: Int, head: Pose) -> DrawBatch {
        let v = Float(min(100, max(0, value))) / 100
        // Turn with the head's heading only, so the panel stays level when the patient looks down.
        let f = head.forward
        let yaw = atan2(-f.x, -f.z)
        let facing = Quat(axis: Vec3(0, 1, 0), angle: yaw)
        let centre = head.position + facing.rotate(Vec3(0, -0.15, -distance))
        func place(_ x: Float, _ y: Float, _ z: Float, size: Vec3, color: Vec3) -> Instance {
            Instance(position: centre + facing.rotate(Vec3(x, y, z)), rotation: facing, scale: size, color: color)
        }
        var boxes = [place(0, 0, 0, size: Vec3(width + 0.04, 0.1, 0.01), color: Vec3(0.08, 0.08, 0.1))]
        let fill = max(0.004, width * v)
        boxes.append(place(-width / 2 + fill / 2, 0, 0.008, size: Vec3(fill, 0.06, 0.01),
                           color: Vec3(0.2 + 0.75 * v, 0.75 - 0.55 * v, 0.25)))
        // Tick marks every 10 points.
        for i in 0...10 {
            boxes.append(place(-width / 2 + width * Float(i) / 10, -0.045, 0.008, size: Vec3(0.004, i % 5 == 0 ? 0.03 : 0.015, 0.01),
                               color: Vec3(0.85, 0.85, 0.85)))
        }
        return DrawBatch(shape: .box, instances: boxes)
    }
}
