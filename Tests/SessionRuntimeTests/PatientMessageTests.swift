// The therapist's message in the headset: the font draws every character a message may hold
// (a placeholder for the rest, never nothing), the text wraps at spaces into lines that fit the
// board, reads left to right and top to bottom from where the patient stands, sits above eye
// level clear of the rating panel, and comes and goes on the session clock: from the console's
// command through ControlBridge and XRBridge, for its reading time, replaced by a newer one, in
// the safe room too, and gone when the session ends.
import Control
import ExposureCore
import Foundation
import Recording
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class PatientMessageTests: XCTestCase {
    var sessions: URL!
    static let calm = "You are safe, breathe slowly"
    static let therapist = Sender(role: .therapist, connectionId: 1, displayName: "therapist-1")

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("message-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    // MARK: the font

    func testFontDrawsLettersDigitsAndCalmingPunctuationEachDistinctOnTheGrid() {
        let needed = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?'-:()%/"
        for ch in needed { XCTAssertTrue(DotMatrixText.canDraw(String(ch)), "no glyph for \(ch)") }
        for (ch, rows) in DotMatrixText.glyphs {
            XCTAssertEqual(rows.count, DotMatrixText.glyphHeight, "\(ch)")
            XCTAssertTrue(rows.allSatisfy { $0.count == DotMatrixText.glyphWidth && $0.allSatisfy { $0 == "#" || $0 == " " } }, "\(ch): \(rows)")
            if ch != " " { XCTAssertTrue(rows.joined().contains("#"), "\(ch) draws nothing") }
            XCTAssertNotEqual(rows, DotMatrixText.placeholder, "\(ch) looks like a missing glyph")
        }
        // Two characters that look alike are misread: every glyph has its own shape.
        let shapes = Dictionary(grouping: DotMatrixText.glyphs.keys) { DotMatrixText.glyphs[$0]?.joined() ?? "" }
        XCTAssertEqual(shapes.filter { $0.value.count > 1 }.map { String($0.value.sorted()) }, [])
    }

    func testEveryCharacterAMessageMayHoldIsDrawnEvenWhenTheFontLacksIt() {
        // Lowercase as uppercase, accents and typographic punctuation as the plain forms.
        XCTAssertEqual(DotMatrixText.displayForm(Self.calm), "YOU ARE SAFE, BREATHE SLOWLY")
        XCTAssertEqual(DotMatrixText.displayForm("Ça va\u{2019} \u{201C}très\u{201D} bien\u{2026}"), "CA VA' \"TRES\" BIEN...")
        XCTAssertEqual(DotMatrixText.displayForm("a\u{00A0}b"), "A B", "a no-break space is a space")
        // Every printable ASCII character and some that are not: each shown character is lit.
        let printable = (0x20...0x7E).compactMap { UnicodeScalar($0).map { Character($0) } }
        let odd: [Character] = ["🙂", "👩‍⚕️", "ß", "ø", "Ж", "中", "\u{FFFD}", "e\u{301}"]
        for ch in printable + odd {
            let shown = DotMatrixText.displayForm(String(ch))
            XCTAssertFalse(shown.isEmpty, "\(ch) vanished")
            for (i, c) in shown.enumerated() where c != " " {
                XCTAssertFalse(DotMatrixText.runs(shown).filter { $0.character == i }.isEmpty, "\(ch) shown as \(shown): nothing lit")
            }
        }
        // What the font lacks comes out as the missing-glyph box, in its own place.
        let runs = DotMatrixText.runs("A🙂B")
        let lit = runs.filter { $0.character == 1 }.reduce(0) { $0 + $1.length }
        XCTAssertEqual(lit, DotMatrixText.placeholder.joined().filter { $0 == "#" }.count)
        XCTAssertEqual(runs.filter { $0.character == 1 }.map(\.column).min(), DotMatrixText.advance)
        XCTAssertFalse(DotMatrixText.canDraw("🙂"))
    }

    // MARK: wrapping

    func testWrapBreaksAtSpacesKeepsWordsWholeAndEveryAcceptedMessageFits() {
        let width = PatientMessagePanel.charactersPerLine
        XCTAssertEqual(PatientMessagePanel.lines(Self.calm), ["YOU ARE SAFE, BREATHE", "SLOWLY"])
        XCTAssertEqual(PatientMessagePanel.lines("  Breathe    in  "), ["BREATHE IN"], "spaces collapse")
        XCTAssertEqual(PatientMessagePanel.lines(""), [])
        // Only a word longer than a line is split, at the line's width.
        let long = String(repeating: "W", count: width + 8)
        XCTAssertEqual(PatientMessagePanel.lines("ok " + long), ["OK", String(repeating: "W", count: width), "WWWWWWWW"])

        // Messages the console accepts (up to 140 characters) made of words of every length 1...width,
        // the worst cases for wasted line ends: never over a line, words whole, nothing cut.
        for k in 1...width {
            var words: [String] = []
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            while (words + ["x"]).joined(separator: " ").count + k - 1 <= CommandLimits.maxPatientMessageLength {
                words.append(String((0..<k).map { letters[($0 + words.count) % letters.count] }))
            }
            let text = words.joined(separator: " ")
            XCTAssertLessThanOrEqual(text.count, CommandLimits.maxPatientMessageLength)
            let lines = PatientMessagePanel.lines(text)
            XCTAssertLessThanOrEqual(lines.count, PatientMessagePanel.maxLines, "words of \(k): \(lines)")
            XCTAssertTrue(lines.allSatisfy { $0.count <= width }, "words of \(k): \(lines)")
            XCTAssertEqual(lines.flatMap { $0.split(separator: " ").map(String.init) }, words.map { $0.uppercased() },
                           "words of \(k) split or lost")
            // Greedy: the next line's first word would not have fitted on the line before.
            for (a, b) in zip(lines, lines.dropFirst()) {
                XCTAssertGreaterThan(a.count + 1 + (b.split(separator: " ").first?.count ?? 0), width, "\(a) | \(b)")
            }
        }

        // Longer than the console allows (a direct caller): cut at the last line, visibly.
        let essay = Array(repeating: "breathe", count: 60).joined(separator: " ")
        let cut = PatientMessagePanel.lines(essay)
        XCTAssertEqual(cut.count, PatientMessagePanel.maxLines)
        XCTAssertTrue(cut.last?.hasSuffix("...") ?? false, "\(cut)")
        XCTAssertTrue(cut.allSatisfy { $0.count <= width })
    }

    // MARK: geometry

    /// Eye-space centre of some of the panel's boxes (x right, y up, -z ahead, as the patient sees).
    func eyeCentre(_ batch: DrawBatch, _ indices: [Int], head: Pose) -> Vec3 {
        let view = Mat4.view(from: head)
        let points = indices.map { view.transformPoint(batch.instances[$0].transform.transformPoint(.zero)) }
        return points.reduce(Vec3.zero, +) / Float(max(1, points.count))
    }

    /// Eye-space bounds of one box: centre plus and minus half its width and height.
    func eyeBounds(_ box: Instance, head: Pose) -> (minX: Float, maxX: Float, minY: Float, maxY: Float, z: Float) {
        let c = Mat4.view(from: head).transformPoint(box.transform.transformPoint(.zero))
        let cx = box.transform.columns.0, cy = box.transform.columns.1
        let hw = Vec3(cx.x, cx.y, cx.z).length / 2, hh = Vec3(cy.x, cy.y, cy.z).length / 2
        return (c.x - hw, c.x + hw, c.y - hh, c.y + hh, c.z)
    }

    func testMessageReadsLeftToRightTopToBottomAndUnmirroredWhereverThePatientFaces() {
        for yawDegrees: Float in [0, 90, -135, 180] {
            let head = Pose(position: Vec3(1, 1.6, -2), orientation: .yawPitch(yaw: yawDegrees * .pi / 180, pitch: -0.3))
            let drawn = PatientMessagePanel.draw(Self.calm, head: head)
            XCTAssertEqual(drawn.lines, ["YOU ARE SAFE, BREATHE", "SLOWLY"])
            var lineHeights: [Float] = []
            for (n, line) in drawn.glyphs.enumerated() {
                let xs = line.filter { !$0.isEmpty }.map { eyeCentre(drawn.batch, $0, head: head).x }
                XCTAssertEqual(xs.count, drawn.lines[n].filter { $0 != " " }.count, "every letter drawn")
                XCTAssertEqual(xs, xs.sorted(), "yaw \(yawDegrees) line \(n): letters must run left to right as seen: \(xs)")
                lineHeights.append(eyeCentre(drawn.batch, line.flatMap { $0 }, head: head).y)
            }
            XCTAssertEqual(lineHeights, lineHeights.sorted(by: >), "yaw \(yawDegrees): the first line must be on top")
            // Not mirrored: the L of SLOWLY has its upright on the left and its foot at the bottom.
            let l = drawn.glyphs[1][1]
            let lCentre = eyeCentre(drawn.batch, l, head: head)
            let lTop = l.map { eyeCentre(drawn.batch, [$0], head: head) }.max { $0.y < $1.y } ?? .zero
            XCTAssertLessThan(lTop.x, lCentre.x, "yaw \(yawDegrees): the L is mirrored")
            // Centred: a line's middle is straight ahead of the heading.
            let second = eyeCentre(drawn.batch, drawn.glyphs[1].flatMap { $0 }, head: head)
            XCTAssertEqual(second.x, 0, accuracy: 0.01)
            XCTAssertLessThan(second.z, -0.5, "in front of the patient")
        }
    }

    func testBoardSitsAboveEyeLevelClearOfTheRatingPanelAndHoldsTheLongestMessage() {
        let head = RatingPromptTests.head
        let rating = RatingPanel.draw(.init(rating: .suds, slider: 50, asking: true, adjusting: false, displayTimeNs: 0), head: head)
        let ratingTop = rating.batch.instances.map { eyeBounds($0, head: head).maxY }.max() ?? 1
        let worst = (Array(repeating: "abcdefghijkl", count: 10) + ["abcdefghij"]).joined(separator: " ")   // 11 lines of one word
        XCTAssertLessThanOrEqual(worst.count, CommandLimits.maxPatientMessageLength)
        for text in [Self.calm, "Ok", worst] {
            let drawn = PatientMessagePanel.draw(text, head: head)
            let board = eyeBounds(drawn.batch.instances[drawn.board], head: head)
            XCTAssertGreaterThan(board.minY, 0, "\(text): the board must leave the view straight ahead clear")
            XCTAssertGreaterThan(board.minY, ratingTop, "\(text): overlaps the rating panel")
            XCTAssertEqual(board.z, -PatientMessagePanel.distance, accuracy: 0.01)
            XCTAssertLessThan(board.maxX - board.minX, 0.6, "\(text): wider than about 36 degrees")
            // Every letter on the board, in front of it (nearer the patient).
            for i in drawn.glyphs.flatMap({ $0.flatMap { $0 } }) {
                let b = eyeBounds(drawn.batch.instances[i], head: head)
                XCTAssertTrue(b.minX >= board.minX && b.maxX <= board.maxX && b.minY >= board.minY && b.maxY <= board.maxY,
                              "\(text): box \(i) off the board")
                XCTAssertGreaterThan(b.z, board.z)
            }
            // Legible: a letter is at least 1.5 degrees tall as seen from the head.
            let degrees = 2 * atan(Float(DotMatrixText.glyphHeight) * PatientMessagePanel.dot / 2 / PatientMessagePanel.distance) * 180 / .pi
            XCTAssertGreaterThanOrEqual(degrees, 1.5)
        }
        XCTAssertEqual(PatientMessagePanel.lines(worst).count, 11)
    }

    // MARK: on the session clock

    func harness(_ name: String) throws -> RatingPromptTests.Harness {
        RatingPromptTests.Harness(try TestSession.heights(in: sessions, participant: "P-0094", idPrefix: name))
    }

    /// The message batch in a frame's scene, if the bridge drew one.
    func messageBatch(_ h: RatingPromptTests.Harness, _ scene: Scene, _ text: String) -> Bool {
        scene.batches.contains(PatientMessagePanel.draw(text, head: RatingPromptTests.head).batch)
    }

    func testConsoleMessageShowsForItsReadingTimeAndANewerOneReplacesIt() async throws {
        XCTAssertEqual(PatientMessage(text: Self.calm, shownAt: 0).readingSeconds, 9.8, accuracy: 1e-9, "0.35 s a character")
        XCTAssertEqual(PatientMessage(text: "Breathe", shownAt: 0).readingSeconds, 8, "never under 8 s")

        let h = try harness("message")
        let bridge = ControlBridge(session: h.session, mirror: nil, sound: nil)
        h.run(until: 2)
        XCTAssertNil(h.bridge.messageShown)
        XCTAssertFalse(messageBatch(h, h.step(), Self.calm))

        let arrival = h.nextTime
        var shown: Scene?
        guard case .applied = await submitAndRunOneFrame(bridge, h.session, .showMessage(text: Self.calm), from: Self.therapist, frame: {
            shown = h.step()
        }), let shown else { return XCTFail("refused") }
        XCTAssertTrue(messageBatch(h, shown, Self.calm), "the message must show on the next frame")
        XCTAssertEqual(h.bridge.messageShown, PatientMessage(text: Self.calm, shownAt: arrival))
        // Still there just before its reading time (9.8 s) is up, gone once it is.
        h.run(until: arrival + 9)
        XCTAssertEqual(h.bridge.messageShown?.text, Self.calm)
        let after = h.step()
        XCTAssertEqual(h.nextTime - 1, arrival + 10)
        XCTAssertNil(h.bridge.messageShown)
        XCTAssertFalse(messageBatch(h, after, Self.calm))

        // A newer message replaces the one showing, and gets its own full reading time.
        _ = await submitAndRunOneFrame(bridge, h.session, .showMessage(text: "Look at the horizon"), from: Self.therapist) { h.step() }
        h.step()
        var replacedScene: Scene?
        _ = await submitAndRunOneFrame(bridge, h.session, .showMessage(text: "Well done"), from: Self.therapist) { replacedScene = h.step() }
        guard let replaced = replacedScene else { return XCTFail("no frame ran") }
        XCTAssertTrue(messageBatch(h, replaced, "Well done"))
        XCTAssertFalse(messageBatch(h, replaced, "Look at the horizon"))
        XCTAssertEqual(replaced.batches.count, h.session.conductor.lastScene.batches.count + 1 + (h.bridge.panelShown == nil ? 0 : 1),
                       "exactly one message board")
        let second = h.nextTime - 1
        h.run(until: second + 7)
        XCTAssertEqual(h.bridge.messageShown?.text, "Well done")
        // The console sees the message while the patient does, and not after.
        XCTAssertEqual(bridge.latestTelemetry().patientMessage, "Well done")
        h.run(until: second + 8)
        XCTAssertNil(h.bridge.messageShown)
        XCTAssertNil(bridge.latestTelemetry().patientMessage, "the console must not claim a message the patient no longer sees")

        // The record says what was shown and for how long.
        try h.session.finish()
        let events = try h.session.store.read(h.session.sessionID).events.filter { $0.kind == "patient_message" }
        XCTAssertEqual(events.count, 3)
        let payload = try JSONSerialization.jsonObject(with: Data((events.first?.payloadJSON ?? "{}").utf8)) as? [String: Any]
        XCTAssertEqual(payload?["text"] as? String, Self.calm)
        XCTAssertEqual(payload?["reading_seconds"] as? Double ?? 0, 9.8, accuracy: 1e-9)
    }

    func testMessageShowsInTheSafeRoomAlongsideARatingPromptAndGoesWhenTheSessionEnds() throws {
        let h = try harness("message-safe")
        h.step()
        // The patient's pause (after an opt-out the consent panel takes the rating panel's place:
        // ConsentPanelTests).
        h.session.conductor.mailbox.post(SessionInput(.patient(.pause), from: .headset))
        h.step()
        XCTAssertTrue(h.session.conductor.lastOutput?.target.safeRoom ?? false)
        h.session.conductor.mailbox.post(SessionInput(request: .askSUDS, from: .therapist("therapist-1")))
        h.session.conductor.mailbox.post(SessionInput(request: .showMessage(Self.calm), from: .therapist("therapist-1")))
        let scene = h.step()
        XCTAssertTrue(messageBatch(h, scene, Self.calm), "the message must show in the safe room")
        XCTAssertNotNil(h.bridge.panelShown, "and the rating prompt with it")

        h.session.conductor.mailbox.post(SessionInput(.therapist(.end), from: .therapist("therapist-1")))
        let ended = h.step()
        XCTAssertTrue(h.session.conductor.isEnded)
        XCTAssertNil(h.bridge.messageShown, "an ended session shows no message, however recent")
        XCTAssertFalse(messageBatch(h, ended, Self.calm))
        try h.session.finish()
    }
}
