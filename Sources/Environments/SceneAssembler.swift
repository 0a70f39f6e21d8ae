// Collects instances per unit mesh while an environment draws itself, reusing its arrays from
// frame to frame, and hands out one instanced batch per mesh.
import SceneModel

public struct SceneAssembler {
    var boxes: [Instance] = [], spheres: [Instance] = [], cylinders: [Instance] = []
    var cones: [Instance] = [], quads: [Instance] = []
    /// Translucent boxes (glass), drawn after everything opaque.
    var glass: [Instance] = []

    public init() {}

    public mutating func reset() {
        boxes.removeAll(keepingCapacity: true); spheres.removeAll(keepingCapacity: true)
        cylinders.removeAll(keepingCapacity: true); cones.removeAll(keepingCapacity: true)
        quads.removeAll(keepingCapacity: true); glass.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    public mutating func add(_ shape: MeshShape, _ transform: Mat4, _ color: Vec3) {
        let instance = Instance(transform: transform, color: Vec4(color.x, color.y, color.z, 1))
        switch shape {
        case .box: boxes.append(instance)
        case .sphere: spheres.append(instance)
        case .cylinder: cylinders.append(instance)
        case .cone: cones.append(instance)
        case .quad: quads.append(instance)
        }
    }

    /// Axis-aligned (or yaw-rotated) piece: centre, size, yaw about +Y.
    @inline(__always)
    public mutating func add(_ shape: MeshShape, at p: Vec3, size: Vec3, yaw: Float = 0, _ color: Vec3) {
        add(shape, Transform.yawed(p, yaw: yaw, scale: size), color)
    }

    /// A glass pane (a thin box): `alpha` of `color`, the rest is what is behind it.
    public mutating func addGlass(at p: Vec3, size: Vec3, _ color: Vec3, alpha: Float) {
        glass.append(Instance(transform: Transform.yawed(p, yaw: 0, scale: size), color: Vec4(color.x, color.y, color.z, alpha)))
    }

    /// Appends already built instances shifted by `offset` (e.g. the city below a rising platform).
    public mutating func append(_ batch: DrawBatch, offset: Vec3) {
        let shift = Vec4(offset.x, offset.y, offset.z, 0)
        func copy(_ into: inout [Instance]) {
            into.reserveCapacity(into.count + batch.instances.count)
            for var i in batch.instances {
                i.transform.columns.3 += shift
                into.append(i)
            }
        }
        if batch.translucent {
            copy(&glass)
            return
        }
        switch batch.shape {
        case .box: copy(&boxes)
        case .sphere: copy(&spheres)
        case .cylinder: copy(&cylinders)
        case .cone: copy(&cones)
        case .quad: copy(&quads)
        }
    }

    public var batches: [DrawBatch] {
        var result: [DrawBatch] = []
        result.reserveCapacity(5)
        for (shape, list) in [(MeshShape.quad, quads), (.box, boxes), (.cylinder, cylinders), (.sphere, spheres), (.cone, cones)]
        where !list.isEmpty {
            result.append(DrawBatch(shape: shape, instances: list))
        }
        if !glass.isEmpty { result.append(DrawBatch(shape: .box, instances: glass, translucent: true)) }
        return result
    }
}

/// Model matrices built directly (cheaper than the three matrix products of `Mat4.trs`).
public enum Transform {
    @inline(__always)
    public static func yawed(_ p: Vec3, yaw: Float, scale s: Vec3) -> Mat4 {
        if yaw == 0 {
            return Mat4(Vec4(s.x, 0, 0, 0), Vec4(0, s.y, 0, 0), Vec4(0, 0, s.z, 0), Vec4(p.x, p.y, p.z, 1))
        }
        let c = cos(yaw), sn = sin(yaw)
        // Rotation about +Y: x axis -> (c, 0, -s), z axis -> (s, 0, c).
        return Mat4(Vec4(c * s.x, 0, -sn * s.x, 0), Vec4(0, s.y, 0, 0), Vec4(sn * s.z, 0, c * s.z, 0), Vec4(p.x, p.y, p.z, 1))
    }

    /// The point `local` (in the yaw/pitch frame) moved into the world.
    @inline(__always)
    public static func rotate(_ local: Vec3, yaw: Float, pitch: Float = 0) -> Vec3 {
        let cp = cos(pitch), sp = sin(pitch)
        let l = Vec3(local.x, cp * local.y - sp * local.z, sp * local.y + cp * local.z)
        let cy = cos(yaw), sy = sin(yaw)
        return Vec3(cy * l.x + sy * l.z, l.y, -sy * l.x + cy * l.z)
    }
}

import Foundation
