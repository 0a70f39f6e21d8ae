// Range and shape checks for commands, done before anything reaches the session.

public enum CommandLimits {
    public static let intensityRange: ClosedRange<Double> = 0...100
    public static let maxNameLength = 64
    public static let maxReasonLength = 200
    /// Patient messages must fit on one line in the headset.
    public static let maxPatientMessageLength = 140
    /// Environment parameter values are checked against the environment's own ranges by
    /// the session; this only keeps absurd numbers out.
    public static let parameterMagnitudeLimit = 1e6
    /// Master volume: 0 is silent, 1 is the level the environments were mixed for.
    public static let volumeRange: ClosedRange<Double> = 0...1
}

enum CommandValidator {
    static func command(from body: FieldReader) throws -> ControlCommand {
        let kind = try body.string("kind", maxLength: 32)
        switch kind {
        case "set_intensity":
            let value = try body.number("value")
            guard CommandLimits.intensityRange.contains(value) else {
                throw body.fail("value", "intensity must be 0-100, got \(value)")
            }
            let confirmed = try body.optionalBool("confirm") ?? false
            let reason = try body.optionalString("reason", maxLength: CommandLimits.maxReasonLength)
            if let reason { try plainText(reason, field: "reason", in: body) }
            return .setIntensity(value: value, confirmed: confirmed, reason: reason)
        case "set_parameter":
            let name = try identifier("name", in: body)
            let confirmed = try body.optionalBool("confirm") ?? false
            if body.object["option"] != nil {
                return .setParameter(name: name, value: .option(try identifier("option", in: body)), confirmed: confirmed)
            }
            let value = try body.number("value")
            guard abs(value) <= CommandLimits.parameterMagnitudeLimit else {
                throw body.fail("value", "must be within ±\(Int(CommandLimits.parameterMagnitudeLimit))")
            }
            return .setParameter(name: name, value: .number(value), confirmed: confirmed)
        case "release_parameter":
            return .releaseParameter(name: try identifier("name", in: body), confirmed: try body.optionalBool("confirm") ?? false)
        case "next_step": return .nextStep(confirmed: try body.optionalBool("confirm") ?? false)
        case "previous_step": return .previousStep
        case "go_to_step":
            let number = try body.number("step")
            guard number == number.rounded(), (1...999).contains(number) else {
                throw body.fail("step", "expected a step number 1-999, got \(number)")
            }
            return .goToStep(number: Int(number), confirmed: try body.optionalBool("confirm") ?? false)
        case "record_consent": return .recordConsent
        case "fire_event": return .fireEvent(name: try identifier("name", in: body))
        case "request_suds": return .requestSUDS
        case "pause": return .pause
        case "resume": return .resume
        case "end":
            let reason = try body.optionalString("reason", maxLength: CommandLimits.maxReasonLength)
            if let reason { try plainText(reason, field: "reason", in: body) }
            return .end(reason: reason)
        case "message":
            let text = try body.string("text", maxLength: CommandLimits.maxPatientMessageLength)
            try plainText(text, field: "text", in: body)
            return .showMessage(text: text)
        case "set_volume":
            let volume = try body.number("volume")
            guard CommandLimits.volumeRange.contains(volume) else {
                throw body.fail("volume", "volume must be 0-1 (0 silent, 1 full), got \(volume)")
            }
            return .setVolume(volume)
        case "mute":
            guard let muted = try body.optionalBool("muted") else {
                throw body.fail("muted", "required: true to silence the patient's sound, false to restore it")
            }
            return .setMuted(muted)
        case "enter_rating":
            return .enterRating(try rating(from: body))
        default:
            throw ControlProtocolError(.unknownCommand,
                "command kind \"\(kind.prefix(32))\" is unknown; known kinds: \(ControlCommand.allKinds.joined(separator: ", "))")
        }
    }

    /// Names of parameters and events: lower-case letters, digits, '_', '.', '-'.
    static func identifier(_ key: String, in body: FieldReader) throws -> String {
        let name = try body.string(key, maxLength: CommandLimits.maxNameLength)
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "." || scalar == "-"
        }
        guard allowed else { throw body.fail(key, "use lower-case letters, digits, '_', '.' or '-'") }
        return name
    }

    /// Text shown to people: no control characters (they could break the headset overlay or logs).
    static func plainText(_ text: String, field: String, in body: FieldReader) throws {
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw body.fail(field, "must not contain control characters such as newlines")
        }
    }
}
