import XCTest
@testable import ExposureCore

/// The level is the stimulus (issue #13): the hierarchy read as one curve per parameter, pins, and
/// what the engine records and measures. Curves as in Environments/*.yaml.
let curvedVocabulary: EnvironmentVocabulary = {
    func n(_ name: String, _ r: ClosedRange<Double>, _ unit: String, _ points: [(Double, Double)]) -> (String, ParameterSpec) {
        (name, ParameterSpec(name: name, kind: .number(r), unit: unit, curve: .linear(points.map { CurvePoint(intensity: $0.0, value: $0.1) })))
    }
    func c(_ name: String, _ steps: [(Double, String)]?, _ options: [String], default d: String) -> (String, ParameterSpec) {
        (name, ParameterSpec(name: name, kind: .choice(options), curve: steps.map { .steps($0.map { ChoiceStep(intensity: $0.0, option: $0.1) }) },
                             defaultValue: .choice(d)))
    }
    let crowds = [
        n("density_per_m2", 0...2, "people/m2", [(0, 0.02), (40, 0.2), (70, 0.5), (100, 2.0)]),
        n("closest_approach_m", 0.3...10, "m", [(0, 5), (50, 1.5), (100, 0.3)]),
        n("gaze_share", 0...1, "fraction", [(0, 0), (50, 0.2), (100, 0.8)]),
        n("walking_speed_mps", 0.3...2.5, "m/s", [(0, 1.0), (100, 2.2)]),
        c("setting", nil, ["plaza", "platform"], default: "plaza"),
    ]
    let heights = [
        n("height_m", 1...200, "m", [(0, 2), (30, 10), (60, 40), (100, 150)]),
        c("railing", [(0, "full"), (50, "low"), (85, "none")], ["full", "low", "none"], default: "full"),
        c("floor", [(0, "solid"), (65, "grating"), (90, "glass")], ["solid", "grating", "glass"], default: "solid"),
        n("wind_mps", 0...20, "m/s", [(0, 0.5), (50, 3), (100, 9)]),
    ]
    return EnvironmentVocabulary(environments: ["crowds": Dictionary(uniqueKeysWithValues: crowds),
                                                "heights": Dictionary(uniqueKeysWithValues: heights)],
                                 events: ["crowds": ["crowd_arrives", "person_approaches", "train_arrives"], "heights": ["wind_gust"]])
}()

final class IntensityModelTests: XCTestCase {
    func step(_ id: String, _ level: Double?, _ p: [String: ParameterValue], pinned: [String: ParameterValue] = [:]) -> ProtocolStep {
        ProtocolStep(id: id, title: id, intensity: level, parameters: p, pinned: pinned, minDuration: 600, progression: .therapistDecision)
    }

    func crowdsPlan(pinned: [String: ParameterValue] = [:]) -> ExposureProtocol {
        var plan = makePlan(steps: [
            step("few", 8, ["density_per_m2": .number(0.05), "closest_approach_m": .number(6), "gaze_share": .number(0), "walking_speed_mps": .number(1.2)]),
            step("glances", 32, ["density_per_m2": .number(0.3), "closest_approach_m": .number(3), "gaze_share": .number(0.15), "walking_speed_mps": .number(1.2)]),
            step("closer", 44, ["density_per_m2": .number(0.5), "closest_approach_m": .number(2), "gaze_share": .number(0.2), "walking_speed_mps": .number(1.3)]),
        ], maxIntensity: 95, fmsEvery: nil)
        plan.environment = "crowds"
        plan.pinned = pinned
        plan.safety.maxIntensityChange = 15
        return plan
    }

    func engine(_ plan: ExposureProtocol) -> Harness {
        Harness(engine: ExposureEngine(protocol: plan, parameterSpecs: curvedVocabulary.parameters(of: plan.environment),
                                       eventNames: curvedVocabulary.events(of: plan.environment)))
    }

    func numbers(_ e: ExposureEngine) -> [String: Double] { e.parameters.compactMapValues(\.number) }

    func testBetweenTwoStepsEveryNumberIsInterpolatedAndRecorded() {
        let h = engine(crowdsPlan())
        h.send(.therapist(.goToStep(1, confirm: true))); h.tick()
        h.clock.advance(by: 60); h.tick()  // past the escalation window
        h.events.removeAll()
        let d = h.engine.handle(.therapist(.setIntensity(38)), at: h.clock.now)
        XCTAssertTrue(d.isApplied, "a rise of 10 (density from 50 to 60 on its curve), within 15: \(d)")
        h.tick()
        let v = numbers(h.engine)
        XCTAssertEqual(v["density_per_m2"]!, 0.4, accuracy: 1e-9)
        XCTAssertEqual(v["closest_approach_m"]!, 2.5, accuracy: 1e-9)
        XCTAssertEqual(v["gaze_share"]!, 0.175, accuracy: 1e-9)
        XCTAssertEqual(v["walking_speed_mps"]!, 1.25, accuracy: 1e-9)
        // The record holds the physical values, not only the level.
        let changed = h.events.compactMap { e -> String? in
            if case .parameterChanged(let n, let a, let b) = e.kind { return "\(n) \(a!) -> \(b!)" }
            return nil
        }
        XCTAssertEqual(changed, ["closest_approach_m 3 -> 2.5", "density_per_m2 0.3 -> 0.4", "gaze_share 0.15 -> 0.175", "walking_speed_mps 1.2 -> 1.25"])
        XCTAssertEqual(h.engine.target.overrides, h.engine.parameters, "what is recorded is what the environment is asked to show")
        // At a step's own level the patient meets exactly that step.
        h.send(.therapist(.setIntensity(44, confirm: true))); h.tick()
        XCTAssertEqual(numbers(h.engine)["closest_approach_m"], 2)
    }

    func testBelowTheFirstStepOnlyCalmerCurveValuesApply() {
        let model = IntensityModel(protocol: crowdsPlan(), specs: curvedVocabulary.parameters(of: "crowds"))
        let zero = model.resolve(level: 0, step: 0)
        XCTAssertEqual(zero["density_per_m2"], .number(0.02), "the curve's level-0 density is calmer than the first step's 0.05")
        XCTAssertEqual(zero["closest_approach_m"], .number(6), "the curve's 5 m at level 0 would be closer: the first step's 6 m stays")
        XCTAssertEqual(zero["walking_speed_mps"], .number(1.0))
        XCTAssertEqual(zero["setting"], .choice("plaza"), "a choice no step names is the environment's default")
        // Above the last step, toward the environment's level 100.
        let top = model.resolve(level: 100, step: 2)
        XCTAssertEqual(top["density_per_m2"], .number(2.0))
        XCTAssertEqual(top["closest_approach_m"], .number(0.3))
        // Monotone all the way: every parameter moves one way as the level rises.
        let specs = curvedVocabulary.parameters(of: "crowds")!
        var before = model.resolve(level: 0, step: nil)
        for level in stride(from: 1.0, through: 100, by: 1) {
            let now = model.resolve(level: level, step: nil)
            for (name, value) in now where specs[name]?.curve != nil {
                XCTAssertGreaterThanOrEqual(IntensityModel.compare(name, before[name]!, value, specs), 0, "\(name) at \(level)")
            }
            before = now
        }
    }

    func testChoicesSwitchAtTheStepThatNamesThemAndFollowTheEnvironmentAboveTheLast() {
        var plan = makePlan(steps: [
            step("a", 20, ["height_m": .number(6), "railing": .choice("full")]),
            step("b", 40, ["height_m": .number(15), "railing": .choice("low")]),
        ])
        plan.steps[0].progression = .therapistDecision
        let model = IntensityModel(protocol: plan, specs: curvedVocabulary.parameters(of: "heights"))
        XCTAssertEqual(model.resolve(level: 39.9, step: 0)["railing"], .choice("full"), "the railing stays until the step that lowers it")
        XCTAssertEqual(model.resolve(level: 40, step: 0)["railing"], .choice("low"))
        XCTAssertEqual(model.resolve(level: 84, step: 1)["railing"], .choice("low"))
        XCTAssertEqual(model.resolve(level: 85, step: 1)["railing"], .choice("none"), "above the last step: the environment's threshold")
        XCTAssertEqual(model.resolve(level: 10, step: 0)["railing"], .choice("full"))
        XCTAssertEqual(model.resolve(level: 70, step: 1)["floor"], .choice("grating"), "a parameter no step names follows the environment")
    }

    func testPinsHoldWhateverTheLevelAndSayWhoHoldsThem() {
        var plan = crowdsPlan(pinned: ["gaze_share": .number(0)])
        plan.steps[1].pinned = ["walking_speed_mps": .number(1.0)]
        plan.steps[1].parameters["walking_speed_mps"] = nil
        plan.steps[2].parameters["setting"] = .choice("platform")
        let h = engine(plan)
        XCTAssertEqual(h.engine.pinned, ["gaze_share": .protocolWide])
        h.send(.therapist(.setIntensity(20))); h.tick()
        XCTAssertEqual(h.engine.parameters["gaze_share"], .number(0), "pinned for the whole session")
        h.send(.therapist(.goToStep(1, confirm: true))); h.tick()
        XCTAssertEqual(h.engine.pinned, ["gaze_share": .protocolWide, "walking_speed_mps": .step])
        h.send(.therapist(.setIntensity(40))); h.tick()
        XCTAssertEqual(h.engine.parameters["walking_speed_mps"], .number(1.0))
        h.send(.therapist(.goToStep(2, confirm: true))); h.tick()
        XCTAssertEqual(h.engine.pinned["setting"], .step, "a choice with no intensity order is held by the step that names it")
        XCTAssertEqual(h.engine.parameters["setting"], .choice("platform"))
        XCTAssertNotEqual(h.engine.parameters["walking_speed_mps"], .number(1.0), "the step's pin ends with the step")

        // The therapist holds one; it stays through level changes, is shown as theirs, and can be let go.
        XCTAssertTrue(h.engine.handle(.therapist(.setParameter("density_per_m2", .number(0.45))), at: h.clock.now).isApplied)
        h.tick()
        XCTAssertEqual(h.engine.pinned["density_per_m2"], .therapist)
        h.send(.therapist(.setIntensity(30))); h.tick()
        XCTAssertEqual(h.engine.parameters["density_per_m2"], .number(0.45))
        XCTAssertTrue(h.engine.handle(.therapist(.releaseParameter("density_per_m2")), at: h.clock.now).isApplied, "back to calmer: no confirm")
        h.tick()
        XCTAssertNil(h.engine.pinned["density_per_m2"])
        XCTAssertLessThan(h.engine.parameters["density_per_m2"]!.number!, 0.45)
        if case .rejected(let rule, _) = h.engine.handle(.therapist(.releaseParameter("density_per_m2")), at: h.clock.now) {
            XCTAssertEqual(rule, .notApplicable)
        } else { XCTFail("releasing a parameter nobody holds was applied") }
        // Letting go of a calm pin is a rise, judged like any other.
        h.send(.therapist(.setParameter("density_per_m2", .number(0.02)))); h.tick()
        h.clock.advance(by: 30); h.tick()
        if case .rejected(let rule, _) = h.engine.handle(.therapist(.releaseParameter("density_per_m2")), at: h.clock.now) {
            XCTAssertEqual(rule, .escalationLimit)
        } else { XCTFail("a release that raises density by more than the limit went through without confirm") }
    }

    func testTheSafetyStepDownWithinTheFirstStepLowersEverythingTheLevelMoves() {
        var plan = crowdsPlan()
        plan.steps[0].intensity = 35
        plan.steps[1].intensity = 50
        plan.steps[2].intensity = 60
        plan.safety.sudsCeiling = 80
        let h = engine(plan)
        XCTAssertTrue(h.engine.handle(.therapist(.setParameter("gaze_share", .number(0.05))), at: h.clock.now).isApplied)
        h.tick()
        let before = h.engine.parameters
        h.events.removeAll()
        h.send(.suds(90)); h.tick()
        XCTAssertEqual(h.engine.intensity, 15, "35 - step_down_intensity 20")
        let after = h.engine.parameters, specs = curvedVocabulary.parameters(of: "crowds")!
        for name in ["density_per_m2", "walking_speed_mps"] {
            XCTAssertLessThan(IntensityModel.compare(name, before[name]!, after[name]!, specs), 0, "\(name): \(before[name]!) -> \(after[name]!)")
        }
        XCTAssertEqual(after["closest_approach_m"], .number(6), "already as far as the first step keeps people; the curve's 5 m would be closer")
        XCTAssertEqual(after["gaze_share"], .number(0), "the therapist's pin is released by the step down")
        XCTAssertTrue(h.engine.pinned.isEmpty)
        let recorded = h.events.filter { if case .parameterChanged = $0.kind { return $0.actor == .safety }; return false }
        XCTAssertEqual(recorded.count, 3, "every physical change (density, speed, gaze) is recorded as the safety supervisor's")
    }

    /// The worked examples of docs/protocol-format.md and docs/environments.md, on the bundled files.
    func testTheDocumentedWorkedExamples() throws {
        let crowds = try ProtocolParser.load(path: repositoryRoot.appendingPathComponent("Protocols/crowds-social.yaml").path, vocabulary: curvedVocabulary)
        let c = IntensityModel(protocol: crowds, specs: curvedVocabulary.parameters(of: "crowds"))
        let measure = StimulusModel(specs: curvedVocabulary.parameters(of: "crowds"))
        XCTAssertEqual(measure.rise(from: c.resolve(level: 32, step: 2), to: c.resolve(level: 38, step: 2)), 10, accuracy: 1e-9)
        XCTAssertEqual(c.resolve(level: 0, step: 0).compactMapValues(\.number),
                       ["density_per_m2": 0.02, "closest_approach_m": 6, "gaze_share": 0, "walking_speed_mps": 1.0])

        let heights = try ProtocolParser.load(path: repositoryRoot.appendingPathComponent("Protocols/heights-graded.yaml").path, vocabulary: curvedVocabulary)
        let h = IntensityModel(protocol: heights, specs: curvedVocabulary.parameters(of: "heights"))
        let at20 = h.resolve(level: 20, step: 2), at30 = h.resolve(level: 30, step: 2)
        XCTAssertEqual(at30["height_m"], .number(12.75))
        XCTAssertEqual(at30["wind_mps"], .number(2))
        XCTAssertEqual(at30["railing"], .choice("full"))
        XCTAssertEqual(at20["wind_mps"]!.number!, 30.0 / 23, accuracy: 1e-9)
        let rise = StimulusModel(specs: curvedVocabulary.parameters(of: "heights")).rise(from: at20, to: at30)
        XCTAssertEqual(rise, 30 - 50 * (30.0 / 23 - 0.5) / 2.5, accuracy: 1e-9, "the wind's rise, about 14")
    }

    func testAnEventTheEnvironmentDoesNotHaveIsRefusedNotApplied() {
        let h = engine(crowdsPlan())
        guard case .rejected(let rule, let why) = h.engine.handle(.therapist(.fireEvent("wind_gust")), at: h.clock.now) else {
            return XCTFail("an unknown event was applied")
        }
        XCTAssertEqual(rule, .invalid)
        XCTAssertTrue(why.contains("crowd_arrives, person_approaches, train_arrives"), why)
        XCTAssertTrue(h.engine.handle(.therapist(.fireEvent("crowd_arrives")), at: h.clock.now).isApplied)
    }
}
