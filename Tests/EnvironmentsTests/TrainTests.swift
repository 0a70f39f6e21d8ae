import XCTest
import ExposureCore
import SceneModel
@testable import Environments

/// `train_arrives` on the station platform.
final class TrainTests: XCTestCase {
    let trainColor = Vec4(0.70, 0.12, 0.10, 1)

    func target(_ setting: String) -> EnvironmentTarget {
        EnvironmentTarget(environment: "crowds", intensity: 30,
                          overrides: ["density_per_m2": .number(0.05), "setting": .choice(setting)])
    }

    /// Car bodies: boxes in the train's colour.
    func carBodies(_ scene: Scene) -> [Mat4] {
        scene.batches.filter { $0.shape == .box }.flatMap { $0.instances.filter { $0.color == trainColor }.map(\.transform) }
    }

    func testTheTrainRunsInStopsAlongsideThePlatformAndLeaves() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 2)
        var scene = world.update(target: target("platform"), dt: 0.05)
        XCTAssertTrue(carBodies(scene).isEmpty, "no train before the event")
        XCTAssertTrue(world.fire(event: "train_arrives"))
        XCTAssertFalse(world.fire(event: "train_arrives"), "one train at a time")
        let area = PlatformArea()
        var t = 0.0
        var centres: [(t: Double, x: Float)] = []
        var rumble: [(t: Double, gain: Float)] = []
        while t < TrainPass.totalSeconds + 1 {
            scene = world.update(target: target("platform"), dt: 0.05); t += 0.05
            let bodies = carBodies(scene)
            guard !bodies.isEmpty else { continue }
            XCTAssertEqual(bodies.count, TrainPass.cars)
            for b in bodies {
                XCTAssertEqual(b[3].z, area.trackZ, accuracy: 1e-4)
                XCTAssertLessThan(b[3].z + b[2].z / 2, area.edgeZ - 0.2, "the train clears the platform edge")
            }
            centres.append((t, bodies.map { $0[3].x }.reduce(0, +) / Float(bodies.count)))
            if let e = scene.emitters.first(where: { $0.id == 3 }) {
                XCTAssertEqual(e.kind, .traffic); rumble.append((t, e.gain))
            }
        }
        let first = try XCTUnwrap(centres.first), last = try XCTUnwrap(centres.last)
        XCTAssertLessThan(first.x, -140, "comes in from far beyond the platform's end")
        XCTAssertGreaterThan(last.x, 190, "runs out far beyond the other end")
        XCTAssertLessThan(last.t, TrainPass.totalSeconds + 0.1, "and then is gone")
        // Always moving forward, braking on the way in.
        for (a, b) in zip(centres, centres.dropFirst()) { XCTAssertGreaterThanOrEqual(b.x, a.x - 1e-4) }
        let early = centres.filter { $0.t < 3 }, late = centres.filter { $0.t > 9 && $0.t < 12 }
        XCTAssertGreaterThan((early.last!.x - early.first!.x) / Float(early.last!.t - early.first!.t),
                             3 * (late.last!.x - late.first!.x) / Float(late.last!.t - late.first!.t))
        // Standing centred on the patient for the stand time.
        let standing = centres.filter { $0.t > TrainPass.arriveSeconds + 0.1 && $0.t < TrainPass.arriveSeconds + TrainPass.standSeconds - 0.1 }
        XCTAssertGreaterThan(standing.count, 300)
        XCTAssertTrue(standing.allSatisfy { abs($0.x) < 1e-3 })
        // Loud while running in, quiet while standing.
        let loud = rumble.filter { $0.t < 2 }.map(\.gain).min() ?? 0, quiet = rumble.filter { $0.t > 14 && $0.t < 30 }.map(\.gain).max() ?? 1
        XCTAssertGreaterThan(loud, quiet + 0.5)
        XCTAssertTrue(world.fire(event: "train_arrives"), "the next train can come")
    }

    func testNoTrainOnThePlazaAndASwitchOfSettingTakesTheTrainAway() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 2)
        _ = world.update(target: target("plaza"), dt: 0.05)
        XCTAssertFalse(world.fire(event: "train_arrives"), "the plaza has no track")
        var scene = world.update(target: target("platform"), dt: 0.05)
        XCTAssertTrue(world.fire(event: "train_arrives"))
        for _ in 0..<(20 * 14) { scene = world.update(target: target("platform"), dt: 0.05) }
        XCTAssertEqual(carBodies(scene).count, TrainPass.cars)
        for _ in 0..<(20 * 31) { scene = world.update(target: target("plaza"), dt: 0.05) }
        XCTAssertNil(world.crowd?.platform)
        XCTAssertTrue(carBodies(scene).isEmpty)
        XCTAssertFalse(scene.emitters.contains { $0.id == 3 })
        // Back on the platform (after the hold) there is no train left standing.
        for _ in 0..<(20 * 31) { scene = world.update(target: target("platform"), dt: 0.05) }
        XCTAssertNotNil(world.crowd?.platform)
        XCTAssertTrue(carBodies(scene).isEmpty)
    }
}
