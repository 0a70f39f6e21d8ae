// The exit status of `exposure session` and `exposure demo` by how the session ended. The one
// place the mapping lives: the commands, their --help and README.md's Commands section use it.
import Foundation
import Recording
import SessionRuntime

enum Outcome {
    /// Command-line errors, a record that could not be closed, a frame loop that failed.
    static let errorStatus: Int32 = 2
    /// Aborted without a signal: the runtime stopped the session, the window was closed, --frames ran out.
    static let abortedStatus: Int32 = 1
    /// Ended as interrupted because the session record could not be written (disk full, I/O error).
    static let recordLostStatus: Int32 = 7

    /// Exit status of each ended state (aborted by a signal is 128 + the signal: 130 SIGINT, 143 SIGTERM).
    static let statuses: [(state: SessionState, status: Int32)] = [
        (.completed, 0), (.therapist, 3), (.timeLimit, 4), (.patientStopped, 5), (.safetyStop, 6),
    ]

    static func status(state: String, signal: Int32?) -> Int32 {
        guard let s = SessionState(rawValue: state) else { return errorStatus }
        if let found = statuses.first(where: { $0.state == s }) { return found.status }
        if s == .aborted, let signal { return 128 + signal }
        return s == .aborted ? abortedStatus : errorStatus
    }

    /// The status a finished command exits with: errors first, then the outcome.
    static func status(of o: SessionOutcome) -> Int32 {
        if o.recordLost != nil { return recordLostStatus }
        if o.error != nil { return errorStatus }
        return status(state: o.state, signal: o.signal)
    }

    /// For --help.
    static let helpText = """
        Exit status by how the session ended: 0 completed, 3 ended_by_therapist, 4 time_limit, \
        5 patient_stopped, 6 safety_stop, 130 aborted by Ctrl-C (SIGINT), 143 aborted by SIGTERM, \
        1 aborted otherwise (runtime stopped, window closed, --frames ran out), \
        7 interrupted because the session record could not be written, 2 errors.
        """

    /// "ended by the therapist at step 2/8 (ended_by_therapist)".
    static func describe(_ o: SessionOutcome) -> String {
        if let lost = o.recordLost { return "interrupted: \(lost) (interrupted)" }
        guard let s = SessionState(rawValue: o.state) else { return o.state }
        var words = s.describe(endStep: o.endStep, stepCount: o.stepCount > 0 ? o.stepCount : nil)
        if s == .aborted, let sig = o.signal { words += " by \(sig == SIGINT ? "SIGINT (Ctrl-C)" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)")" }
        return "\(words) (\(s.rawValue))"
    }
}
