import Foundation

/// Traffic the console refuses before it reaches the session — failed hellos, commands before
/// hello, messages over the rate limit, malformed ones, cross-site requests, too many
/// connections — is counted per source and written to the record as one summary per
/// source per interval, never one row per message: a stranger cannot flood the clinical record.
final class RefusalTally: @unchecked Sendable {
    enum Reason: String, CaseIterable, Sendable {
        case failedHello = "failed_hello"
        case notAuthenticated = "not_authenticated"
        case rateLimited = "rate_limited"
        case malformed
        case crossOrigin = "cross_origin"
        case tooManyConnections = "too_many_connections"
        /// A connection closed for not sending its request head in time.
        case slowRequest = "slow_request"
    }

    private let lock = NSLock()
    private var counts: [String: [Reason: Int]] = [:]
    private var total: [Reason: Int] = [:]

    func note(_ reason: Reason, from source: String) {
        lock.withLock {
            counts[source, default: [:]][reason, default: 0] += 1
            total[reason, default: 0] += 1
        }
    }

    /// Everything refused since the session started, by reason (for tests and benches).
    var totals: [Reason: Int] { lock.withLock { total } }

    /// One audit entry per source with its counts since the last call; empty when nothing was refused.
    func drain(interval: String) -> [ControlAuditEntry] {
        let taken = lock.withLock { () -> [String: [Reason: Int]] in defer { counts = [:] }; return counts }
        return taken.keys.sorted().map { source in
            let byReason = taken[source] ?? [:]
            let text = Reason.allCases.compactMap { r in byReason[r].map { "\($0) \(r.rawValue.replacingOccurrences(of: "_", with: " "))" } }
                .joined(separator: ", ")
            return ControlAuditEntry(sender: nil, connectionId: 0, kind: "refused_traffic", messageId: nil,
                                     result: .refused(code: "summary", message: "from \(source) \(interval): \(text)"),
                                     source: source,
                                     counts: Dictionary(uniqueKeysWithValues: byReason.map { ($0.key.rawValue, $0.value) }))
        }
    }
}
