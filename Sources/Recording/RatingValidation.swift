// Ratings built through ExposureCore's questionnaires, so out-of-range answers never reach the record.
import ExposureCore
import Foundation

public extension Rating {
    /// A single 0-N rating (SUDS, FMS, expectancy), validated against its scale.
    static func validated(_ kind: RatingKind, value: Double, sessionTime: Double,
                          wallClock: Double = Date().timeIntervalSince1970, displayTimeNs: Int64? = nil,
                          source: RatingSource) throws -> Rating {
        let v: Double
        switch kind {
        case .suds: v = try SUDS.validate(value)
        case .fms: v = try FMS.validate(value)
        case .expectancyBefore, .expectancyAfter: v = try Expectancy.validate(value)
        case .ssqPre, .ssqPost:
            throw QuestionnaireError.wrongItemCount(questionnaire: "SSQ", expected: SSQ.items.count, got: 0)
        }
        return Rating(sessionTime: sessionTime, wallClock: wallClock, displayTimeNs: displayTimeNs, kind: kind,
                      value: v, source: source.rawValue)
    }

    /// An SSQ (before or after) from its 16 item answers; the value is the SSQ total (0-235.62).
    static func ssq(before: Bool, answers: [Int], sessionTime: Double,
                    wallClock: Double = Date().timeIntervalSince1970, source: RatingSource) throws -> Rating {
        let score = try SSQ.score(answers)
        return Rating(sessionTime: sessionTime, wallClock: wallClock, kind: before ? .ssqPre : .ssqPost,
                      value: score.total, items: answers, source: source.rawValue)
    }
}
