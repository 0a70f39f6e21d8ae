// Pixel helpers shared by the headset-panel render tests (rating prompt, therapist's message).
import Foundation
import PNG
import Render
import SceneModel

enum PanelPixels {
    /// One eye, offscreen; saved as NAME.png when EXPOSURE_TEST_IMAGES names a folder.
    static func render(_ renderer: StereoRenderer, _ scene: Scene, view: EyeView, name: String) throws -> RGBAImage {
        let image = try renderer.renderOffscreen(scene: scene, views: [view])[0]
        if let dir = ProcessInfo.processInfo.environment["EXPOSURE_TEST_IMAGES"] { try? PNG.write(image, to: "\(dir)/\(name).png") }
        return image
    }

    /// Pixels inside `rows` x `columns` whose colour differs clearly between two images.
    static func changed(_ a: RGBAImage, _ b: RGBAImage, rows: Range<Int>, columns: Range<Int>) -> Int {
        var n = 0
        for y in rows { for x in columns {
            let p = a[x, y], q = b[x, y]
            if abs(Int(p.r) - Int(q.r)) + abs(Int(p.g) - Int(q.g)) + abs(Int(p.b) - Int(q.b)) > 30 { n += 1 }
        } }
        return n
    }
}
