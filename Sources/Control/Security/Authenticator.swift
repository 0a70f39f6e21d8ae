import Foundation

/// Checks credentials, source by source. Tokens (256 random bits) cannot be guessed, so a wrong
/// token is only counted; they always work for whoever holds them. Pairing codes (eight digits)
/// can be guessed, so a source that keeps getting them wrong is locked out of pairing for a
/// while, longer each time, and forgotten after a quiet spell. A stranger's failures never lock
/// out another source, and never the token: the therapist's console link keeps working. Should
/// many sources together get near guessing a code, the codes stop working until the runtime
/// issues new ones (`issueNewPairingCodes`).
final class Authenticator: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: AccessKeys
    private var usedCodes: Set<Role> = []
    private var sources: [String: SourceRecord] = [:]
    private var codeFailures = 0

    /// Wrong codes from one source before it is locked out of pairing.
    static let failuresBeforeLockout = 5
    static let firstLockout: Duration = .seconds(10)
    static let longestLockout: Duration = .seconds(300)
    /// A source with no failure for this long starts afresh.
    static let forgetAfter: Duration = .seconds(600)
    /// Wrong codes from all sources together before the codes themselves stop working.
    static let codeFailuresBeforeCodesLock = 200

    struct SourceRecord {
        var failures = 0
        var lockouts = 0
        var lockedUntil: ContinuousClock.Instant?
        var lastFailure: ContinuousClock.Instant
    }

    init(keys: AccessKeys) { self.keys = keys }

    enum Result: Equatable {
        case granted(Role, issuedToken: String?)
        case denied(String)
    }

    var currentKeys: AccessKeys { lock.withLock { keys } }

    /// New pairing codes for both roles; the old ones, and the lock on them, are gone.
    func issueNewPairingCodes() -> AccessKeys {
        lock.withLock {
            keys = keys.withNewPairingCodes()
            usedCodes = []
            codeFailures = 0
            return keys
        }
    }

    func authenticate(token: String?, pairingCode: String?, source: String = "unknown",
                      now: ContinuousClock.Instant = .now) -> Result {
        lock.lock()
        defer { lock.unlock() }
        if let token {
            // Check both roles every time so timing does not reveal which one matched.
            let therapist = constantTimeEqual(token, keys.therapistToken)
            let observer = constantTimeEqual(token, keys.observerToken)
            if therapist { return .granted(.therapist, issuedToken: nil) }
            if observer { return .granted(.observer, issuedToken: nil) }
            return .denied("the token is not valid for this session; copy it again from the runtime's console output")
        }
        guard let pairingCode else { return .denied("send a token or a pairing code") }
        var record = sources[source] ?? SourceRecord(lastFailure: now)
        if now - record.lastFailure > Self.forgetAfter { record = SourceRecord(lastFailure: now) }
        if let until = record.lockedUntil, now < until {
            let left = (until - now).components
            let seconds = Int(left.seconds) + (left.attoseconds > 0 ? 1 : 0)
            return .denied("too many wrong pairing codes from this address; try again in \(seconds) s, or use the console link with the token")
        }
        guard codeFailures < Self.codeFailuresBeforeCodesLock else {
            return .denied("pairing codes are locked after too many wrong attempts; use the console link with the token, "
                           + "or ask for new codes at the runtime's terminal")
        }
        let normalized = pairingCode.filter(\.isNumber)
        for role in Role.allCases {
            let expected = (role == .therapist ? keys.therapistPairingCode : keys.observerPairingCode).filter(\.isNumber)
            if constantTimeEqual(normalized, expected) {
                guard !usedCodes.contains(role) else {
                    fail(&record, source, now)
                    return .denied("this pairing code was already used; reconnect with the token it gave, or ask for new codes")
                }
                usedCodes.insert(role)
                sources[source] = nil
                return .granted(role, issuedToken: keys.token(for: role))
            }
        }
        fail(&record, source, now)
        return .denied("the pairing code is not valid for this session")
    }

    /// Counts a wrong code; the fifth in a row locks the source out, 10 s, then 20, 40... up to 5 min.
    private func fail(_ record: inout SourceRecord, _ source: String, _ now: ContinuousClock.Instant) {
        codeFailures += 1
        record.failures += 1
        record.lastFailure = now
        if record.failures >= Self.failuresBeforeLockout {
            let factor = 1 << min(record.lockouts, 8)
            record.lockedUntil = now + min(Self.longestLockout, Self.firstLockout * factor)
            record.lockouts += 1
            record.failures = 0
        }
        sources[source] = record
    }
}
