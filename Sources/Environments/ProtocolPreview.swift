// What a protocol step shows at a level, without running a session: the same intensity model the
// engine resolves through, so `exposure render --protocol` and the pixel tests see what the
// patient would meet.
import ExposureCore

public enum ProtocolPreview {
    public struct World: Equatable, Sendable {
        public var level: Double
        public var values: [String: ParameterValue]
        public var pinned: [String: PinSource]
    }

    public enum PreviewError: Error, CustomStringConvertible, Equatable {
        case noSuchStep(Int, count: Int)
        case levelOutOfBounds(Double, ClosedRange<Double>)
        public var description: String {
            switch self {
            case .noSuchStep(let n, let count): return "--step \(n): this protocol has steps 1...\(count)"
            case .levelOutOfBounds(let v, let r):
                return "--intensity \(FieldReader.format(v)) is outside this protocol's bounds \(FieldReader.format(r.lowerBound))...\(FieldReader.format(r.upperBound))"
            }
        }
    }

    /// The world at step `number` (1-based, as the console and the record count) at `level`
    /// (default: the step's own level).
    public static func world(_ plan: ExposureProtocol, step number: Int, level: Double? = nil,
                             catalog: EnvironmentCatalog) throws -> World {
        guard plan.steps.indices.contains(number - 1) else { throw PreviewError.noSuchStep(number, count: plan.steps.count) }
        let index = number - 1
        let bounds = plan.session.minIntensity...plan.session.maxIntensity
        let at = level ?? IntensityModel.stepLevels(plan)[index]
        guard bounds.contains(at) else { throw PreviewError.levelOutOfBounds(at, bounds) }
        let model = IntensityModel(protocol: plan, specs: catalog.vocabulary.parameters(of: plan.environment))
        return World(level: at, values: model.resolve(level: at, step: index), pinned: model.pins(step: index, therapist: [:]))
    }
}
