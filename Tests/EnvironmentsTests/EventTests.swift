import XCTest
import ExposureCore
import SceneModel
@testable import Environments

final class EventTests: XCTestCase {
    func testPersonApproachesStopsOutsideTheClosestApproachAndLooks() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 6)
        let target = EnvironmentTarget(environment: "crowds", intensity: 20,
                                       overrides: ["density_per_m2": .number(0.05), "closest_approach_m": .number(1.5)])
        _ = world.update(target: target, dt: 0.05)
        XCTAssertTrue(world.fire(event: "person_approaches"))
        var closest = Float.infinity
        var lookedAtPatient = false
        for _ in 0..<(20 * 25) {
            _ = world.update(target: target, dt: 0.05)
            for w in world.crowd?.walkers ?? [] where w.visit != nil {
                closest = min(closest, length(w.position))
                if w.visit?.arrived == true && w.isLookingAtPatientDirection { lookedAtPatient = true }
            }
        }
        XCTAssertGreaterThanOrEqual(closest, 1.5 - 1e-4, "never inside the closest approach")
        XCTAssertLessThan(closest, 2.6, "came right up to the patient")
        XCTAssertTrue(lookedAtPatient, "stood looking at the patient")
        XCTAssertFalse(world.crowd?.walkers.contains { $0.visit != nil } ?? true, "walked on afterwards")
    }

    func testCrowdArrivesThenDisperses() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 6)
        let target = EnvironmentTarget(environment: "crowds", intensity: 20, overrides: ["density_per_m2": .number(0.1)])
        _ = world.update(target: target, dt: 0.1)
        let before = world.crowd?.presentCount ?? 0
        XCTAssertTrue(world.fire(event: "crowd_arrives"))
        for _ in 0..<100 { _ = world.update(target: target, dt: 0.1) }
        XCTAssertEqual(world.crowd?.stayingCount ?? 0, before + CrowdsContent.arrivalGroup)
        for _ in 0..<(10 * 90) { _ = world.update(target: target, dt: 0.1) }
        XCTAssertEqual(Double(world.crowd?.presentCount ?? 0), Double(before), accuracy: 2)
    }

    func testWindGustSwellsAndDiesAway() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog())
        let target = EnvironmentTarget(environment: "heights", intensity: 30)
        func windGain(_ s: Scene) -> Float { s.emitters.first { $0.kind == .wind }?.gain ?? -1 }
        let calm = windGain(world.update(target: target, dt: 0.1))
        XCTAssertTrue(world.fire(event: "wind_gust"))
        var peak: Float = 0
        for _ in 0..<30 { peak = max(peak, windGain(world.update(target: target, dt: 0.1))) }
        XCTAssertGreaterThan(peak, calm + 0.2)
        for _ in 0..<40 { _ = world.update(target: target, dt: 0.1) }
        XCTAssertEqual(windGain(world.update(target: target, dt: 0.1)), calm, accuracy: 1e-5)
    }

    func testEventsAnEnvironmentDoesNotKnowOrDuringTheSafeRoomHaveNoEffect() throws {
        let catalog = try Fixtures.catalog()
        let world = EnvironmentWorld(catalog: catalog)
        XCTAssertFalse(world.fire(event: "wind_gust"), "nothing built yet")
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 30), dt: 0.1)
        XCTAssertFalse(world.fire(event: "crowd_arrives"))
        _ = world.update(target: EnvironmentTarget(environment: "heights", intensity: 30, safeRoom: true), dt: 0.1)
        XCTAssertFalse(world.fire(event: "wind_gust"), "not while the patient is in the safe room")
        XCTAssertEqual(catalog.events(of: "crowds"), ["crowd_arrives", "person_approaches", "train_arrives"])
        XCTAssertEqual(catalog.events(of: "volcano"), [])
    }
}
