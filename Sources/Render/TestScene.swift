import Foundation
import SceneModel

/// The built-in scene for `exposure render --scene test`, the benchmark and the tests:
/// a floor, a red box straight ahead of the default head at eye height, a ring of grey
/// boxes, a few other shapes, the clear-day sky and light fog.
public enum TestScene {
    /// Standing at the origin, eyes 1.6 m above the floor, looking along -Z.
    public static var defaultHead: Pose { Pose(position: Vec3(0, 1.6, 0)) }
    /// Where the red box stands (straight ahead of `defaultHead`) and its colour.
    public static let targetBoxPosition = Vec3(0, 1.6, -4)
    public static let targetBoxColor = Vec3(0.8, 0.1, 0.08)
    public static let floorColor = Vec3(0.32, 0.36, 0.30)

    public static func make() -> Scene {
        var boxes = [Instance(position: targetBoxPosition, scale: Vec3(1, 1, 1), color: targetBoxColor)]
        // A ring of boxes around the viewer gives depth cues all around (and load for the benchmark).
        for i in 0..<24 {
            let angle = Float(i) / 24 * 2 * .pi
            let radius: Float = 9 + Float(i % 3) * 3
            let height: Float = 0.5 + Float(i % 4) * 0.6
            boxes.append(Instance(position: Vec3(radius * sin(angle), height / 2, -radius * cos(angle)),
                                  rotation: Quat(axis: Vec3(0, 1, 0), angle: angle),
                                  scale: Vec3(1.2, height, 1.2), color: Vec3(0.55, 0.55, 0.6)))
        }
        let floor = Instance(position: .zero, scale: Vec3(400, 1, 400), color: floorColor)
        return Scene(sky: .clearDay, lighting: .daylight, fog: Fog(color: Vec3(0.70, 0.78, 0.88), density: 0.004),
                     batches: [
                        DrawBatch(shape: .quad, instances: [floor]),
                        DrawBatch(shape: .box, instances: boxes),
                        DrawBatch(shape: .sphere, instances: [Instance(position: Vec3(-2.5, 0.6, -5), scale: Vec3(1.2, 1.2, 1.2), color: Vec3(0.1, 0.35, 0.8))]),
                        DrawBatch(shape: .cylinder, instances: [Instance(position: Vec3(2.5, 0, -6), scale: Vec3(0.6, 2.5, 0.6), color: Vec3(0.85, 0.75, 0.2))]),
                        DrawBatch(shape: .cone, instances: [Instance(position: Vec3(-4, 0, -8), scale: Vec3(1.5, 2, 1.5), color: Vec3(0.15, 0.6, 0.2))]),
                     ])
    }
}

/// Eye views for desktop previews and the benchmark, where no headset supplies the field of view.
public enum PreviewViews {
    /// Two eyes with a `horizontalDegrees` field of view and the vertical one that keeps pixels
    /// square for a `width` x `height` image.
    public static func stereo(head: Pose, width: Int, height: Int, horizontalDegrees: Float = 90, ipd: Float = 0.064) -> [EyeView] {
        let halfH = horizontalDegrees * .pi / 360
        let halfV = atan(tan(halfH) * Float(height) / Float(max(width, 1)))
        return EyeView.stereo(head: head, ipd: ipd, fov: Fov(angleLeft: -halfH, angleRight: halfH, angleUp: halfV, angleDown: -halfV))
    }
}
