// The headset's panels sit where the patient looks, within limits, and stay upright: a patient
// looking down from the heights balcony still sees a rating prompt or the therapist's message.
import SceneModel
import XCTest
@testable import SessionRuntime

final class PanelPlacementTests: XCTestCase {
    func eyeSpace(_ drawn: RatingPanel.Drawn, head: Pose) -> [Vec3] {
        let view = Mat4.view(from: head)
        return drawn.batch.instances.map { view.transformPoint($0.transform.transformPoint(.zero)) }
    }

    func look(_ head: Pose) -> RatingPanel.Drawn {
        RatingPanel.draw(RatingPanel.Look(rating: .suds, slider: 45, asking: true, adjusting: false, displayTimeNs: 0), head: head)
    }

    func testLookingDownWithinTheLimitTheRatingPanelIsStillJustBelowTheGaze() {
        for degrees: Float in [0, -30, -55] {
            let head = Pose(position: Vec3(0, 1.6, 0), orientation: .yawPitch(yaw: 0.7, pitch: degrees * .pi / 180))
            let points = eyeSpace(look(head), head: head)
            let centre = points.reduce(Vec3.zero, +) * (1 / Float(points.count))
            XCTAssertEqual(centre.z, -RatingPanel.distance, accuracy: 0.03, "pitch \(degrees): 0.9 m ahead of the eyes")
            XCTAssertLessThan(centre.y, 0, "pitch \(degrees): below the gaze")
            XCTAssertGreaterThan(centre.y, -0.2, "pitch \(degrees): but in view")
            XCTAssertLessThan(abs(centre.x), 0.05, "pitch \(degrees): straight ahead (the bar fills from the left)")
        }
    }

    func testLookingStraightDownThePanelStopsAtTheLimitUprightAndReadable() {
        let head = Pose(position: Vec3(0, 1.6, 0), orientation: .yawPitch(yaw: 0.3, pitch: -.pi / 2 + 0.001))
        let drawn = look(head)
        let world = drawn.batch.instances.map { $0.transform.transformPoint(.zero) }
        let centre = world.reduce(Vec3.zero, +) * (1 / Float(world.count))
        // At most 60 degrees below the horizon (plus the panel's own drop below the gaze).
        let below = atan2(1.6 - centre.y, Vec3(centre.x, 0, centre.z).length) * 180 / .pi
        XCTAssertLessThan(below, 72, "the panel does not go under the patient's feet")
        XCTAssertGreaterThan(below, 50, "it follows the gaze down to the limit")
        // Still upright: the caption's characters run left to right in the patient's view.
        let view = Mat4.view(from: head)
        let xs = drawn.glyphs.filter { !$0.isEmpty }.map { glyph in
            glyph.map { view.transformPoint(drawn.batch.instances[$0].transform.transformPoint(.zero)).x }.reduce(0, +) / Float(glyph.count)
        }
        XCTAssertEqual(xs, xs.sorted(), "characters left to right")
    }

    func testTheMessageBoardFollowsTheGazeDownToo() {
        let level = Pose(position: Vec3(0, 1.6, 0))
        let down = Pose(position: Vec3(0, 1.6, 0), orientation: .yawPitch(yaw: 0, pitch: -0.8))
        func centreY(_ head: Pose) -> Float {
            let boxes = PatientMessagePanel.draw("You are safe", head: head).batch.instances
            return boxes.map { $0.transform.transformPoint(.zero).y }.reduce(0, +) / Float(boxes.count)
        }
        XCTAssertLessThan(centreY(down), centreY(level) - 0.4, "looking down 46 degrees brings the board down with the gaze")
    }
}
