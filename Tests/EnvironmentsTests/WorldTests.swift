import XCTest
import ExposureCore
import SceneModel
@testable import Environments

final class WorldTests: XCTestCase {
    func testSameInputsGiveTheSameScenes() throws {
        let catalog = try Fixtures.catalog()
        for environment in ["heights", "crowds", "open_spaces", "safe_room"] {
            let a = EnvironmentWorld(catalog: catalog, seed: 42), b = EnvironmentWorld(catalog: catalog, seed: 42)
            var last: (Scene, Scene)?
            for i in 0..<40 {
                let target = EnvironmentTarget(environment: environment, intensity: Double(i) * 2.5)
                let dt = i % 3 == 0 ? 1.0 / 90 : 1.0 / 72
                last = (a.update(target: target, dt: dt), b.update(target: target, dt: dt))
                XCTAssertEqual(last?.0, last?.1, "\(environment) frame \(i)")
            }
            XCTAssertGreaterThan(last?.0.instanceCount ?? 0, 10, environment)
        }
        // A different seed gives a different layout.
        let c = EnvironmentWorld(catalog: catalog, seed: 1), d = EnvironmentWorld(catalog: catalog, seed: 2)
        let target = EnvironmentTarget(environment: "crowds", intensity: 60)
        XCTAssertNotEqual(c.update(target: target, dt: 0.02), d.update(target: target, dt: 0.02))
    }

    func testPlatformRisesNoFasterThanMaxRate() throws {
        let catalog = try Fixtures.catalog()
        let maxRate = try XCTUnwrap(catalog.definition("heights")?.parameter("height_m")?.maxRate)
        let world = EnvironmentWorld(catalog: catalog)
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0, overrides: ["height_m": .number(3)]), dt: 0.01)
        XCTAssertEqual(world.liveParameters?.number("height_m"), 3)
        let dt = 1.0 / 72
        var previous = 3.0
        for _ in 0..<200 {
            _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0, overrides: ["height_m": .number(100)]), dt: dt)
            let now = try XCTUnwrap(world.liveParameters?.number("height_m"))
            XCTAssertLessThanOrEqual(now - previous, maxRate * dt + 1e-9)
            XCTAssertGreaterThan(now, previous, "keeps rising toward the target")
            previous = now
        }
        XCTAssertEqual(previous, 3 + maxRate * dt * 200, accuracy: 1e-6)
        // The ground is drawn at minus the live height (the city moves down as the platform rises).
        let scene = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0, overrides: ["height_m": .number(100)]), dt: 0)
        let groundY = scene.batches.first { $0.shape == .quad }?.instances.first?.transform[3].y
        XCTAssertEqual(Double(groundY ?? 0), -previous, accuracy: 1e-3)
    }

    func testChoicesSwitchAtMostOncePerHoldTime() throws {
        let catalog = try Fixtures.catalog()
        let world = EnvironmentWorld(catalog: catalog)
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0), dt: 0.1)
        XCTAssertEqual(world.liveParameters?.choice("railing", ""), "full")
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 60), dt: 0.1)
        XCTAssertEqual(world.liveParameters?.choice("railing", ""), "low", "first switch is immediate")
        for _ in 0..<50 { _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 100), dt: 0.1) }
        XCTAssertEqual(world.liveParameters?.choice("railing", ""), "low", "held for min_hold_s (10 s)")
        for _ in 0..<60 { _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 100), dt: 0.1) }
        XCTAssertEqual(world.liveParameters?.choice("railing", ""), "none")
    }

    func testSafeRoomIsImmediateAndTheWorldResumesWhereItWas() throws {
        let catalog = try Fixtures.catalog()
        let world = EnvironmentWorld(catalog: catalog, seed: 3)
        var target = EnvironmentTarget(environment: "crowds", intensity: 80)
        for _ in 0..<30 { _ = world.update(target: target, dt: 1.0 / 30) }
        let before = world.crowd?.walkers
        XCTAssertNotNil(before)
        target.safeRoom = true
        let room = world.update(target: target, dt: 1.0 / 30)
        XCTAssertNil(room.sky, "the safe room has no sky")
        XCTAssertEqual(world.showing, "safe_room")
        XCTAssertTrue(room.emitters.contains { $0.kind == .roomTone })
        XCTAssertFalse(room.emitters.contains { $0.kind == .murmur || $0.kind == .footsteps })
        for _ in 0..<20 { _ = world.update(target: target, dt: 1.0 / 30) }
        XCTAssertEqual(world.crowd?.walkers, before, "the crowd is frozen while the safe room is shown")
        target.safeRoom = false
        let back = world.update(target: target, dt: 1.0 / 30)
        XCTAssertEqual(world.showing, "crowds")
        XCTAssertNotNil(back.sky)
        XCTAssertEqual(Double(world.crowd?.walkers.count ?? 0), Double(before?.count ?? -1), accuracy: 3)
    }

    func testUnknownEnvironmentFallsBackToSafeRoom() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog())
        let scene = world.update(target: EnvironmentTarget(environment: "volcano", intensity: 50), dt: 0.02)
        XCTAssertNil(scene.sky)
        XCTAssertEqual(world.showing, "safe_room")
        XCTAssertTrue(world.problem?.contains("volcano") ?? false)
    }

    func testOverridesBeatTheCurveAndAreClamped() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog())
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0,
                                                   overrides: ["height_m": .number(400), "railing": .choice("none"), "floor": .choice("trampoline")]), dt: 0.02)
        XCTAssertEqual(world.liveParameters?.number("height_m"), 200, "clamped to the definition's range")
        XCTAssertEqual(world.liveParameters?.choice("railing", ""), "none")
        XCTAssertEqual(world.liveParameters?.choice("floor", ""), "solid", "an unknown option is ignored; the curve decides")
    }

    func testHeightsSoundsGrowWithWindAndHeight() throws {
        let catalog = try Fixtures.catalog()
        func windGain(_ h: Double, _ wind: Double) throws -> Float {
            let world = EnvironmentWorld(catalog: catalog)
            let scene = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0,
                                                               overrides: ["height_m": .number(h), "wind_mps": .number(wind)]), dt: 0.02)
            return try XCTUnwrap(scene.emitters.first { $0.kind == .wind }).gain
        }
        XCTAssertLessThan(try windGain(3, 2), try windGain(100, 2))
        XCTAssertLessThan(try windGain(50, 1), try windGain(50, 10))
    }

    func testOddFrameTimesNeverBreakTheWorld() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 4)
        for environment in ["heights", "crowds", "open_spaces"] {
            let target = EnvironmentTarget(environment: environment, intensity: 90)
            for dt in [0.02, .nan, -1, .infinity, 1e9, 0, 0.02] {
                let scene = world.update(target: target, dt: dt)
                for batch in scene.batches {
                    for instance in batch.instances {
                        XCTAssertTrue(instance.transform.floats.allSatisfy(\.isFinite), "\(environment) dt \(dt)")
                    }
                }
            }
            let live = try XCTUnwrap(world.liveParameters)
            for value in live.values { if case .number(let v) = value { XCTAssertTrue(v.isFinite) } }
        }
    }

    func testFlagHangsInStillAirAndStandsOutInWind() throws {
        let catalog = try Fixtures.catalog()
        func flagCentreY(wind: Double) throws -> Float {
            let world = EnvironmentWorld(catalog: catalog)
            let scene = world.update(target: EnvironmentTarget(environment: "heights", intensity: 0,
                                                               overrides: ["wind_mps": .number(wind)]), dt: 0.02)
            let flag = scene.batches.first { $0.shape == .box }?.instances.first { $0.color == Vec4(0.8, 0.1, 0.1, 1) }
            return try XCTUnwrap(flag).transform[3].y
        }
        XCTAssertLessThan(try flagCentreY(wind: 0), try flagCentreY(wind: 15) - 0.2)
    }

    func testBundledVocabularyIsTheAgreedTable() throws {
        let vocabulary = try Fixtures.catalog().vocabulary
        let agreed: [String: [String: ParameterSpec.Kind]] = [
            "heights": ["height_m": .number(1...200), "railing": .choice(["full", "low", "none"]),
                        "floor": .choice(["solid", "grating", "glass"]), "wind_mps": .number(0...20)],
            "crowds": ["density_per_m2": .number(0...2), "closest_approach_m": .number(0.3...10),
                       "gaze_share": .number(0...1), "walking_speed_mps": .number(0.3...2.5),
                       "setting": .choice(["plaza", "platform"])],
            "open_spaces": ["exit_distance_m": .number(5...500), "openness": .number(0...1),
                            "people_count": .number(0...60), "time_alone_s": .number(0...900)],
            "safe_room": ["light_level": .number(0.2...1)],
        ]
        XCTAssertEqual(vocabulary.environments.mapValues { $0.mapValues(\.kind) }, agreed)
    }
}
