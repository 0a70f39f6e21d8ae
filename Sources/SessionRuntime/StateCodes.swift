import ExposureCore

extension EngineState {
    /// A short machine-readable code for telemetry and the record.
    public var code: String {
        switch self {
        case .notStarted: return "not_started"
        case .running: return "running"
        case .paused(_, let by): return "paused_by_\(by.rawValue)"
        case .safeRoom(_, let cause): return "safe_room_\(cause.rawValue)"
        case .ended(let reason): return "ended_\(reason.rawValue)"
        }
    }
}
