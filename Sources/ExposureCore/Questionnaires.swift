// Questionnaires asked before, during and after exposure: SSQ, FMS and SUDS.
// Scoring follows Kennedy et al. (1993) for the SSQ and Keshavarz & Hecht (2011) for the FMS.

/// Why an answer to a questionnaire was refused.
public enum QuestionnaireError: Error, Equatable, CustomStringConvertible {
    case wrongItemCount(questionnaire: String, expected: Int, got: Int)
    case itemOutOfRange(questionnaire: String, item: String, value: Int, range: ClosedRange<Int>)
    case ratingOutOfRange(questionnaire: String, value: Double, range: ClosedRange<Double>)
    case invalidSchedule(field: String, value: Double)

    public var description: String {
        switch self {
        case let .wrongItemCount(q, expected, got):
            return "\(q): expected \(expected) item answers, got \(got); answer every item (0 = none)."
        case let .itemOutOfRange(q, item, value, range):
            return "\(q): item '\(item)' answered \(value), allowed \(range.lowerBound)-\(range.upperBound)."
        case let .ratingOutOfRange(q, value, range):
            return "\(q): rating \(value) is outside \(range.lowerBound)-\(range.upperBound)."
        case let .invalidSchedule(field, value):
            return "questionnaire schedule: '\(field)' must be a positive number of seconds, got \(value)."
        }
    }
}

/// Where a rating came from: the patient in the headset, or the therapist typing it at the console.
public enum RatingSource: String, Sendable, Codable, CaseIterable {
    case headset
    case console
}

/// Simulator Sickness Questionnaire: 16 symptoms rated 0 (none) to 3 (severe).
public enum SSQ {
    public enum Subscale: String, Sendable, CaseIterable { case nausea, oculomotor, disorientation }

    public struct Item: Sendable, Equatable {
        public let name: String
        public let subscales: Set<Subscale>
    }

    /// The 16 items in the standard order, with their subscale memberships.
    public static let items: [Item] = [
        Item(name: "General discomfort", subscales: [.nausea, .oculomotor]),
        Item(name: "Fatigue", subscales: [.oculomotor]),
        Item(name: "Headache", subscales: [.oculomotor]),
        Item(name: "Eyestrain", subscales: [.oculomotor]),
        Item(name: "Difficulty focusing", subscales: [.oculomotor, .disorientation]),
        Item(name: "Increased salivation", subscales: [.nausea]),
        Item(name: "Sweating", subscales: [.nausea]),
        Item(name: "Nausea", subscales: [.nausea, .disorientation]),
        Item(name: "Difficulty concentrating", subscales: [.nausea, .oculomotor]),
        Item(name: "Fullness of head", subscales: [.disorientation]),
        Item(name: "Blurred vision", subscales: [.oculomotor, .disorientation]),
        Item(name: "Dizzy (eyes open)", subscales: [.disorientation]),
        Item(name: "Dizzy (eyes closed)", subscales: [.disorientation]),
        Item(name: "Vertigo", subscales: [.disorientation]),
        Item(name: "Stomach awareness", subscales: [.nausea]),
        Item(name: "Burping", subscales: [.nausea]),
    ]

    public static let answerRange: ClosedRange<Int> = 0...3
    public static let weights: [Subscale: Double] = [.nausea: 9.54, .oculomotor: 7.58, .disorientation: 13.92]
    public static let totalWeight = 3.74
    public static let maximumTotal = 235.62

    public struct Score: Sendable, Equatable {
        /// Raw (unweighted) sums per subscale.
        public let rawNausea: Int, rawOculomotor: Int, rawDisorientation: Int
        public var nausea: Double { Double(rawNausea) * 9.54 }
        public var oculomotor: Double { Double(rawOculomotor) * 7.58 }
        public var disorientation: Double { Double(rawDisorientation) * 13.92 }
        /// (N + O + D raw sums) x 3.74, 0-235.62.
        public var total: Double { Double(rawNausea + rawOculomotor + rawDisorientation) * SSQ.totalWeight }
    }

    /// Validates the 16 answers (in `items` order) and scores them.
    public static func score(_ answers: [Int]) throws -> Score {
        guard answers.count == items.count else {
            throw QuestionnaireError.wrongItemCount(questionnaire: "SSQ", expected: items.count, got: answers.count)
        }
        var raw: [Subscale: Int] = [.nausea: 0, .oculomotor: 0, .disorientation: 0]
        for (item, answer) in zip(items, answers) {
            guard answerRange.contains(answer) else {
                throw QuestionnaireError.itemOutOfRange(questionnaire: "SSQ", item: item.name, value: answer, range: answerRange)
            }
            for s in item.subscales { raw[s, default: 0] += answer }
        }
        return Score(rawNausea: raw[.nausea] ?? 0, rawOculomotor: raw[.oculomotor] ?? 0,
                     rawDisorientation: raw[.disorientation] ?? 0)
    }
}

/// A single-number rating is valid when it is a finite number on its scale.
func checkRating(_ value: Double, in range: ClosedRange<Double>, questionnaire: String) throws -> Double {
    guard value.isFinite, range.contains(value) else {
        throw QuestionnaireError.ratingOutOfRange(questionnaire: questionnaire, value: value, range: range)
    }
    return value
}

/// Fast Motion Sickness scale: one verbal rating, 0 (no sickness) to 20 (frank sickness).
public enum FMS {
    public static let range: ClosedRange<Double> = 0...20
    public static func validate(_ value: Double) throws -> Double {
        try checkRating(value, in: range, questionnaire: "FMS")
    }
}

/// Subjective Units of Distress: 0 (calm) to 100 (worst distress imaginable).
public enum SUDS {
    public static let range: ClosedRange<Double> = 0...100
    public static func validate(_ value: Double) throws -> Double {
        try checkRating(value, in: range, questionnaire: "SUDS")
    }
}

/// Expectancy rating before/after a trial (how likely the feared outcome is), 0-100 %.
public enum Expectancy {
    public static let range: ClosedRange<Double> = 0...100
    public static func validate(_ value: Double) throws -> Double {
        try checkRating(value, in: range, questionnaire: "expectancy")
    }
}

/// When the in-session ratings fall due: FMS every minute by default, SUDS on the protocol's cadence.
public struct QuestionnaireSchedule: Sendable, Equatable {
    public let fmsInterval: Double?
    public let sudsInterval: Double?

    /// Intervals in seconds of exposure time; nil turns that rating off.
    public init(fmsInterval: Double? = 60, sudsInterval: Double? = 120) throws {
        for (field, v) in [("fms_interval", fmsInterval), ("suds_interval", sudsInterval)] {
            if let v = v, !(v.isFinite && v > 0) { throw QuestionnaireError.invalidSchedule(field: field, value: v) }
        }
        self.fmsInterval = fmsInterval
        self.sudsInterval = sudsInterval
    }

    public enum Prompt: String, Sendable { case fms, suds }

    /// The ratings due at `exposureTime`, given when each was last asked (nil: never; the first falls
    /// due one interval into exposure, not at its very start).
    public func due(at exposureTime: Double, lastFMS: Double?, lastSUDS: Double?) -> [Prompt] {
        var out: [Prompt] = []
        if let i = fmsInterval, exposureTime - (lastFMS ?? 0) >= i { out.append(.fms) }
        if let i = sudsInterval, exposureTime - (lastSUDS ?? 0) >= i { out.append(.suds) }
        return out
    }
}
