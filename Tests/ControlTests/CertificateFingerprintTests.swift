// The fingerprint printed next to the console URL must be that of the certificate a browser
// receives; these tests compare it with what a real TLS client captured, hashed by openssl.
@testable import Control
import Foundation
import XCTest

final class CertificateFingerprintTests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fingerprint-\(UUID().uuidString)").path
    }
    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + "-other")
    }

    func testFormatIsUppercaseHexPairsWithColons() {
        // FIPS 180-2 test vector: SHA-256("abc").
        XCTAssertEqual(CertificateFingerprint.sha256(der: Array("abc".utf8)),
                       "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")
        XCTAssertEqual(CertificateFingerprint.sha256(der: []),
                       "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55")
        XCTAssertEqual(CertificateFingerprint.formatted([0x00, 0x0f, 0xa0, 0xff]), "00:0F:A0:FF")
    }

    func testNoFingerprintWithoutTLS() throws {
        let server = try ControlServer(session: EmbeddedControlledSession(), configuration: ControlServerConfiguration(port: 0))
        XCTAssertNil(server.certificateFingerprint)
    }

    func testSelfSignedFingerprintIsThatOfTheCertificateServed() async throws {
        let fixture = try await ServerFixture(configuration: ControlServerConfiguration(
            host: "127.0.0.1", port: 0, tls: .selfSigned(directory: directory)), runFrames: false)
        let exposed = try XCTUnwrap(fixture.server.certificateFingerprint)
        XCTAssertNotNil(exposed.range(of: "^([0-9A-F]{2}:){31}[0-9A-F]{2}$", options: .regularExpression), exposed)

        let received = try await PeerCertificate.leafDER(host: "127.0.0.1", port: fixture.port)
        XCTAssertEqual(try PeerCertificate.opensslFingerprint(der: received), exposed)
        // The same figure `openssl x509 -fingerprint` (and a browser) shows for the file on disk.
        XCTAssertEqual(try PeerCertificate.opensslFingerprint(pemFile: directory + "/control-cert.pem"), exposed)
        await fixture.stop()

        // A second runtime with its own certificate has another fingerprint, and a restart keeps
        // the first one (the certificate is generated once and reused).
        let other = try ControlServer(session: EmbeddedControlledSession(),
                                      configuration: ControlServerConfiguration(port: 0, tls: .selfSigned(directory: directory + "-other")))
        XCTAssertNotEqual(other.certificateFingerprint, exposed)
        let restarted = try ControlServer(session: EmbeddedControlledSession(),
                                          configuration: ControlServerConfiguration(port: 0, tls: .selfSigned(directory: directory)))
        XCTAssertEqual(restarted.certificateFingerprint, exposed)
    }

    /// openssl as the peer: TLS 1.2 and 1.3 handshake, 1.0 and 1.1 are refused by the server (the
    /// client is told to allow them, so a refusal is the server's), and no non-AEAD suite is offered.
    func testOnlyTLS12AndNewerWithModernSuites() async throws {
        let fixture = try await ServerFixture(configuration: ControlServerConfiguration(
            host: "127.0.0.1", port: 0, tls: .selfSigned(directory: directory)), runFrames: false)
        func handshake(_ args: [String]) throws -> (ok: Bool, output: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["openssl", "s_client", "-connect", "127.0.0.1:\(fixture.port)", "-cipher", "DEFAULT@SECLEVEL=0"] + args
            let out = Pipe()
            p.standardOutput = out; p.standardError = out; p.standardInput = Pipe()
            try p.run()
            try (p.standardInput as? Pipe)?.fileHandleForWriting.close()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus == 0, String(decoding: data, as: UTF8.self))
        }
        let v13 = try handshake(["-tls1_3"])
        XCTAssertTrue(v13.output.contains("TLSv1.3"), v13.output)
        let v12 = try handshake(["-tls1_2"])
        XCTAssertTrue(v12.output.contains("Protocol  : TLSv1.2") || v12.output.contains("TLSv1.2"), v12.output)
        XCTAssertTrue(v12.output.contains("GCM") || v12.output.contains("CHACHA20"), "an AEAD suite: \(v12.output)")
        for old in ["-tls1", "-tls1_1"] {
            let r = try handshake([old])
            XCTAssertFalse(r.ok, "\(old) was accepted: \(r.output)")
            XCTAssertFalse(r.output.contains("no protocols available"), "the client refused, not the server: \(r.output)")
        }
        let cbc = try handshake(["-tls1_2", "-cipher", "AES128-SHA@SECLEVEL=0"])
        XCTAssertFalse(cbc.ok, "a non-forward-secret CBC suite was accepted: \(cbc.output)")
        await fixture.stop()
    }

    func testSelfSignedNamesCoverTheListenAddress() {
        let interfaces = [InterfaceAddress(interface: "lo", address: "127.0.0.1", family: .ipv4, isLoopback: true),
                          InterfaceAddress(interface: "eth0", address: "192.168.1.20", family: .ipv4, isLoopback: false),
                          InterfaceAddress(interface: "eth0", address: "fe80::1", family: .ipv6, isLoopback: false),
                          InterfaceAddress(interface: "eth0", address: "2001:db8::5", family: .ipv6, isLoopback: false)]
        XCTAssertEqual(TLSMaterial.subjectAltNames(host: "0.0.0.0", interfaces: interfaces),
                       "IP:127.0.0.1,IP:192.168.1.20,IP:2001:db8::5,IP:::1,DNS:localhost")
        XCTAssertEqual(TLSMaterial.subjectAltNames(host: "192.168.1.20", interfaces: []), "IP:192.168.1.20,DNS:localhost")
        XCTAssertEqual(TLSMaterial.subjectAltNames(host: "[::1]", interfaces: []), "IP:::1,DNS:localhost")
        XCTAssertEqual(TLSMaterial.subjectAltNames(host: "localhost", interfaces: []), "DNS:localhost")
        XCTAssertEqual(TLSMaterial.subjectAltNames(host: "console.clinic.example", interfaces: []),
                       "DNS:console.clinic.example,DNS:localhost")
    }

    /// A certificate made for 0.0.0.0 names every address whose URL is printed, so the browser's
    /// only complaint is that it is self-signed (which the fingerprint answers).
    func testSelfSignedCertificateForAWildcardNamesEveryPrintedAddress() throws {
        let server = try ControlServer(session: EmbeddedControlledSession(),
                                       configuration: ControlServerConfiguration(host: "0.0.0.0", port: 0, tls: .selfSigned(directory: directory)))
        let names = String(decoding: try PeerCertificate.openssl(["x509", "-in", directory + "/control-cert.pem", "-noout", "-ext", "subjectAltName"],
                                                                 input: nil), as: UTF8.self)
        let printed = server.consoleURLs()
        XCTAssertGreaterThanOrEqual(printed.count, 1)
        for address in printed {
            let host = address.url.dropFirst("https://".count).prefix { $0 != ":" }
            XCTAssertTrue(names.contains("IP Address:\(host)"), "\(host) is not in \(names)")
        }
        XCTAssertTrue(names.contains("DNS:localhost"), names)
        XCTAssertFalse(names.contains("0.0.0.0"), names)
    }

    func testCertificateFilesFingerprintIsThatOfTheFirstCertificateServed() async throws {
        // Two self-signed pairs; the server gets the second one as files.
        _ = try ControlServer(session: EmbeddedControlledSession(),
                              configuration: ControlServerConfiguration(port: 0, tls: .selfSigned(directory: directory)))
        _ = try ControlServer(session: EmbeddedControlledSession(),
                              configuration: ControlServerConfiguration(port: 0, tls: .selfSigned(directory: directory + "-other")))
        let unused = try PeerCertificate.opensslFingerprint(pemFile: directory + "/control-cert.pem")
        let tls = TLSSetup.files(certificate: directory + "-other/control-cert.pem", privateKey: directory + "-other/control-key.pem")
        let fixture = try await ServerFixture(configuration: ControlServerConfiguration(host: "127.0.0.1", port: 0, tls: tls),
                                              runFrames: false)
        let received = try await PeerCertificate.leafDER(host: "127.0.0.1", port: fixture.port)
        let servedFingerprint = try PeerCertificate.opensslFingerprint(der: received)
        XCTAssertEqual(fixture.server.certificateFingerprint, servedFingerprint)
        XCTAssertNotEqual(fixture.server.certificateFingerprint, unused)
        await fixture.stop()
    }
}
