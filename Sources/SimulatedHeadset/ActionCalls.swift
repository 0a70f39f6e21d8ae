// Actions: the simulated controllers present one interaction profile (config.interactionProfile);
// an action's state comes from the scripted inputs that drive the bindings the app suggested for it.
import COpenXR
import Foundation

let simCreateActionSet: PFN_xrCreateActionSet = { instance, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let ih = handleValue(instance)
        guard rt.instances[ih] != nil else { return XR_ERROR_HANDLE_INVALID }
        let h = rt.newHandle()
        rt.actionSets[h] = SimActionSet(instance: ih, name: readCString(info.pointee.actionSetName))
        out.pointee = makeHandle(h)
        return XR_SUCCESS
    }
}

let simDestroyActionSet: PFN_xrDestroyActionSet = { set in
    rt.withLock {
        let h = handleValue(set)
        guard rt.actionSets.removeValue(forKey: h) != nil else { return XR_ERROR_HANDLE_INVALID }
        for (a, action) in rt.actions where action.actionSet == h { rt.actions[a] = nil }
        return XR_SUCCESS
    }
}

let simCreateAction: PFN_xrCreateAction = { set, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let sh = handleValue(set)
        guard let actionSet = rt.actionSets[sh] else { return XR_ERROR_HANDLE_INVALID }
        guard !actionSet.attached else { return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED }
        var subs: [XrPath] = []
        for i in 0..<Int(info.pointee.countSubactionPaths) {
            guard let p = info.pointee.subactionPaths else { return XR_ERROR_VALIDATION_FAILURE }
            subs.append(p[i])
        }
        let h = rt.newHandle()
        rt.actions[h] = SimAction(actionSet: sh, name: readCString(info.pointee.actionName), type: info.pointee.actionType, subactionPaths: subs)
        out.pointee = makeHandle(h)
        return XR_SUCCESS
    }
}

let simDestroyAction: PFN_xrDestroyAction = { action in
    rt.withLock { rt.actions.removeValue(forKey: handleValue(action)) != nil ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID }
}

let simSuggestBindings: PFN_xrSuggestInteractionProfileBindings = { instance, info in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let ih = handleValue(instance)
        guard rt.instances[ih] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard let profile = rt.string(for: info.pointee.interactionProfile), profile.hasPrefix("/interaction_profiles/") else {
            return XR_ERROR_PATH_UNSUPPORTED
        }
        var list: [(action: UInt, binding: XrPath)] = []
        for i in 0..<Int(info.pointee.countSuggestedBindings) {
            guard let b = info.pointee.suggestedBindings?[i] else { return XR_ERROR_VALIDATION_FAILURE }
            let ah = handleValue(b.action)
            guard let action = rt.actions[ah] else { return XR_ERROR_HANDLE_INVALID }
            guard rt.actionSets[action.actionSet]?.attached == false else { return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED }
            guard rt.string(for: b.binding)?.hasPrefix("/user/") == true else { return XR_ERROR_PATH_UNSUPPORTED }
            list.append((ah, b.binding))
        }
        rt.suggested[ih, default: [:]][info.pointee.interactionProfile] = list
        return XR_SUCCESS
    }
}

let simAttachSessionActionSets: PFN_xrAttachSessionActionSets = { session, info in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let sh = handleValue(session)
        guard let s = rt.sessions[sh] else { return XR_ERROR_HANDLE_INVALID }
        guard s.attachedActionSets.isEmpty else { return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED }
        for i in 0..<Int(info.pointee.countActionSets) {
            guard let h = info.pointee.actionSets?[i], let set = rt.actionSets[handleValue(h)] else { return XR_ERROR_HANDLE_INVALID }
            set.attached = true
            s.attachedActionSets.append(handleValue(h))
        }
        rt.instances[s.instance]?.eventQueue.append(.interactionProfileChanged(session: sh))
        return XR_SUCCESS
    }
}

extension SimRuntime {
    /// The active profile's suggested binding paths for an action, filtered by subaction path.
    func bindings(session s: SimSession, action: UInt, subaction: XrPath) -> [String] {
        let profile = path(config.interactionProfile)
        let list = suggested[s.instance]?[profile] ?? []
        let prefix = subaction == 0 ? "" : (string(for: subaction) ?? "") + "/"
        return list.filter { $0.action == action }.compactMap { string(for: $0.binding) }.filter { $0.hasPrefix(prefix) }
    }

    func inputValue(bindings: [String], at time: XrTime) -> (scalar: Float, vector: SIMD2<Float>) {
        let t = seconds(at: time)
        var best: (scalar: Float, vector: SIMD2<Float>) = (0, .zero)
        for input in config.inputs where input.active(at: t) {
            for b in bindings {
                if let v = input.drive(binding: b), abs(v.scalar) >= abs(best.scalar) || v.vector != .zero { best = v }
            }
        }
        return best
    }

    /// Common checks of xrGetActionState*: returns the session, the binding paths and whether input is live.
    func actionQuery(_ session: XrSession?, _ info: UnsafePointer<XrActionStateGetInfo>?, expect: [XrActionType])
        -> Result<(SimSession, [String], Bool), XrResultBox> {
        guard let info else { return .failure(XrResultBox(XR_ERROR_VALIDATION_FAILURE)) }
        guard let s = sessions[handleValue(session)], let action = actions[handleValue(info.pointee.action)] else {
            return .failure(XrResultBox(XR_ERROR_HANDLE_INVALID))
        }
        guard expect.contains(action.type) else { return .failure(XrResultBox(XR_ERROR_ACTION_TYPE_MISMATCH)) }
        guard s.attachedActionSets.contains(action.actionSet) else { return .failure(XrResultBox(XR_ERROR_ACTIONSET_NOT_ATTACHED)) }
        let sub = info.pointee.subactionPath
        guard sub == 0 || action.subactionPaths.contains(sub) else { return .failure(XrResultBox(XR_ERROR_PATH_UNSUPPORTED)) }
        let b = bindings(session: s, action: handleValue(info.pointee.action), subaction: sub)
        return .success((s, b, s.focusedAtSync && !b.isEmpty))
    }
}

struct XrResultBox: Error { let result: XrResult; init(_ r: XrResult) { result = r } }

let simSyncActions: PFN_xrSyncActions = { session, info in
    rt.withLock {
        guard let s = rt.sessions[handleValue(session)] else { return XR_ERROR_HANDLE_INVALID }
        guard s.running else { return XR_ERROR_SESSION_NOT_RUNNING }
        s.previousSyncTime = s.lastSyncTime
        s.lastSyncTime = s.lastWaitedTime
        s.focusedAtSync = s.state == XR_SESSION_STATE_FOCUSED
        return s.focusedAtSync ? XR_SUCCESS : XR_SESSION_NOT_FOCUSED
    }
}

let simGetActionStateBoolean: PFN_xrGetActionStateBoolean = { session, info, state in
    guard let state else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        switch rt.actionQuery(session, info, expect: [XR_ACTION_TYPE_BOOLEAN_INPUT]) {
        case let .failure(e): return e.result
        case let .success((s, bindings, active)):
            let now = active && rt.inputValue(bindings: bindings, at: s.lastSyncTime).scalar > 0.5
            let before = active && s.previousSyncTime > 0 && rt.inputValue(bindings: bindings, at: s.previousSyncTime).scalar > 0.5
            state.pointee.currentState = XrBool32(now ? XR_TRUE : XR_FALSE)
            state.pointee.changedSinceLastSync = XrBool32(now != before ? XR_TRUE : XR_FALSE)
            state.pointee.lastChangeTime = s.lastSyncTime
            state.pointee.isActive = XrBool32(active ? XR_TRUE : XR_FALSE)
            return XR_SUCCESS
        }
    }
}

let simGetActionStateFloat: PFN_xrGetActionStateFloat = { session, info, state in
    guard let state else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        switch rt.actionQuery(session, info, expect: [XR_ACTION_TYPE_FLOAT_INPUT]) {
        case let .failure(e): return e.result
        case let .success((s, bindings, active)):
            let now = active ? rt.inputValue(bindings: bindings, at: s.lastSyncTime).scalar : 0
            let before = active && s.previousSyncTime > 0 ? rt.inputValue(bindings: bindings, at: s.previousSyncTime).scalar : 0
            state.pointee.currentState = now
            state.pointee.changedSinceLastSync = XrBool32(now != before ? XR_TRUE : XR_FALSE)
            state.pointee.lastChangeTime = s.lastSyncTime
            state.pointee.isActive = XrBool32(active ? XR_TRUE : XR_FALSE)
            return XR_SUCCESS
        }
    }
}

let simGetActionStateVector2f: PFN_xrGetActionStateVector2f = { session, info, state in
    guard let state else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        switch rt.actionQuery(session, info, expect: [XR_ACTION_TYPE_VECTOR2F_INPUT]) {
        case let .failure(e): return e.result
        case let .success((s, bindings, active)):
            let now = active ? rt.inputValue(bindings: bindings, at: s.lastSyncTime).vector : .zero
            let before = active && s.previousSyncTime > 0 ? rt.inputValue(bindings: bindings, at: s.previousSyncTime).vector : .zero
            state.pointee.currentState = XrVector2f(x: now.x, y: now.y)
            state.pointee.changedSinceLastSync = XrBool32(now != before ? XR_TRUE : XR_FALSE)
            state.pointee.lastChangeTime = s.lastSyncTime
            state.pointee.isActive = XrBool32(active ? XR_TRUE : XR_FALSE)
            return XR_SUCCESS
        }
    }
}

let simGetActionStatePose: PFN_xrGetActionStatePose = { session, info, state in
    guard let state else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        switch rt.actionQuery(session, info, expect: [XR_ACTION_TYPE_POSE_INPUT]) {
        case let .failure(e): return e.result
        case let .success((_, _, active)):
            state.pointee.isActive = XrBool32(active ? XR_TRUE : XR_FALSE)
            return XR_SUCCESS
        }
    }
}

let simGetCurrentInteractionProfile: PFN_xrGetCurrentInteractionProfile = { session, topLevel, state in
    guard let state else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let s = rt.sessions[handleValue(session)] else { return XR_ERROR_HANDLE_INVALID }
        guard !s.attachedActionSets.isEmpty else { return XR_ERROR_ACTIONSET_NOT_ATTACHED }
        let profile = rt.path(rt.config.interactionProfile)
        state.pointee.interactionProfile = rt.suggested[s.instance]?[profile] != nil ? profile : 0
        return XR_SUCCESS
    }
}

let simEnumerateBoundSources: PFN_xrEnumerateBoundSourcesForAction = { session, info, capacity, count, sources in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let s = rt.sessions[handleValue(session)] else { return XR_ERROR_HANDLE_INVALID }
        let paths = rt.bindings(session: s, action: handleValue(info.pointee.action), subaction: 0).map { rt.path($0) }
        return twoCall(paths, capacity: capacity, count: count, out: sources) { $0.pointee = $1 }
    }
}

let simGetInputSourceLocalizedName: PFN_xrGetInputSourceLocalizedName = { session, info, capacity, count, buffer in
    guard let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.sessions[handleValue(session)] != nil, let name = rt.string(for: info.pointee.sourcePath) else { return XR_ERROR_PATH_INVALID }
        return twoCallString(name, capacity: capacity, count: count, buffer: buffer)
    }
}

let simApplyHapticFeedback: PFN_xrApplyHapticFeedback = { session, info, haptic in
    rt.withLock { rt.sessions[handleValue(session)] != nil ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID }
}

let simStopHapticFeedback: PFN_xrStopHapticFeedback = { session, info in
    rt.withLock { rt.sessions[handleValue(session)] != nil ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID }
}
