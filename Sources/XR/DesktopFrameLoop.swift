// The frame loop without OpenXR: for demos, therapists previewing environments, and machines
// with no headset. Renders both eyes offscreen at a fixed rate (or as fast as possible on a
// virtual clock), takes keyboard lines from stdin or injected input, and hands frames to a sink.
import Foundation
import PNG
import Render
import SceneModel

public struct DesktopConfiguration {
    public var displayRateHz: Double = 60
    /// true: pace frames to the display rate on the wall clock. false: virtual time, as fast as possible.
    public var realTime = true
    /// Per-eye image size; nil renders nothing (timing and input only).
    public var eyeSize: (width: Int, height: Int)? = (640, 480)
    public var samples = 4
    public var vulkanValidation = false
    /// The viewer stands here (stage space: metres above the floor).
    public var headPose = Pose(position: Vec3(0, 1.6, 0))
    /// Stop after this many frames (nil: until requestStop).
    public var frameLimit: Int?
    /// Read lines from standard input and deliver each as `.key(line)`.
    public var readKeyboard = false
    /// Receives each frame's eye images (on the frame thread; keep it quick). In a window the
    /// eyes go to the screen instead and the sink receives no images.
    public var frameSink: ((FrameInfo, [RGBAImage]) -> Void)?
    /// Show both eyes side by side in an X11 window (needs `eyeSize` and a display). Keys typed in
    /// the window arrive like stdin lines; closing it ends the loop. Without a display, or if the
    /// window cannot be opened, the loop warns on stderr and renders offscreen instead.
    public var window = false
    /// The X display for the window; nil uses $DISPLAY.
    public var displayName: String?
    public init() {}
}

public final class DesktopFrameLoop: FrameLoop {
    public let configuration: DesktopConfiguration
    private let mailbox = InputMailbox()
    /// Vulkan validation messages from the offscreen renderer or the window.
    public private(set) var validationMessages: [String] = []
    /// Frames shown in the window (0 in headless mode).
    public private(set) var presentedFrames = 0
    /// Why a requested window is not shown (nil when it is, or none was asked for).
    public private(set) var windowUnavailable: DesktopWindowError?

    public init(configuration: DesktopConfiguration = DesktopConfiguration()) { self.configuration = configuration }

    public func requestStop() { mailbox.requestStop() }
    public func inject(_ event: InputEvent) { mailbox.post(event) }

    public func run(delegate: FrameDelegate) throws {
        let c = configuration
        var renderer: StereoRenderer?
        var presenter: DesktopWindowPresenter?
        windowUnavailable = nil
        presentedFrames = 0
        reportedMessages = 0
        if c.window, let size = c.eyeSize { presenter = openWindow(size) }
        if presenter == nil, let size = c.eyeSize {
            let context = try VulkanContext(validation: c.vulkanValidation)
            renderer = try StereoRenderer(context: context, width: size.width, height: size.height, samples: c.samples)
        }
        if c.readKeyboard { startKeyboardReader() }
        for state in [XRSessionState.ready, .synchronized, .visible, .focused] { delegate.stateChanged(state) }
        let period = Int64((1e9 / max(c.displayRateHz, 1)).rounded())
        let start = Date()
        let views = EyeView.stereo(head: c.headPose)
        var index = 0
        defer {
            if let r = renderer { validationMessages = r.context.validationMessages }
            if let p = presenter { validationMessages = p.validationMessages; presentedFrames = p.presentedFrames }
            presenter = nil
            for state in [XRSessionState.stopping, .idle, .exiting] { delegate.stateChanged(state) }
        }
        while !mailbox.stopRequested {
            if let limit = c.frameLimit, index >= limit { break }
            let displayTime = Int64(index + 1) * period
            if c.realTime {
                Thread.sleep(until: start.addingTimeInterval(Double(displayTime) / 1e9))
            }
            let info = FrameInfo(index: index, predictedDisplayTime: displayTime, displayPeriod: period, shouldRender: true,
                                 headPose: c.headPose, views: views, wallClock: Date().timeIntervalSince1970, sudsSlider: nil)
            if let presenter {
                for key in presenter.window.poll() { mailbox.post(.key(key)) }
                if presenter.window.closed { break }
            }
            let scene = delegate.frame(info, input: mailbox.drain())
            if let presenter {
                try presenter.present(scene: scene, views: views)
                c.frameSink?(info, [])
            } else if let renderer {
                let images = try renderer.renderOffscreen(scene: scene, views: views)
                c.frameSink?(info, images)
            } else {
                c.frameSink?(info, [])
            }
            index += 1
            let messages = presenter?.validationMessages ?? renderer?.context.validationMessages ?? []
            if messages.count > reportedMessages {
                let fresh = messages[reportedMessages...].filter { seenMessages.insert($0).inserted }
                reportedMessages = messages.count
                if !fresh.isEmpty { delegate.validationMessages(Array(fresh)) }
            }
        }
    }

    /// Validation messages already handed to the delegate (each text once).
    private var reportedMessages = 0
    private var seenMessages: Set<String> = []

    /// The preview window, or nil with a warning: a missing screen must not stop a session.
    private func openWindow(_ size: (width: Int, height: Int)) -> DesktopWindowPresenter? {
        let c = configuration
        do {
            return try DesktopWindowPresenter(eyeWidth: size.width, eyeHeight: size.height, samples: c.samples,
                                              validation: c.vulkanValidation,
                                              displayName: c.displayName ?? ProcessInfo.processInfo.environment["DISPLAY"])
        } catch {
            let reason = error as? DesktopWindowError ?? .unsupported("\(error)")
            windowUnavailable = reason
            FileHandle.standardError.write(Data("warning: no preview window, rendering offscreen instead: \(reason)\n".utf8))
            return nil
        }
    }

    /// A background thread turning stdin lines into key events; it ends with stdin.
    private func startKeyboardReader() {
        let mailbox = self.mailbox
        let thread = Thread {
            while let line = readLine() {
                let key = line.trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { mailbox.post(.key(key)) }
            }
        }
        thread.name = "exposure-keyboard"
        thread.start()
    }
}
