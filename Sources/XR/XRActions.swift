// The patient's controls as OpenXR actions (grips, pause, rating slider, trigger), with suggested
// bindings for the four controller families.
import COpenXR

final class XRActions {
    private let instance: XrInstance
    let actionSet: XrActionSet
    private let grip: XrAction, optOutButton: XrAction, pause: XrAction, sudsAxis: XrAction, trigger: XrAction
    private let left: XrPath, right: XrPath

    /// The instance outlives the action set.
    private let owner: XRInstance

    init(instance: XRInstance, settings: InputSettings) throws {
        self.owner = instance
        self.instance = instance.handle
        var setInfo = XrActionSetCreateInfo()
        setInfo.type = XR_TYPE_ACTION_SET_CREATE_INFO
        setCString(&setInfo.actionSetName, "exposure")
        setCString(&setInfo.localizedActionSetName, "Exposure session")
        var set: XrActionSet?
        try xrCheck("xrCreateActionSet", xrCreateActionSet(instance.handle, &setInfo, &set))
        guard let set else { throw XRError.call(name: "xrCreateActionSet", result: "null handle") }
        actionSet = set
        do {
            left = try XRActions.path(instance.handle, "/user/hand/left")
            right = try XRActions.path(instance.handle, "/user/hand/right")
            grip = try XRActions.action(set, "grip", "Hold both grips to stop", XR_ACTION_TYPE_FLOAT_INPUT, [left, right])
            optOutButton = try XRActions.action(set, "opt_out_button", "Stop button", XR_ACTION_TYPE_BOOLEAN_INPUT, [])
            pause = try XRActions.action(set, "pause", "Pause", XR_ACTION_TYPE_BOOLEAN_INPUT, [])
            sudsAxis = try XRActions.action(set, "suds_slider", "Distress rating slider", XR_ACTION_TYPE_FLOAT_INPUT, [])
            trigger = try XRActions.action(set, "consent_trigger", "Hold the trigger to go on", XR_ACTION_TYPE_FLOAT_INPUT, [left, right])
            try suggest(settings: settings)
        } catch {
            xrDestroyActionSet(set); throw error
        }
    }

    /// Per profile: grips (or the closest thing), a pause button, the slider axis, and the
    /// triggers (consent to go on). The simple controller has only select: one select held is
    /// the trigger, both held are the grips, and InputInterpreter keeps the two apart.
    static let profiles: [(profile: String, grip: [String], pause: [String], suds: [String], trigger: [String])] = [
        ("/interaction_profiles/khr/simple_controller",
         ["/user/hand/left/input/select/click", "/user/hand/right/input/select/click"],
         ["/user/hand/left/input/menu/click", "/user/hand/right/input/menu/click"], [],
         ["/user/hand/left/input/select/click", "/user/hand/right/input/select/click"]),
        ("/interaction_profiles/oculus/touch_controller",
         ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
         ["/user/hand/left/input/menu/click"], ["/user/hand/right/input/thumbstick/y"],
         ["/user/hand/left/input/trigger/value", "/user/hand/right/input/trigger/value"]),
        ("/interaction_profiles/valve/index_controller",
         ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
         ["/user/hand/left/input/b/click"], ["/user/hand/right/input/thumbstick/y"],
         ["/user/hand/left/input/trigger/value", "/user/hand/right/input/trigger/value"]),
        ("/interaction_profiles/htc/vive_controller",
         ["/user/hand/left/input/squeeze/click", "/user/hand/right/input/squeeze/click"],
         ["/user/hand/left/input/menu/click", "/user/hand/right/input/menu/click"], ["/user/hand/right/input/trackpad/y"],
         ["/user/hand/left/input/trigger/value", "/user/hand/right/input/trigger/value"]),
    ]

    private func suggest(settings: InputSettings) throws {
        for p in XRActions.profiles {
            var bindings: [XrActionSuggestedBinding] = []
            for g in p.grip { bindings.append(XrActionSuggestedBinding(action: grip, binding: try XRActions.path(instance, g))) }
            for b in p.pause { bindings.append(XrActionSuggestedBinding(action: pause, binding: try XRActions.path(instance, b))) }
            for s in p.suds { bindings.append(XrActionSuggestedBinding(action: sudsAxis, binding: try XRActions.path(instance, s))) }
            for t in p.trigger { bindings.append(XrActionSuggestedBinding(action: trigger, binding: try XRActions.path(instance, t))) }
            if let button = settings.optOutButtons[p.profile] {
                bindings.append(XrActionSuggestedBinding(action: optOutButton, binding: try XRActions.path(instance, button)))
            }
            var info = XrInteractionProfileSuggestedBinding()
            info.type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING
            info.interactionProfile = try XRActions.path(instance, p.profile)
            try bindings.withUnsafeBufferPointer { buf in
                info.countSuggestedBindings = UInt32(buf.count)
                info.suggestedBindings = buf.baseAddress
                try xrCheck("xrSuggestInteractionProfileBindings(\(p.profile))", xrSuggestInteractionProfileBindings(instance, &info))
            }
        }
    }

    func attach(to session: XrSession) throws {
        var set: XrActionSet? = actionSet
        try withUnsafePointer(to: &set) { p in
            var info = XrSessionActionSetsAttachInfo()
            info.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO
            info.countActionSets = 1
            info.actionSets = p
            try xrCheck("xrAttachSessionActionSets", xrAttachSessionActionSets(session, &info))
        }
    }

    /// Sync and read; call only while FOCUSED (otherwise the runtime reports everything inactive).
    func read(session: XrSession) throws -> ControllerReading {
        var active = XrActiveActionSet(actionSet: actionSet, subactionPath: 0)
        try withUnsafePointer(to: &active) { p in
            var sync = XrActionsSyncInfo()
            sync.type = XR_TYPE_ACTIONS_SYNC_INFO
            sync.countActiveActionSets = 1
            sync.activeActionSets = p
            try xrCheck("xrSyncActions", xrSyncActions(session, &sync))
        }
        var r = ControllerReading()
        r.leftGrip = try float(session, grip, left)
        r.rightGrip = try float(session, grip, right)
        r.optOutButton = try bool(session, optOutButton)
        r.pause = try bool(session, pause)
        r.sudsAxis = try float(session, sudsAxis, 0)
        r.leftTrigger = try float(session, trigger, left)
        r.rightTrigger = try float(session, trigger, right)
        return r
    }

    private func float(_ session: XrSession, _ action: XrAction, _ sub: XrPath) throws -> Float {
        var info = XrActionStateGetInfo(type: XR_TYPE_ACTION_STATE_GET_INFO, next: nil, action: action, subactionPath: sub)
        var state = XrActionStateFloat(); state.type = XR_TYPE_ACTION_STATE_FLOAT
        try xrCheck("xrGetActionStateFloat", xrGetActionStateFloat(session, &info, &state))
        return state.isActive != 0 ? state.currentState : 0
    }

    private func bool(_ session: XrSession, _ action: XrAction) throws -> Bool {
        var info = XrActionStateGetInfo(type: XR_TYPE_ACTION_STATE_GET_INFO, next: nil, action: action, subactionPath: 0)
        var state = XrActionStateBoolean(); state.type = XR_TYPE_ACTION_STATE_BOOLEAN
        try xrCheck("xrGetActionStateBoolean", xrGetActionStateBoolean(session, &info, &state))
        return state.isActive != 0 && state.currentState != 0
    }

    /// The interaction profile the runtime uses for a hand ("/interaction_profiles/..."), nil when none is bound yet.
    static func currentProfile(_ instance: XrInstance, _ session: XrSession) -> String? {
        for hand in ["/user/hand/left", "/user/hand/right"] {
            guard let user = try? path(instance, hand) else { continue }
            var state = XrInteractionProfileState(); state.type = XR_TYPE_INTERACTION_PROFILE_STATE
            guard xrGetCurrentInteractionProfile(session, user, &state) == XR_SUCCESS, state.interactionProfile != 0 else { continue }
            var count: UInt32 = 0
            guard xrPathToString(instance, state.interactionProfile, 0, &count, nil) == XR_SUCCESS, count > 0 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(count))
            guard xrPathToString(instance, state.interactionProfile, count, &count, &buffer) == XR_SUCCESS else { continue }
            return String(cString: buffer)
        }
        return nil
    }

    static func path(_ instance: XrInstance, _ s: String) throws -> XrPath {
        var p: XrPath = 0
        try xrCheck("xrStringToPath(\(s))", xrStringToPath(instance, s, &p))
        return p
    }

    static func action(_ set: XrActionSet, _ name: String, _ localized: String, _ type: XrActionType, _ subs: [XrPath]) throws -> XrAction {
        var ci = XrActionCreateInfo()
        ci.type = XR_TYPE_ACTION_CREATE_INFO
        setCString(&ci.actionName, name)
        setCString(&ci.localizedActionName, localized)
        ci.actionType = type
        var a: XrAction?
        try subs.withUnsafeBufferPointer { buf in
            ci.countSubactionPaths = UInt32(buf.count)
            ci.subactionPaths = buf.count > 0 ? buf.baseAddress : nil
            try xrCheck("xrCreateAction(\(name))", xrCreateAction(set, &ci, &a))
        }
        guard let a else { throw XRError.call(name: "xrCreateAction", result: "null handle") }
        return a
    }

    deinit { xrDestroyActionSet(actionSet) }
}
