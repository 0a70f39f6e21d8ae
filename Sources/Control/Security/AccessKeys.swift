import Foundation

/// The per-session secrets: one token per role, and one short pairing code per role that a
/// therapist can read out or type and that is exchanged once for the token.
public struct AccessKeys: Sendable {
    public let therapistToken: String
    public let observerToken: String
    public let therapistPairingCode: String
    public let observerPairingCode: String

    /// Fresh random keys (system CSPRNG).
    public static func generate() -> AccessKeys {
        AccessKeys(therapistToken: randomToken(), observerToken: randomToken(),
                   therapistPairingCode: randomPairingCode(), observerPairingCode: randomPairingCode())
    }

    public init(therapistToken: String, observerToken: String, therapistPairingCode: String, observerPairingCode: String) {
        self.therapistToken = therapistToken
        self.observerToken = observerToken
        self.therapistPairingCode = therapistPairingCode
        self.observerPairingCode = observerPairingCode
    }

    public func token(for role: Role) -> String { role == .therapist ? therapistToken : observerToken }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Eight digits shown as "1234-5678".
    static func randomPairingCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<8).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return String(digits.prefix(4)) + "-" + String(digits.suffix(4))
    }
}

/// Checks credentials. Pairing codes work once each and stop working after repeated
/// failures, so an eight-digit code cannot be guessed by brute force.
final class Authenticator: @unchecked Sendable {
    private let keys: AccessKeys
    private let lock = NSLock()
    private var usedCodes: Set<Role> = []
    private var failedAttempts = 0
    static let maxFailedAttemptsBeforeCodesLock = 10

    init(keys: AccessKeys) { self.keys = keys }

    enum Result: Equatable {
        case granted(Role, issuedToken: String?)
        case denied(String)
    }

    func authenticate(token: String?, pairingCode: String?) -> Result {
        if let token {
            // Check both roles every time so timing does not reveal which one matched.
            let therapist = constantTimeEqual(token, keys.therapistToken)
            let observer = constantTimeEqual(token, keys.observerToken)
            if therapist { return .granted(.therapist, issuedToken: nil) }
            if observer { return .granted(.observer, issuedToken: nil) }
            noteFailure()
            return .denied("the token is not valid for this session; copy it again from the runtime's console output")
        }
        guard let pairingCode else { return .denied("send a token or a pairing code") }
        let normalized = pairingCode.filter(\.isNumber)
        lock.lock()
        defer { lock.unlock() }
        guard failedAttempts < Self.maxFailedAttemptsBeforeCodesLock else {
            return .denied("pairing codes are locked after too many failed attempts; use the token printed by the runtime")
        }
        for role in Role.allCases {
            let expected = (role == .therapist ? keys.therapistPairingCode : keys.observerPairingCode).filter(\.isNumber)
            if constantTimeEqual(normalized, expected) {
                guard !usedCodes.contains(role) else {
                    failedAttempts += 1
                    return .denied("this pairing code was already used; reconnect with the token it gave, or restart pairing")
                }
                usedCodes.insert(role)
                return .granted(role, issuedToken: keys.token(for: role))
            }
        }
        failedAttempts += 1
        return .denied("the pairing code is not valid for this session")
    }

    private func noteFailure() {
        lock.lock()
        failedAttempts += 1
        lock.unlock()
    }
}

/// Compares secrets in time that depends only on their lengths, not on where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let left = Array(a.utf8), right = Array(b.utf8)
    var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
    let count = max(left.count, right.count)
    for index in 0..<count {
        let x = index < left.count ? left[index] : 0
        let y = index < right.count ? right[index] : 0
        difference |= x ^ y
    }
    return difference == 0 && left.count == right.count
}
