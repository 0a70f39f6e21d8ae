// The therapist console in headless Chromium (through chromedriver) against a real heights session:
// ConsoleHost on a loopback port, the conductor stepped frame by frame on its own thread as the frame
// loop would (FrameDriver), the engine deciding every command. Checks what the therapist sees and
// clicks after an opt-out (spoken consent, then Resume), at the end (dialog, SSQ after, outcome), and
// when a rise is refused for the escalation limit (the rule shown, Confirm applies it).
import Control
import ExposureCore
import Foundation
import Recording
import XCTest
@testable import SessionRuntime

final class ConsoleSafetyBrowserTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-safety-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// Chromium, a real session with frames running and its console; always cleans up. Returns the
    /// finished session so the test can read its record.
    @discardableResult
    func withLiveConsole(_ body: (WebDriver, PreparedSession, ConsoleHost) async throws -> Void) async throws -> PreparedSession {
        let driver: WebDriver
        do {
            driver = try await WebDriver()
        } catch WebDriver.Failure.missing(let tool) {
            throw XCTSkip("\(tool) missing; install Debian chromium and chromium-driver")
        }
        let session: PreparedSession
        let host: ConsoleHost
        let frames: FrameDriver
        do {
            session = try TestSession.heights(in: sessions, participant: "P-0096", idPrefix: "console-safety")
            frames = FrameDriver(conductor: session.conductor)
            frames.start()
            var options = ConsoleOptions()
            options.port = 0
            options.telemetryHz = 30
            host = try ConsoleHost(session: session, mirror: nil, options: options)
            _ = try await onThread { try host.start() }
        } catch {
            await driver.quit()
            throw error
        }
        var failure: Error?
        do { try await body(driver, session, host) } catch { failure = error }
        try? await driver.screenshot(to: FileManager.default.temporaryDirectory.appendingPathComponent("console-safety-\(name.filter(\.isLetter)).png").path)
        await driver.quit()
        try await onThread { host.stop() }
        frames.stop()
        try session.finish()
        if let failure { throw failure }
        return session
    }

    func openTherapistConsole(_ driver: WebDriver, _ host: ConsoleHost) async throws {
        try await driver.open(host.server.consoleURL())
        let connection = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
        XCTAssertEqual(connection, "online")
        let running = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Running" })
        XCTAssertEqual(running, "Running")
    }

    func isEnabled(_ driver: WebDriver, _ id: String) async throws -> Bool {
        try await driver.execute("return !document.getElementById('\(id)').disabled;") as? Bool ?? false
    }

    /// (a) The patient opts out; the console refuses nothing itself, the engine asks for consent; the
    /// therapist records the patient's spoken consent; Resume then brings the session back to running.
    func testOptOutSpokenConsentThenResumeBringsTheSessionBack() async throws {
        let session = try await withLiveConsole { driver, session, host in
            // An observer's console never shows the consent button.
            session.conductor.mailbox.post(SessionInput(.patient(.optOut), from: .headset))
            try await driver.open(host.server.consoleURL(role: .observer))
            let observerState = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Opted out" })
            XCTAssertEqual(observerState, "Opted out")
            _ = try await driver.waitFor({ try await driver.isDisplayed("#consent-area") }, until: { $0 })
            let observerSeesButton = try await driver.isDisplayed("#record-consent")
            XCTAssertFalse(observerSeesButton, "observers never see steering controls")

            try await driver.open("about:blank")
            try await driver.open(host.server.consoleURL())
            let state = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Opted out" })
            XCTAssertEqual(state, "Opted out")
            let button = try await driver.waitFor({ try await driver.isDisplayed("#record-consent") }, until: { $0 })
            XCTAssertTrue(button, "awaiting consent: the therapist sees the consent button")
            let label = try await driver.text("#record-consent")
            XCTAssertEqual(label, "Patient consented (verbally)")

            // Resume is not refused by the page: the engine refuses it, and says why.
            let resumeEnabled = try await isEnabled(driver, "resume")
            XCTAssertTrue(resumeEnabled, "Resume is offered; the engine decides")
            try await driver.click("#resume")
            let refused = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("refused") })
            XCTAssertTrue(refused.hasPrefix("resume: refused (consent_needed): "), refused)
            XCTAssertEqual(session.conductor.board.latest.stateCode, "safe_room_opt_out")

            try await driver.click("#record-consent")
            let given = await eventually { session.conductor.board.latest.consentGiven }
            XCTAssertTrue(given, "the spoken consent reached the engine")
            let area = try await driver.waitFor({ try await driver.execute("return document.getElementById('consent-area').dataset.consent;") as? String },
                                                until: { $0 == "given" })
            XCTAssertEqual(area, "given")
            let buttonGone = try await driver.waitFor({ try await driver.isDisplayed("#record-consent") }, until: { !$0 })
            XCTAssertFalse(buttonGone)
            let consentResult = try await driver.text("#last-result")
            XCTAssertTrue(consentResult.hasPrefix("patient's spoken consent: applied"), consentResult)

            try await driver.click("#resume")
            let back = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Running" })
            XCTAssertEqual(back, "Running")
            XCTAssertEqual(session.conductor.board.latest.stateCode, "running")
            let resumed = try await driver.text("#last-result")
            XCTAssertTrue(resumed.hasPrefix("resume: applied"), resumed)
            let areaHidden = try await driver.isDisplayed("#consent-area")
            XCTAssertFalse(areaHidden)
        }
        let record = try session.store.read(session.sessionID)
        XCTAssertTrue(record.events.contains { $0.kind == EventKind.optOut && $0.actor == .patient })
        XCTAssertTrue(record.events.contains { ($0.payload["state"] as? String) == "consent_to_resume" },
                      "\(record.events.map { "\($0.kind) \($0.actor) \($0.payloadJSON)" })")
    }

    /// (b) End asks first and offers SSQ after and expectancy after; Cancel keeps the session; "End
    /// now" ends it and the header says how.
    func testEndDialogTakesTheSSQAfterAndEndNowShowsTheOutcome() async throws {
        let answers = [2, 1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 1, 0, 1, 2, 0]
        let session = try await withLiveConsole { driver, session, host in
            try await openTherapistConsole(driver, host)
            let outcomeHidden = try await driver.isDisplayed("#outcome")
            XCTAssertFalse(outcomeHidden, "no outcome while the session runs")

            try await driver.click("#end")
            let dialog = try await driver.isDisplayed("#end-dialog")
            XCTAssertTrue(dialog, "End asks first")
            try await driver.click("#end-cancel")
            let closed = try await driver.isDisplayed("#end-dialog")
            XCTAssertFalse(closed)
            try await Task.sleep(for: .milliseconds(300))
            XCTAssertFalse(session.conductor.board.latest.ended, "Cancel sends nothing")

            try await driver.click("#end")
            _ = try await driver.execute("const a = \(answers); a.forEach((v, i) => { document.getElementById('end-ssq-item-' + i).value = String(v); });")
            try await driver.click("#end-send-ssq")
            let ssq = try await driver.waitFor({ try await driver.text("#end-status") }, until: { $0.contains("SSQ after:") })
            XCTAssertTrue(ssq.contains("SSQ after: entered"), ssq)
            _ = try await driver.execute("document.getElementById('end-expectancy').value = '30';")
            try await driver.click("#end-send-expectancy")
            let expectancy = try await driver.waitFor({ try await driver.text("#end-status") }, until: { $0.contains("Expectancy after:") })
            XCTAssertTrue(expectancy.contains("Expectancy after: "), expectancy)
            XCTAssertFalse(session.conductor.board.latest.ended, "entering the questionnaires does not end the session")

            let step = session.conductor.board.latest
            try await driver.click("#end-now")
            let outcome = try await driver.waitFor({ try await driver.text("#outcome") }, until: { !$0.isEmpty })
            XCTAssertEqual(outcome, "Ended by the therapist at step \((step.stepIndex ?? 0) + 1) of \(step.stepCount)")
            let ended = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Ended" })
            XCTAssertEqual(ended, "Ended")
            XCTAssertEqual(session.conductor.board.latest.outcome, "ended_by_therapist")
            let dialogAfter = try await driver.isDisplayed("#end-dialog")
            XCTAssertFalse(dialogAfter)
        }
        let record = try session.store.read(session.sessionID)
        let post = record.ratings.filter { $0.kind == .ssqPost }
        XCTAssertEqual(post.count, 1, "the SSQ after from the End dialog is in the record")
        XCTAssertEqual(post.first?.source, "console")
        XCTAssertEqual(post.first?.value ?? 0, try SSQ.score(answers).total, accuracy: 0.01)
    }

    /// (c) Two rises within a short time go beyond the protocol's limit: the engine refuses the second
    /// with escalation_limit, the console shows that rule and offers Confirm, which applies it.
    func testRefusedRiseShowsItsRuleAndConfirmAppliesIt() async throws {
        try await withLiveConsole { driver, session, host in
            try await openTherapistConsole(driver, host)
            let start = Int(session.conductor.board.latest.intensity.rounded())
            func moveSlider(to value: Int) async throws {
                _ = try await driver.execute("""
                    const s = document.getElementById('intensity-slider'); s.value = \(value);
                    s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
                    """)
            }
            // Within the step limit (measured on the stimulus: 3 m to about 7 m is a rise of about 15
            // on the heights curve): sent at once and applied; the decision says what changed.
            try await moveSlider(to: start + 10)
            let first = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("applied") || $0.contains("refused") })
            XCTAssertTrue(first.hasPrefix("level \(start + 10): applied: "), first)
            let level = try await driver.waitFor({ try await driver.text("#intensity") }, until: { $0 == "\(start + 10)" })
            XCTAssertEqual(level, "\(start + 10)")

            // Another rise right after: within the page's step check, beyond the engine's window.
            try await moveSlider(to: start + 25)
            let refused = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("refused") })
            XCTAssertTrue(refused.hasPrefix("level \(start + 25): refused (escalation_limit): "), refused)
            let rule = try await driver.execute("return document.getElementById('last-result').dataset.rule;") as? String
            XCTAssertEqual(rule, "escalation_limit")
            let offered = try await driver.waitFor({ try await driver.isDisplayed("#confirm-panel") }, until: { $0 })
            XCTAssertTrue(offered, "a refusal for the escalation limit offers Confirm")
            XCTAssertEqual(Int(session.conductor.board.latest.intensity.rounded()), start + 10, "the refused rise changed nothing")

            try await driver.click("#confirm-yes")
            let confirmed = try await driver.waitFor({ try await driver.text("#intensity") }, until: { $0 == "\(start + 25)" })
            XCTAssertEqual(confirmed, "\(start + 25)")
            let result = try await driver.text("#last-result")
            XCTAssertTrue(result.hasPrefix("level \(start + 25) (confirmed): applied"), result)
            let panel = try await driver.isDisplayed("#confirm-panel")
            XCTAssertFalse(panel)
        }
    }

    /// Over a real socket, without a browser: an observer cannot record the patient's consent.
    func testObserverRecordConsentIsForbidden() async throws {
        let session = try TestSession.heights(in: sessions, participant: "P-0096", idPrefix: "console-safety")
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let observer = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await observer.hello(token: host.server.keys.observerToken)
        session.conductor.mailbox.post(SessionInput(.patient(.optOut), from: .headset))
        _ = try await observer.telemetry { $0.state == .optedOut && $0.awaitingConsent }
        let id = try await observer.sendCommand(kind: "record_consent")
        let reply = try await observer.reply(to: id)
        await observer.close()
        try await onThread { host.stop() }
        let stillAwaiting = session.conductor.board.latest.awaitingConsent
        frames.stop()
        try session.finish()
        guard case .error(let error) = reply else { return XCTFail("an observer's record_consent was not refused: \(reply)") }
        XCTAssertEqual(error.code, .forbidden)
        XCTAssertTrue(stillAwaiting, "nothing changed")
    }
}

/// The rejection rules in docs/control-protocol.md are the engine's (SafetyRule) plus the bridge's
/// `not_applied` and `not_recorded`.
final class ControlDocsRuleTests: XCTestCase {
    func testDocumentedRejectionRulesAreTheEnginesRules() throws {
        let doc = E2E.packageRoot.appendingPathComponent("docs/control-protocol.md")
        let lines = try String(contentsOf: doc, encoding: .utf8).components(separatedBy: "\n")
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("| rule | when |") })
        let rules = lines[(start + 2)...].prefix { $0.hasPrefix("|") }.map {
            $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        }
        let bridge = ["not_applied", ControlBridge.notRecorded]
        XCTAssertEqual(Set(rules), Set(SafetyRule.allCases.map(\.rawValue) + bridge))
        XCTAssertEqual(rules.count, SafetyRule.allCases.count + bridge.count)
    }
}
