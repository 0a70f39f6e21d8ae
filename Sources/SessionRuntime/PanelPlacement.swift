// Where the headset's panels (the rating panel, the therapist's message) are placed: in front of
// where the patient is looking, level (never rolled), so text stays upright and reads left to right.
import Foundation
import SceneModel

enum PanelPlacement {
    /// How far the panels follow the head's pitch. In the heights environment looking down is the
    /// exposure itself: a prompt that stayed at the horizon would go unseen by a patient alone in an
    /// automated session. Beyond these limits the panel stays at the limit (and never flips over
    /// when the patient looks straight down).
    static let maxPitchDown: Float = 60 * .pi / 180
    static let maxPitchUp: Float = 30 * .pi / 180

    /// The panel's orientation: the head's heading, then its pitch within the limits; no roll.
    static func facing(_ head: Pose) -> Quat {
        let f = head.forward
        var heading = Vec3(f.x, 0, f.z)
        if heading.length < 0.1 {
            // Looking (almost) straight down or up: the top of the head points along the heading.
            let up = head.orientation.rotate(Vec3(0, 1, 0))
            heading = f.y < 0 ? Vec3(up.x, 0, up.z) : Vec3(-up.x, 0, -up.z)
        }
        let yaw = atan2(-heading.x, -heading.z)
        let pitch = min(maxPitchUp, max(-maxPitchDown, asin(min(1, max(-1, f.y)))))
        return Quat(axis: Vec3(0, 1, 0), angle: yaw) * Quat(axis: Vec3(1, 0, 0), angle: pitch)
    }
}
