// Reads a patient script (docs/patient-script.md) with the same located diagnostics as protocols.

public enum PatientScriptParser {
    public static func load(path: String, parameterSpecs: [String: ParameterSpec]? = nil) throws -> PatientScript {
        try parse(YAMLSource.load(path: path), parameterSpecs: parameterSpecs)
    }

    public static func parse(text: String, file: String, parameterSpecs: [String: ParameterSpec]? = nil) throws -> PatientScript {
        try parse(YAMLSource.parse(text: text, file: file), parameterSpecs: parameterSpecs)
    }

    public static func parse(_ root: YNode, parameterSpecs: [String: ParameterSpec]?) throws -> PatientScript {
        let sink = DiagnosticSink()
        var script = PatientScript()
        guard var r = FieldReader(root, sink: sink, what: "a patient script") else { throw ValidationFailure(sink.diagnostics) }
        _ = r.string("participant")
        if let v = r.number("tick_s", in: 0.05...10) { script.tick = v }
        script.duration = r.number("duration_min", in: 0.1...480).map { $0 * 60 }
        script.heartRateBaseline = r.number("heart_rate_baseline_bpm", in: 30...200)
        script.suds = r.node("suds").flatMap { trace($0, range: 0...100, allowModel: true, sink: sink) }
        script.fms = r.node("fms").flatMap { trace($0, range: 0...20, allowModel: false, sink: sink) }
        script.heartRate = r.node("heart_rate").flatMap { trace($0, range: 25...250, allowModel: false, sink: sink) }
        if let n = r.node("expectancy"), var e = FieldReader(n, sink: sink, what: "expectancy") {
            script.expectancyBefore = e.number("before", required: true, in: 0...100)
            script.expectancyAfter = e.number("after", required: true, in: 0...100)
            e.finish()
        }
        for item in r.list("actions") ?? [] {
            if let a = action(item, specs: parameterSpecs, sink: sink) { script.actions.append(a) }
        }
        script.linkLoss = (r.list("link_loss") ?? []).compactMap { window($0, sink: sink) }
        script.poorFrameRate = (r.list("poor_frame_rate") ?? []).compactMap { window($0, sink: sink) }
        r.finish()
        try sink.throwIfErrors()
        script.actions.sort { $0.at < $1.at }
        return script
    }

    static func trace(_ node: YNode, range: ClosedRange<Double>, allowModel: Bool, sink: DiagnosticSink) -> PatientScript.Trace? {
        guard var r = FieldReader(node, sink: sink, what: node.path) else { return nil }
        let problemsBefore = sink.diagnostics.count
        var result: PatientScript.Trace?
        if let items = r.list("points") {
            var points: [TracePoint] = []
            for item in items {
                guard var p = FieldReader(item, sink: sink, what: "a point") else { continue }
                let at = time(&p, sink: sink)
                let value = p.number("value", required: true, in: range)
                p.finish()
                if let at, let value {
                    if let last = points.last, at < last.at {
                        sink.error(item.location, item.path, "points must be in time order (\(FieldReader.format(at)) s comes after \(FieldReader.format(last.at)) s)")
                    }
                    points.append(TracePoint(at: at, value: value))
                }
            }
            if items.isEmpty { sink.error(node.location, "\(node.path).points", "give at least one point") }
            result = .points(points)
        }
        if allowModel, let m = r.node("model"), var h = FieldReader(m, sink: sink, what: "model") {
            let start = h.number("at_step_start", required: true, in: range)
            let rise = h.number("rise_per_step", in: -100...100) ?? 0
            let percent = h.number("habituation_percent_per_min", required: true, in: 0...100)
            let floor = h.number("floor", in: range) ?? 0
            h.finish()
            if result != nil {
                sink.error(m.location, m.path, "give either `points` or `model`, not both")
            } else if let start, let percent {
                result = .habituation(atStepStart: start, risePerStep: rise, habituationPercentPerMinute: percent, floor: floor)
            }
        }
        r.finish()
        if result == nil && sink.diagnostics.count == problemsBefore {
            sink.error(node.location, node.path, allowModel ? "give `points` or `model`" : "give `points`")
        }
        return result
    }

    /// `at: 750` (seconds) or `at: "12:30"` (minutes:seconds).
    static func time(_ r: inout FieldReader, sink: DiagnosticSink) -> Double? {
        guard let n = r.node("at", required: true) else { return nil }
        guard case .scalar(let s, _) = n.value else {
            sink.error(n.location, n.path, "expected seconds or minutes:seconds, found \(n.typeName)"); return nil
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        var seconds: Double?
        if parts.count == 1 { seconds = Double(s) }
        if parts.count == 2, let m = Int(parts[0]), let sec = Double(parts[1]), m >= 0, (0..<60).contains(sec) {
            seconds = Double(m) * 60 + sec
        }
        guard let seconds, seconds.isFinite, (0...86_400).contains(seconds) else {
            sink.error(n.location, n.path, "expected seconds (e.g. 750) or minutes:seconds (e.g. \"12:30\"), found `\(s.prefix(40))`")
            return nil
        }
        return seconds
    }

    static func window(_ node: YNode, sink: DiagnosticSink) -> PatientScript.Window? {
        guard var r = FieldReader(node, sink: sink, what: "a time window") else { return nil }
        let from = r.number("from_s", required: true, in: 0...86_400)
        let to = r.number("to_s", required: true, in: 0...86_400)
        r.finish()
        guard let from, let to else { return nil }
        guard to > from else { sink.error(node.location, node.path, "to_s must be after from_s"); return nil }
        return PatientScript.Window(from: from, to: to)
    }

    static let patientWords = ["opt_out", "pause", "resume", "consent"]
    static let therapistWords = ["next_step", "previous_step", "pause", "resume", "end", "record_consent"]

    static func action(_ node: YNode, specs: [String: ParameterSpec]?, sink: DiagnosticSink) -> PatientScript.Action? {
        guard var r = FieldReader(node, sink: sink, what: "an action") else { return nil }
        let at = time(&r, sink: sink)
        var input: EngineInput?
        if let n = r.node("patient") {
            if case .scalar(let s, _) = n.value, let a = PatientAction(rawValue: s) { input = .patient(a) }
            else { sink.error(n.location, n.path, "expected one of \(patientWords.joined(separator: ", ")), found \(FieldReader.show(n))") }
        }
        if let n = r.node("therapist") {
            if input != nil { sink.error(n.location, n.path, "one action per entry: `patient` or `therapist`, not both") }
            input = therapist(n, specs: specs, sink: sink).map { .therapist($0) }
        }
        if input == nil, !r.has("patient"), !r.has("therapist") {
            sink.error(node.location, node.path, "an action needs `patient:` or `therapist:`")
        }
        r.finish()
        guard let at, let input else { return nil }
        return PatientScript.Action(at: at, input: input)
    }

    static func therapist(_ n: YNode, specs: [String: ParameterSpec]?, sink: DiagnosticSink) -> TherapistCommand? {
        if case .scalar(let s, _) = n.value {
            switch s {
            case "next_step": return .nextStep()
            case "previous_step": return .previousStep
            case "pause": return .pause
            case "resume": return .resume
            case "end": return .end
            case "record_consent": return .recordVerbalConsent
            default:
                sink.error(n.location, n.path, "expected one of \(therapistWords.joined(separator: ", ")) or a mapping (set_intensity, set_parameter, fire_event, next_step), found `\(s.prefix(40))`")
                return nil
            }
        }
        guard var r = FieldReader(n, sink: sink, what: "a therapist command") else { return nil }
        let confirm = r.bool("confirm") ?? false
        var command: TherapistCommand?
        var count = 0
        if let v = r.number("set_intensity", in: 0...100) { command = .setIntensity(v, confirm: confirm) }
        if r.has("set_intensity") { count += 1 }
        if let e = r.string("fire_event") {
            count += 1
            if ProtocolParser.isIdentifier(e) { command = .fireEvent(e) }
            else if let en = r.node("fire_event") { sink.error(en.location, en.path, "event names use lower-case letters, digits and `_`") }
        }
        if let b = r.bool("next_step") { count += 1; if b { command = .nextStep(confirm: confirm) } }
        if let p = r.node("set_parameter"), var pr = FieldReader(p, sink: sink, what: "set_parameter") {
            count += 1
            let name = pr.string("name", required: true)
            let valueNode = pr.node("value", required: true)
            pr.finish()
            if let name, let valueNode {
                if let specs {
                    if let spec = specs[name] {
                        command = ProtocolParser.parameterValue(valueNode, spec: spec, sink: sink).map { .setParameter(name, $0) }
                    } else if let nn = pr.node("name") {
                        sink.error(nn.location, nn.path, "unknown parameter\(FieldReader.suggestion(name, specs.keys.sorted())); this environment has: \(specs.keys.sorted().joined(separator: ", "))")
                    }
                } else if case .scalar(let s, _) = valueNode.value {
                    command = .setParameter(name, Double(s).map { .number($0) } ?? .choice(s))
                }
            }
        }
        r.finish()
        if count != 1 {
            sink.error(n.location, n.path, "give exactly one of set_intensity, set_parameter, fire_event, next_step (with optional confirm)")
            return nil
        }
        return command
    }
}
