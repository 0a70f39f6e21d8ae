// An X11 window for desktop mode: therapists previewing environments and demos on a screen.
// Used only from the frame thread (Xlib is not thread-safe without XInitThreads).
import CX11
import Foundation

/// Failures opening or driving the preview window. Each names the call and what to do.
public enum DesktopWindowError: Error, Equatable, CustomStringConvertible {
    /// $DISPLAY is not set: there is no screen to open a window on.
    case noDisplay
    /// An Xlib call failed (e.g. XOpenDisplay could not reach the X server).
    case x11(call: String, detail: String)
    /// A Vulkan call for the window's surface or swapchain failed.
    case vulkan(call: String, result: String)
    /// The driver cannot present to this window the way we need.
    case unsupported(String)

    public var description: String {
        switch self {
        case .noDisplay:
            return "no display: $DISPLAY is not set (run on a desktop session, or leave the window off for headless mode)"
        case let .x11(call, detail):
            return "\(call) failed: \(detail) (check that the X server in $DISPLAY is running and reachable)"
        case let .vulkan(call, result):
            return "\(call) failed with \(result) (run `exposure doctor`; the Vulkan driver needs VK_KHR_xlib_surface and VK_KHR_swapchain)"
        case let .unsupported(what):
            return "the preview window is not supported here: \(what)"
        }
    }
}

/// One top-level X11 window. Key presses become the same `.key` strings the stdin path sends;
/// closing the window (window manager close button) is reported by `poll()`.
final class DesktopWindow {
    let display: OpaquePointer
    let window: Window
    private(set) var width: Int
    private(set) var height: Int
    private var deleteAtom: Atom = 0
    private(set) var closed = false

    init(width: Int, height: Int, title: String, displayName: String? = ProcessInfo.processInfo.environment["DISPLAY"]) throws {
        guard let name = displayName, !name.isEmpty else { throw DesktopWindowError.noDisplay }
        guard let display = XOpenDisplay(name) else {
            throw DesktopWindowError.x11(call: "XOpenDisplay", detail: "cannot open display \(name)")
        }
        let screen = XDefaultScreen(display)
        let root = XRootWindow(display, screen)
        let window = XCreateSimpleWindow(display, root, 0, 0, UInt32(width), UInt32(height), 0,
                                         XBlackPixel(display, screen), XBlackPixel(display, screen))
        guard window != 0 else {
            XCloseDisplay(display)
            throw DesktopWindowError.x11(call: "XCreateSimpleWindow", detail: "no window returned")
        }
        self.display = display
        self.window = window
        self.width = width
        self.height = height
        XStoreName(display, window, title)
        XSelectInput(display, window, exposure_x11_event_mask())
        // Ask the window manager to send a message instead of killing the connection on close.
        deleteAtom = XInternAtom(display, "WM_DELETE_WINDOW", 0)
        var atom = deleteAtom
        XSetWMProtocols(display, window, &atom, 1)
        XMapRaised(display, window)
        XSync(display, 0)
    }

    deinit {
        XDestroyWindow(display, window)
        XCloseDisplay(display)
    }

    /// Drains pending X events without blocking: returns the key strings typed since the last call.
    func poll() -> [String] {
        var keys: [String] = []
        while XPending(display) > 0 {
            var event = XEvent()
            XNextEvent(display, &event)
            switch event.type {
            case exposure_x11_key_press():
                if let key = DesktopWindow.keyString(&event.xkey) { keys.append(key) }
            case exposure_x11_client_message():
                if UInt(bitPattern: event.xclient.data.l.0) == deleteAtom { closed = true }
            case exposure_x11_destroy_notify():
                closed = true
            case ConfigureNotify:
                width = Int(event.xconfigure.width)
                height = Int(event.xconfigure.height)
            default:
                break
            }
        }
        return keys
    }

    /// The key's name as the stdin path spells it: one letter (lower-cased) or digit, or "escape"
    /// and "space" (the session maps Escape to the opt-out and Space to pause); nil for other keys.
    static func keyString(_ key: inout XKeyEvent) -> String? {
        var buffer = [CChar](repeating: 0, count: 8)
        var keysym: KeySym = 0
        let n = XLookupString(&key, &buffer, Int32(buffer.count - 1), &keysym, nil)
        if keysym == KeySym(XK_Escape) { return "escape" }
        if keysym == KeySym(XK_space) { return "space" }
        guard n == 1 else { return nil }
        let c = Character(UnicodeScalar(UInt8(bitPattern: buffer[0])))
        guard c.isASCII, c.isLetter || c.isNumber else { return nil }
        return String(c).lowercased()
    }
}
