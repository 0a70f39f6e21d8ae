// Engine events as a readable timeline (time, actor, what happened, why) with a summary, and as
// plain JSON-ready values for tools.
import Foundation

public enum Timeline {
    public static func clock(_ t: Double) -> String {
        let whole = Int(max(0, t).rounded(.down))
        let m = whole / 60, s = whole % 60
        return (m < 10 ? "0" : "") + "\(m):" + (s < 10 ? "0" : "") + "\(s)"
    }

    public static func what(_ e: EngineEvent, _ plan: ExposureProtocol) -> String {
        func step(_ i: Int) -> String { plan.steps.indices.contains(i) ? "step \(i + 1) `\(plan.steps[i].id)`" : "step \(i + 1)" }
        switch e.kind {
        case .sessionStarted: return "session started"
        case .stepChanged(let from, let to):
            return from.map { "\(step($0)) -> \(step(to))" } ?? "enter \(step(to))"
        case .intensityChanged(let a, let b) where a == b: return "intensity stays \(FieldReader.format(a))"
        case .intensityChanged(let a, let b): return "intensity \(FieldReader.format(a)) -> \(FieldReader.format(b))"
        case .parameterChanged(let name, let a, let b):
            return "\(name) \(a?.description ?? "(environment default)") -> \(b?.description ?? "(environment default)")"
        case .environmentEvent(let name): return "event \(name)"
        case .paused: return "paused"
        case .resumed: return "resumed"
        case .safeRoomEntered: return "safe room"
        case .consentGiven: return "consent to resume"
        case .ended(let r): return "ended (\(r.rawValue))"
        case .ratingRecorded(let k, let v): return "\(k.rawValue) \(FieldReader.format(v))"
        case .rejected(let what): return "rejected \(what)"
        case .escalationHeld: return "moving up held"
        case .linkChanged(let up): return up ? "console link restored" : "console link lost"
        case .frameRateChanged(let ok): return ok ? "frame rate recovered" : "frame rate too low"
        case .clockJump(let d): return "clock jump \(FieldReader.format((d * 10).rounded() / 10)) s"
        }
    }

    /// The timeline as text. Parameter changes made together are one "world" line with the physical
    /// values and units the patient meets from then on (units from `specs`).
    public static func text(_ result: SimulationResult, plan: ExposureProtocol, specs: [String: ParameterSpec]? = nil) -> String {
        var lines = ["Protocol \(plan.id) v\(plan.version): \(plan.title)", ""]
        lines.append(pad("time", 6) + pad("actor", 10) + pad("what", 38) + "why")
        var i = result.events.startIndex
        let events = result.events
        while i < events.endIndex {
            let e = events[i]
            guard case .parameterChanged = e.kind else {
                lines.append(pad(clock(e.time), 6) + pad(e.actor.rawValue, 10) + pad(what(e, plan), 38) + e.reason)
                i += 1
                continue
            }
            var changes: [String] = []
            while i < events.endIndex, events[i].time == e.time, events[i].actor == e.actor,
                  case .parameterChanged(let name, let a, let b) = events[i].kind {
                changes.append(a == nil ? "\(name) \(physical(b, name, specs))" : "\(name) \(physical(a, name, specs)) -> \(physical(b, name, specs))")
                i += 1
            }
            lines.append(pad(clock(e.time), 6) + pad(e.actor.rawValue, 10) + pad("world", 38) + changes.joined(separator: ", "))
        }
        lines.append("")
        lines += summary(result, plan: plan)
        return lines.joined(separator: "\n")
    }

    public static func summary(_ r: SimulationResult, plan: ExposureProtocol) -> [String] {
        var lines = ["Summary"]
        lines.append("  outcome: " + { () -> String in guard case .ended(let why) = r.finalState else { return "\(r.finalState)" }; let reached: Int? = r.events.reversed().lazy.compactMap { (e: EngineEvent) -> Int? in if case .stepChanged(_, let to) = e.kind { return to }; return nil }.first; return "\(why) (\(why.rawValue))" + (reached.map { " at step \($0 + 1)/\(plan.steps.count)" } ?? "") }() + " at \(clock(r.endTime))")
        if let h = r.highestStep { lines.append("  highest step reached: \(h + 1) of \(plan.steps.count) (`\(plan.steps[h].id)`)") }
        for (i, s) in r.timeInStep.enumerated() where s > 0 {
            lines.append("  step \(i + 1) `\(plan.steps[i].id)`: \(clock(s)) running")
        }
        let count = { (actor: Actor) in r.events.filter { $0.actor == actor }.count }
        let safety = r.events.filter { $0.actor == .safety }
        lines.append("  safety actions: \(safety.count); therapist events: \(count(.therapist)); protocol events: \(count(.protocolRule))")
        let rejected = r.events.filter { if case .rejected = $0.kind { return true }; return false }.count
        lines.append("  rejected inputs: \(rejected)")
        if let p = r.peakSUDS { lines.append("  peak SUDS: \(FieldReader.format(p))") }
        return lines
    }

    /// A value with its unit ("45 m", "0.8 people/m2", "low").
    public static func physical(_ v: ParameterValue?, _ name: String, _ specs: [String: ParameterSpec]?) -> String {
        guard let v else { return "(environment default)" }
        guard case .number(let n) = v, let unit = specs?[name]?.unit else { return v.description }
        if unit == "fraction" { return "\(FieldReader.format((n * 1000).rounded() / 10)) %" }
        return "\(FieldReader.format((n * 100).rounded() / 100)) \(unit)"
    }

    /// One dictionary per event with plain values (strings, numbers, null), ready for JSON.
    public static func record(_ e: EngineEvent, _ plan: ExposureProtocol) -> [String: Any] {
        var d: [String: Any] = ["time_s": e.time, "actor": e.actor.rawValue, "what": what(e, plan), "reason": e.reason]
        d["step"] = e.step.map { $0 + 1 as Any } ?? NSNull()
        if case .parameterChanged(let name, let a, let b) = e.kind {
            func plain(_ v: ParameterValue?) -> Any {
                switch v { case .number(let n)?: return n; case .choice(let c)?: return c; case nil: return NSNull() }
            }
            d["parameter"] = name; d["from"] = plain(a); d["to"] = plain(b)
        }
        return d
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
