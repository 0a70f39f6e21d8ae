// The plain scene description the renderer draws and the environments produce.
// No Vulkan and no OpenAL here: environments are added without touching GPU or audio code.

/// Unit meshes the renderer knows. Sizes are 1 m; instances scale them.
/// box: cube centred at the origin; sphere: diameter 1 centred; cylinder and cone: diameter 1,
/// height 1, base at y = 0; quad: 1 x 1 in the XZ plane, facing +Y, centred.
public enum MeshShape: String, CaseIterable, Sendable {
    case box, sphere, cylinder, cone, quad
}

/// One copy of a mesh: where it is and what colour (linear RGB, alpha 1 = opaque).
public struct Instance: Equatable, Sendable {
    public var transform: Mat4
    public var color: Vec4
    public init(transform: Mat4, color: Vec4) { self.transform = transform; self.color = color }
    public init(position: Vec3, rotation: Quat = .identity, scale: Vec3 = Vec3(1, 1, 1), color: Vec3) {
        self.transform = .trs(position, rotation, scale)
        self.color = Vec4(color.x, color.y, color.z, 1)
    }
}

/// All instances of one mesh, drawn with one instanced draw call.
public struct DrawBatch: Equatable, Sendable {
    public var shape: MeshShape
    public var instances: [Instance]
    /// Glass: drawn after every opaque batch, blended by each instance's colour alpha, without
    /// writing depth, so what is behind shows through (and is what the compositor's depth holds).
    /// Translucent batches are drawn in scene order; keep them few and not overlapping.
    public var translucent: Bool
    public init(shape: MeshShape, instances: [Instance], translucent: Bool = false) {
        self.shape = shape; self.instances = instances; self.translucent = translucent
    }
}

/// An outdoor sky: a gradient from the horizon to the zenith, and a ground colour below the horizon.
public struct Sky: Equatable, Sendable {
    public var zenith: Vec3, horizon: Vec3, ground: Vec3
    public init(zenith: Vec3, horizon: Vec3, ground: Vec3) { self.zenith = zenith; self.horizon = horizon; self.ground = ground }
    public static let clearDay = Sky(zenith: Vec3(0.18, 0.36, 0.75), horizon: Vec3(0.70, 0.80, 0.92), ground: Vec3(0.30, 0.28, 0.25))
}

/// One directional light (the sun, or a soft ceiling light indoors) plus ambient light.
public struct Lighting: Equatable, Sendable {
    /// Unit vector pointing from the scene towards the light.
    public var direction: Vec3
    public var color: Vec3
    public var ambient: Vec3
    public init(direction: Vec3, color: Vec3, ambient: Vec3) {
        self.direction = direction.normalized; self.color = color; self.ambient = ambient
    }
    public static let daylight = Lighting(direction: Vec3(0.4, 0.8, 0.3), color: Vec3(1.0, 0.95, 0.85), ambient: Vec3(0.35, 0.38, 0.45))
}

/// Exponential distance fog: factor = 1 - exp(-density * distance).
public struct Fog: Equatable, Sendable {
    public var color: Vec3
    public var density: Float
    public init(color: Vec3, density: Float) { self.color = color; self.density = density }
    public static let none = Fog(color: .zero, density: 0)
}

/// Kinds of sound an environment can ask the audio module to play.
public enum SoundKind: String, CaseIterable, Sendable {
    case wind, murmur, footsteps, traffic, birds, roomTone
}

/// A sound source placed by the environment. `position == nil` means ambient (head-relative, no direction).
public struct SoundEmitter: Equatable, Sendable {
    /// Stable across frames, so the audio module can keep a source per emitter.
    public var id: Int
    public var kind: SoundKind
    public var position: Vec3?
    /// Linear gain 0...1.
    public var gain: Float
    public init(id: Int, kind: SoundKind, position: Vec3?, gain: Float) {
        self.id = id; self.kind = kind; self.position = position; self.gain = gain
    }
}

/// Everything needed to draw and sound one moment of an environment.
public struct Scene: Equatable, Sendable {
    /// nil for indoor scenes (the safe room has no sky): the background is `background`.
    public var sky: Sky?
    public var background: Vec3
    public var lighting: Lighting
    public var fog: Fog
    public var batches: [DrawBatch]
    public var emitters: [SoundEmitter]
    public init(sky: Sky? = .clearDay, background: Vec3 = Vec3(0.5, 0.5, 0.5), lighting: Lighting = .daylight,
                fog: Fog = .none, batches: [DrawBatch] = [], emitters: [SoundEmitter] = []) {
        self.sky = sky; self.background = background; self.lighting = lighting; self.fog = fog
        self.batches = batches; self.emitters = emitters
    }
    public var instanceCount: Int { batches.reduce(0) { $0 + $1.instances.count } }
}

/// One eye's camera: where it is and what it sees (straight from XrView).
public struct EyeView: Equatable, Sendable {
    public var pose: Pose
    public var fov: Fov
    public init(pose: Pose, fov: Fov) { self.pose = pose; self.fov = fov }

    /// Two eyes for a head pose, `ipd` metres apart, for desktop mode and tests.
    public static func stereo(head: Pose, ipd: Float = 0.064, fov: Fov = .symmetric(horizontalDegrees: 90, verticalDegrees: 90)) -> [EyeView] {
        let offset = head.orientation.rotate(Vec3(ipd / 2, 0, 0))
        return [EyeView(pose: Pose(position: head.position - offset, orientation: head.orientation), fov: fov),
                EyeView(pose: Pose(position: head.position + offset, orientation: head.orientation), fov: fov)]
    }
}
