@testable import Control
import XCTest

final class ProtocolDecodingTests: XCTestCase {
    func testHelloNeedsVersionAndOneCredential() throws {
        XCTAssertEqual(try ClientMessageDecoder.decode(#"{"type":"hello","v":1,"token":"abc"}"#), .hello(token: "abc", pairingCode: nil))
        XCTAssertEqual(try ClientMessageDecoder.decode(#"{"type":"hello","v":1,"pairing_code":"1234-5678"}"#),
                       .hello(token: nil, pairingCode: "1234-5678"))
        XCTAssertEqual(code(#"{"type":"hello","token":"abc"}"#), .unsupportedVersion)
        XCTAssertEqual(code(#"{"type":"hello","v":1}"#), .invalidField)
        XCTAssertEqual(code(#"{"type":"hello","v":1,"token":"a","pairing_code":"1"}"#), .invalidField)
    }

    func testUnknownVersionNamesTheSupportedOne() {
        do {
            _ = try ClientMessageDecoder.decode(#"{"type":"command","v":2,"id":"x","command":{"kind":"pause"}}"#)
            XCTFail("version 2 accepted")
        } catch let error as ControlProtocolError {
            XCTAssertEqual(error.code, .unsupportedVersion)
            XCTAssertTrue(error.message.contains("version 1"), error.message)
            XCTAssertEqual(error.id, "x")
        } catch { XCTFail("\(error)") }
    }

    func testEveryCommandKindDecodes() throws {
        let cases: [(String, ControlCommand)] = [
            (#"{"kind":"set_intensity","value":55,"confirm":true,"reason":"ready"}"#, .setIntensity(value: 55, confirmed: true, reason: "ready")),
            (#"{"kind":"set_intensity","value":10}"#, .setIntensity(value: 10, confirmed: false, reason: nil)),
            (#"{"kind":"set_parameter","name":"wind_speed_mps","value":4.5}"#, .setParameter(name: "wind_speed_mps", value: .number(4.5), confirmed: false)),
            (#"{"kind":"set_parameter","name":"railing","option":"low","confirm":true}"#, .setParameter(name: "railing", value: .option("low"), confirmed: true)),
            (#"{"kind":"release_parameter","name":"railing"}"#, .releaseParameter(name: "railing", confirmed: false)),
            (#"{"kind":"release_parameter","name":"height_m","confirm":true}"#, .releaseParameter(name: "height_m", confirmed: true)),
            (#"{"kind":"next_step"}"#, .nextStep(confirmed: false)),
            (#"{"kind":"next_step","confirm":true}"#, .nextStep(confirmed: true)),
            (#"{"kind":"go_to_step","step":3}"#, .goToStep(number: 3, confirmed: false)),
            (#"{"kind":"record_consent"}"#, .recordConsent),
            (#"{"kind":"previous_step"}"#, .previousStep),
            (#"{"kind":"fire_event","name":"crowd_arrives"}"#, .fireEvent(name: "crowd_arrives")),
            (#"{"kind":"request_suds"}"#, .requestSUDS),
            (#"{"kind":"pause"}"#, .pause),
            (#"{"kind":"resume"}"#, .resume),
            (#"{"kind":"end","reason":"patient asked"}"#, .end(reason: "patient asked")),
            (#"{"kind":"message","text":"Breathe slowly"}"#, .showMessage(text: "Breathe slowly")),
            (#"{"kind":"set_volume","volume":0.25}"#, .setVolume(0.25)),
            (#"{"kind":"set_volume","volume":0}"#, .setVolume(0)),
            (#"{"kind":"mute","muted":true}"#, .setMuted(true)),
            (#"{"kind":"mute","muted":false}"#, .setMuted(false)),
            (#"{"kind":"enter_rating","rating":"suds","value":40}"#, .enterRating(.suds(40))),
            (#"{"kind":"enter_rating","rating":"fms","value":0}"#, .enterRating(.fms(0))),
            (#"{"kind":"enter_rating","rating":"expectancy_before","value":100}"#, .enterRating(.expectancyBefore(100))),
            (#"{"kind":"enter_rating","rating":"expectancy_after","value":12.5}"#, .enterRating(.expectancyAfter(12.5))),
            (#"{"kind":"enter_rating","rating":"ssq_pre","items":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}"#, .enterRating(.ssqPre(Array(repeating: 0, count: 16)))),
            (#"{"kind":"enter_rating","rating":"ssq_post","items":[3,2,1,0,3,2,1,0,3,2,1,0,3,2,1,0]}"#, .enterRating(.ssqPost([3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0]))),
        ]
        for (body, expected) in cases {
            XCTAssertEqual(try ClientMessageDecoder.decode(#"{"type":"command","v":1,"id":"a","command":"# + body + "}"),
                           .command(id: "a", command: expected), body)
        }
        XCTAssertEqual(Set(cases.map(\.1.kind)), Set(ControlCommand.allKinds))
    }

    func testInvalidFieldsAreNamed() {
        let cases: [(String, ControlErrorCode, String)] = [
            (#"{"kind":"set_intensity","value":150}"#, .invalidField, "command.value"),
            (#"{"kind":"set_intensity","value":-1}"#, .invalidField, "command.value"),
            (#"{"kind":"set_intensity","value":true}"#, .invalidField, "command.value"),
            (#"{"kind":"set_intensity","value":"50"}"#, .invalidField, "command.value"),
            (#"{"kind":"set_intensity","value":50,"confirm":1}"#, .invalidField, "command.confirm"),
            (#"{"kind":"set_parameter","name":"Wind Speed","value":1}"#, .invalidField, "command.name"),
            (#"{"kind":"release_parameter"}"#, .invalidField, "command.name"),
            (#"{"kind":"release_parameter","name":"Railing"}"#, .invalidField, "command.name"),
            (#"{"kind":"release_parameter","name":"railing","confirm":"yes"}"#, .invalidField, "command.confirm"),
            (#"{"kind":"message","text":"line one\nline two"}"#, .invalidField, "command.text"),
            (#"{"kind":"message","text":""}"#, .invalidField, "command.text"),
            (#"{"kind":"launch_rocket"}"#, .unknownCommand, "launch_rocket"),
            (#"{"kind":"set_volume","volume":1.5}"#, .invalidField, "command.volume"),
            (#"{"kind":"set_volume","volume":-0.1}"#, .invalidField, "command.volume"),
            (#"{"kind":"set_volume","volume":"0.5"}"#, .invalidField, "command.volume"),
            (#"{"kind":"set_volume"}"#, .invalidField, "command.volume"),
            (#"{"kind":"mute"}"#, .invalidField, "command.muted"),
            (#"{"kind":"mute","muted":"yes"}"#, .invalidField, "command.muted"),
            (#"{"kind":"mute","muted":1}"#, .invalidField, "command.muted"),
        ]
        for (body, expectedCode, mention) in cases {
            do {
                _ = try ClientMessageDecoder.decode(#"{"type":"command","v":1,"id":"a","command":"# + body + "}")
                XCTFail("accepted \(body)")
            } catch let error as ControlProtocolError {
                XCTAssertEqual(error.code, expectedCode, body)
                XCTAssertTrue(error.message.contains(mention), "\(error.message) should name \(mention)")
                XCTAssertEqual(error.id, "a")
            } catch { XCTFail("\(error)") }
        }
        let longText = String(repeating: "a", count: CommandLimits.maxPatientMessageLength + 1)
        XCTAssertEqual(code(#"{"type":"command","id":"a","command":{"kind":"message","text":""# + longText + #""}}"#), .invalidField)
    }

    func testMalformedAndOversized() {
        XCTAssertEqual(code("{not json"), .malformedMessage)
        XCTAssertEqual(code("[1,2]"), .malformedMessage)
        XCTAssertEqual(code(#"{"type":"dance"}"#), .unknownType)
        XCTAssertEqual(code(#"{"type":"command","command":{"kind":"pause"}}"#), .invalidField)
        let big = #"{"type":"ping","pad":""# + String(repeating: "x", count: WireFormat.maxClientMessageBytes) + #""}"#
        XCTAssertEqual(code(big), .messageTooLarge)
    }

    func testServerMessagesRoundTrip() throws {
        let telemetry = EmbeddedControlledSession().latestTelemetry()
        let messages: [ServerMessage] = [
            .applied(id: "c1", sequence: 7, changes: ["level 20 -> 30"]),
            .error(ControlProtocolError(.forbidden, "no", id: "c2")),
            .telemetry(seq: 3, telemetry),
            .pong(id: nil),
            .welcome(.init(v: 1, role: .observer, connectionId: 4, displayName: "observer-4", token: nil,
                           telemetryHz: 15, maxMessageBytes: 16384, commandsPerSecond: 20)),
        ]
        for message in messages {
            XCTAssertEqual(try ServerMessage.parse(message.jsonText()), message)
        }
        let text = ServerMessage.telemetry(seq: 3, telemetry).jsonText()
        for key in ["\"type\":\"telemetry\"", "\"seq\":3", "\"intensity_step_limit\"", "\"last_applied_command_seq\"", "\"frame_health\"",
                    "\"volume\":1", "\"muted\":false", "\"audio_output\":\"playing\""] {
            XCTAssertTrue(text.contains(key), "\(key) missing from \(text)")
        }
    }

    func testConstantTimeEqual() {
        XCTAssertTrue(constantTimeEqual("abc123", "abc123"))
        XCTAssertFalse(constantTimeEqual("abc123", "abc124"))
        XCTAssertFalse(constantTimeEqual("abc", "abc123"))
        XCTAssertFalse(constantTimeEqual("", "a"))
    }

    func testRateLimiterRefillsOverTime() {
        let start = ContinuousClock.now
        var limiter = RateLimiter(ratePerSecond: 10, burst: 3, now: start)
        XCTAssertEqual((0..<5).map { _ in limiter.allow(now: start) }, [true, true, true, false, false])
        XCTAssertTrue(limiter.allow(now: start + .milliseconds(100)))
        XCTAssertFalse(limiter.allow(now: start + .milliseconds(100)))
    }

    func testPairingCodesWorkOnceAndLockAfterFailures() {
        let keys = AccessKeys.generate()
        XCTAssertEqual(keys.therapistToken.count, 64)
        XCTAssertNotEqual(keys.therapistToken, keys.observerToken)
        let auth = Authenticator(keys: keys)
        XCTAssertEqual(auth.authenticate(token: nil, pairingCode: keys.observerPairingCode),
                       .granted(.observer, issuedToken: keys.observerToken))
        guard case .denied = auth.authenticate(token: nil, pairingCode: keys.observerPairingCode) else {
            return XCTFail("a pairing code worked twice")
        }
        // Five wrong codes lock that address out of pairing for 10 s, then 20 s...; others are not affected.
        let t0 = ContinuousClock.now
        for _ in 0..<Authenticator.failuresBeforeLockout { _ = auth.authenticate(token: nil, pairingCode: "0000-0000", source: "10.0.0.9", now: t0) }
        guard case .denied(let why) = auth.authenticate(token: nil, pairingCode: keys.therapistPairingCode, source: "10.0.0.9", now: t0) else {
            return XCTFail("pairing still works for an address after repeated failures")
        }
        XCTAssertTrue(why.contains("try again in 10 s"), why)
        XCTAssertEqual(auth.authenticate(token: keys.therapistToken, pairingCode: nil, source: "10.0.0.9", now: t0),
                       .granted(.therapist, issuedToken: nil), "the token is never locked")
        for _ in 0..<Authenticator.failuresBeforeLockout { _ = auth.authenticate(token: nil, pairingCode: "0000-0000", source: "10.0.0.9", now: t0 + .seconds(11)) }
        guard case .denied(let longer) = auth.authenticate(token: nil, pairingCode: "1", source: "10.0.0.9", now: t0 + .seconds(12)) else { return XCTFail() }
        XCTAssertTrue(longer.contains("try again in 19 s"), "each lockout is longer (20 s from 11 s on): \(longer)")
        XCTAssertEqual(auth.authenticate(token: nil, pairingCode: keys.therapistPairingCode, source: "10.0.0.7", now: t0 + .seconds(12)),
                       .granted(.therapist, issuedToken: keys.therapistToken), "another address pairs normally")
        // Many addresses together: the codes stop working until new ones are issued.
        for i in 0..<Authenticator.codeFailuresBeforeCodesLock { _ = auth.authenticate(token: nil, pairingCode: "0000-0000", source: "10.1.\(i / 4).\(i % 4)", now: t0) }
        let renewed = auth.issueNewPairingCodes()
        XCTAssertNotEqual(renewed.observerPairingCode, keys.observerPairingCode)
        XCTAssertEqual(auth.authenticate(token: nil, pairingCode: renewed.observerPairingCode, source: "10.0.0.8", now: t0),
                       .granted(.observer, issuedToken: keys.observerToken))
    }

    func testListenPolicy() {
        XCTAssertTrue(ListenPolicy.isLoopback("127.0.0.1"))
        XCTAssertTrue(ListenPolicy.isLoopback("127.1.2.3"))
        XCTAssertTrue(ListenPolicy.isLoopback("::1"))
        XCTAssertTrue(ListenPolicy.isLoopback("localhost"))
        XCTAssertFalse(ListenPolicy.isLoopback("0.0.0.0"))
        XCTAssertFalse(ListenPolicy.isLoopback("192.168.1.20"))
        XCTAssertFalse(ListenPolicy.isLoopback("127.evil.com"))
        XCTAssertThrowsError(try ControlServer(session: EmbeddedControlledSession(),
                                               configuration: ControlServerConfiguration(host: "0.0.0.0"))) { error in
            XCTAssertEqual(error as? ControlSetupError, .remoteListenNeedsTLS(host: "0.0.0.0"))
        }
    }

    private func code(_ text: String) -> ControlErrorCode? {
        do {
            _ = try ClientMessageDecoder.decode(text)
            return nil
        } catch let error as ControlProtocolError {
            return error.code
        } catch {
            return nil
        }
    }
}
