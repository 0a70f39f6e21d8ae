// Desktop mode in a window, on a virtual X server (Xvfb) with lavapipe presenting through
// VK_KHR_xlib_surface. The screen is read back with xwd, so the test checks what a therapist sees.
import CX11
import Foundation
import SceneModel
import XCTest
@testable import XR

final class DesktopWindowTests: XCTestCase {
    func testWindowShowsBothEyesAndReportsPresentedFrames() throws {
        let server = try VirtualXServer.start()
        defer { server.stop() }
        var config = DesktopConfiguration()
        config.realTime = false
        config.eyeSize = (64, 48)
        config.samples = 1
        config.vulkanValidation = true
        config.window = true
        config.displayName = server.display
        var sinkImages: [Int] = []
        let delegate = RecordingDelegate()
        delegate.scene = RecordingDelegate.safeRoom
        // A key typed into the window during frame 0 reaches the delegate as the stdin path's "o".
        delegate.onFrame = { f in if f.index == 0 { server.typeIntoFirstWindow(keysym: KeySym(XK_o)) } }
        let (loop, screen) = try runUntilShown(config, server: server, delegate: delegate) { sinkImages.append($0) }
        XCTAssertEqual(delegate.allEvents, [.key("o")])

        XCTAssertNil(loop.windowUnavailable, "\(String(describing: loop.windowUnavailable))")
        XCTAssertGreaterThanOrEqual(delegate.frames.count, 4)
        XCTAssertEqual(loop.presentedFrames, delegate.frames.count)
        XCTAssertEqual(sinkImages, Array(repeating: 0, count: delegate.frames.count), "in a window the eyes go to the screen, not the sink")
        XCTAssertEqual(loop.validationMessages, [])
        let shot = try XCTUnwrap(screen, "xwd could not capture the screen")
        // No window manager on Xvfb: the 128x48 window sits at the top-left corner of the root window.
        for (x, y) in [(32, 24), (96, 24), (2, 2), (125, 45)] {
            let p = shot.pixel(x: x, y: y)
            XCTAssertTrue(assertPixel((p.r, p.g, p.b, 255), linear: RecordingDelegate.safeRoom.background, tolerance: 3, ""),
                          "window pixel (\(x), \(y)) is \(p), expected the safe-room background")
        }
        let outside = shot.pixel(x: 200, y: 200)
        XCTAssertFalse(assertPixel((outside.r, outside.g, outside.b, 255), linear: RecordingDelegate.safeRoom.background, tolerance: 3, ""),
                       "the scene must not fill the screen outside the window: \(outside)")
    }

    func testSkyIsAtTheTopOfTheWindow() throws {
        let server = try VirtualXServer.start()
        defer { server.stop() }
        var config = DesktopConfiguration()
        config.realTime = false
        config.eyeSize = (40, 40)
        config.samples = 1
        config.window = true
        config.displayName = server.display
        // The outdoor sky: blue above, grey ground below.
        let delegate = RecordingDelegate()
        let (loop, screen) = try runUntilShown(config, server: server, delegate: delegate) { _ in }
        XCTAssertEqual(loop.presentedFrames, delegate.frames.count)
        let shot = try XCTUnwrap(screen)
        let ground = try XCTUnwrap(RecordingDelegate.outdoor.sky).ground
        for x in [20, 60] {   // both eyes
            let top = shot.pixel(x: x, y: 1), bottom = shot.pixel(x: x, y: 38)
            XCTAssertGreaterThan(Int(top.b), Int(top.r) + 60, "top of eye at x=\(x) should be sky blue: \(top)")
            XCTAssertTrue(assertPixel((bottom.r, bottom.g, bottom.b, 255), linear: ground, tolerance: 6, ""),
                          "bottom of eye at x=\(x) should be the grey ground: \(bottom)")
        }
    }

    /// Runs the window loop until the screen shows the window's content (presented images reach the
    /// X server asynchronously) or 60 frames have passed; returns the loop and the last capture.
    private func runUntilShown(_ base: DesktopConfiguration, server: VirtualXServer, delegate: RecordingDelegate,
                               sink: @escaping (Int) -> Void) throws -> (DesktopFrameLoop, XWDImage?) {
        var config = base
        config.frameLimit = 60
        var screen: XWDImage?
        weak var running: DesktopFrameLoop?
        config.frameSink = { info, images in
            sink(images.count)
            guard info.index >= 3, info.index % 3 == 0 else { return }
            screen = try? server.captureScreen()
            // The window's own background is black until the first image arrives.
            if let p = screen?.pixel(x: 2, y: 2), p != (0, 0, 0) { running?.requestStop() }
        }
        let loop = DesktopFrameLoop(configuration: config)
        running = loop
        try loop.run(delegate: delegate)
        return (loop, screen)
    }

    func testKeysTypedInTheWindowAndClosingIt() throws {
        let server = try VirtualXServer.start()
        defer { server.stop() }
        let window = try DesktopWindow(width: 32, height: 16, title: "test", displayName: server.display)
        for key in [XK_o, XK_P, XK_5, XK_Escape, XK_space, XK_Tab, XK_F1] {
            var event = XEvent()
            event.xkey.type = exposure_x11_key_press()
            event.xkey.display = window.display
            event.xkey.window = window.window
            event.xkey.same_screen = 1
            event.xkey.keycode = UInt32(XKeysymToKeycode(window.display, KeySym(key)))
            event.xkey.state = key == XK_P ? UInt32(ShiftMask) : 0
            XCTAssertNotEqual(XSendEvent(window.display, window.window, 1, KeyPressMask, &event), 0)
        }
        XSync(window.display, 0)
        XCTAssertEqual(window.poll(), ["o", "p", "5", "escape", "space"], "letters lower-cased, digits kept, Tab and F1 ignored")
        XCTAssertFalse(window.closed)

        var close = XEvent()
        close.xclient.type = exposure_x11_client_message()
        close.xclient.window = window.window
        close.xclient.message_type = XInternAtom(window.display, "WM_PROTOCOLS", 0)
        close.xclient.format = 32
        close.xclient.data.l.0 = Int(XInternAtom(window.display, "WM_DELETE_WINDOW", 0))
        XCTAssertNotEqual(XSendEvent(window.display, window.window, 0, 0, &close), 0)
        XSync(window.display, 0)
        XCTAssertEqual(window.poll(), [])
        XCTAssertTrue(window.closed, "the window manager's close button ends the preview")
    }

    func testWithoutADisplayTheLoopWarnsAndRendersOffscreen() throws {
        var config = DesktopConfiguration()
        config.realTime = false
        config.eyeSize = (16, 8)
        config.samples = 1
        config.frameLimit = 2
        config.window = true
        config.displayName = ""
        var images: [Int] = []
        config.frameSink = { images.append($1.count) }
        let loop = DesktopFrameLoop(configuration: config)
        try loop.run(delegate: RecordingDelegate())
        XCTAssertEqual(loop.windowUnavailable, .noDisplay)
        XCTAssertEqual(images, [2, 2], "headless fallback still renders both eyes")
        XCTAssertEqual(loop.presentedFrames, 0)

        config.displayName = ":987"   // no server there
        let unreachable = DesktopFrameLoop(configuration: config)
        try unreachable.run(delegate: RecordingDelegate())
        guard case .x11(call: "XOpenDisplay", _)? = unreachable.windowUnavailable else {
            return XCTFail("expected XOpenDisplay to fail, got \(String(describing: unreachable.windowUnavailable))")
        }
    }
}

/// An Xvfb on a free display number, killed by `stop()`.
struct VirtualXServer {
    let process: Process
    let display: String

    static func start() throws -> VirtualXServer {
        let path = "/usr/bin/Xvfb"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XServerUnavailable("Xvfb is not installed: run scripts/install-deps --test (packages xvfb, x11-apps)")
        }
        // -displayfd: Xvfb picks a free display itself and prints its number once it accepts
        // clients, so parallel test runs (other worktrees, CI jobs) never race for one.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-displayfd", "1", "-screen", "0", "320x240x24", "-nolisten", "tcp"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded: a server that never reports is killed, which ends the read below.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 15, execute: watchdog)
        defer { watchdog.cancel() }
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let number = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            throw XServerUnavailable("Xvfb did not report a display within 15 s (output: \(text))")
        }
        let server = VirtualXServer(process: process, display: ":\(number)")
        return server
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// Sends a key press to the first top-level window on the screen, as a user typing would.
    func typeIntoFirstWindow(keysym: KeySym) {
        guard let dpy = XOpenDisplay(display) else { return }
        defer { XCloseDisplay(dpy) }
        var rootReturn: Window = 0, parent: Window = 0
        var children: UnsafeMutablePointer<Window>?
        var count: UInt32 = 0
        XQueryTree(dpy, XDefaultRootWindow(dpy), &rootReturn, &parent, &children, &count)
        guard let children, count > 0 else { return }
        defer { XFree(children) }
        var event = XEvent()
        event.xkey.type = exposure_x11_key_press()
        event.xkey.display = dpy
        event.xkey.window = children[0]
        event.xkey.same_screen = 1
        event.xkey.keycode = UInt32(XKeysymToKeycode(dpy, keysym))
        XSendEvent(dpy, children[0], 1, KeyPressMask, &event)
        XSync(dpy, 0)
    }

    /// The whole screen, read with `xwd -root` (package x11-apps).
    func captureScreen() throws -> XWDImage {
        let xwd = Process()
        xwd.executableURL = URL(fileURLWithPath: "/usr/bin/xwd")
        xwd.arguments = ["-root", "-silent", "-display", display]
        let pipe = Pipe()
        xwd.standardOutput = pipe
        try xwd.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        xwd.waitUntilExit()
        return try XWDImage(data)
    }
}

/// A failure with a message (used where a missing tool must fail the test, not skip it).
struct XServerUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// A 24/32-bit TrueColor XWD dump (the format xwd writes): header of big-endian 32-bit fields.
struct XWDImage {
    let width: Int, height: Int
    private let bytes: [UInt8]
    private let pixelOffset: Int, bytesPerLine: Int, bitsPerPixel: Int, lsbFirst: Bool
    private let masks: (r: UInt32, g: UInt32, b: UInt32)

    struct Malformed: Error { let why: String }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        self.bytes = bytes
        func field(_ i: Int) throws -> UInt32 {
            guard bytes.count >= (i + 1) * 4 else { throw Malformed(why: "short header (\(bytes.count) bytes)") }
            return bytes[i * 4..<(i + 1) * 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        let headerSize = Int(try field(0))
        let width = Int(try field(4)), height = Int(try field(5))
        let bitsPerPixel = Int(try field(11)), bytesPerLine = Int(try field(12))
        let pixelOffset = headerSize + Int(try field(19)) * 12
        guard bitsPerPixel == 32, bytes.count >= pixelOffset + bytesPerLine * height else {
            throw Malformed(why: "\(bitsPerPixel) bits per pixel, \(bytes.count) bytes for \(width)x\(height)")
        }
        self.width = width; self.height = height
        self.bitsPerPixel = bitsPerPixel; self.bytesPerLine = bytesPerLine; self.pixelOffset = pixelOffset
        lsbFirst = try field(7) == 0
        masks = (try field(14), try field(15), try field(16))
    }

    func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let o = pixelOffset + y * bytesPerLine + x * 4
        let raw = bytes[o..<o + 4]
        let value = lsbFirst ? raw.reversed().reduce(0) { $0 << 8 | UInt32($1) } : raw.reduce(0) { $0 << 8 | UInt32($1) }
        func channel(_ mask: UInt32) -> UInt8 { UInt8((value & mask) >> UInt32(mask.trailingZeroBitCount) & 0xff) }
        return (channel(masks.r), channel(masks.g), channel(masks.b))
    }
}
