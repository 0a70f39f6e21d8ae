// Small, dependency-free 3D math. Swift's `simd` module is Apple-only; SIMD3/SIMD4 are in the standard library.
import Foundation

public typealias Vec3 = SIMD3<Float>
public typealias Vec4 = SIMD4<Float>

public extension SIMD3 where Scalar == Float {
    var length: Float { (self * self).sum().squareRoot() }
    var normalized: Vec3 { let l = length; return l > 0 ? self / l : self }
    func dot(_ o: Vec3) -> Float { (self * o).sum() }
    func cross(_ o: Vec3) -> Vec3 {
        Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
}

/// Unit quaternion (x, y, z, w), the same convention as XrQuaternionf.
public struct Quat: Equatable, Sendable {
    public var x: Float, y: Float, z: Float, w: Float
    public init(x: Float, y: Float, z: Float, w: Float) { self.x = x; self.y = y; self.z = z; self.w = w }
    public static let identity = Quat(x: 0, y: 0, z: 0, w: 1)

    /// Rotation of `angle` radians about `axis` (right-handed).
    public init(axis: Vec3, angle: Float) {
        let a = axis.normalized, s = sin(angle / 2)
        self.init(x: a.x * s, y: a.y * s, z: a.z * s, w: cos(angle / 2))
    }
    /// Yaw about +Y, then pitch about +X (OpenXR: -Z forward, +Y up).
    public static func yawPitch(yaw: Float, pitch: Float) -> Quat {
        Quat(axis: Vec3(0, 1, 0), angle: yaw) * Quat(axis: Vec3(1, 0, 0), angle: pitch)
    }
    public static func * (a: Quat, b: Quat) -> Quat {
        Quat(x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
             y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
             z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
             w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }
    public var conjugate: Quat { Quat(x: -x, y: -y, z: -z, w: w) }
    public var normalized: Quat {
        let l = (x * x + y * y + z * z + w * w).squareRoot()
        return l > 0 ? Quat(x: x / l, y: y / l, z: z / l, w: w / l) : .identity
    }
    public func rotate(_ v: Vec3) -> Vec3 {
        let q = Vec3(x, y, z)
        let t = 2 * q.cross(v)
        return v + w * t + q.cross(t)
    }
    /// Angle in radians between two orientations.
    public func angle(to o: Quat) -> Float {
        let d = abs(x * o.x + y * o.y + z * o.z + w * o.w)
        return 2 * acos(min(1, d))
    }
}

/// Column-major 4x4 matrix (the layout GLSL expects).
public struct Mat4: Equatable, Sendable {
    public var columns: (Vec4, Vec4, Vec4, Vec4)
    public init(_ c0: Vec4, _ c1: Vec4, _ c2: Vec4, _ c3: Vec4) { columns = (c0, c1, c2, c3) }
    public static let identity = Mat4(Vec4(1, 0, 0, 0), Vec4(0, 1, 0, 0), Vec4(0, 0, 1, 0), Vec4(0, 0, 0, 1))

    public static func == (a: Mat4, b: Mat4) -> Bool {
        a.columns.0 == b.columns.0 && a.columns.1 == b.columns.1 && a.columns.2 == b.columns.2 && a.columns.3 == b.columns.3
    }
    public subscript(column: Int) -> Vec4 {
        switch column { case 0: return columns.0; case 1: return columns.1; case 2: return columns.2; default: return columns.3 }
    }
    public static func * (a: Mat4, b: Mat4) -> Mat4 {
        Mat4(a * b.columns.0, a * b.columns.1, a * b.columns.2, a * b.columns.3)
    }
    public static func * (m: Mat4, v: Vec4) -> Vec4 {
        m.columns.0 * v.x + m.columns.1 * v.y + m.columns.2 * v.z + m.columns.3 * v.w
    }
    public func transformPoint(_ p: Vec3) -> Vec3 {
        let r = self * Vec4(p.x, p.y, p.z, 1)
        return Vec3(r.x, r.y, r.z) / (r.w == 0 ? 1 : r.w)
    }
    /// The 16 floats in column-major order, for upload to the GPU.
    public var floats: [Float] {
        [columns.0, columns.1, columns.2, columns.3].flatMap { [$0.x, $0.y, $0.z, $0.w] }
    }

    public static func translation(_ t: Vec3) -> Mat4 {
        Mat4(Vec4(1, 0, 0, 0), Vec4(0, 1, 0, 0), Vec4(0, 0, 1, 0), Vec4(t.x, t.y, t.z, 1))
    }
    public static func scale(_ s: Vec3) -> Mat4 {
        Mat4(Vec4(s.x, 0, 0, 0), Vec4(0, s.y, 0, 0), Vec4(0, 0, s.z, 0), Vec4(0, 0, 0, 1))
    }
    public static func rotation(_ q: Quat) -> Mat4 {
        let (x, y, z, w) = (q.x, q.y, q.z, q.w)
        return Mat4(Vec4(1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w), 0),
                    Vec4(2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w), 0),
                    Vec4(2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y), 0),
                    Vec4(0, 0, 0, 1))
    }
    /// Translation * rotation * scale: the usual model matrix.
    public static func trs(_ t: Vec3, _ r: Quat = .identity, _ s: Vec3 = Vec3(1, 1, 1)) -> Mat4 {
        translation(t) * rotation(r) * scale(s)
    }

    /// Asymmetric perspective from an OpenXR field of view, for Vulkan clip space
    /// (y points down, depth 0 at near to 1 at far).
    public static func perspective(fov: Fov, near: Float, far: Float) -> Mat4 {
        let l = tan(fov.angleLeft), r = tan(fov.angleRight)
        let u = tan(fov.angleUp), d = tan(fov.angleDown)
        let w = r - l, h = d - u   // Vulkan: flip y, so "height" goes from up to down
        return Mat4(Vec4(2 / w, 0, 0, 0),
                    Vec4(0, 2 / h, 0, 0),
                    Vec4((r + l) / w, (u + d) / h, -far / (far - near), -1),
                    Vec4(0, 0, -(far * near) / (far - near), 0))
    }

    /// The inverse of `perspective`'s depth mapping: metres in front of the eye (along -Z) for a
    /// depth-buffer value (0 at `near`, 1 at `far`). What a compositor does with a submitted depth layer.
    public static func viewDistance(depth: Float, near: Float, far: Float) -> Float {
        far * near / (far - depth * (far - near))
    }

    /// The view matrix for a camera at `pose` (the inverse of its rigid transform).
    public static func view(from pose: Pose) -> Mat4 {
        let inv = pose.orientation.conjugate
        return rotation(inv) * translation(-pose.position)
    }
}

/// Position and orientation in metres, OpenXR conventions (+Y up, -Z forward).
public struct Pose: Equatable, Sendable {
    public var position: Vec3
    public var orientation: Quat
    public init(position: Vec3 = .zero, orientation: Quat = .identity) {
        self.position = position; self.orientation = orientation
    }
    public static let identity = Pose()
    public var forward: Vec3 { orientation.rotate(Vec3(0, 0, -1)) }
}

/// Field of view in radians, as XrFovf: left and down are negative for a centred view.
public struct Fov: Equatable, Sendable {
    public var angleLeft: Float, angleRight: Float, angleUp: Float, angleDown: Float
    public init(angleLeft: Float, angleRight: Float, angleUp: Float, angleDown: Float) {
        self.angleLeft = angleLeft; self.angleRight = angleRight; self.angleUp = angleUp; self.angleDown = angleDown
    }
    /// Symmetric field of view from full horizontal and vertical angles in degrees.
    public static func symmetric(horizontalDegrees h: Float, verticalDegrees v: Float) -> Fov {
        let hr = h * .pi / 360, vr = v * .pi / 360
        return Fov(angleLeft: -hr, angleRight: hr, angleUp: vr, angleDown: -vr)
    }
}
