import CNIOBoringSSL
import NIOSSL

/// The SHA-256 fingerprint of a certificate, written the way browsers' certificate viewers
/// show it (`AB:CD:...`, 32 uppercase hex pairs), so a therapist can compare the two by eye.
public enum CertificateFingerprint {
    /// Fingerprint of DER-encoded certificate bytes (exactly what the server sends in TLS).
    public static func sha256(der: [UInt8]) -> String {
        formatted(sha256Digest(der))
    }

    public static func sha256(of certificate: NIOSSLCertificate) throws -> String {
        sha256(der: try certificate.toDERBytes())
    }

    /// BoringSSL's SHA-256, already linked through swift-nio-ssl (no second crypto library).
    static func sha256Digest(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                _ = SHA256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return digest
    }

    /// Uppercase hex pairs separated by colons.
    public static func formatted(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return digest.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]]) }.joined(separator: ":")
    }
}
