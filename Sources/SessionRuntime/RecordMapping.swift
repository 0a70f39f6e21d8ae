// How engine events become lines in the session record: one kind per kind of change, the actor
// and reason carried over unchanged, and the numbers a researcher filters on in the payload.
import Foundation
import ExposureCore
import Recording

enum RecordMapping {
    static func actor(_ a: ExposureCore.Actor) -> Recording.Actor {
        switch a {
        case .patient: return .patient
        case .therapist: return .therapist
        case .protocolRule: return .protocol
        case .safety: return .safety
        case .system: return .system
        }
    }

    /// The record's event for an engine event; ratings are stored separately (see `rating`).
    static func event(_ e: EngineEvent, plan: ExposureProtocol, displayTimeNs: Int64?, wallClock: Double,
                      origin: String?) -> RecordedEvent {
        var kind: String
        var payload: [String: Any] = [:]
        switch e.kind {
        case .sessionStarted: kind = EventKind.state; payload["state"] = "started"
        case .stepChanged(let from, let to):
            kind = EventKind.step
            payload["step"] = to + 1
            if let from { payload["from_step"] = from + 1 }
            if to < plan.steps.count {
                payload["name"] = plan.steps[to].title
                payload["step_id"] = plan.steps[to].id
            }
        case .intensityChanged(let from, let to): kind = EventKind.intensity; payload["from"] = from; payload["intensity"] = to
        case .parameterChanged(let name, let from, let to):
            kind = EventKind.parameter; payload["name"] = name
            if let from { payload["from"] = from.description }
            if let to { payload["to"] = to.description }
        case .environmentEvent(let name): kind = "environment_event"; payload["name"] = name
        case .paused: kind = EventKind.state; payload["state"] = "paused"
        case .resumed: kind = EventKind.state; payload["state"] = "resumed"
        case .safeRoomEntered: kind = e.actor == .patient ? EventKind.optOut : EventKind.state; payload["state"] = "safe_room"
        case .consentGiven: kind = EventKind.state; payload["state"] = "consent_to_resume"
        case .ended(let reason): kind = EventKind.state; payload["state"] = "ended"; payload["end_reason"] = reason.rawValue
        case .ratingRecorded(let k, let v): kind = "rating"; payload["rating"] = k.rawValue; payload["value"] = v
        case .rejected(let what, let rule): kind = "rejected"; payload["input"] = what; payload["rule"] = rule.rawValue
        case .escalationHeld: kind = EventKind.safety; payload["rule"] = "escalation_held"
        case .linkChanged(let connected): kind = "link"; payload["connected"] = connected
        case .frameRateChanged(let healthy): kind = "frame_health"; payload["healthy"] = healthy
        case .clockJump(let seconds): kind = "clock"; payload["jump_s"] = seconds
        }
        // What the safety supervisor did is marked as such; changes of step, level and parameters
        // keep their kind so plots and step tables follow them, the rest become safety events.
        if e.actor == .safety {
            payload["safety"] = true
            if ![EventKind.step, EventKind.intensity, EventKind.parameter].contains(kind) { payload["change"] = kind; kind = EventKind.safety }
        }
        if let step = e.step { payload["current_step"] = step + 1 }
        if let origin { payload["sender"] = origin }
        return RecordedEvent(sessionTime: e.time, wallClock: wallClock, displayTimeNs: displayTimeNs, kind: kind,
                             actor: actor(e.actor), reason: e.reason, payloadJSON: RecordedEvent.payload(payload))
    }

    /// Ratings go to their own table as well, for the plots and exports.
    static func rating(_ e: EngineEvent, displayTimeNs: Int64?, wallClock: Double, source: String) -> Rating? {
        guard case .ratingRecorded(let k, let v) = e.kind else { return nil }
        let kind: Recording.RatingKind
        switch k {
        case .suds: kind = .suds
        case .fms: kind = .fms
        case .expectancyBefore: kind = .expectancyBefore
        case .expectancyAfter: kind = .expectancyAfter
        case .heartRate, .heartRateBaseline: return nil
        }
        return Rating(sessionTime: e.time, wallClock: wallClock, displayTimeNs: displayTimeNs, kind: kind, value: v, source: source)
    }
}
