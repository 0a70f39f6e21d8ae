// Session lifecycle and frame timing. States advance the way real runtimes do:
// create -> IDLE, READY; first submitted frame -> SYNCHRONIZED, VISIBLE, FOCUSED;
// exit request -> STOPPING; xrEndSession -> IDLE (-> EXITING when an exit was asked for).
import COpenXR
import CVulkan
import Foundation

func destroySessionLocked(_ id: UInt) {
    for (sid, sc) in rt.swapchains where sc.session == id { sc.destroy(); rt.swapchains[sid] = nil }
    for (sid, sp) in rt.spaces where sp.session == id { _ = sp; rt.spaces[sid] = nil }
    if let s = rt.sessions.removeValue(forKey: id) {
        s.capture?.destroy()
        rt.instances[s.instance]?.eventQueue.removeAll {
            if case let .sessionState(sess, _, _) = $0 { return sess == id }
            if case let .interactionProfileChanged(sess) = $0 { return sess == id }
            return false
        }
    }
}

let simCreateSession: PFN_xrCreateSession = { instance, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let ih = handleValue(instance)
        guard rt.instances[ih] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard info.pointee.systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
        guard let raw = findInChain(info.pointee.next, XR_TYPE_GRAPHICS_BINDING_VULKAN2_KHR) else {
            rt.log("xrCreateSession: no XrGraphicsBindingVulkan2KHR in the next chain")
            return XR_ERROR_GRAPHICS_DEVICE_INVALID
        }
        if rt.config.compositorFails {
            rt.log("xrCreateSession: the compositor cannot start (script: compositorFails)")
            return XR_ERROR_INITIALIZATION_FAILED
        }
        if rt.config.compositorFailsAfterLoss && rt.sessionWasLost {
            rt.log("xrCreateSession: the compositor did not come back after the loss (script: compositorFailsAfterLoss)")
            return XR_ERROR_INITIALIZATION_FAILED
        }
        let binding = raw.assumingMemoryBound(to: XrGraphicsBindingVulkan2KHR.self).pointee
        guard let device = binding.device else { return XR_ERROR_GRAPHICS_DEVICE_INVALID }
        let s = SimSession(instance: ih)
        s.device = device
        s.queueFamily = binding.queueFamilyIndex
        s.queueIndex = binding.queueIndex
        let h = rt.newHandle()
        rt.sessions[h] = s
        out.pointee = makeHandle(h)
        rt.log("session created")
        s.state = XR_SESSION_STATE_UNKNOWN
        rt.setState(h, XR_SESSION_STATE_IDLE)
        rt.setState(h, XR_SESSION_STATE_READY)
        return XR_SUCCESS
    }
}

let simDestroySession: PFN_xrDestroySession = { session in
    rt.withLock {
        let h = handleValue(session)
        guard rt.sessions[h] != nil else { return XR_ERROR_HANDLE_INVALID }
        destroySessionLocked(h)
        rt.log("session destroyed")
        return XR_SUCCESS
    }
}

let simBeginSession: PFN_xrBeginSession = { session, info in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let s = rt.sessions[handleValue(session)] else { return XR_ERROR_HANDLE_INVALID }
        guard info.pointee.primaryViewConfigurationType == XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO else {
            return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED
        }
        guard !s.running else { return XR_ERROR_SESSION_RUNNING }
        guard s.state == XR_SESSION_STATE_READY else { return XR_ERROR_SESSION_NOT_READY }
        s.running = true
        s.framesEnded = 0
        rt.log("session begun")
        return XR_SUCCESS
    }
}

let simEndSession: PFN_xrEndSession = { session in
    rt.withLock {
        let h = handleValue(session)
        guard let s = rt.sessions[h] else { return XR_ERROR_HANDLE_INVALID }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        guard s.state == XR_SESSION_STATE_STOPPING else { return XR_ERROR_SESSION_NOT_STOPPING }
        s.running = false
        rt.log("session ended")
        rt.setState(h, XR_SESSION_STATE_IDLE)
        if s.exitRequested { rt.setState(h, XR_SESSION_STATE_EXITING) }
        return XR_SUCCESS
    }
}

let simRequestExitSession: PFN_xrRequestExitSession = { session in
    rt.withLock {
        let h = handleValue(session)
        guard let s = rt.sessions[h] else { return XR_ERROR_HANDLE_INVALID }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        s.exitRequested = true
        rt.log("exit requested by app")
        rt.setState(h, XR_SESSION_STATE_STOPPING)
        return XR_SUCCESS
    }
}

/// Scripted events due by `seconds` fire once per process, in order.
private func fireEventsLocked(_ h: UInt, _ s: SimSession, seconds: Double) {
    for (i, event) in rt.config.events.enumerated() where event.t <= seconds && !rt.firedEvents.contains(i) {
        rt.firedEvents.insert(i)
        rt.log("event \(event.kind.rawValue) at \(event.t)")
        switch event.kind {
        case .headsetOff:
            s.headsetOff = true
            if s.state == XR_SESSION_STATE_FOCUSED { rt.setState(h, XR_SESSION_STATE_VISIBLE) }
        case .headsetOn:
            s.headsetOff = false
            if s.state == XR_SESSION_STATE_VISIBLE { rt.setState(h, XR_SESSION_STATE_FOCUSED) }
        case .lossPending:
            rt.sessionWasLost = true
            rt.setState(h, XR_SESSION_STATE_LOSS_PENDING)
        case .sessionLost:
            rt.sessionWasLost = true
            s.lost = true
        case .exitRequest:
            s.exitRequested = true
            rt.setState(h, XR_SESSION_STATE_STOPPING)
        case .debugMessage:
            sendDebugMessageLocked(event.message ?? "scripted message", instance: s.instance)
        }
    }
}

/// Delivers a validation warning to the instance's debug utils messengers, as a runtime's own checks would.
private func sendDebugMessageLocked(_ text: String, instance: UInt) {
    for m in rt.messengers.values where m.instance == instance {
        guard let callback = m.callback else { continue }
        text.withCString { message in
            "xrWaitFrame".withCString { function in
                var data = XrDebugUtilsMessengerCallbackDataEXT()
                data.type = XR_TYPE_DEBUG_UTILS_MESSENGER_CALLBACK_DATA_EXT
                data.messageId = message
                data.functionName = function
                data.message = message
                _ = callback(XrDebugUtilsMessageSeverityFlagsEXT(XR_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT),
                             XrDebugUtilsMessageTypeFlagsEXT(XR_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT), &data, m.userData)
            }
        }
    }
}

let simWaitFrame: PFN_xrWaitFrame = { session, info, frameState in
    guard let frameState else { return XR_ERROR_VALIDATION_FAILURE }
    var sleepUntil: Date?
    let result: XrResult = rt.withLock {
        let h = handleValue(session)
        guard let s = rt.sessions[h] else { return XR_ERROR_HANDLE_INVALID }
        if s.lost { return XR_ERROR_SESSION_LOST }
        if s.state == XR_SESSION_STATE_LOSS_PENDING { return XR_SESSION_LOSS_PENDING }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        if rt.framesWaited == 0 { rt.wallStart = Date() }
        let previous = rt.framesWaited
        rt.framesWaited += 1
        let periodSeconds = Double(rt.period) / 1e9
        if rt.config.realTime && rt.framesWaited > 1 {
            // Like a real compositor: an app that comes back late gets the next vsync after now,
            // so the periods it missed show as a gap in predicted display times.
            let nextVsync = Int(Date().timeIntervalSince(rt.wallStart) / periodSeconds) + 1
            rt.framesWaited = max(rt.framesWaited, nextVsync)
        } else if previous > 0, let slow = rt.config.appFrameSeconds(at: rt.seconds(at: SimRuntime.epoch + XrTime(previous) * rt.period)) {
            // A scripted slow app: its last frame took `slow` seconds of virtual time.
            rt.framesWaited = max(rt.framesWaited, previous + Int((slow / periodSeconds - 1e-9).rounded(.up)))
        }
        let time = SimRuntime.epoch + XrTime(rt.framesWaited) * rt.period
        let reportedPeriod = rt.reportedPeriod(session: s, displayTime: time)
        s.lastWaitedTime = time
        let seconds = rt.seconds(at: time)
        fireEventsLocked(h, s, seconds: seconds)
        if s.lost { return XR_ERROR_SESSION_LOST }
        frameState.pointee.predictedDisplayTime = time
        frameState.pointee.predictedDisplayPeriod = reportedPeriod
        frameState.pointee.shouldRender = XrBool32(s.state == XR_SESSION_STATE_VISIBLE || s.state == XR_SESSION_STATE_FOCUSED ? XR_TRUE : XR_FALSE)
        if rt.config.realTime { sleepUntil = rt.wallStart.addingTimeInterval(seconds - rt.seconds(at: SimRuntime.epoch + rt.period)) }
        return s.state == XR_SESSION_STATE_LOSS_PENDING ? XR_SESSION_LOSS_PENDING : XR_SUCCESS
    }
    if let sleepUntil { Thread.sleep(until: sleepUntil) }
    return result
}

let simBeginFrame: PFN_xrBeginFrame = { session, info in
    rt.withLock {
        guard let s = rt.sessions[handleValue(session)] else { return XR_ERROR_HANDLE_INVALID }
        if s.lost { return XR_ERROR_SESSION_LOST }
        if s.state == XR_SESSION_STATE_LOSS_PENDING { return XR_SESSION_LOSS_PENDING }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        let discarded = s.pendingFrameBegin
        s.pendingFrameBegin = true
        return discarded ? XR_FRAME_DISCARDED : XR_SUCCESS
    }
}

let simEndFrame: PFN_xrEndFrame = { session, info in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let h = handleValue(session)
        guard let s = rt.sessions[h] else { return XR_ERROR_HANDLE_INVALID }
        if s.lost { return XR_ERROR_SESSION_LOST }
        if s.state == XR_SESSION_STATE_LOSS_PENDING { return XR_SESSION_LOSS_PENDING }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        guard s.pendingFrameBegin else { return XR_ERROR_CALL_ORDER_INVALID }
        guard info.pointee.environmentBlendMode == XR_ENVIRONMENT_BLEND_MODE_OPAQUE else { return XR_ERROR_ENVIRONMENT_BLEND_MODE_UNSUPPORTED }
        guard info.pointee.displayTime > 0 else { return XR_ERROR_TIME_INVALID }
        s.pendingFrameBegin = false
        let frameIndex = Int((info.pointee.displayTime - SimRuntime.epoch) / rt.period) - 1
        var depthViews = 0
        var depthRange = ""
        var projectionLayers = 0
        for i in 0..<Int(info.pointee.layerCount) {
            guard let layers = info.pointee.layers, let layer = layers[i] else { return XR_ERROR_LAYER_INVALID }
            guard layer.pointee.type == XR_TYPE_COMPOSITION_LAYER_PROJECTION else { continue }
            let projection = UnsafeRawPointer(layer).assumingMemoryBound(to: XrCompositionLayerProjection.self).pointee
            guard projection.viewCount == 2, let views = projection.views else { return XR_ERROR_VALIDATION_FAILURE }
            projectionLayers += 1
            for eye in 0..<2 {
                let view = views[eye]
                var depthInfo: XrCompositionLayerDepthInfoKHR?
                if let p = findInChain(view.next, XR_TYPE_COMPOSITION_LAYER_DEPTH_INFO_KHR) {
                    let d = p.assumingMemoryBound(to: XrCompositionLayerDepthInfoKHR.self).pointee
                    if let problem = depthInfoProblem(d) {
                        rt.log("xrEndFrame: projection view \(eye) depth info: \(problem)")
                        return XR_ERROR_VALIDATION_FAILURE
                    }
                    depthViews += 1
                    depthRange = " near=\(d.nearZ) far=\(d.farZ)"
                    depthInfo = d
                }
                guard let sc = rt.swapchains[handleValue(view.subImage.swapchain)], sc.lastReleased != nil else {
                    rt.log("xrEndFrame: projection view \(eye) names a swapchain with no released image")
                    return XR_ERROR_LAYER_INVALID
                }
                if rt.shouldCapture(frameIndex), let dir = rt.config.captureDirectory {
                    let path = "\(dir)/frame-\(String(format: "%06d", frameIndex))-eye\(eye).png"
                    if let problem = captureView(session: s, swapchain: sc, subImage: view.subImage, to: path) {
                        rt.log("capture failed: \(problem)")
                    }
                    if let depthInfo, let dsc = rt.swapchains[handleValue(depthInfo.subImage.swapchain)] {
                        let depthPath = "\(dir)/frame-\(String(format: "%06d", frameIndex))-eye\(eye)-depth.pfm"
                        if let problem = captureDepth(session: s, swapchain: dsc, subImage: depthInfo.subImage, to: depthPath) {
                            rt.log("depth capture failed: \(problem)")
                        }
                    }
                }
            }
        }
        rt.framesSubmitted += 1
        s.framesEnded += 1
        rt.log("frame \(frameIndex) submitted layers=\(info.pointee.layerCount) projection=\(projectionLayers) depth=\(depthViews)\(depthRange) state=\(stateName(s.state))")
        if s.framesEnded == 1 && s.state == XR_SESSION_STATE_READY {
            rt.setState(h, XR_SESSION_STATE_SYNCHRONIZED)
            rt.setState(h, XR_SESSION_STATE_VISIBLE)
            if !s.headsetOff { rt.setState(h, XR_SESSION_STATE_FOCUSED) }
        }
        if let limit = rt.config.exitAfterFrames, rt.framesSubmitted >= limit, !s.exitRequested,
           s.state != XR_SESSION_STATE_STOPPING, s.state != XR_SESSION_STATE_LOSS_PENDING {
            s.exitRequested = true
            rt.log("frame limit \(limit) reached: runtime requests exit")
            rt.setState(h, XR_SESSION_STATE_STOPPING)
        }
        return XR_SUCCESS
    }
}

/// What is wrong with a submitted depth info (XR_KHR_composition_layer_depth), or nil. Call with the lock held.
func depthInfoProblem(_ d: XrCompositionLayerDepthInfoKHR) -> String? {
    guard let sc = rt.swapchains[handleValue(d.subImage.swapchain)] else { return "unknown swapchain" }
    guard sc.isDepth else { return "swapchain has a colour format" }
    guard sc.lastReleased != nil else { return "swapchain has no released image" }
    guard d.minDepth >= 0, d.maxDepth <= 1, d.minDepth < d.maxDepth else { return "minDepth \(d.minDepth) / maxDepth \(d.maxDepth) outside 0...1 or not increasing" }
    guard d.nearZ >= 0, d.farZ >= 0, d.nearZ != d.farZ else { return "nearZ \(d.nearZ) / farZ \(d.farZ) must be non-negative and differ" }
    return nil
}

extension SimRuntime {
    /// The `predictedDisplayPeriod` xrWaitFrame reports for a frame shown at `displayTime`. Fixed
    /// pacing: the display's period. Monado-like pacing: a placeholder on the session's first frame,
    /// then the app's own cadence (the gap since its last frame) when that is longer than the display's.
    func reportedPeriod(session s: SimSession, displayTime: XrTime) -> XrTime {
        guard config.pacing == .monado else { return period }
        guard s.lastWaitedTime > 0 else { return HeadsetConfig.placeholderPeriodNanoseconds }
        return max(period, displayTime - s.lastWaitedTime)
    }

    func shouldCapture(_ frame: Int) -> Bool {
        guard config.captureDirectory != nil else { return false }
        return config.captureFrames?.contains(frame) ?? true
    }
}
