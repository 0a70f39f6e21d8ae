import XCTest
import ExposureCore
import SceneModel
@testable import Environments

final class CrowdTests: XCTestCase {
    func settle(_ crowd: CrowdSimulation, _ settings: CrowdSettings, seconds: Double, dt: Double = 1.0 / 30) {
        var t = 0.0
        while t < seconds { crowd.step(settings, dt: dt); t += dt }
    }

    func testNobodyOverlapsAndNobodyComesCloserThanTheClosestApproach() {
        let crowd = CrowdSimulation(halfSize: 10, maxPeople: 1000, seed: 9)
        let settings = CrowdSettings(count: 240, closestApproach: 1.5, gazeShare: 0, walkingSpeed: 1.4)
        crowd.fill(settings)
        var closestSeen = Float.infinity, worstOverlap: Float = 0
        for _ in 0..<300 {
            crowd.step(settings, dt: 1.0 / 30)
            let w = crowd.walkers
            for i in w.indices {
                closestSeen = min(closestSeen, length(w[i].position))
                for j in (i + 1)..<w.count {
                    worstOverlap = max(worstOverlap, 2 * crowd.radius - length(w[i].position - w[j].position))
                }
            }
        }
        XCTAssertGreaterThanOrEqual(closestSeen, 1.5 - 1e-4, "closest approach to the patient is respected")
        XCTAssertLessThan(worstOverlap, 0.12, "bodies (0.48 m wide) overlap by less than 12 cm")
        // People keep walking: the crowd is not jammed.
        let moving = crowd.walkers.filter { length($0.velocity) > 0.5 }.count
        XCTAssertGreaterThan(Double(moving) / Double(crowd.walkers.count), 0.5)
    }

    func testDensityGivesAgentCountAndPeopleWalkInAndOut() throws {
        let catalog = try Fixtures.catalog()
        let world = EnvironmentWorld(catalog: catalog, seed: 5)
        let half = Float(try XCTUnwrap(catalog.definition("crowds")).scene.areaMetres / 2)
        let target = { (density: Double) in
            EnvironmentTarget(environment: "crowds", intensity: 50,
                              overrides: ["density_per_m2": .number(density), "closest_approach_m": .number(1)])
        }
        _ = world.update(target: target(0.3), dt: 1.0 / 30)
        let expected = Double(0.3 * (4 * half * half - .pi))
        XCTAssertEqual(Double(world.crowd?.presentCount ?? 0), expected, accuracy: 2, "a world starts filled as asked")
        // Density rises at max_rate: people arrive at the edges over time, not all at once.
        _ = world.update(target: target(0.8), dt: 1.0 / 30)
        let justAfter = world.crowd?.presentCount ?? 0
        XCTAssertLessThan(Double(justAfter), expected + 10)
        for _ in 0..<(10 * 15) { _ = world.update(target: target(0.8), dt: 0.1) }
        XCTAssertEqual(Double(world.crowd?.stayingCount ?? 0), Double(0.8 * (4 * half * half - .pi)), accuracy: 3)
        // Density falls: the extra people walk out at the edges.
        for _ in 0..<(10 * 40) { _ = world.update(target: target(0.1), dt: 0.1) }
        XCTAssertEqual(Double(world.crowd?.presentCount ?? 0), Double(0.1 * (4 * half * half - .pi)), accuracy: 3)
    }

    func fractionLooking(gazeShare: Float) -> Double {
        let crowd = CrowdSimulation(halfSize: 12, maxPeople: 1000, seed: 11)
        let settings = CrowdSettings(count: 200, closestApproach: 1, gazeShare: gazeShare, walkingSpeed: 1.2)
        crowd.fill(settings)
        settle(crowd, settings, seconds: 4)
        // Only people who can see the patient without turning round count.
        let able = crowd.walkers.filter { w in
            abs(CrowdSimulation.wrap(atan2(w.position.x, w.position.y) - w.heading)) < crowd.neckLimit - 0.2
        }
        XCTAssertGreaterThan(able.count, 40)
        return Double(able.filter(\.isLookingAtPatientDirection).count) / Double(able.count)
    }

    func testGazeShareSetsTheFractionOfHeadsFacingThePatient() {
        let none = fractionLooking(gazeShare: 0), half = fractionLooking(gazeShare: 0.5), all = fractionLooking(gazeShare: 1)
        XCTAssertLessThan(none, 0.2, "only people walking straight at the patient face them by chance")
        XCTAssertEqual(half, 0.5, accuracy: 0.2)
        XCTAssertGreaterThan(all, 0.85)
        XCTAssertLessThan(none, half); XCTAssertLessThan(half, all)
    }

    func testPeopleAreDrawnAsFiguresWithSoundAtTheNearest() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 8)
        let target = EnvironmentTarget(environment: "crowds", intensity: 70)
        var scene = Scene()
        for _ in 0..<30 { scene = world.update(target: target, dt: 1.0 / 30) }
        let people = try XCTUnwrap(world.crowd?.walkers.count)
        XCTAssertGreaterThan(people, 100)
        let spheres = scene.batches.first { $0.shape == .sphere }?.instances.count ?? 0
        XCTAssertGreaterThanOrEqual(spheres, people * 2, "a head and hair per person")
        XCTAssertEqual(scene.emitters.filter { $0.kind == .footsteps }.count, CrowdSound.footstepSources)
        // One distant murmur bed, and the nearest people's own voices where they are.
        let murmurs = scene.emitters.filter { $0.kind == .murmur }
        XCTAssertEqual(murmurs.filter { $0.position == nil }.count, 1)
        let voices = murmurs.compactMap(\.position)
        XCTAssertEqual(voices.count, CrowdSound.voiceSources)
        let walkers = world.crowd!.walkers
        for v in voices {
            XCTAssertTrue(walkers.contains { abs($0.position.x - v.x) < 0.001 && abs($0.position.y - v.z) < 0.001 },
                          "a voice at \(v) comes from a person")
        }
        // Varied people: several clothing colours and heights.
        let shirts = Set(world.crowd!.walkers.map { "\($0.look.shirt)" })
        XCTAssertGreaterThan(shirts.count, 6)
        let heights = world.crowd!.walkers.map(\.look.height)
        XCTAssertGreaterThan((heights.max() ?? 0) - (heights.min() ?? 0), 0.25)
    }

    func testOpenSpacesStayEmptyForTheTimeAlone() throws {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 2)
        let target = EnvironmentTarget(environment: "open_spaces", intensity: 0,
                                       overrides: ["people_count": .number(20), "time_alone_s": .number(30)])
        for _ in 0..<(10 * 29) { _ = world.update(target: target, dt: 0.1) }
        XCTAssertEqual(world.crowd?.presentCount, 0, "alone for the first 30 s")
        for _ in 0..<(10 * 5) { _ = world.update(target: target, dt: 0.1) }
        XCTAssertGreaterThan(world.crowd?.presentCount ?? 0, 5, "people arrive after the time alone")
        let withPeople = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 2)
        _ = withPeople.update(target: EnvironmentTarget(environment: "open_spaces", intensity: 0,
                                                        overrides: ["people_count": .number(20), "time_alone_s": .number(0)]), dt: 0.1)
        XCTAssertEqual(withPeople.crowd?.presentCount, 20)
    }
}
