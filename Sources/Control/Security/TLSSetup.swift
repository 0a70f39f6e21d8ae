import Foundation
import NIOSSL

/// Where the server's TLS certificate comes from.
public enum TLSSetup: Sendable, Equatable {
    /// PEM certificate chain and private key files.
    case files(certificate: String, privateKey: String)
    /// A self-signed certificate kept in `directory`, generated with `openssl` on first run.
    /// Therapists check its SHA-256 fingerprint (printed at start) the first time they connect.
    case selfSigned(directory: String)
}

public enum ControlSetupError: Error, Equatable, CustomStringConvertible {
    case remoteListenNeedsTLS(host: String)
    case invalidPort(Int)
    case certificateUnreadable(path: String, detail: String)
    case privateKeyUnreadable(path: String, detail: String)
    case certificateGenerationFailed(command: String, detail: String)
    case consoleAssetMissing(String)

    public var description: String {
        switch self {
        case .remoteListenNeedsTLS(let host):
            return "ControlServer: listening on \(host) (not loopback) needs TLS; pass --tls-cert and --tls-key, or --tls-self-signed, or listen on 127.0.0.1"
        case .invalidPort(let port):
            return "ControlServer: port \(port) is outside 0-65535"
        case .certificateUnreadable(let path, let detail):
            return "TLS: cannot read the certificate chain at \(path) (\(detail)); give a PEM file"
        case .privateKeyUnreadable(let path, let detail):
            return "TLS: cannot read the private key at \(path) (\(detail)); give an unencrypted PEM key"
        case .certificateGenerationFailed(let command, let detail):
            return "TLS: generating a self-signed certificate with `\(command)` failed (\(detail)); install openssl or give --tls-cert/--tls-key"
        case .consoleAssetMissing(let name):
            return "Control: console file \(name) is missing from the Control resource bundle; rebuild the package"
        }
    }
}

enum ListenPolicy {
    /// True for addresses only this machine can reach.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

enum TLSMaterial {
    /// Certificate and key paths, generating a self-signed pair when asked and not yet there.
    static func paths(for setup: TLSSetup, host: String) throws -> (certificate: String, key: String) {
        switch setup {
        case .files(let certificate, let key):
            return (certificate, key)
        case .selfSigned(let directory):
            let certificate = (directory as NSString).appendingPathComponent("control-cert.pem")
            let key = (directory as NSString).appendingPathComponent("control-key.pem")
            if !FileManager.default.fileExists(atPath: certificate) || !FileManager.default.fileExists(atPath: key) {
                try generateSelfSigned(certificate: certificate, key: key, host: host, directory: directory)
            }
            return (certificate, key)
        }
    }

    /// The server's TLS configuration and the SHA-256 fingerprint of the certificate it
    /// presents (the first one in the chain: the one a browser's certificate viewer shows).
    static func serverConfiguration(for setup: TLSSetup, host: String) throws -> (configuration: TLSConfiguration, fingerprint: String) {
        let (certificatePath, keyPath) = try paths(for: setup, host: host)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ControlSetupError.certificateUnreadable(path: certificatePath, detail: "\(error)")
        }
        guard !chain.isEmpty else { throw ControlSetupError.certificateUnreadable(path: certificatePath, detail: "no certificate in file") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ControlSetupError.privateKeyUnreadable(path: keyPath, detail: "\(error)")
        }
        let fingerprint: String
        do {
            fingerprint = try CertificateFingerprint.sha256(of: chain[0])
        } catch {
            throw ControlSetupError.certificateUnreadable(path: certificatePath, detail: "cannot DER-encode the first certificate: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // TLS 1.0 and 1.1 are broken and deprecated (RFC 8996): 1.2 at least, 1.3 preferred (BoringSSL
        // negotiates the highest both sides offer). TLS 1.2 suites: forward-secret AEAD ones only.
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
        return (configuration, fingerprint)
    }

    /// Swift has no certificate builder in this package's dependencies, so this shells out to
    /// openssl (present on every Debian system).
    static func generateSelfSigned(certificate: String, key: String, host: String, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let altNames = subjectAltNames(host: host, interfaces: ConsoleAddresses.isWildcard(host) ? NetworkInterfaces.current() : [])
        let arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", key, "-out", certificate, "-days", "825", "-subj", "/CN=exposure-control",
                         "-addext", "subjectAltName=\(altNames)"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let command = "openssl " + arguments.prefix(6).joined(separator: " ") + " ..."
        do {
            try process.run()
        } catch {
            throw ControlSetupError.certificateGenerationFailed(command: command, detail: "\(error)")
        }
        process.waitUntilExit()
        let detail = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ControlSetupError.certificateGenerationFailed(command: command, detail: "exit \(process.terminationStatus): \(detail.prefix(300))")
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
    }
}

extension TLSMaterial {
    /// The names a self-signed certificate is made for: the listen address and localhost; for a
    /// wildcard, every address the console URLs may use (this machine's addresses when the
    /// certificate is made; link-local ones left out), so no URL printed has a name mismatch.
    static func subjectAltNames(host: String, interfaces: [InterfaceAddress]) -> String {
        var names: [String]
        if ConsoleAddresses.isWildcard(host) {
            names = (interfaces.filter { !$0.isLinkLocal }.map(\.address) + ["127.0.0.1", "::1"]).map { "IP:\($0)" }
        } else if ListenPolicy.isIPAddress(host) {
            names = ["IP:" + host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))]
        } else {
            names = ["DNS:\(host)"]
        }
        names.append("DNS:localhost")
        var seen = Set<String>()
        return names.filter { seen.insert($0.lowercased()).inserted }.joined(separator: ",")
    }
}

extension ListenPolicy {
    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }
}
