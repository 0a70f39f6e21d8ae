import Foundation
import SceneModel

/// Triangle geometry for one unit mesh: positions + normals, and indices wound counter-clockwise
/// seen from outside (the face the normal points to).
public struct MeshGeometry: Sendable {
    public var positions: [Vec3] = []
    public var normals: [Vec3] = []
    public var indices: [UInt32] = []

    /// Adds a vertex and returns its index.
    mutating func vertex(_ p: Vec3, _ n: Vec3) -> UInt32 {
        positions.append(p); normals.append(n)
        return UInt32(positions.count - 1)
    }

    /// Adds a triangle, flipping its order if needed so it winds counter-clockwise around its
    /// vertices' mean normal. Degenerate triangles (sphere poles) are dropped.
    mutating func triangle(_ a: UInt32, _ b: UInt32, _ c: UInt32) {
        let pa = positions[Int(a)], pb = positions[Int(b)], pc = positions[Int(c)]
        let face = (pb - pa).cross(pc - pa)
        guard face.length > 1e-9 else { return }
        let outward = normals[Int(a)] + normals[Int(b)] + normals[Int(c)]
        indices += face.dot(outward) >= 0 ? [a, b, c] : [a, c, b]
    }

    /// Interleaved position + normal, 6 floats per vertex, for the vertex buffer.
    var interleaved: [Float] {
        zip(positions, normals).flatMap { [$0.x, $0.y, $0.z, $1.x, $1.y, $1.z] }
    }
}

/// The unit meshes of `MeshShape` (sizes in SceneModel's documentation), built once.
public enum UnitMeshes {
    static let segments = 24

    public static func geometry(_ shape: MeshShape) -> MeshGeometry {
        switch shape {
        case .box: return box()
        case .sphere: return sphere()
        case .cylinder: return cylinder()
        case .cone: return cone()
        case .quad: return quad()
        }
    }

    static func box() -> MeshGeometry {
        var g = MeshGeometry()
        let axes = [Vec3(1, 0, 0), Vec3(-1, 0, 0), Vec3(0, 1, 0), Vec3(0, -1, 0), Vec3(0, 0, 1), Vec3(0, 0, -1)]
        for n in axes {
            let u = abs(n.y) > 0.5 ? Vec3(1, 0, 0) : Vec3(0, 1, 0)
            let v = n.cross(u)
            let c = n * 0.5
            addQuad(&g, c - u * 0.5 - v * 0.5, c + u * 0.5 - v * 0.5, c + u * 0.5 + v * 0.5, c - u * 0.5 + v * 0.5, normal: n)
        }
        return g
    }

    static func quad() -> MeshGeometry {
        var g = MeshGeometry()
        addQuad(&g, Vec3(-0.5, 0, -0.5), Vec3(0.5, 0, -0.5), Vec3(0.5, 0, 0.5), Vec3(-0.5, 0, 0.5), normal: Vec3(0, 1, 0))
        return g
    }

    static func sphere() -> MeshGeometry {
        var g = MeshGeometry()
        let stacks = segments / 2, slices = segments
        var ring: [[UInt32]] = []
        for i in 0...stacks {
            let theta = Float.pi * Float(i) / Float(stacks)
            var row: [UInt32] = []
            for j in 0...slices {
                let phi = 2 * Float.pi * Float(j) / Float(slices)
                let n = Vec3(sin(theta) * cos(phi), cos(theta), sin(theta) * sin(phi))
                row.append(g.vertex(n * 0.5, n))
            }
            ring.append(row)
        }
        for i in 0..<stacks {
            for j in 0..<slices {
                g.triangle(ring[i][j], ring[i + 1][j], ring[i + 1][j + 1])
                g.triangle(ring[i][j], ring[i + 1][j + 1], ring[i][j + 1])
            }
        }
        return g
    }

    static func cylinder() -> MeshGeometry {
        var g = MeshGeometry()
        for j in 0..<segments {
            let (a, b) = (circle(j), circle(j + 1))
            let (na, nb) = (Vec3(a.x, 0, a.z).normalized, Vec3(b.x, 0, b.z).normalized)
            let i0 = g.vertex(a, na), i1 = g.vertex(b, nb)
            let i2 = g.vertex(b + Vec3(0, 1, 0), nb), i3 = g.vertex(a + Vec3(0, 1, 0), na)
            g.triangle(i0, i1, i2); g.triangle(i0, i2, i3)
        }
        addDisc(&g, y: 1, normal: Vec3(0, 1, 0))
        addDisc(&g, y: 0, normal: Vec3(0, -1, 0))
        return g
    }

    static func cone() -> MeshGeometry {
        var g = MeshGeometry()
        // Side normals lean up by the slope: radius 0.5 over height 1.
        for j in 0..<segments {
            let (a, b) = (circle(j), circle(j + 1))
            let mid = circle(j).normalized + circle(j + 1).normalized
            let na = Vec3(a.x * 2, 0.5, a.z * 2).normalized, nb = Vec3(b.x * 2, 0.5, b.z * 2).normalized
            let napex = Vec3(mid.x, 0.5, mid.z).normalized
            g.triangle(g.vertex(a, na), g.vertex(b, nb), g.vertex(Vec3(0, 1, 0), napex))
        }
        addDisc(&g, y: 0, normal: Vec3(0, -1, 0))
        return g
    }

    /// Point j of `segments` on the radius-0.5 circle at y = 0.
    private static func circle(_ j: Int) -> Vec3 {
        let phi = 2 * Float.pi * Float(j % segments) / Float(segments)
        return Vec3(0.5 * cos(phi), 0, 0.5 * sin(phi))
    }

    private static func addDisc(_ g: inout MeshGeometry, y: Float, normal: Vec3) {
        let centre = g.vertex(Vec3(0, y, 0), normal)
        for j in 0..<segments {
            g.triangle(centre, g.vertex(circle(j) + Vec3(0, y, 0), normal), g.vertex(circle(j + 1) + Vec3(0, y, 0), normal))
        }
    }

    private static func addQuad(_ g: inout MeshGeometry, _ a: Vec3, _ b: Vec3, _ c: Vec3, _ d: Vec3, normal: Vec3) {
        let i = [a, b, c, d].map { g.vertex($0, normal) }
        g.triangle(i[0], i[1], i[2]); g.triangle(i[0], i[2], i[3])
    }
}
