import Foundation

/// A parsed JSON value. Decoding through this keeps numbers and booleans apart on every
/// platform, so `"value": true` is refused where a number is expected.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Typed access to a JSON object, with errors that name the field.
struct FieldReader {
    let object: [String: JSONValue]
    let path: String

    init(_ object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    func fail(_ key: String, _ problem: String) -> ControlProtocolError {
        ControlProtocolError(.invalidField, "field \"\(path)\(key)\": \(problem)")
    }

    func optionalString(_ key: String, maxLength: Int) throws -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let string) = value else { throw fail(key, "expected a string, got \(value.typeName)") }
        guard !string.isEmpty, string.count <= maxLength else {
            throw fail(key, "expected 1-\(maxLength) characters, got \(string.count)")
        }
        return string
    }

    func string(_ key: String, maxLength: Int) throws -> String {
        guard let value = try optionalString(key, maxLength: maxLength) else { throw fail(key, "is required") }
        return value
    }

    func number(_ key: String) throws -> Double {
        guard let value = object[key] else { throw fail(key, "is required") }
        guard case .number(let number) = value else { throw fail(key, "expected a number, got \(value.typeName)") }
        guard number.isFinite else { throw fail(key, "expected a finite number") }
        return number
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let bool) = value else { throw fail(key, "expected true or false, got \(value.typeName)") }
        return bool
    }
}

extension JSONValue {
    /// A short rendering for error messages (never echoes long client input back).
    var shortText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s): return "\"\(s.prefix(16))\""
        case .array, .object: return typeName
        }
    }
}
