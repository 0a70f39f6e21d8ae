// The runtime's entry points: the loader negotiates through the one exported C symbol and then
// finds every other function through the xrGetInstanceProcAddr it is handed.
import COpenXR
import Foundation
#if canImport(Glibc)
import Glibc
#endif

private func entry<T>(_ f: T) -> PFN_xrVoidFunction { unsafeBitCast(f, to: PFN_xrVoidFunction.self) }

private let simCreateDebugUtilsMessenger: PFN_xrCreateDebugUtilsMessengerEXT = { instance, info, out in
    guard let out, let info else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.instances[handleValue(instance)] != nil else { return XR_ERROR_HANDLE_INVALID }
        let h = rt.newHandle()
        rt.messengers[h] = SimMessenger(instance: handleValue(instance), callback: info.pointee.userCallback, userData: info.pointee.userData)
        out.pointee = makeHandle(h)
        return XR_SUCCESS
    }
}
private let simDestroyDebugUtilsMessenger: PFN_xrDestroyDebugUtilsMessengerEXT = { messenger in
    rt.withLock { rt.messengers.removeValue(forKey: handleValue(messenger)) != nil ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID }
}
private let simSetDebugUtilsObjectName: PFN_xrSetDebugUtilsObjectNameEXT = { _, _ in XR_SUCCESS }
private let simSubmitDebugUtilsMessage: PFN_xrSubmitDebugUtilsMessageEXT = { _, _, _, _ in XR_SUCCESS }
private let simBeginLabelRegion: PFN_xrSessionBeginDebugUtilsLabelRegionEXT = { _, _ in XR_SUCCESS }
private let simEndLabelRegion: PFN_xrSessionEndDebugUtilsLabelRegionEXT = { _ in XR_SUCCESS }
private let simInsertLabel: PFN_xrSessionInsertDebugUtilsLabelEXT = { _, _ in XR_SUCCESS }

private let functionTable: [String: PFN_xrVoidFunction] = [
    "xrEnumerateInstanceExtensionProperties": entry(simEnumerateInstanceExtensionProperties),
    "xrCreateInstance": entry(simCreateInstance),
    "xrDestroyInstance": entry(simDestroyInstance),
    "xrGetInstanceProperties": entry(simGetInstanceProperties),
    "xrPollEvent": entry(simPollEvent),
    "xrResultToString": entry(simResultToString),
    "xrStructureTypeToString": entry(simStructureTypeToString),
    "xrStringToPath": entry(simStringToPath),
    "xrPathToString": entry(simPathToString),
    "xrGetSystem": entry(simGetSystem),
    "xrGetSystemProperties": entry(simGetSystemProperties),
    "xrEnumerateEnvironmentBlendModes": entry(simEnumerateEnvironmentBlendModes),
    "xrEnumerateViewConfigurations": entry(simEnumerateViewConfigurations),
    "xrGetViewConfigurationProperties": entry(simGetViewConfigurationProperties),
    "xrEnumerateViewConfigurationViews": entry(simEnumerateViewConfigurationViews),
    "xrCreateSession": entry(simCreateSession),
    "xrDestroySession": entry(simDestroySession),
    "xrBeginSession": entry(simBeginSession),
    "xrEndSession": entry(simEndSession),
    "xrRequestExitSession": entry(simRequestExitSession),
    "xrWaitFrame": entry(simWaitFrame),
    "xrBeginFrame": entry(simBeginFrame),
    "xrEndFrame": entry(simEndFrame),
    "xrEnumerateSwapchainFormats": entry(simEnumerateSwapchainFormats),
    "xrCreateSwapchain": entry(simCreateSwapchain),
    "xrDestroySwapchain": entry(simDestroySwapchain),
    "xrEnumerateSwapchainImages": entry(simEnumerateSwapchainImages),
    "xrAcquireSwapchainImage": entry(simAcquireSwapchainImage),
    "xrWaitSwapchainImage": entry(simWaitSwapchainImage),
    "xrReleaseSwapchainImage": entry(simReleaseSwapchainImage),
    "xrEnumerateReferenceSpaces": entry(simEnumerateReferenceSpaces),
    "xrCreateReferenceSpace": entry(simCreateReferenceSpace),
    "xrGetReferenceSpaceBoundsRect": entry(simGetReferenceSpaceBoundsRect),
    "xrCreateActionSpace": entry(simCreateActionSpace),
    "xrDestroySpace": entry(simDestroySpace),
    "xrLocateSpace": entry(simLocateSpace),
    "xrLocateViews": entry(simLocateViews),
    "xrCreateActionSet": entry(simCreateActionSet),
    "xrDestroyActionSet": entry(simDestroyActionSet),
    "xrCreateAction": entry(simCreateAction),
    "xrDestroyAction": entry(simDestroyAction),
    "xrSuggestInteractionProfileBindings": entry(simSuggestBindings),
    "xrAttachSessionActionSets": entry(simAttachSessionActionSets),
    "xrGetCurrentInteractionProfile": entry(simGetCurrentInteractionProfile),
    "xrSyncActions": entry(simSyncActions),
    "xrGetActionStateBoolean": entry(simGetActionStateBoolean),
    "xrGetActionStateFloat": entry(simGetActionStateFloat),
    "xrGetActionStateVector2f": entry(simGetActionStateVector2f),
    "xrGetActionStatePose": entry(simGetActionStatePose),
    "xrEnumerateBoundSourcesForAction": entry(simEnumerateBoundSources),
    "xrGetInputSourceLocalizedName": entry(simGetInputSourceLocalizedName),
    "xrApplyHapticFeedback": entry(simApplyHapticFeedback),
    "xrStopHapticFeedback": entry(simStopHapticFeedback),
    // XR_KHR_vulkan_enable2
    "xrGetVulkanGraphicsRequirements2KHR": entry(simGetVulkanGraphicsRequirements2),
    "xrCreateVulkanInstanceKHR": entry(simCreateVulkanInstance),
    "xrGetVulkanGraphicsDevice2KHR": entry(simGetVulkanGraphicsDevice2),
    "xrCreateVulkanDeviceKHR": entry(simCreateVulkanDevice),
    // XR_KHR_convert_timespec_time
    "xrConvertTimespecTimeToTimeKHR": entry(simConvertTimespecTimeToTime),
    "xrConvertTimeToTimespecTimeKHR": entry(simConvertTimeToTimespecTime),
    // XR_EXT_debug_utils (accepted; the simulated runtime itself has nothing to report)
    "xrCreateDebugUtilsMessengerEXT": entry(simCreateDebugUtilsMessenger),
    "xrDestroyDebugUtilsMessengerEXT": entry(simDestroyDebugUtilsMessenger),
    "xrSetDebugUtilsObjectNameEXT": entry(simSetDebugUtilsObjectName),
    "xrSubmitDebugUtilsMessageEXT": entry(simSubmitDebugUtilsMessage),
    "xrSessionBeginDebugUtilsLabelRegionEXT": entry(simBeginLabelRegion),
    "xrSessionEndDebugUtilsLabelRegionEXT": entry(simEndLabelRegion),
    "xrSessionInsertDebugUtilsLabelEXT": entry(simInsertLabel),
    "xrEnumerateDisplayRefreshRatesFB": entry(simEnumerateDisplayRefreshRates),
    "xrGetDisplayRefreshRateFB": entry(simGetDisplayRefreshRate),
    "xrRequestDisplayRefreshRateFB": entry(simRequestDisplayRefreshRate),
]

private let preInstanceFunctions: Set<String> = ["xrEnumerateInstanceExtensionProperties", "xrEnumerateApiLayerProperties", "xrCreateInstance"]

private let simGetInstanceProcAddr: PFN_xrGetInstanceProcAddr = { instance, name, function in
    guard let name, let function else { return XR_ERROR_VALIDATION_FAILURE }
    function.pointee = nil
    let n = String(cString: name)
    if instance == nil {
        guard preInstanceFunctions.contains(n) else { return XR_ERROR_HANDLE_INVALID }
    } else if !rt.withLock({ rt.instances[handleValue(instance)] != nil }) {
        return XR_ERROR_HANDLE_INVALID
    }
    if n == "xrGetInstanceProcAddr" { function.pointee = entry(simGetInstanceProcAddr); return XR_SUCCESS }
    guard let f = functionTable[n] else { return XR_ERROR_FUNCTION_UNSUPPORTED }
    function.pointee = f
    return XR_SUCCESS
}

/// Loader <-> runtime negotiation: agree on interface version 1 and hand over xrGetInstanceProcAddr.
@_cdecl("xrNegotiateLoaderRuntimeInterface")
public func xrNegotiateLoaderRuntimeInterface(_ loaderInfo: UnsafePointer<XrNegotiateLoaderInfo>?,
                                              _ runtimeRequest: UnsafeMutablePointer<XrNegotiateRuntimeRequest>?) -> XrResult {
    guard let info = loaderInfo?.pointee, let request = runtimeRequest else { return XR_ERROR_INITIALIZATION_FAILED }
    let version = exposure_xr_current_loader_runtime_version()
    guard info.structType == XR_LOADER_INTERFACE_STRUCT_LOADER_INFO,
          info.structVersion == exposure_xr_loader_info_struct_version(),
          info.structSize == MemoryLayout<XrNegotiateLoaderInfo>.size,
          request.pointee.structType == XR_LOADER_INTERFACE_STRUCT_RUNTIME_REQUEST,
          request.pointee.structVersion == exposure_xr_runtime_info_struct_version(),
          request.pointee.structSize == MemoryLayout<XrNegotiateRuntimeRequest>.size,
          info.minInterfaceVersion <= version, info.maxInterfaceVersion >= version,
          exposure_xr_version_major(info.minApiVersion) <= 1, exposure_xr_version_major(info.maxApiVersion) >= 1 else {
        return XR_ERROR_INITIALIZATION_FAILED
    }
    pinLibraryInMemory()
    request.pointee.runtimeInterfaceVersion = version
    request.pointee.runtimeApiVersion = exposure_xr_current_api_version()
    request.pointee.getInstanceProcAddr = simGetInstanceProcAddr
    return XR_SUCCESS
}

/// The loader unloads the runtime after enumerating extensions and at xrDestroyInstance. A Swift
/// library must never be unloaded (the Swift runtime keeps pointers to its type metadata), so the
/// library re-opens itself with RTLD_NODELETE the first time the loader negotiates.
private func pinLibraryInMemory() {
    let address = UInt(bitPattern: unsafeBitCast(simGetInstanceProcAddr, to: UnsafeRawPointer.self))
    guard let path = mappedFile(containing: address) else {
        rt.withLock { rt.log("warning: cannot find this library in /proc/self/maps; it may be unloaded and crash the app") }
        return
    }
    if dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nil {
        rt.withLock { rt.log("warning: dlopen(RTLD_NODELETE) failed for \(path)") }
    }
}

/// The file mapped at `address`, from /proc/self/maps (dladdr needs _GNU_SOURCE, which Swift's Glibc lacks).
/// Read with stdio: /proc files report size 0, which whole-file readers may take literally.
private func mappedFile(containing address: UInt) -> String? {
    guard let file = fopen("/proc/self/maps", "r") else { return nil }
    defer { fclose(file) }
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    while getline(&buffer, &capacity, file) > 0, let cLine = buffer {
        let line = String(cString: cLine).trimmingCharacters(in: .newlines)
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6, let dash = fields[0].firstIndex(of: "-"),
              let start = UInt(fields[0][..<dash], radix: 16),
              let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16) else { continue }
        if address >= start && address < end { return fields[5...].joined(separator: " ") }
    }
    return nil
}
