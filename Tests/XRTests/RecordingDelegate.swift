// A FrameDelegate for tests: records frames, input and states; switches to an indoor "safe room"
// scene when it receives an opt-out, the way the session runtime will.
import Foundation
import SceneModel
import XR

final class RecordingDelegate: FrameDelegate {
    static let outdoor = Scene(sky: Sky(zenith: Vec3(0.1, 0.2, 0.6), horizon: Vec3(0.2, 0.6, 0.9), ground: Vec3(0.3, 0.3, 0.3)))
    static let safeRoom = Scene(sky: nil, background: Vec3(0.8, 0.5, 0.1))

    var frames: [FrameInfo] = []
    var inputs: [(frame: FrameInfo, events: [InputEvent])] = []
    var states: [XRSessionState] = []
    var scene = RecordingDelegate.outdoor
    /// Display time of the frame in which the opt-out arrived.
    var optOutDisplayTime: Int64?
    var onFrame: ((FrameInfo) -> Void)?

    func frame(_ frame: FrameInfo, input: [InputEvent]) -> Scene {
        frames.append(frame)
        if !input.isEmpty { inputs.append((frame, input)) }
        if input.contains(.optOut), optOutDisplayTime == nil {
            optOutDisplayTime = frame.predictedDisplayTime
            scene = RecordingDelegate.safeRoom
        }
        onFrame?(frame)
        return scene
    }

    func stateChanged(_ state: XRSessionState) { states.append(state) }

    var allEvents: [InputEvent] { inputs.flatMap { $0.events } }
}

/// sRGB encoding of a linear colour channel, as the GPU writes it into an sRGB swapchain image.
func srgbByte(_ linear: Float) -> Int {
    let c = linear <= 0.0031308 ? linear * 12.92 : 1.055 * pow(linear, 1 / 2.4) - 0.055
    return Int((c * 255).rounded())
}

func assertPixel(_ pixel: (r: UInt8, g: UInt8, b: UInt8, a: UInt8), linear: Vec3, tolerance: Int = 2,
                 _ message: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
    let expected = [srgbByte(linear.x), srgbByte(linear.y), srgbByte(linear.z)]
    let got = [Int(pixel.r), Int(pixel.g), Int(pixel.b)]
    return zip(expected, got).allSatisfy { abs($0 - $1) <= tolerance }
}
