// Instance, system, view configuration, events, paths and strings.
import COpenXR
import Foundation

let rt = SimRuntime.shared
let systemIdHMD: XrSystemId = 1

let offeredExtensions: [(String, UInt32)] = [
    ("XR_KHR_vulkan_enable2", 2),
    ("XR_KHR_composition_layer_depth", 6),
    ("XR_EXT_debug_utils", 4),
    ("XR_KHR_convert_timespec_time", 1),
]

/// The extensions on offer: the fixed ones, and XR_FB_display_refresh_rate when the script lists refresh rates.
func offeredExtensionsLocked() -> [(String, UInt32)] {
    rt.loadConfigIfChanged()
    return offeredExtensions + (rt.config.refreshRates == nil ? [] : [("XR_FB_display_refresh_rate", 1)])
}

let simEnumerateInstanceExtensionProperties: PFN_xrEnumerateInstanceExtensionProperties = { layer, capacity, count, props in
    if layer != nil { return XR_ERROR_API_LAYER_NOT_PRESENT }
    return twoCall(rt.withLock { offeredExtensionsLocked() }, capacity: capacity, count: count, out: props) { p, ext in
        setCString(&p.pointee.extensionName, ext.0)
        p.pointee.extensionVersion = ext.1
    }
}

let simCreateInstance: PFN_xrCreateInstance = { info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        rt.loadConfigIfChanged()
        var enabled = Set<String>()
        for i in 0..<Int(info.pointee.enabledExtensionCount) {
            guard let names = info.pointee.enabledExtensionNames, let cname = names[i] else { return XR_ERROR_VALIDATION_FAILURE }
            let name = String(cString: cname)
            guard offeredExtensionsLocked().contains(where: { $0.0 == name }) else {
                rt.log("xrCreateInstance: extension \(name) not offered")
                return XR_ERROR_EXTENSION_NOT_PRESENT
            }
            enabled.insert(name)
        }
        let h = rt.newHandle()
        rt.instances[h] = SimInstance(extensions: enabled)
        out.pointee = makeHandle(h)
        let app = readCString(info.pointee.applicationInfo.applicationName)
        rt.log("instance created app=\(app) extensions=\(enabled.sorted().joined(separator: ","))")
        return XR_SUCCESS
    }
}

let simDestroyInstance: PFN_xrDestroyInstance = { instance in
    rt.withLock {
        let h = handleValue(instance)
        guard rt.instances.removeValue(forKey: h) != nil else { return XR_ERROR_HANDLE_INVALID }
        // Child handles go with their instance.
        for (id, s) in rt.sessions where s.instance == h { destroySessionLocked(id) }
        for (id, set) in rt.actionSets where set.instance == h {
            rt.actionSets[id] = nil
            for (a, action) in rt.actions where action.actionSet == id { rt.actions[a] = nil }
        }
        rt.suggested[h] = nil
        rt.log("instance destroyed")
        return XR_SUCCESS
    }
}

let simGetInstanceProperties: PFN_xrGetInstanceProperties = { instance, props in
    guard let props else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        props.pointee.runtimeVersion = exposure_xr_make_version(0, 1, 0)
        setCString(&props.pointee.runtimeName, "Exposure Simulated Headset")
        return XR_SUCCESS
    }
}

let simPollEvent: PFN_xrPollEvent = { instance, buffer in
    guard let buffer else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let inst = rt.instances[handleValue(instance)] else { return XR_ERROR_HANDLE_INVALID }
        guard !inst.eventQueue.isEmpty else { return XR_EVENT_UNAVAILABLE }
        let event = inst.eventQueue.removeFirst()
        let raw = UnsafeMutableRawPointer(buffer)
        switch event {
        case let .sessionState(session, state, time):
            let p = raw.bindMemory(to: XrEventDataSessionStateChanged.self, capacity: 1)
            p.pointee = XrEventDataSessionStateChanged(type: XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED, next: nil,
                                                       session: makeHandle(session), state: state, time: time)
        case let .interactionProfileChanged(session):
            let p = raw.bindMemory(to: XrEventDataInteractionProfileChanged.self, capacity: 1)
            p.pointee = XrEventDataInteractionProfileChanged(type: XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED,
                                                             next: nil, session: makeHandle(session))
        }
        return XR_SUCCESS
    }
}

let simResultToString: PFN_xrResultToString = { _, value, buffer in
    guard let buffer else { return XR_ERROR_VALIDATION_FAILURE }
    let name = String(cString: exposure_xr_result_name(value))
    let text = name == "XR_RESULT_UNKNOWN" ? (value.rawValue < 0 ? "XR_UNKNOWN_FAILURE_\(-value.rawValue)" : "XR_UNKNOWN_SUCCESS_\(value.rawValue)") : name
    buffer.withMemoryRebound(to: CChar.self, capacity: Int(XR_MAX_RESULT_STRING_SIZE)) { p in
        let bytes = Array(text.utf8CString.prefix(Int(XR_MAX_RESULT_STRING_SIZE) - 1)) + [0]
        for (i, b) in bytes.enumerated() { p[i] = b }
    }
    return XR_SUCCESS
}

let simStructureTypeToString: PFN_xrStructureTypeToString = { _, value, buffer in
    guard let buffer else { return XR_ERROR_VALIDATION_FAILURE }
    let name = String(cString: exposure_xr_structure_type_name(value))
    let text = name == "XR_TYPE_UNKNOWN" ? "XR_UNKNOWN_STRUCTURE_TYPE_\(value.rawValue)" : name
    buffer.withMemoryRebound(to: CChar.self, capacity: Int(XR_MAX_STRUCTURE_NAME_SIZE)) { p in
        let bytes = Array(text.utf8CString.prefix(Int(XR_MAX_STRUCTURE_NAME_SIZE) - 1)) + [0]
        for (i, b) in bytes.enumerated() { p[i] = b }
    }
    return XR_SUCCESS
}

let simStringToPath: PFN_xrStringToPath = { instance, string, out in
    guard let string, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        let s = String(cString: string)
        guard s.hasPrefix("/"), !s.hasSuffix("/"), !s.contains("//") else { return XR_ERROR_PATH_FORMAT_INVALID }
        out.pointee = rt.path(s)
        return XR_SUCCESS
    }
}

let simPathToString: PFN_xrPathToString = { instance, path, capacity, count, buffer in
    rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard let s = rt.string(for: path) else { return XR_ERROR_PATH_INVALID }
        return twoCallString(s, capacity: capacity, count: count, buffer: buffer)
    }
}

let simGetSystem: PFN_xrGetSystem = { instance, info, systemId in
    guard let info, let systemId else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard info.pointee.formFactor == XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY else { return XR_ERROR_FORM_FACTOR_UNSUPPORTED }
        systemId.pointee = systemIdHMD
        return XR_SUCCESS
    }
}

let simGetSystemProperties: PFN_xrGetSystemProperties = { instance, systemId, props in
    guard let props else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
        props.pointee.systemId = systemIdHMD
        props.pointee.vendorId = 0
        setCString(&props.pointee.systemName, rt.config.systemName)
        props.pointee.graphicsProperties.maxSwapchainImageWidth = 4096
        props.pointee.graphicsProperties.maxSwapchainImageHeight = 4096
        props.pointee.graphicsProperties.maxLayerCount = 16
        props.pointee.trackingProperties.orientationTracking = XrBool32(XR_TRUE)
        props.pointee.trackingProperties.positionTracking = XrBool32(XR_TRUE)
        return XR_SUCCESS
    }
}

let simEnumerateEnvironmentBlendModes: PFN_xrEnumerateEnvironmentBlendModes = { instance, systemId, viewConfig, capacity, count, modes in
    guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
    guard viewConfig == XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO else { return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED }
    return twoCall([XR_ENVIRONMENT_BLEND_MODE_OPAQUE], capacity: capacity, count: count, out: modes) { $0.pointee = $1 }
}

let simEnumerateViewConfigurations: PFN_xrEnumerateViewConfigurations = { instance, systemId, capacity, count, types in
    guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
    return twoCall([XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO], capacity: capacity, count: count, out: types) { $0.pointee = $1 }
}

let simGetViewConfigurationProperties: PFN_xrGetViewConfigurationProperties = { instance, systemId, viewConfig, props in
    guard let props else { return XR_ERROR_VALIDATION_FAILURE }
    guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
    guard viewConfig == XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO else { return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED }
    props.pointee.viewConfigurationType = viewConfig
    props.pointee.fovMutable = XrBool32(XR_TRUE)
    return XR_SUCCESS
}

let simEnumerateViewConfigurationViews: PFN_xrEnumerateViewConfigurationViews = { instance, systemId, viewConfig, capacity, count, views in
    guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
    guard viewConfig == XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO else { return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED }
    let (w, h) = rt.withLock { (UInt32(rt.config.width), UInt32(rt.config.height)) }
    return twoCall([0, 1], capacity: capacity, count: count, out: views) { p, _ in
        p.pointee.recommendedImageRectWidth = w
        p.pointee.recommendedImageRectHeight = h
        p.pointee.maxImageRectWidth = 4096
        p.pointee.maxImageRectHeight = 4096
        p.pointee.recommendedSwapchainSampleCount = 1
        p.pointee.maxSwapchainSampleCount = 1
    }
}

let simConvertTimespecTimeToTime: PFN_xrConvertTimespecTimeToTimeKHR = { instance, timespec, time in
    guard let timespec, let time else { return XR_ERROR_VALIDATION_FAILURE }
    time.pointee = XrTime(timespec.pointee.tv_sec) * 1_000_000_000 + XrTime(timespec.pointee.tv_nsec)
    return XR_SUCCESS
}

let simConvertTimeToTimespecTime: PFN_xrConvertTimeToTimespecTimeKHR = { instance, time, timespec in
    guard let timespec else { return XR_ERROR_VALIDATION_FAILURE }
    timespec.pointee.tv_sec = Int(time / 1_000_000_000)
    timespec.pointee.tv_nsec = Int(time % 1_000_000_000)
    return XR_SUCCESS
}
