// What `exposure session` prints for the therapist console: one URL per reachable address when
// listening on a wildcard (each one really opens the console), and the TLS certificate's
// fingerprint, which must be the one of the certificate served.
import Control
import Foundation
import XCTest
@testable import SessionRuntime

final class ConsoleAddressTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-address-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func testLoopbackConsolePrintsOneURLAndNoFingerprint() async throws {
        let session = try TestSession.heights(in: sessions, participant: "P-0098", idPrefix: "address")
        var options = ConsoleOptions()
        options.port = 0
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let text = host.instructions
        XCTAssertEqual(Self.urls(in: text), ["http://127.0.0.1:\(port)/#token=\(host.server.keys.therapistToken)",
                                             "http://127.0.0.1:\(port)/#token=\(host.server.keys.observerToken)"])
        XCTAssertNil(host.certificateFingerprint)
        XCTAssertFalse(text.contains("fingerprint"))
        XCTAssertTrue(text.contains("pairing codes:     therapist \(host.server.keys.therapistPairingCode)"))
        try await onThread { host.stop() }
        try session.finish()
    }

    func testWildcardConsolePrintsEveryReachableURLAndTheServedCertificatesFingerprint() async throws {
        let session = try TestSession.heights(in: sessions, participant: "P-0098", idPrefix: "address")
        var options = ConsoleOptions()
        options.host = "0.0.0.0"
        options.port = 0
        options.selfSignedDirectory = sessions.appendingPathComponent(".tls").path
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let text = host.instructions
        let certificate = sessions.appendingPathComponent(".tls/control-cert.pem").path

        // The printed fingerprint is the one openssl (and a browser) computes for the certificate.
        let fingerprint = try XCTUnwrap(host.certificateFingerprint)
        XCTAssertTrue(text.contains("SHA-256 fingerprint: \(fingerprint)\n"), text)
        XCTAssertEqual(try Self.opensslFingerprint(pemFile: certificate), fingerprint)

        let therapistURLs = Self.urls(in: text).filter { $0.hasSuffix("#token=\(host.server.keys.therapistToken)") }
        let observerURLs = Self.urls(in: text).filter { $0.hasSuffix("#token=\(host.server.keys.observerToken)") }
        XCTAssertEqual(therapistURLs.count, observerURLs.count)
        XCTAssertEqual(therapistURLs.last, "https://127.0.0.1:\(port)/#token=\(host.server.keys.therapistToken)", text)
        XCTAssertFalse(text.contains("0.0.0.0"), text)
        let others = NetworkInterfaces.current().filter { $0.family == .ipv4 && !$0.isLoopback && !$0.isLinkLocal }
        XCTAssertEqual(therapistURLs.count, others.count + 1, text)
        for address in others {
            XCTAssertTrue(text.contains("https://\(address.address):\(port)/"), "\(address.address) missing: \(text)")
        }
        // Each printed URL opens the console over TLS pinned to that certificate: the server at
        // every address presents exactly the certificate whose fingerprint was printed.
        for url in therapistURLs + observerURLs {
            let parts = url.components(separatedBy: "/#token=")
            let client = try await ControlClient.connect(url: parts[0].replacingOccurrences(of: "https://", with: "wss://") + "/v1/ws",
                                                         trustedCertificatePEMFile: certificate)
            let welcome = try await client.hello(token: parts[1])
            XCTAssertEqual(welcome.role, therapistURLs.contains(url) ? .therapist : .observer, url)
            await client.close()
        }
        try await onThread { host.stop() }
        try session.finish()
    }

    func testInstructionsLabelEachAddressWithItsInterface() throws {
        let session = try TestSession.heights(in: sessions, participant: "P-0098", idPrefix: "address")
        var options = ConsoleOptions()
        options.host = "0.0.0.0"
        options.port = 8771
        options.selfSignedDirectory = sessions.appendingPathComponent(".tls").path
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let interfaces = [InterfaceAddress(interface: "lo", address: "127.0.0.1", family: .ipv4, isLoopback: true),
                          InterfaceAddress(interface: "eth0", address: "192.168.1.20", family: .ipv4, isLoopback: false)]
        let token = host.server.keys.therapistToken
        let lines = host.instructions(interfaces: interfaces).split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(2)), ["therapist console: https://192.168.1.20:8771/#token=\(token)  (eth0)",
                                                "                   https://127.0.0.1:8771/#token=\(token)  (this machine only)"])
        XCTAssertEqual(lines.filter { $0.hasPrefix("TLS certificate:   SHA-256 fingerprint: ") }.count, 1)
        try session.finish()
    }

    static func urls(in text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.hasPrefix("http") }
    }

    static func opensslFingerprint(pemFile: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "x509", "-in", pemFile, "-noout", "-fingerprint", "-sha256"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(text.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
