// The level is the stimulus. A protocol's hierarchy is read as one curve per parameter:
//
// - A step's `parameters` are what the patient meets at that step's intensity.
// - Between two steps every number moves linearly from one step's value to the next; a choice
//   (railing, floor) switches when the level reaches the intensity of the step that names the new
//   option, so a railing never disappears before the step that takes it away.
// - Below the first step and above the last, values move toward the environment's own values at
//   level 0 and level 100, but never in the wrong direction: lowering the level never makes the
//   world more intense.
// - A parameter with no curve in the environment (the crowds' `setting`) has no intensity order;
//   a step that names it holds it. A protocol or step can also hold any parameter on purpose with
//   `pinned:`, and the therapist can hold one from the console. Pins win over the level.
//
// The engine asks this model for the physical values at every change, so what the record holds,
// what the safety gate measures and what the environment renders are the same numbers.

public struct IntensityModel: Sendable {
    public let specs: [String: ParameterSpec]
    /// Every parameter name the model knows: the environment's and any a step names.
    public let names: [String]
    let numbers: [String: IntensityCurve]
    let choices: [String: ChoiceAnchors]
    let protocolPins: [String: ParameterValue]
    let stepPins: [[String: ParameterValue]]
    /// Reads values back through the environment's curves (for choices outside the hierarchy).
    let measure: StimulusModel
    /// Per step: its level and the values it names that follow the level.
    let anchors: [(level: Double, values: [String: ParameterValue])]

    struct ChoiceAnchors: Sendable {
        var anchors: [ChoiceStep]
        var environment: IntensityCurve?
    }

    public init(protocol plan: ExposureProtocol, specs: [String: ParameterSpec]?) {
        let specs = specs ?? [:]
        self.specs = specs
        self.measure = StimulusModel(specs: specs)
        let levels = IntensityModel.stepLevels(plan)
        var names = Set(specs.keys).union(plan.pinned.keys)
        for step in plan.steps { names.formUnion(step.parameters.keys); names.formUnion(step.pinned.keys) }
        self.names = names.sorted()
        self.protocolPins = plan.pinned

        var stepPins: [[String: ParameterValue]] = []
        for step in plan.steps {
            var pins = step.pinned
            for (name, value) in step.parameters where !IntensityModel.followsLevel(name, specs) && pins[name] == nil {
                pins[name] = value
            }
            stepPins.append(pins)
        }
        self.stepPins = stepPins
        self.anchors = zip(levels, plan.steps).map { level, step in
            (level, step.parameters.filter { IntensityModel.followsLevel($0.key, specs) })
        }

        var numbers: [String: IntensityCurve] = [:]
        var choices: [String: ChoiceAnchors] = [:]
        for name in self.names where IntensityModel.followsLevel(name, specs) {
            let environment = specs[name]?.curve
            var anchored: [(Double, ParameterValue)] = []
            for (i, step) in plan.steps.enumerated() {
                if let v = step.parameters[name] { anchored.append((levels[i], v)) }
            }
            // Stable: two steps at one level keep their order (the later one holds above it).
            let order = anchored.indices.sorted { (anchored[$0].0, $0) < (anchored[$1].0, $1) }
            anchored = order.map { anchored[$0] }
            if anchored.isEmpty {
                if let environment {
                    if case .steps(let steps) = environment { choices[name] = ChoiceAnchors(anchors: steps, environment: nil) }
                    else { numbers[name] = environment }
                }
                continue
            }
            if case .choice = anchored[0].1 {
                let anchors = anchored.compactMap { level, v -> ChoiceStep? in
                    if case .choice(let o) = v { return ChoiceStep(intensity: level, option: o) }
                    return nil
                }
                choices[name] = ChoiceAnchors(anchors: anchors, environment: environment)
                continue
            }
            var points = anchored.compactMap { level, v in v.number.map { CurvePoint(intensity: level, value: $0) } }
            // The ends follow the environment's own curve, only where that is the right direction.
            if let environment, let first = points.first, let last = points.last,
               let direction = IntensityModel.direction(environment), direction != 0 {
                if first.intensity > 0, let v0 = environment.value(at: 0)?.number, direction * (first.value - v0) >= 0 {
                    points.insert(CurvePoint(intensity: 0, value: v0), at: 0)
                }
                if last.intensity < 100, let v100 = environment.value(at: 100)?.number, direction * (v100 - last.value) >= 0 {
                    points.append(CurvePoint(intensity: 100, value: v100))
                }
            }
            numbers[name] = .linear(points)
        }
        self.numbers = numbers
        self.choices = choices
    }

    /// The level each step sits at: its own intensity, else the step before's, else the session minimum.
    public static func stepLevels(_ plan: ExposureProtocol) -> [Double] {
        var level = plan.session.minIntensity
        return plan.steps.map { step in
            if let i = step.intensity { level = i }
            return level
        }
    }

    /// +1 when a number curve's value grows with intensity (height), -1 when it shrinks (closest
    /// approach), 0 when flat; nil for choices. Compared on raw values, because equivalent levels
    /// stop at the curve's ends (6 m and 5 m are both "level 0" for closest approach, yet 5 m is closer).
    public static func direction(_ curve: IntensityCurve) -> Double? {
        guard case .linear(let points) = curve, let first = points.first, let last = points.last else { return nil }
        return last.value > first.value ? 1 : last.value < first.value ? -1 : 0
    }

    /// How `b` compares with `a` for parameter `name`: > 0 more intense, < 0 calmer, 0 the same or
    /// not comparable (no curve).
    public static func compare(_ name: String, _ a: ParameterValue, _ b: ParameterValue, _ specs: [String: ParameterSpec]) -> Double {
        guard let curve = specs[name]?.curve else { return 0 }
        if let d = direction(curve), let x = a.number, let y = b.number { return d * (y - x) }
        let measure = StimulusModel(specs: specs)
        guard let la = measure.level(of: name, a), let lb = measure.level(of: name, b) else { return 0 }
        return lb - la
    }

    /// A parameter follows the level unless the environment gives it no intensity order (no curve).
    /// Without a vocabulary every parameter follows the level.
    static func followsLevel(_ name: String, _ specs: [String: ParameterSpec]) -> Bool {
        guard !specs.isEmpty else { return true }
        return specs[name]?.curve != nil
    }

    /// What parameter `name` is at `level` when nothing pins it.
    public func levelValue(_ name: String, at level: Double) -> ParameterValue? {
        if let curve = numbers[name] { return curve.value(at: level) }
        if let c = choices[name] { return choiceValue(name, c, at: level) }
        return specs[name]?.defaultValue
    }

    func choiceValue(_ name: String, _ c: ChoiceAnchors, at level: Double) -> ParameterValue? {
        guard let first = c.anchors.first, let last = c.anchors.last else { return nil }
        let x = level.isFinite ? min(100, max(0, level)) : 0
        var chosen = first.option
        for a in c.anchors where a.intensity <= x { chosen = a.option }
        guard let environment = c.environment, let env = environment.value(at: x) else { return .choice(chosen) }
        let le = measure.level(of: name, env), lc = measure.level(of: name, .choice(chosen))
        guard let le, let lc else { return .choice(chosen) }
        // Outside the hierarchy the environment's thresholds apply, in the right direction only.
        if x < first.intensity, le < lc { return env }
        if x > last.intensity, le > lc { return env }
        return .choice(chosen)
    }

    /// Parameters held at `step` regardless of the level, and by whom.
    public func pins(step: Int?, therapist: [String: ParameterValue]) -> [String: PinSource] {
        var out: [String: PinSource] = [:]
        for name in protocolPins.keys { out[name] = .protocolWide }
        if let step, stepPins.indices.contains(step) { for name in stepPins[step].keys { out[name] = .step } }
        for name in therapist.keys { out[name] = .therapist }
        return out
    }

    /// Every parameter's physical value at `level` in `step`, with the therapist's pins on top.
    public func resolve(level: Double, step: Int?, therapist: [String: ParameterValue] = [:]) -> [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        for name in names {
            if let v = levelValue(name, at: level) { out[name] = v }
        }
        // At a step's own level the patient meets exactly that step, even where another step
        // shares the level (a protocol the validator would refuse, but built in code).
        if let step, anchors.indices.contains(step), anchors[step].level == level {
            for (name, v) in anchors[step].values { out[name] = v }
        }
        for (name, v) in protocolPins { out[name] = v }
        if let step, stepPins.indices.contains(step) { for (name, v) in stepPins[step] { out[name] = v } }
        for (name, v) in therapist { out[name] = v }
        return out
    }
}
