import Foundation

/// Protocol v1 framing: one JSON object per WebSocket text frame. See docs/control-protocol.md.
public enum WireFormat {
    public static let version = 1
    /// Largest client message the server reads; larger ones get `message_too_large`.
    public static let maxClientMessageBytes = 16 * 1024
}

/// A message from a client, read and checked.
public enum ClientMessage: Sendable, Equatable {
    /// First message on every connection. Exactly one of token / pairingCode.
    case hello(token: String?, pairingCode: String?)
    case command(id: String, command: ControlCommand)
    case ping(id: String?)
}

/// Reads client messages; every failure is a ControlProtocolError naming the field.
public enum ClientMessageDecoder {
    public static func decode(_ text: String) throws -> ClientMessage {
        guard text.utf8.count <= WireFormat.maxClientMessageBytes else {
            throw ControlProtocolError(.messageTooLarge,
                "message is \(text.utf8.count) bytes; the limit is \(WireFormat.maxClientMessageBytes) bytes")
        }
        guard let parsed = JSONValue.parse(text) else {
            throw ControlProtocolError(.malformedMessage, "message is not valid JSON; send one JSON object per text frame")
        }
        guard case .object(let object) = parsed else {
            throw ControlProtocolError(.malformedMessage, "message must be a JSON object, got \(parsed.typeName)")
        }
        let fields = FieldReader(object, path: "")
        let id = try fields.optionalString("id", maxLength: 64)
        do {
            if let version = object["v"] {
                guard version == .number(Double(WireFormat.version)) else {
                    throw ControlProtocolError(.unsupportedVersion,
                        "protocol version \(version.shortText) is not supported; this server speaks version \(WireFormat.version) (\"v\": 1)")
                }
            }
            let type = try fields.string("type", maxLength: 32)
            switch type {
            case "hello":
                guard object["v"] != nil else {
                    throw ControlProtocolError(.unsupportedVersion,
                        "hello must name the protocol version; this server speaks version \(WireFormat.version) (\"v\": 1)")
                }
                let token = try fields.optionalString("token", maxLength: 128)
                let code = try fields.optionalString("pairing_code", maxLength: 16)
                guard (token == nil) != (code == nil) else {
                    throw ControlProtocolError(.invalidField, "hello needs exactly one of \"token\" or \"pairing_code\"")
                }
                return .hello(token: token, pairingCode: code)
            case "command":
                guard let id else {
                    throw ControlProtocolError(.invalidField, "field \"id\": a command needs a string id (1-64 characters) to match its ack")
                }
                guard case .object(let body)? = object["command"] else {
                    throw ControlProtocolError(.invalidField, "field \"command\": expected an object like {\"kind\": \"pause\"}", id: id)
                }
                return .command(id: id, command: try CommandValidator.command(from: FieldReader(body, path: "command.")))
            case "ping":
                return .ping(id: id)
            default:
                throw ControlProtocolError(.unknownType,
                    "message type \"\(type)\" is unknown; use \"hello\", \"command\" or \"ping\"")
            }
        } catch var error as ControlProtocolError {
            if error.id == nil { error.id = id }
            throw error
        }
    }
}
