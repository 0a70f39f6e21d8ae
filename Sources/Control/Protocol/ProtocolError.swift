// Errors a client gets back. Each names what was wrong and what to do; none changes anything.

public enum ControlErrorCode: String, Sendable, Codable {
    case malformedMessage = "malformed_message"
    case unsupportedVersion = "unsupported_version"
    case unknownType = "unknown_type"
    case unknownCommand = "unknown_command"
    case invalidField = "invalid_field"
    case messageTooLarge = "message_too_large"
    case notAuthenticated = "not_authenticated"
    case authenticationFailed = "authentication_failed"
    case alreadyAuthenticated = "already_authenticated"
    case forbidden
    case rateLimited = "rate_limited"
    /// The role already has as many connections as the console allows.
    case tooManyConnections = "too_many_connections"
    /// The session refused the command (safety, state, confirmation); `message` says why.
    case rejected
}

public struct ControlProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ControlErrorCode
    public var message: String
    /// The client's message id, when it could be read.
    public var id: String?

    public init(_ code: ControlErrorCode, _ message: String, id: String? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
