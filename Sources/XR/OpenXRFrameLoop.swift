// The OpenXR frame loop. Per frame, on the thread that calls run():
//   poll events -> xrWaitFrame -> read input (FOCUSED only) -> delegate.frame (drains the mailbox)
//   -> xrBeginFrame -> locate views -> render if shouldRender -> xrEndFrame (always).
// The session state machine decides begin/end/recreate/exit; see docs/xr.md.
import COpenXR
import CVulkan
import Foundation
import SceneModel

public struct XRConfiguration {
    public var appName = "exposure"
    /// Enable VK_LAYER_KHRONOS_validation and collect its messages in `validationMessages`.
    public var vulkanValidation = false
    public var input = InputSettings()
    /// Height of the eyes above the floor assumed when the runtime has no stage space.
    public var floorOffsetWhenNoStage: Float = 1.6
    /// Submit depth (XR_KHR_composition_layer_depth) when the runtime offers it and the renderer
    /// writes depth (`EyeRenderer.depthOutput`, which also says what near and far are).
    public var submitDepth = true
    /// Backoff between attempts to recreate a lost session: first delay, doubling up to the maximum.
    public var recreateInitialDelay: Double = 0.5
    public var recreateMaxDelay: Double = 8
    public var recreateMaxAttempts = 6
    /// Builds the renderer once the Vulkan device exists. The default only clears each eye to the
    /// scene colour (fast: tests, headless demos); set `XRConfiguration.stereoRenderer(samples:)` to
    /// draw the environment (what a patient must see).
    public var makeRenderer: EyeRendererFactory = XRConfiguration.clearColorRenderer
    public init() {}
}

public final class OpenXRFrameLoop: FrameLoop {
    public let configuration: XRConfiguration
    /// OpenXR (XR_EXT_debug_utils) and Vulkan validation messages, warnings and errors.
    public let validationMessages = MessageLog()
    /// How many times the session was recreated after LOSS_PENDING.
    public private(set) var recreations = 0
    public private(set) var runtimeName = ""
    /// What the runtime said about itself and the headset, for the record (see RuntimeFacts).
    public private(set) var facts = RuntimeFacts()
    /// The display's refresh period and missed frames, judged the same on every runtime.
    public private(set) var timing = DisplayTiming()
    private let mailbox = InputMailbox()
    private var frameIndex = 0

    public init(configuration: XRConfiguration = XRConfiguration()) { self.configuration = configuration }

    public func requestStop() { mailbox.requestStop() }
    /// Input from outside the headset (keyboard, tests), delivered with the next frame.
    public func inject(_ event: InputEvent) { mailbox.post(event) }

    private enum Outcome { case exited, lost }

    public func run(delegate: FrameDelegate) throws {
        var delay = configuration.recreateInitialDelay
        var failures = 0
        while true {
            let outcome: Outcome
            do {
                outcome = try runOneSession(delegate: delegate)
                failures = 0
            } catch is XRError where recreations > 0 && failures < configuration.recreateMaxAttempts {
                // After a loss the runtime may need a moment to come back: retry with backoff.
                failures += 1
                outcome = .lost
            }
            switch outcome {
            case .exited:
                return
            case .lost:
                if mailbox.stopRequested { return }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, configuration.recreateMaxDelay)
                recreations += 1
            }
        }
    }

    /// Creates instance .. swapchains, runs frames until EXITING or LOSS_PENDING, and tears down in reverse order.
    private func runOneSession(delegate: FrameDelegate) throws -> Outcome {
        let xr = try XRInstance(appName: configuration.appName, messages: validationMessages, wantDepth: configuration.submitDepth)
        runtimeName = xr.runtimeName
        let vulkan = try XRVulkan(xr: xr, validation: configuration.vulkanValidation, messages: validationMessages)
        let actions = try XRActions(instance: xr, settings: configuration.input)
        let session = try XRSession(instance: xr, vulkan: vulkan.context, floorOffset: configuration.floorOffsetWhenNoStage)
        try actions.attach(to: session.handle)

        let formats = try session.swapchainFormats()
        let preferred: [VkFormat] = [VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_B8G8R8A8_SRGB]
        guard let colorFormat = preferred.first(where: { formats.contains(Int64($0.rawValue)) }) else {
            throw XRError.unsupported("an sRGB swapchain format (offered: \(formats))")
        }
        let size = session.viewSizes[0]
        let renderer = try configuration.makeRenderer(vulkan.context, colorFormat, size.width, size.height)
        let colorUsage = XrSwapchainUsageFlags(XR_SWAPCHAIN_USAGE_COLOR_ATTACHMENT_BIT) | renderer.extraColorUsage
        let colorChains = try session.viewSizes.map {
            try XRSwapchain(session: session, format: colorFormat, width: $0.width, height: $0.height, usage: colorUsage)
        }
        var depthChains: [XRSwapchain] = []
        var depthOutput: DepthOutput?
        if configuration.submitDepth, let output = renderer.depthOutput, xr.extensions.contains("XR_KHR_composition_layer_depth"),
           formats.contains(Int64(output.format.rawValue)) {
            let usage = XrSwapchainUsageFlags(XR_SWAPCHAIN_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | XR_SWAPCHAIN_USAGE_TRANSFER_DST_BIT)
            depthChains = try session.viewSizes.map {
                try XRSwapchain(session: session, format: output.format, width: $0.width, height: $0.height, usage: usage)
            }
            depthOutput = output
        }

        let refreshRate = DisplayRefreshRate(instance: xr, session: session.handle)
        facts.runtimeName = xr.runtimeName
        facts.runtimeVersion = xr.runtimeVersion
        facts.systemName = xr.systemName
        facts.recommendedWidth = size.width
        facts.recommendedHeight = size.height
        facts.referenceSpace = session.usesStage ? "stage" : "local"
        facts.availableRatesHz = refreshRate?.available() ?? []
        if let stated = refreshRate?.current() { timing.statedPeriod = Int64((1e9 / stated).rounded()) }
        facts.displayRateHz = timing.knownRateHz
        delegate.runtimeDescribed(facts)
        var sessionFrames = 0
        var lastGPU: Double?

        var machine = SessionStateMachine()
        var interpreter = InputInterpreter(settings: configuration.input)
        var pending: [InputEvent] = []
        var exitRequested = false
        let resources = FrameResources(session: session, renderer: renderer, color: colorChains, depth: depthChains,
                                       depthOutput: depthOutput)
        defer {
            // Reverse order of creation; the GPU must be idle before swapchains go.
            vkDeviceWaitIdle(vulkan.context.device)
            withExtendedLifetime((resources, colorChains, depthChains, renderer, session, actions, vulkan, xr)) {}
        }

        // A session lost mid-frame (any call) is handled like LOSS_PENDING: tear down and recreate.
        do {
            while true {
                // Events first, so a state change acts before the next frame.
                let polled = try pollEvents(xr.handle, session.handle)
                if polled.profileChanged, let profile = XRActions.currentProfile(xr.handle, session.handle), profile != facts.interactionProfile {
                    facts.interactionProfile = profile
                    delegate.runtimeDescribed(facts)
                }
                if let rate = polled.refreshRate ?? (polled.refreshRateChanged ? refreshRate?.current() : nil) {
                    timing.statedPeriod = Int64((1e9 / rate).rounded())
                }
                for state in polled.states {
                    for action in machine.apply(state) {
                        switch action {
                        case .beginSession:
                            var info = XrSessionBeginInfo()
                            info.type = XR_TYPE_SESSION_BEGIN_INFO
                            info.primaryViewConfigurationType = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO
                            try xrCheck("xrBeginSession", xrBeginSession(session.handle, &info))
                        case .endSession:
                            try xrCheck("xrEndSession", xrEndSession(session.handle))
                        case .recreate:
                            delegate.stateChanged(state)
                            return .lost
                        case .exit:
                            delegate.stateChanged(state)
                            return .exited
                        case .focusLost:
                            interpreter.reset()
                            pending.append(.focusLost)
                        case .focusRegained:
                            pending.append(.focusRegained)
                        }
                    }
                    delegate.stateChanged(state)
                }
                if mailbox.stopRequested && !exitRequested {
                    if machine.running {
                        try xrCheck("xrRequestExitSession", xrRequestExitSession(session.handle))
                        exitRequested = true
                    } else if machine.state != .stopping {
                        return .exited   // never started (or already ended): nothing to stop
                    }
                }
                guard machine.running else {
                    Thread.sleep(forTimeInterval: 0.005)   // IDLE/STOPPING: wait for the runtime's next event
                    continue
                }

                var frameState = XrFrameState()
                frameState.type = XR_TYPE_FRAME_STATE
                var waitInfo = XrFrameWaitInfo(); waitInfo.type = XR_TYPE_FRAME_WAIT_INFO
                let waited = xrWaitFrame(session.handle, &waitInfo, &frameState)
                if waited == XR_ERROR_SESSION_LOST { delegate.stateChanged(.lossPending); return .lost }
                try xrCheck("xrWaitFrame", waited)
                if waited == XR_SESSION_LOSS_PENDING { continue }   // the LOSS_PENDING event follows
                let wallClock = Date().timeIntervalSince1970

                var input = pending
                pending = []
                if machine.inputEnabled {
                    interpreter.sliderStart = delegate.ratingSliderStart
                    let reading = try actions.read(session: session.handle)
                    input += interpreter.update(time: frameState.predictedDisplayTime, reading: reading)
                }
                input += mailbox.drain()

                let missed = timing.observe(displayTime: frameState.predictedDisplayTime, reportedPeriod: frameState.predictedDisplayPeriod,
                                            firstOfSession: sessionFrames == 0)
                sessionFrames += 1
                if let rate = timing.knownRateHz, abs(rate - (facts.displayRateHz ?? 0)) > rate * 0.01 {
                    facts.displayRateHz = rate
                    delegate.runtimeDescribed(facts)
                }
                if facts.interactionProfile == nil, machine.inputEnabled, let profile = XRActions.currentProfile(xr.handle, session.handle) {
                    facts.interactionProfile = profile
                    delegate.runtimeDescribed(facts)
                }
                let fresh = validationMessages.takeNew()
                if !fresh.isEmpty { delegate.validationMessages(fresh) }

                let located = try session.locate(at: frameState.predictedDisplayTime)
                let info = FrameInfo(index: frameIndex, predictedDisplayTime: frameState.predictedDisplayTime,
                                     displayPeriod: frameState.predictedDisplayPeriod, shouldRender: frameState.shouldRender != 0,
                                     headPose: located.head, views: located.views, wallClock: wallClock,
                                     sudsSlider: interpreter.sudsSlider, consentHold: interpreter.consentHold,
                                     refreshPeriod: timing.refreshPeriod, missedFrames: missed, previousGPUMilliseconds: lastGPU)
                frameIndex += 1
                let scene = delegate.frame(info, input: input)

                var beginInfo = XrFrameBeginInfo(); beginInfo.type = XR_TYPE_FRAME_BEGIN_INFO
                let began = xrBeginFrame(session.handle, &beginInfo)
                if began == XR_ERROR_SESSION_LOST { delegate.stateChanged(.lossPending); return .lost }
                try xrCheck("xrBeginFrame", began)
                let render = frameState.shouldRender != 0 && located.raw.count == 2
                try resources.submit(scene: scene, views: located.views, raw: located.raw,
                                     displayTime: frameState.predictedDisplayTime, render: render)
                lastGPU = render ? renderer.lastGPUMilliseconds : nil
            }
        } catch let error as XRError where error.isLoss {
            delegate.stateChanged(.lossPending)
            return .lost
        }
    }

    private struct Polled {
        var states: [XRSessionState] = []
        var profileChanged = false
        var refreshRateChanged = false
        var refreshRate: Double?
    }

    private func pollEvents(_ instance: XrInstance, _ session: XrSession) throws -> Polled {
        var polled = Polled()
        while true {
            var buffer = XrEventDataBuffer()
            buffer.type = XR_TYPE_EVENT_DATA_BUFFER
            let r = xrPollEvent(instance, &buffer)
            if r == XR_EVENT_UNAVAILABLE { return polled }
            try xrCheck("xrPollEvent", r)
            switch buffer.type {
            case XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED:
                let changed = withUnsafeBytes(of: &buffer) { $0.load(as: XrEventDataSessionStateChanged.self) }
                if changed.session == session { polled.states.append(XRSessionState(changed.state)) }
            case XR_TYPE_EVENT_DATA_INSTANCE_LOSS_PENDING:
                polled.states.append(.lossPending)
            case XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED:
                polled.profileChanged = true
            case XR_TYPE_EVENT_DATA_DISPLAY_REFRESH_RATE_CHANGED_FB:
                let changed = withUnsafeBytes(of: &buffer) { $0.load(as: XrEventDataDisplayRefreshRateChangedFB.self) }
                polled.refreshRateChanged = true
                if changed.toDisplayRefreshRate > 0 { polled.refreshRate = Double(changed.toDisplayRefreshRate) }
            default:
                break
            }
        }
    }
}

extension XRSessionState {
    init(_ s: XrSessionState) {
        switch s {
        case XR_SESSION_STATE_IDLE: self = .idle
        case XR_SESSION_STATE_READY: self = .ready
        case XR_SESSION_STATE_SYNCHRONIZED: self = .synchronized
        case XR_SESSION_STATE_VISIBLE: self = .visible
        case XR_SESSION_STATE_FOCUSED: self = .focused
        case XR_SESSION_STATE_STOPPING: self = .stopping
        case XR_SESSION_STATE_LOSS_PENDING: self = .lossPending
        case XR_SESSION_STATE_EXITING: self = .exiting
        default: self = .unknown
        }
    }
}
