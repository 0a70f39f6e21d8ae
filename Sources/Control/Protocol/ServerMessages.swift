import Foundation

/// Messages the server sends. Encoded as flat JSON objects with a "type" field.
public enum ServerMessage: Sendable, Equatable {
    case welcome(Welcome)
    /// The session applied command `id`; `changes` says what changed.
    case applied(id: String, sequence: UInt64, changes: [String])
    case error(ControlProtocolError)
    case telemetry(seq: UInt64, Telemetry)
    case pong(id: String?)

    public struct Welcome: Sendable, Equatable, Codable {
        public var v: Int
        public var role: Role
        public var connectionId: Int
        public var displayName: String
        /// Sent when the client paired with a code: the token to reconnect with.
        public var token: String?
        public var telemetryHz: Double
        public var maxMessageBytes: Int
        public var commandsPerSecond: Double
        /// The world the session shows, for the console's parameter controls and event buttons;
        /// absent when the session does not describe one.
        public var environment: EnvironmentDescription? = nil

        enum CodingKeys: String, CodingKey {
            case v, role, token, environment
            case connectionId = "connection_id"
            case displayName = "display_name"
            case telemetryHz = "telemetry_hz"
            case maxMessageBytes = "max_message_bytes"
            case commandsPerSecond = "commands_per_second"
        }
    }
}

extension ServerMessage: Codable {
    enum TypeKey: String, CodingKey { case type, id, seq, sequence, code, message, changes }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        switch self {
        case .welcome(let welcome):
            try container.encode("welcome", forKey: .type)
            try welcome.encode(to: encoder)
        case .applied(let id, let sequence, let changes):
            try container.encode("applied", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(changes, forKey: .changes)
        case .error(let error):
            try container.encode("error", forKey: .type)
            try container.encodeIfPresent(error.id, forKey: .id)
            try container.encode(error.code, forKey: .code)
            try container.encode(error.message, forKey: .message)
        case .telemetry(let seq, let telemetry):
            try container.encode("telemetry", forKey: .type)
            try container.encode(seq, forKey: .seq)
            try telemetry.encode(to: encoder)
        case .pong(let id):
            try container.encode("pong", forKey: .type)
            try container.encodeIfPresent(id, forKey: .id)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "welcome": self = .welcome(try Welcome(from: decoder))
        case "applied":
            self = .applied(id: try container.decode(String.self, forKey: .id),
                            sequence: try container.decode(UInt64.self, forKey: .sequence),
                            changes: try container.decodeIfPresent([String].self, forKey: .changes) ?? [])
        case "error":
            self = .error(ControlProtocolError(
                try container.decode(ControlErrorCode.self, forKey: .code),
                try container.decode(String.self, forKey: .message),
                id: try container.decodeIfPresent(String.self, forKey: .id)))
        case "telemetry":
            self = .telemetry(seq: try container.decode(UInt64.self, forKey: .seq), try Telemetry(from: decoder))
        case "pong": self = .pong(id: try container.decodeIfPresent(String.self, forKey: .id))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown server message type \(type)")
        }
    }

    /// One JSON text frame.
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these value types cannot fail; fall back to a fixed error just in case.
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else {
            return #"{"type":"error","code":"malformed_message","message":"server could not encode a reply"}"#
        }
        return text
    }

    public static func parse(_ text: String) throws -> ServerMessage {
        try JSONDecoder().decode(ServerMessage.self, from: Data(text.utf8))
    }
}
