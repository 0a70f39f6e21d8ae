import XCTest
import ExposureCore
import SceneModel
@testable import Environments

/// The crowds environment's station platform (`setting: platform`).
final class PlatformTests: XCTestCase {
    func target(density: Double, closest: Double = 1.5, setting: String = "platform", intensity: Double = 50) -> EnvironmentTarget {
        EnvironmentTarget(environment: "crowds", intensity: intensity,
                          overrides: ["density_per_m2": .number(density), "closest_approach_m": .number(closest),
                                      "setting": .choice(setting)])
    }

    func testTheSameSeedAndParametersGiveTheSameScenes() throws {
        let catalog = try Fixtures.catalog()
        let a = EnvironmentWorld(catalog: catalog, seed: 42), b = EnvironmentWorld(catalog: catalog, seed: 42)
        let other = EnvironmentWorld(catalog: catalog, seed: 43)
        var last: (Scene, Scene, Scene)?
        for i in 0..<90 {
            let dt = i % 3 == 0 ? 0.05 : 1.0 / 30
            last = (a.update(target: target(density: 0.6), dt: dt), b.update(target: target(density: 0.6), dt: dt),
                    other.update(target: target(density: 0.6), dt: dt))
            if i == 0 { XCTAssertEqual(a.crowd?.walkers, b.crowd?.walkers) }
        }
        let (sa, sb, so) = try XCTUnwrap(last)
        XCTAssertEqual(sa, sb)
        XCTAssertEqual(a.crowd?.walkers, b.crowd?.walkers)
        XCTAssertNotEqual(sa, so, "another seed places other people")
    }

    /// Every hard limit of the platform, checked for every person after every step.
    func assertOnTheWalkway(_ crowd: CrowdSimulation, step: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let area = crowd.platform else { XCTFail("no platform", file: file, line: line); return false }
        let eps: Float = 1e-4
        for w in crowd.walkers {
            let p = w.position
            var problem: String?
            if p.y - crowd.radius < area.walkMinZ - eps { problem = "over the safety line (z \(p.y))" }
            if p.y - crowd.radius < area.edgeZ { problem = "over the platform edge (z \(p.y))" }
            if p.y + crowd.radius > area.walkMaxZ + eps { problem = "in the benches (z \(p.y))" }
            if abs(p.x) + crowd.radius > area.halfLength + eps { problem = "past the platform's end (x \(p.x))" }
            for pillar in area.pillars where length(p - pillar) < area.pillarRadius + crowd.radius - 1e-3 {
                problem = "inside the pillar at \(pillar) (at \(p))"
            }
            if let problem {
                XCTFail("step \(step), person \(w.id): \(problem)", file: file, line: line)
                return false
            }
        }
        return true
    }

    func testAtTheHighestDensityNobodyLeavesTheWalkwayOrStandsInAPillar() throws {
        let catalog = try Fixtures.catalog()
        // A close personal space lets people pass the patient; a wide one closes the platform.
        for closest in [0.5, 5.0] {
            let world = EnvironmentWorld(catalog: catalog, seed: 8)
            let t = target(density: 2, closest: closest, intensity: 100)
            var crossedPatient = false
            var sides: [Int: Float] = [:]
            for step in 0..<300 {
                _ = world.update(target: t, dt: 1.0 / 30)
                let crowd = try XCTUnwrap(world.crowd)
                guard assertOnTheWalkway(crowd, step: step) else { return }
                for w in crowd.walkers {
                    if let before = sides[w.id], before * w.position.x < 0, abs(w.position.x) < 3 { crossedPatient = true }
                    sides[w.id] = w.position.x
                }
            }
            let crowd = try XCTUnwrap(world.crowd)
            XCTAssertGreaterThan(crowd.presentCount, 400, "a packed platform (closest approach \(closest) m)")
            if closest < 1 {
                XCTAssertTrue(crossedPatient, "people walk past the patient")
                XCTAssertGreaterThanOrEqual(crowd.walkers.map { length($0.position) }.min() ?? 0, Float(closest) - 1e-4)
            } else {
                XCTAssertFalse(crossedPatient, "nobody squeezes through the patient's personal space")
            }
        }
    }

    func testPeopleWalkAlongThePlatformAndPastThePatient() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 12)
        let t = target(density: 0.4, closest: 0.8)
        var passed = Set<Int>()
        var sides: [Int: Float] = [:]
        for step in 0..<(30 * 20) {
            _ = world.update(target: t, dt: 1.0 / 30)
            let crowd = try XCTUnwrap(world.crowd)
            guard assertOnTheWalkway(crowd, step: step) else { return }
            for w in crowd.walkers {
                XCTAssertGreaterThanOrEqual(length(w.position), 0.8 - 1e-3, "closest approach kept")
                if let before = sides[w.id], before * w.position.x < 0 { passed.insert(w.id) }
                sides[w.id] = w.position.x
            }
        }
        let crowd = try XCTUnwrap(world.crowd)
        let walking = crowd.walkers.filter { abs($0.velocity.x) > 0.5 }.count
        XCTAssertGreaterThan(Double(walking) / Double(crowd.walkers.count), 0.5, "most people walk along the platform")
        XCTAssertGreaterThan(passed.count, 10, "people pass the patient in front or behind")
    }

    func testDensityScalesThePeopleOnThePlatform() throws {
        let catalog = try Fixtures.catalog()
        let area = PlatformArea()
        let usable = Double(area.usableArea(closestApproach: 1))
        // The walkway is 56 m x 4.85 m; a 1 m personal space takes pi m2 of it.
        XCTAssertEqual(usable, 56 * 4.85 - .pi, accuracy: 0.1)
        var counts: [Double: Int] = [:]
        for density in [0.1, 0.5, 1.5] {
            let world = EnvironmentWorld(catalog: catalog, seed: 3)
            _ = world.update(target: target(density: density, closest: 1), dt: 1.0 / 30)
            let n = try XCTUnwrap(world.crowd).presentCount
            XCTAssertEqual(Double(n), density * usable, accuracy: 2, "density \(density)")
            counts[density] = n
        }
        XCTAssertLessThan(counts[0.1] ?? 0, counts[0.5] ?? 0)
        XCTAssertLessThan(counts[0.5] ?? 0, counts[1.5] ?? 0)
        // Where the personal space is wider than the walkway in front of the patient, only the
        // part on the walkway counts: the people for the rest of it are not lost.
        let wide = Double(area.usableArea(closestApproach: 5))
        XCTAssertGreaterThan(wide, 56 * 4.85 - 10 * 4.85 - 1)
        XCTAssertLessThan(wide, 56 * 4.85 - .pi * 25 * 0.5)
    }

    func testSettingChangeMidSessionIsACutToTheOtherPlaceAtMostOncePerHold() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 4)
        var scene = world.update(target: target(density: 0.3, setting: "plaza"), dt: 0.05)
        XCTAssertNil(world.crowd?.platform)
        XCTAssertFalse(hasSafetyLine(scene))
        XCTAssertTrue(world.fire(event: "person_approaches"))
        for _ in 0..<20 { scene = world.update(target: target(density: 0.3, setting: "plaza"), dt: 0.05) }
        // The step asks for the platform: the next frame shows it, filled at the same density.
        scene = world.update(target: target(density: 0.3), dt: 0.05)
        let crowd = try XCTUnwrap(world.crowd)
        XCTAssertNotNil(crowd.platform)
        XCTAssertTrue(hasSafetyLine(scene))
        XCTAssertEqual(Double(crowd.presentCount), 0.3 * Double(PlatformArea().usableArea(closestApproach: 1.5)), accuracy: 2)
        XCTAssertFalse(crowd.walkers.contains { $0.visit != nil }, "the plaza's visitor stayed in the plaza")
        XCTAssertEqual(world.liveParameters?.choice("setting", ""), "platform")
        // Asking straight back is held for min_hold_s (30 s): no flicker between places.
        for _ in 0..<(20 * 29) { scene = world.update(target: target(density: 0.3, setting: "plaza"), dt: 0.05) }
        XCTAssertNotNil(world.crowd?.platform)
        for _ in 0..<(20 * 2) { scene = world.update(target: target(density: 0.3, setting: "plaza"), dt: 0.05) }
        XCTAssertNil(world.crowd?.platform)
        XCTAssertFalse(hasSafetyLine(scene))
        XCTAssertTrue(world.fire(event: "person_approaches"), "events still work after the cut")
    }

    func testPersonApproachesAlongThePlatformAndStopsBesideThePatient() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 6)
        let t = target(density: 0.05, closest: 2)
        _ = world.update(target: t, dt: 0.05)
        XCTAssertTrue(world.fire(event: "person_approaches"))
        var closest = Float.infinity, arrived = false
        for step in 0..<(20 * 40) {
            _ = world.update(target: t, dt: 0.05)
            let crowd = try XCTUnwrap(world.crowd)
            guard assertOnTheWalkway(crowd, step: step) else { return }
            for w in crowd.walkers where w.visit != nil {
                closest = min(closest, length(w.position))
                if w.visit?.arrived == true { arrived = true }
            }
        }
        XCTAssertTrue(arrived, "the visitor reached the patient")
        XCTAssertGreaterThanOrEqual(closest, 2 - 1e-3)
        XCTAssertLessThan(closest, 3.2, "came right up to the patient")
    }

    func testRenderPreviewTakesSettingPlatformAndRejectsUnknownSettings() throws {
        let catalog = try Fixtures.catalog()
        let (name, value) = try EnvironmentPreview.parseOverride("setting=platform", catalog: catalog, environment: "crowds")
        XCTAssertEqual(name, "setting")
        XCTAssertEqual(value, .choice("platform"))
        let (scene, head) = try EnvironmentPreview.scene(catalog: catalog, environment: "crowds", intensity: 70, overrides: [name: value])
        XCTAssertTrue(hasSafetyLine(scene))
        XCTAssertEqual(head.position.y, 1.65, accuracy: 0.01)
        let (plaza, _) = try EnvironmentPreview.scene(catalog: catalog, environment: "crowds", intensity: 70)
        XCTAssertFalse(hasSafetyLine(plaza), "the plaza stays the default")
        let tunnel = try EnvironmentPreview.parseOverride("setting=tunnel", catalog: catalog, environment: "crowds")
        XCTAssertThrowsError(try EnvironmentPreview.scene(catalog: catalog, environment: "crowds", intensity: 70,
                                                          overrides: [tunnel.0: tunnel.1])) { error in
            XCTAssertTrue("\(error)".contains("setting"), "\(error)")
        }
    }

    func hasSafetyLine(_ scene: Scene) -> Bool {
        let yellow = Vec4(0.95, 0.78, 0.05, 1)
        return scene.batches.contains { $0.shape == .quad && $0.instances.contains { $0.color == yellow } }
    }
}
