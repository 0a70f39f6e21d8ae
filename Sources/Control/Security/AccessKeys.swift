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

    /// The same tokens with fresh pairing codes (the old codes stop working).
    public func withNewPairingCodes() -> AccessKeys {
        AccessKeys(therapistToken: therapistToken, observerToken: observerToken,
                   therapistPairingCode: Self.randomPairingCode(), observerPairingCode: Self.randomPairingCode())
    }

    /// Eight digits shown as "1234-5678".
    static func randomPairingCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<8).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return String(digits.prefix(4)) + "-" + String(digits.suffix(4))
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
