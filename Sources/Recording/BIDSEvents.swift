// events.tsv: one row per happening, in the order it happened, with the numbers a researcher filters
// on in columns of their own (step, level, parameter, rating scale, state, rule) rather than in free
// text. Ratings are recorded twice (an engine event with its sequence number, and the ratings table
// with its source and SSQ items); they become one row here.
import Foundation

enum BIDSEvents {
    static let header = ["onset", "duration", "trial_type", "actor", "step", "intensity", "parameter", "value",
                         "from_value", "scale", "source", "items", "state", "rule", "reason", "sequence", "display_time_ns"]

    /// Every `trial_type` and what it means (events.json Levels).
    static let trialTypes: [String: String] = [
        "state": "The session's state changed (column state: started, paused, resumed, safe_room, consent_to_resume, ended)",
        "step": "A hierarchy step began (column step); its duration lasts until the next step or the end of the recording",
        "intensity": "The stimulus level changed (column intensity, 0-100; from_value is the level before)",
        "parameter": "A physical parameter of the environment changed (columns parameter, value and from_value)",
        "rating": "A rating was recorded (columns scale, value, source; items for questionnaires)",
        "command": "A command from the therapist's console arrived (reason names the sender); what it changed follows in its own rows",
        "rejected": "An input was refused (column rule names the rule that refused it)",
        "safety": "The safety supervisor acted (column rule; state for the change it made)",
        "optout": "The patient opted out and was taken to the safe room",
        "annotation": "A note from the therapist (reason)",
        "link": "The therapist's console connected or lost its link (value 1 connected, 0 lost)",
        "frame_health": "The frame rate became poor (value 0) or recovered (value 1)",
        "environment_event": "A protocol or therapist event in the environment (parameter names it)",
        "environment_event_ignored": "An event that changes nothing in this environment (parameter names it)",
        "xr_state": "The OpenXR session state changed (state)",
        "validation_message": "An OpenXR or Vulkan validation message (reason)",
        "supervision": "Whether a therapist must be connected changed (reason)",
        "refused_traffic": "Unauthenticated or rate-limited traffic from one source over an interval, summarised (reason)",
        "clock": "The session clock jumped (value: seconds)",
        "clock_pair": "The display time and the host's clocks read together (see display_time_ns; the record holds CLOCK_MONOTONIC, CLOCK_REALTIME and LSL's clock)",
        "signal_source": "Where a signal such as heart rate comes from; state is active or inactive for the rules that need it",
        "watchdog": "Frames stopped and the watchdog ran the safety rules, or frames came back",
        "mailbox_full": "Inputs were refused because too many arrived at once (reason gives the count)",
        "record_gap": "The record could not be written for a while; what was lost is in reason",
        "control": "A console connection or action, for the audit trail (reason)",
        "audio": "The therapist changed the session's sound (reason)",
        "suds_requested": "The therapist asked for a SUDS rating",
        "patient_message": "The therapist's message was shown to the patient",
    ]

    static func rows(_ r: SessionRecord, timeline: SessionTimeline) -> [[String]] {
        var unmatched = r.ratings
        var rows: [(onset: Double, order: Int64, cells: [String])] = []
        let steps = r.events.filter { $0.kind == EventKind.step }.map(\.sessionTime)

        for e in r.events {
            let p = e.payload
            var c = Cells()
            c.trialType = e.kind
            c.step = int(p["step"]) ?? int(p["current_step"])
            switch e.kind {
            case EventKind.intensity:
                c.intensity = number(p["intensity"]); c.fromValue = number(p["from"])
            case EventKind.parameter, "environment_event", "environment_event_ignored":
                c.parameter = p["name"] as? String; c.value = text(p["to"]); c.fromValue = text(p["from"])
            case "rating":
                c.scale = p["rating"] as? String; c.value = number(p["value"])
                // The ratings table knows who gave it (headset, console, ...) and any item answers.
                if let scale = c.scale, let value = p["value"] as? Double,
                   let i = unmatched.firstIndex(where: { $0.kind.rawValue == scale && $0.value == value && abs($0.sessionTime - e.sessionTime) < 1e-6 }) {
                    c.source = unmatched[i].source
                    c.items = items(unmatched[i].items)
                    unmatched.remove(at: i)
                }
            case "link":
                c.value = (p["connected"] as? Bool).map { $0 ? "1" : "0" }
            case "frame_health":
                c.value = (p["healthy"] as? Bool).map { $0 ? "1" : "0" }
            case "clock":
                c.value = number(p["jump_s"])
            case "signal_source":
                c.parameter = p["signal"] as? String; c.value = p["source"] as? String
                c.state = (p["rule_active"] as? Bool).map { $0 ? "active" : "inactive" }
            default: break
            }
            c.state = c.state ?? (p["state"] as? String) ?? (p["change"] as? String)
            if let end = p["end_reason"] as? String { c.state = "ended:\(end)" }
            c.rule = p["rule"] as? String
            if e.kind == EventKind.step {
                let next = steps.first { $0 > e.sessionTime } ?? timeline.end
                c.duration = max(0, next - e.sessionTime)
            }
            let onset = timeline.onset(e.sessionTime)
            rows.append((onset, e.sequence, c.row(onset: onset, actor: e.actor.rawValue, reason: e.reason,
                                                   sequence: String(e.sequence), displayTimeNs: e.displayTimeNs)))
        }
        // Ratings with no engine event (questionnaires such as the SSQ, answered outside the engine).
        for rt in unmatched {
            var c = Cells()
            c.trialType = "rating"; c.scale = rt.kind.rawValue; c.value = ExportFiles.num(rt.value)
            c.source = rt.source; c.items = items(rt.items)
            let onset = timeline.onset(rt.sessionTime)
            // After the events of the same instant that carry a sequence number.
            rows.append((onset, Int64.max, c.row(onset: onset, actor: rt.source == "console" ? "therapist" : "patient", reason: "",
                                                 sequence: "n/a", displayTimeNs: rt.displayTimeNs)))
        }
        // In the order things happened: by time, then by the recorder's sequence within one frame.
        return rows.sorted { ($0.onset, $0.order) < ($1.onset, $1.order) }.map(\.cells)
    }

    static func sidecar() -> [String: Any] {
        [
            "onset": ["Description": "Seconds from the first head-pose sample, on the session's display clock (the OpenXR predicted display time of the frame the event belongs to); motion and physio files share this zero", "Units": "s"],
            "duration": ["Description": "For steps, seconds until the next step or the end of the recording; 0 for instants", "Units": "s"],
            "trial_type": ["Description": "What happened", "Levels": trialTypes],
            "actor": ["Description": "Who caused it", "Levels": [
                "patient": "The patient (headset controls, opt-out, ratings)", "therapist": "The therapist's console",
                "protocol": "The protocol's rules", "safety": "The safety supervisor", "system": "The runtime itself"]],
            "step": ["Description": "The hierarchy step (1-based): the step begun for step rows, else the step the session was in"],
            "intensity": ["Description": "Stimulus level after the change (0-100)"],
            "parameter": ["Description": "Name of the environment parameter or event"],
            "value": ["Description": "The parameter's new value (in the unit docs/environments.md gives it), the rating's value, 1/0 for link and frame_health"],
            "from_value": ["Description": "The value before the change (intensity and parameter rows)"],
            "scale": ["Description": "Rating scale", "Levels": [
                "suds": "Subjective Units of Distress, 0-100", "fms": "Fast Motion sickness Scale, 0-20",
                "ssq_pre": "Simulator Sickness Questionnaire total before exposure, 0-235.62",
                "ssq_post": "Simulator Sickness Questionnaire total after exposure, 0-235.62",
                "expectancy_before": "Expected peak distress before the step, 0-100", "expectancy_after": "Expectancy rated after, 0-100",
                "heart_rate_baseline": "Resting heart rate taken as baseline, beats per minute"]],
            "source": ["Description": "Where a rating came from", "Levels": [
                "headset": "The patient in the headset", "keyboard": "The keyboard at the station", "console": "The therapist's console",
                "script": "A scripted patient (simulation)"]],
            "items": ["Description": "Item answers of a questionnaire, space-separated in the questionnaire's order"],
            "state": ["Description": "For state, safety and xr_state rows: the state entered (ended:<reason> for the end)"],
            "rule": ["Description": "The safety or validation rule that acted or refused an input"],
            "reason": ["Description": "Why, in words, as recorded"],
            "sequence": ["Description": "The record's event sequence number (order within one frame); n/a for ratings recorded outside the engine"],
            "display_time_ns": ["Description": "OpenXR predicted display time of the frame (runtime clock, nanoseconds); see the session record documentation for mapping it to other clocks", "Units": "ns"],
        ]
    }

    private struct Cells {
        var duration = 0.0
        var trialType = ""
        var step: Int?
        var intensity: String?
        var parameter: String?
        var value: String?
        var fromValue: String?
        var scale: String?
        var source: String?
        var items: String?
        var state: String?
        var rule: String?

        func row(onset: Double, actor: String, reason: String, sequence: String, displayTimeNs: Int64?) -> [String] {
            let na: (String?) -> String = { $0.map(ExportFiles.cell) ?? "n/a" }
            return [ExportFiles.num(onset), ExportFiles.num(duration), trialType, actor, step.map(String.init) ?? "n/a",
                    na(intensity), na(parameter), na(value), na(fromValue), na(scale), na(source), na(items), na(state), na(rule),
                    ExportFiles.cell(reason), sequence, displayTimeNs.map(String.init) ?? "n/a"]
        }
    }

    private static func int(_ v: Any?) -> Int? { (v as? Int) ?? (v as? Double).map { Int($0) } }
    private static func number(_ v: Any?) -> String? { (v as? Double).map(ExportFiles.num) ?? (v as? Int).map(String.init) }
    private static func text(_ v: Any?) -> String? { (v as? String) ?? number(v) }
    private static func items(_ i: [Int]) -> String? { i.isEmpty ? nil : i.map(String.init).joined(separator: " ") }
}
