// Reference and action spaces, space location and views. The world frame is the stage (floor origin);
// LOCAL has its origin at the first scripted head position; controllers hang at fixed offsets from the head.
import COpenXR
import SceneModel

extension Pose {
    func compose(_ b: Pose) -> Pose {
        Pose(position: position + orientation.rotate(b.position), orientation: (orientation * b.orientation).normalized)
    }
    var inverse: Pose {
        let inv = orientation.conjugate
        return Pose(position: -inv.rotate(position), orientation: inv)
    }
    init(_ p: XrPosef) {
        self.init(position: Vec3(p.position.x, p.position.y, p.position.z),
                  orientation: Quat(x: p.orientation.x, y: p.orientation.y, z: p.orientation.z, w: p.orientation.w))
    }
    var xr: XrPosef {
        XrPosef(orientation: XrQuaternionf(x: orientation.x, y: orientation.y, z: orientation.z, w: orientation.w),
                position: XrVector3f(x: position.x, y: position.y, z: position.z))
    }
}

let simFov = XrFovf(angleLeft: -0.785398, angleRight: 0.785398, angleUp: 0.785398, angleDown: -0.785398)
let simIPD: Float = 0.064

extension SimRuntime {
    var offeredSpaces: [XrReferenceSpaceType] {
        [XR_REFERENCE_SPACE_TYPE_VIEW, XR_REFERENCE_SPACE_TYPE_LOCAL] + (config.offerStage ? [XR_REFERENCE_SPACE_TYPE_STAGE] : [])
    }

    /// Where a space's origin is in the stage frame at `time`.
    func worldPose(of space: SimSpace, at time: XrTime) -> Pose {
        let head = config.headPose(at: seconds(at: time))
        let origin: Pose
        if let type = space.referenceType {
            switch type {
            case XR_REFERENCE_SPACE_TYPE_VIEW: origin = head
            case XR_REFERENCE_SPACE_TYPE_LOCAL:
                let start = config.headPose(at: 0)
                origin = Pose(position: start.position, orientation: .identity)
            default: origin = .identity
            }
        } else {
            let left = string(for: space.subactionPath)?.contains("left") ?? false
            origin = head.compose(Pose(position: Vec3(left ? -0.2 : 0.2, -0.3, -0.4)))
        }
        return origin.compose(space.poseInSpace)
    }
}

let simEnumerateReferenceSpaces: PFN_xrEnumerateReferenceSpaces = { session, capacity, count, spaces in
    let offered = rt.withLock { rt.offeredSpaces }
    return twoCall(offered, capacity: capacity, count: count, out: spaces) { $0.pointee = $1 }
}

let simCreateReferenceSpace: PFN_xrCreateReferenceSpace = { session, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let sh = handleValue(session)
        guard rt.sessions[sh] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard rt.offeredSpaces.contains(info.pointee.referenceSpaceType) else { return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED }
        let h = rt.newHandle()
        rt.spaces[h] = SimSpace(session: sh, referenceType: info.pointee.referenceSpaceType, action: nil, subactionPath: 0,
                                poseInSpace: Pose(info.pointee.poseInReferenceSpace))
        out.pointee = makeHandle(h)
        return XR_SUCCESS
    }
}

let simGetReferenceSpaceBoundsRect: PFN_xrGetReferenceSpaceBoundsRect = { session, type, bounds in
    guard let bounds else { return XR_ERROR_VALIDATION_FAILURE }
    if type == XR_REFERENCE_SPACE_TYPE_STAGE && rt.withLock({ rt.config.offerStage }) {
        bounds.pointee = XrExtent2Df(width: 3, height: 3)
        return XR_SUCCESS
    }
    bounds.pointee = XrExtent2Df(width: 0, height: 0)
    return XR_SPACE_BOUNDS_UNAVAILABLE
}

let simCreateActionSpace: PFN_xrCreateActionSpace = { session, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let sh = handleValue(session)
        guard rt.sessions[sh] != nil else { return XR_ERROR_HANDLE_INVALID }
        let ah = handleValue(info.pointee.action)
        guard let action = rt.actions[ah] else { return XR_ERROR_HANDLE_INVALID }
        guard action.type == XR_ACTION_TYPE_POSE_INPUT else { return XR_ERROR_ACTION_TYPE_MISMATCH }
        let h = rt.newHandle()
        rt.spaces[h] = SimSpace(session: sh, referenceType: nil, action: ah, subactionPath: info.pointee.subactionPath,
                                poseInSpace: Pose(info.pointee.poseInActionSpace))
        out.pointee = makeHandle(h)
        return XR_SUCCESS
    }
}

let simDestroySpace: PFN_xrDestroySpace = { space in
    rt.withLock { rt.spaces.removeValue(forKey: handleValue(space)) != nil ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID }
}

let allLocationFlags = XrSpaceLocationFlags(XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT
    | XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

let simLocateSpace: PFN_xrLocateSpace = { space, base, time, location in
    guard let location else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let s = rt.spaces[handleValue(space)], let b = rt.spaces[handleValue(base)] else { return XR_ERROR_HANDLE_INVALID }
        guard time > 0 else { return XR_ERROR_TIME_INVALID }
        let relative = rt.worldPose(of: b, at: time).inverse.compose(rt.worldPose(of: s, at: time))
        location.pointee.pose = relative.xr
        location.pointee.locationFlags = allLocationFlags
        return XR_SUCCESS
    }
}

let simLocateViews: PFN_xrLocateViews = { session, info, viewState, capacity, count, views in
    guard let info, let viewState else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.sessions[handleValue(session)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard info.pointee.viewConfigurationType == XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO else {
            return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED
        }
        guard let base = rt.spaces[handleValue(info.pointee.space)] else { return XR_ERROR_HANDLE_INVALID }
        let time = info.pointee.displayTime
        guard time > 0 else { return XR_ERROR_TIME_INVALID }
        let head = rt.config.headPose(at: rt.seconds(at: time))
        let baseInverse = rt.worldPose(of: base, at: time).inverse
        let eyes = [-simIPD / 2, simIPD / 2].map { x in baseInverse.compose(head.compose(Pose(position: Vec3(x, 0, 0)))) }
        viewState.pointee.viewStateFlags = XrViewStateFlags(XR_VIEW_STATE_ORIENTATION_VALID_BIT | XR_VIEW_STATE_POSITION_VALID_BIT
            | XR_VIEW_STATE_ORIENTATION_TRACKED_BIT | XR_VIEW_STATE_POSITION_TRACKED_BIT)
        return twoCall(eyes, capacity: capacity, count: count, out: views) { p, eye in
            p.pointee.pose = eye.xr
            p.pointee.fov = simFov
        }
    }
}
