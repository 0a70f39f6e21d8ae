// An SSQ given before or after exposure: scored with the questionnaire's own weights and stored as
// a rating (total plus the 16 answers, so the report can show the subscales) and an event. The
// engine does not judge it; simulator sickness is the therapist's call, not a progression rule.
import Foundation
import ExposureCore
import Recording

extension SessionConductor {
    /// Frame thread only, like `frame`: scoring 16 numbers and two enqueues.
    func recordSSQ(_ items: [Int], moment: TrialMoment, from origin: SessionInput.Origin, at t: Double, moment m: FrameMoment) {
        let name = moment == .before ? "ssq_pre" : "ssq_post"
        let score: SSQ.Score
        do {
            score = try SSQ.score(items)
        } catch {
            // The console validates first; this keeps a malformed input from any other source out of the record.
            _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                               kind: "rejected", actor: .system, reason: "\(error)",
                                               payloadJSON: RecordedEvent.payload(["input": name, "sender": origin.label])))
            return
        }
        let actor: Recording.Actor
        switch origin {
        case .therapist: actor = .therapist
        case .system: actor = .system
        default: actor = .patient
        }
        _ = recorder?.record(RecordedEvent(
            sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs, kind: "rating", actor: actor,
            reason: "SSQ \(moment == .before ? "before" : "after") exposure, total \(String(format: "%.2f", score.total))",
            payloadJSON: RecordedEvent.payload([
                "rating": name, "value": score.total, "nausea": score.nausea, "oculomotor": score.oculomotor,
                "disorientation": score.disorientation, "sender": origin.label, "source": origin.ratingSource,
            ])))
        _ = recorder?.record(Rating(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                    kind: moment == .before ? .ssqPre : .ssqPost, value: score.total, items: items,
                                    source: origin.ratingSource))
    }
}
