// The seam between the control server and the session runtime. The runtime (SessionRuntime)
// implements ControlledSession; Control never sees engine types.

/// Who may do what over the control link.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Steers the session: may send commands.
    case therapist
    /// Watches only: supervisors and researchers.
    case observer
}

/// The author of a command, as written to the session record. `displayName` is a role label
/// such as "therapist-3", never a person's name (session records are health data).
public struct Sender: Sendable, Equatable, Hashable {
    public var role: Role
    public var connectionId: Int
    public var displayName: String

    public init(role: Role, connectionId: Int, displayName: String? = nil) {
        self.role = role
        self.connectionId = connectionId
        self.displayName = displayName ?? "\(role.rawValue)-\(connectionId)"
    }
}

/// What the session did with a submitted command, decided by the session's engine on the frame
/// that took it: never an acknowledgement of something that did not happen.
public enum CommandOutcome: Sendable, Equatable {
    /// Applied. `changes` says what changed, in words ("level 30 -> 40", "paused"); empty when the
    /// session already was as asked. Telemetry with `lastAppliedCommandSeq` >= `sequence` shows it.
    case applied(sequence: UInt64, changes: [String])
    /// Refused by the session; `code` names the rule (see `RejectionCode`). Nothing changed.
    case rejected(code: String, message: String)
}

/// One line of the control audit trail: every command that arrived after authentication,
/// and every failed authentication, with who sent it and what became of it.
public struct ControlAuditEntry: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case applied(sequence: UInt64)
        case refused(code: String, message: String)
    }
    /// Nil when the connection never authenticated.
    public var sender: Sender?
    public var connectionId: Int
    /// The command kind as sent on the wire ("set_intensity"), or the message type when no
    /// command could be read ("hello", "malformed").
    public var kind: String
    /// The client's id for the message, when it gave one.
    public var messageId: String?
    public var result: Result
    /// The network address the traffic came from, when known (summaries always name it).
    public var source: String?
    /// For a summary of refused traffic: how many messages of each kind were refused.
    public var counts: [String: Int]?

    public init(sender: Sender?, connectionId: Int, kind: String, messageId: String?, result: Result,
                source: String? = nil, counts: [String: Int]? = nil) {
        self.sender = sender
        self.connectionId = connectionId
        self.kind = kind
        self.messageId = messageId
        self.result = result
        self.source = source
        self.counts = counts
    }
}

/// The session as the control server sees it. Every method is called from the server's
/// event loops: implementations only enqueue into the frame loop's mailbox or read a
/// snapshot, and never block.
public protocol ControlledSession: AnyObject, Sendable {
    /// Hands a validated command from an authenticated therapist to the frame loop. The
    /// session decides whether safety allows it (no raising intensity during an opt-out).
    func submit(_ command: ControlCommand, from sender: Sender) async -> CommandOutcome
    /// The latest telemetry snapshot; cheap, called 10-30 times a second.
    func latestTelemetry() -> Telemetry
    /// A small PNG of one eye for the console's mirror view, if one has been rendered.
    func latestMirrorPNG() -> [UInt8]?
    /// The therapist link came up (first therapist connection) or went down (the last one
    /// closed or stopped answering pings). Down triggers the protocol's link-loss rule.
    func therapistLinkChanged(connected: Bool)
    /// Writes one audit entry to the session record.
    func recordControlEvent(_ entry: ControlAuditEntry)
    /// The world the session shows (parameters and events), sent in every `welcome` so the
    /// console can build its controls; fixed for the session. nil when there is none to describe.
    var environment: EnvironmentDescription? { get }
}

extension ControlledSession {
    public var environment: EnvironmentDescription? { nil }
}
