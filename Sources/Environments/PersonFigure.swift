// A person drawn from unit meshes: legs and arms that swing with the walk, a torso, a head with
// hair at the back (so where they look is visible), in varied clothes, skin tones and heights.
import SceneModel
import Foundation

public struct PersonLook: Equatable, Sendable {
    public var height: Float
    public var build: Float
    public var shirt: Vec3, trousers: Vec3, skin: Vec3, hair: Vec3, shoes: Vec3

    static let shirts: [Vec3] = [
        Vec3(0.60, 0.08, 0.08), Vec3(0.08, 0.20, 0.55), Vec3(0.10, 0.40, 0.15), Vec3(0.75, 0.60, 0.10),
        Vec3(0.85, 0.85, 0.82), Vec3(0.12, 0.12, 0.14), Vec3(0.45, 0.15, 0.45), Vec3(0.90, 0.40, 0.10),
        Vec3(0.30, 0.55, 0.70), Vec3(0.55, 0.35, 0.20), Vec3(0.70, 0.30, 0.45), Vec3(0.35, 0.38, 0.40)]
    static let trousers: [Vec3] = [
        Vec3(0.06, 0.08, 0.20), Vec3(0.10, 0.10, 0.10), Vec3(0.35, 0.30, 0.22), Vec3(0.25, 0.25, 0.28),
        Vec3(0.15, 0.22, 0.40), Vec3(0.40, 0.38, 0.33)]
    static let skins: [Vec3] = [
        Vec3(0.95, 0.75, 0.62), Vec3(0.85, 0.62, 0.48), Vec3(0.65, 0.45, 0.32), Vec3(0.45, 0.30, 0.20),
        Vec3(0.30, 0.20, 0.13)]
    static let hairs: [Vec3] = [
        Vec3(0.05, 0.04, 0.03), Vec3(0.25, 0.15, 0.07), Vec3(0.55, 0.40, 0.20), Vec3(0.60, 0.60, 0.60),
        Vec3(0.45, 0.18, 0.08)]

    static func random(_ rng: inout SeededRandom) -> PersonLook {
        PersonLook(height: rng.float(1.55, 1.95), build: rng.float(0.9, 1.15),
                   shirt: rng.pick(shirts), trousers: rng.pick(trousers), skin: rng.pick(skins),
                   hair: rng.pick(hairs), shoes: Vec3(0.08, 0.07, 0.06) + rng.unit() * Vec3(0.2, 0.15, 0.1))
    }
}

public enum PersonFigure {
    /// Instances one person adds.
    public static let instanceCount = 9

    /// Draws a walker standing on the ground at `groundY`. Sines and cosines are computed once
    /// per person (this runs for every person every frame).
    public static func draw(_ w: Walker, groundY: Float = 0, into a: inout SceneAssembler) {
        let l = w.look, h = l.height, b = l.build
        let base = Vec3(w.position.x, groundY, w.position.y)
        let body = Frame(yaw: w.heading)
        let speed = min(1, (w.velocity.x * w.velocity.x + w.velocity.y * w.velocity.y).squareRoot() / 1.3)
        let swing = sin(w.phase) * 0.45 * speed
        let cs = cos(swing), ss = sin(swing)
        let legLength = h * 0.47, hipY = legLength
        let torsoHeight = h * 0.30, shoulderY = hipY + torsoHeight
        let hipHalf = 0.09 * b, armLength = h * 0.36
        for side: Float in [-1, 1] {
            // Legs swing by `side * swing`, arms the other way.
            let leg = body.pitched(cos: cs, sin: ss * side)
            let hip = base + body.rotate(Vec3(side * hipHalf, hipY, 0))
            a.add(.box, leg.matrix(hip + leg.rotate(Vec3(0, -legLength / 2, 0)), Vec3(0.14 * b, legLength, 0.16)), l.trousers)
            a.add(.box, leg.matrix(hip + leg.rotate(Vec3(0, -legLength + 0.04, -0.05)), Vec3(0.12 * b, 0.08, 0.26)), l.shoes)
            let arm = body.pitched(cos: cs, sin: -ss * side)
            let shoulder = base + body.rotate(Vec3(side * (0.22 * b + 0.05), shoulderY - 0.04, 0))
            a.add(.box, arm.matrix(shoulder + arm.rotate(Vec3(0, -armLength / 2, 0)), Vec3(0.09, armLength, 0.10)), l.shirt)
        }
        a.add(.box, body.matrix(base + Vec3(0, hipY + torsoHeight / 2, 0), Vec3(0.44 * b, torsoHeight, 0.24 * b)), l.shirt)
        let headSize = 0.22 * (h / 1.75) + 0.02
        let headCentre = base + Vec3(0, shoulderY + 0.06 + headSize / 2, 0)
        let head = Frame(yaw: w.heading + w.headYaw)
        a.add(.sphere, head.matrix(headCentre, Vec3(headSize, headSize * 1.1, headSize)), l.skin)
        // Hair covers the back and top of the head: from behind you see hair, from the front a face.
        a.add(.sphere, head.matrix(headCentre + head.rotate(Vec3(0, 0.025, 0.035)),
                                   Vec3(headSize * 1.04, headSize * 1.06, headSize * 0.95)), l.hair)
    }

    /// A rotation (yaw about +Y, then pitch about the body's X axis) as its three axes.
    struct Frame {
        var x: Vec3, y: Vec3, z: Vec3
        init(yaw: Float) {
            let c = cos(yaw), s = sin(yaw)
            x = Vec3(c, 0, -s); y = Vec3(0, 1, 0); z = Vec3(s, 0, c)
        }
        init(x: Vec3, y: Vec3, z: Vec3) { self.x = x; self.y = y; self.z = z }
        /// This frame pitched about its own X axis.
        func pitched(cos c: Float, sin s: Float) -> Frame {
            Frame(x: x, y: y * c + z * s, z: z * c - y * s)
        }
        @inline(__always) func rotate(_ v: Vec3) -> Vec3 { x * v.x + y * v.y + z * v.z }
        @inline(__always) func matrix(_ p: Vec3, _ s: Vec3) -> Mat4 {
            Mat4(Vec4(x.x * s.x, x.y * s.x, x.z * s.x, 0), Vec4(y.x * s.y, y.y * s.y, y.z * s.y, 0),
                 Vec4(z.x * s.z, z.y * s.z, z.z * s.z, 0), Vec4(p.x, p.y, p.z, 1))
        }
    }
}
