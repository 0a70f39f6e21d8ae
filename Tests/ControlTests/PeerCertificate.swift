import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import XCTest

enum PeerCertificateError: Error { case nothingArrived(host: String, port: Int) }

/// What a TLS client actually receives: connects, captures the server's certificate chain in a
/// custom verification callback (as a browser's certificate viewer would show it), closes.
enum PeerCertificate {
    static func leafDER(host: String, port: Int) async throws -> [UInt8] {
        let captured = Captured()
        let context = try NIOSSLContext(configuration: TLSConfiguration.makeClientConfiguration())
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { chain, promise in
                        captured.set(chain.first.flatMap { try? $0.toDERBytes() })
                        promise.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get()
        let arrived = await eventually { captured.der != nil }
        try? await channel.close().get()
        guard arrived, let der = captured.der else {
            throw PeerCertificateError.nothingArrived(host: host, port: port)
        }
        return der
    }

    /// SHA-256 by the openssl command (not the code under test), formatted as browsers show it.
    static func opensslFingerprint(der: [UInt8]) throws -> String {
        let digest = try openssl(["dgst", "-sha256", "-binary"], input: Data(der))
        XCTAssertEqual(digest.count, 32)
        return digest.map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// `openssl x509 -fingerprint -sha256` of a PEM certificate file: "AB:CD:...".
    static func opensslFingerprint(pemFile: String) throws -> String {
        let output = String(decoding: try openssl(["x509", "-in", pemFile, "-noout", "-fingerprint", "-sha256"], input: nil), as: UTF8.self)
        // "sha256 Fingerprint=AB:CD:..." (the label's case differs between openssl versions)
        guard let value = output.split(separator: "=").last else { throw POSIXError(.EPROTO) }
        return value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func openssl(_ arguments: [String], input: Data?) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "openssl \(arguments.joined(separator: " "))")
        return output
    }

    private final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var value: [UInt8]?
        var der: [UInt8]? { lock.withLock { value } }
        func set(_ der: [UInt8]?) { lock.withLock { if value == nil { value = der } } }
    }
}
