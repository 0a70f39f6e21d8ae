// Checks that a protocol's hierarchy gives the level a meaning (see IntensityModel): steps ordered
// from least to most intense, every parameter moving one way as the level rises, and no stretch of
// levels that changes nothing. Each problem names the file, line and column of the value at fault.

struct HierarchyCheck {
    let plan: ExposureProtocol
    let stepNodes: [YNode]
    let pinnedNode: YNode?
    let specs: [String: ParameterSpec]?
    let sink: DiagnosticSink

    func run() {
        guard let specs, !specs.isEmpty else { return }
        let levels = IntensityModel.stepLevels(plan)
        checkOrder(levels)
        var previous: (index: Int, values: [String: ParameterValue])? = nil
        for (i, step) in plan.steps.enumerated() {
            let following = step.parameters.filter { IntensityModel.followsLevel($0.key, specs) }
            checkPinnedEverything(i)
            guard !following.isEmpty else { continue }
            if let (p, before) = previous, levels[i] > levels[p] {
                compare(p, before, i, following, levels: levels)
            }
            previous = (i, following)
        }
    }

    /// Steps in order of intensity: the level interpolates between neighbours, so a step that comes
    /// later at a lower level turns the curve back on itself.
    func checkOrder(_ levels: [Double]) {
        for i in plan.steps.indices.dropFirst() {
            let own = levels[i], before = levels[i - 1]
            let (at, field) = where_(i, "intensity", nil)
            if own < before {
                sink.error(at, field, "step `\(plan.steps[i].id)` at intensity \(f(own)) comes after step `\(plan.steps[i - 1].id)` at \(f(before)); "
                           + "order the hierarchy from least to most intense")
            } else if own == before, differs(plan.steps[i - 1].parameters, plan.steps[i].parameters) {
                sink.error(at, field, "steps `\(plan.steps[i - 1].id)` and `\(plan.steps[i].id)` both sit at intensity \(f(own)) but show different worlds; "
                           + "the level cannot tell them apart: give `\(plan.steps[i].id)` a higher intensity")
            }
        }
    }

    func differs(_ a: [String: ParameterValue], _ b: [String: ParameterValue]) -> Bool {
        guard let specs else { return false }
        return Set(a.keys).union(b.keys).contains { IntensityModel.followsLevel($0, specs) && a[$0] != nil && b[$0] != nil && a[$0] != b[$0] }
    }

    /// Step `i` against the last step before it that set parameters, parameter by parameter.
    func compare(_ p: Int, _ before: [String: ParameterValue], _ i: Int, _ now: [String: ParameterValue],
                 levels: [Double]) {
        var falls: [(String, ParameterValue, ParameterValue)] = []
        var rises = 0
        for name in now.keys.sorted() {
            guard let a = before[name], let b = now[name], let specs else { continue }
            let change = IntensityModel.compare(name, a, b, specs)
            if change < 0 { falls.append((name, a, b)) } else if change > 0 { rises += 1 }
        }
        let stepA = plan.steps[p], stepB = plan.steps[i]
        let span = "\(f(levels[p]))→\(f(levels[i]))"
        for (name, a, b) in falls {
            let (at, field) = where_(i, "parameters", name)
            let change = "\(name) \(show(a, name)) → \(show(b, name))"
            if rises == 0 {
                sink.error(at, field, "step `\(stepB.id)` is less intense than step `\(stepA.id)` before it (\(change) and nothing rises); "
                           + "raising the level \(span) would lower the stimulus")
            } else {
                sink.warning(at, field, "raising the level \(span) lowers \(change) while other parameters rise, so \(name) "
                             + "does not move one way with the level; keep it, or hold it with `pinned:`")
            }
        }
        if falls.isEmpty, rises == 0, levels[i] > levels[p], !differs(before, now), before.keys.sorted() == now.keys.sorted() {
            let (at, field) = where_(i, "intensity", nil)
            sink.warning(at, field, "steps `\(stepA.id)` and `\(stepB.id)` show the same world, so levels \(span) change nothing")
        }
    }

    /// A step that pins every parameter that follows the level leaves the level slider without effect.
    func checkPinnedEverything(_ i: Int) {
        guard let specs else { return }
        let following = specs.keys.filter { IntensityModel.followsLevel($0, specs) }
        guard !following.isEmpty else { return }
        let held = Set(plan.pinned.keys).union(plan.steps[i].pinned.keys)
        if following.allSatisfy({ held.contains($0) }) {
            let (at, field) = where_(i, "pinned", nil)
            sink.warning(at, field, "every parameter that follows the level is pinned at step `\(plan.steps[i].id)`, so the level moves nothing there")
        }
    }

    /// The location of step `i`'s `field` (or of `name` inside it), falling back to the step itself.
    func where_(_ i: Int, _ field: String, _ name: String?) -> (SourceLocation, String) {
        let node = stepNodes[i]
        guard case .mapping(let pairs) = node.value, let pair = pairs.first(where: { $0.key == field }) else {
            return (node.location, "\(node.path).\(field)")
        }
        guard let name else { return (pair.value.location, pair.value.path) }
        if case .mapping(let inner) = pair.value.value, let p = inner.first(where: { $0.key == name }) {
            return (p.value.location, p.value.path)
        }
        return (pair.value.location, pair.value.path)
    }

    func f(_ v: Double) -> String { FieldReader.format(v) }
    func show(_ v: ParameterValue, _ name: String) -> String {
        guard case .number = v, let unit = specs?[name]?.unit else { return v.description }
        return "\(v) \(unit)"
    }
}
