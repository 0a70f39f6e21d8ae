@testable import Render
import SceneModel
import XCTest

final class UnitMeshesTests: XCTestCase {
    /// Triangles must wind counter-clockwise seen from outside, or back-face culling removes the front.
    func testEveryTriangleFacesOutwards() {
        for shape in MeshShape.allCases {
            let g = UnitMeshes.geometry(shape)
            XCTAssertGreaterThan(g.indices.count, 0, "\(shape)")
            XCTAssertEqual(g.indices.count % 3, 0, "\(shape)")
            let centre: Vec3 = (shape == .cylinder || shape == .cone) ? Vec3(0, 0.5, 0) : (shape == .quad ? Vec3(0, -1, 0) : .zero)
            for t in stride(from: 0, to: g.indices.count, by: 3) {
                let a = g.positions[Int(g.indices[t])], b = g.positions[Int(g.indices[t + 1])], c = g.positions[Int(g.indices[t + 2])]
                let face = (b - a).cross(c - a)
                let outwards = (a + b + c) / 3 - centre
                XCTAssertGreaterThan(face.dot(outwards), 0, "\(shape) triangle \(t / 3) winds inwards")
            }
            for n in g.normals { XCTAssertEqual(n.length, 1, accuracy: 1e-4, "\(shape) normals are unit length") }
        }
    }

    func testUnitMeshesHaveTheDocumentedSize() {
        func bounds(_ shape: MeshShape) -> (Vec3, Vec3) {
            let p = UnitMeshes.geometry(shape).positions
            return (p.reduce(Vec3(repeating: .infinity)) { pointwiseMin($0, $1) }, p.reduce(Vec3(repeating: -.infinity)) { pointwiseMax($0, $1) })
        }
        let box = bounds(.box)
        XCTAssertEqual(box.0, Vec3(-0.5, -0.5, -0.5)); XCTAssertEqual(box.1, Vec3(0.5, 0.5, 0.5))
        for shape in [MeshShape.cylinder, .cone] {
            let (lo, hi) = bounds(shape)
            XCTAssertEqual(lo.y, 0, accuracy: 1e-6, "\(shape) base at y = 0"); XCTAssertEqual(hi.y, 1, accuracy: 1e-6, "\(shape) height 1")
            XCTAssertEqual(hi.x, 0.5, accuracy: 1e-6, "\(shape) diameter 1")
        }
        let sphere = bounds(.sphere)
        XCTAssertEqual(sphere.1.y, 0.5, accuracy: 1e-6); XCTAssertEqual(sphere.0.y, -0.5, accuracy: 1e-6)
        let quad = bounds(.quad)
        XCTAssertEqual(quad.0, Vec3(-0.5, 0, -0.5)); XCTAssertEqual(quad.1, Vec3(0.5, 0, 0.5))
    }
}
