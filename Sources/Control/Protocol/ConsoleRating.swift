// A rating the therapist types in at the console: the patient's spoken answer to a SUDS, FMS or
// expectancy question, or a whole SSQ before or after the session. Ranges are the questionnaires'
// own (ExposureCore.Questionnaires), so the console and the headset accept the same answers.
import ExposureCore

public enum ConsoleRating: Sendable, Equatable {
    /// SUDS 0-100.
    case suds(Double)
    /// FMS 0-20.
    case fms(Double)
    /// Expectancy 0-100 %, before or after a trial.
    case expectancyBefore(Double)
    case expectancyAfter(Double)
    /// The 16 SSQ answers (0-3) in the standard item order, before or after exposure.
    case ssqPre([Int])
    case ssqPost([Int])

    /// The wire name of the rating (the `kind` field of `enter_rating`).
    public var kind: String {
        switch self {
        case .suds: return "suds"
        case .fms: return "fms"
        case .expectancyBefore: return "expectancy_before"
        case .expectancyAfter: return "expectancy_after"
        case .ssqPre: return "ssq_pre"
        case .ssqPost: return "ssq_post"
        }
    }

    public static let allKinds = ["suds", "fms", "expectancy_before", "expectancy_after", "ssq_pre", "ssq_post"]
}

extension CommandValidator {
    /// `enter_rating`: the rating kind is read from `rating` ("kind" already names the command).
    static func rating(from body: FieldReader) throws -> ConsoleRating {
        let kind = try body.string("rating", maxLength: 32)
        func value(_ validate: (Double) throws -> Double) throws -> Double {
            let v = try body.number("value")
            do { return try validate(v) } catch let e as QuestionnaireError { throw body.fail("value", e.description) }
        }
        switch kind {
        case "suds": return .suds(try value(SUDS.validate))
        case "fms": return .fms(try value(FMS.validate))
        case "expectancy_before": return .expectancyBefore(try value(Expectancy.validate))
        case "expectancy_after": return .expectancyAfter(try value(Expectancy.validate))
        case "ssq_pre": return .ssqPre(try ssqItems(body))
        case "ssq_post": return .ssqPost(try ssqItems(body))
        default:
            throw body.fail("rating", "\"\(kind.prefix(32))\" is unknown; use one of \(ConsoleRating.allKinds.joined(separator: ", "))")
        }
    }

    /// 16 whole numbers 0-3, checked with the SSQ's own scoring rules.
    static func ssqItems(_ body: FieldReader) throws -> [Int] {
        guard let raw = body.object["items"] else {
            throw body.fail("items", "is required: the \(SSQ.items.count) SSQ answers (0-3) in the standard order")
        }
        guard case .array(let values) = raw else { throw body.fail("items", "expected an array, got \(raw.typeName)") }
        guard values.count == SSQ.items.count else {
            let e = QuestionnaireError.wrongItemCount(questionnaire: "SSQ", expected: SSQ.items.count, got: values.count)
            throw body.fail("items", e.description)
        }
        var answers: [Int] = []
        for (i, v) in values.enumerated() {
            guard case .number(let n) = v, n.isFinite, n == n.rounded(), abs(n) < 1000 else {
                throw body.fail("items[\(i)]", "expected a whole number 0-3, got \(v.shortText)")
            }
            answers.append(Int(n))
        }
        do { _ = try SSQ.score(answers) } catch let e as QuestionnaireError { throw body.fail("items", e.description) }
        return answers
    }
}
