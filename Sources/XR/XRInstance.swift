// An OpenXR instance with XR_KHR_vulkan_enable2, its HMD system, and a debug messenger when offered.
import COpenXR
import Foundation

final class XRInstance {
    let handle: XrInstance
    let systemId: XrSystemId
    let extensions: Set<String>
    let runtimeName: String
    let runtimeVersion: String
    /// The headset as xrGetSystemProperties names it (e.g. "Monado: Simulated HMD").
    let systemName: String
    private var messenger: XrDebugUtilsMessengerEXT?
    private let messages: MessageLog

    static func availableExtensions() throws -> Set<String> {
        var count: UInt32 = 0
        try xrCheck("xrEnumerateInstanceExtensionProperties", xrEnumerateInstanceExtensionProperties(nil, 0, &count, nil))
        var blank = XrExtensionProperties(); blank.type = XR_TYPE_EXTENSION_PROPERTIES
        var props = [XrExtensionProperties](repeating: blank, count: Int(count))
        try xrCheck("xrEnumerateInstanceExtensionProperties", xrEnumerateInstanceExtensionProperties(nil, count, &count, &props))
        return Set(props.prefix(Int(count)).map { cString($0.extensionName) })
    }

    init(appName: String, messages: MessageLog, wantDepth: Bool) throws {
        self.messages = messages
        let available: Set<String>
        do { available = try XRInstance.availableExtensions() } catch let e as XRError {
            throw XRError.noRuntime(detail: e.description)
        }
        guard available.contains("XR_KHR_vulkan_enable2") else { throw XRError.unsupported("XR_KHR_vulkan_enable2") }
        var wanted = ["XR_KHR_vulkan_enable2"]
        for optional in ["XR_EXT_debug_utils", "XR_FB_display_refresh_rate"] + (wantDepth ? ["XR_KHR_composition_layer_depth"] : []) where available.contains(optional) {
            wanted.append(optional)
        }
        extensions = Set(wanted)
        var info = XrInstanceCreateInfo()
        info.type = XR_TYPE_INSTANCE_CREATE_INFO
        setCString(&info.applicationInfo.applicationName, appName)
        setCString(&info.applicationInfo.engineName, "exposure")
        info.applicationInfo.apiVersion = exposure_xr_make_version(1, 0, 0)
        let cNames = wanted.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        var instance: XrInstance?
        let result: XrResult = cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
            info.enabledExtensionCount = UInt32(names.count)
            info.enabledExtensionNames = names.baseAddress
            return xrCreateInstance(&info, &instance)
        }
        if result == XR_ERROR_RUNTIME_UNAVAILABLE || result == XR_ERROR_INSTANCE_LOST {
            throw XRError.noRuntime(detail: "xrCreateInstance returned \(xrResultName(result))")
        }
        try xrCheck("xrCreateInstance", result)
        guard let instance else { throw XRError.call(name: "xrCreateInstance", result: "null handle") }
        handle = instance

        var props = XrInstanceProperties(); props.type = XR_TYPE_INSTANCE_PROPERTIES
        _ = xrGetInstanceProperties(instance, &props)
        runtimeName = cString(props.runtimeName)
        runtimeVersion = "\(exposure_xr_version_major(props.runtimeVersion)).\(exposure_xr_version_minor(props.runtimeVersion)).\(exposure_xr_version_patch(props.runtimeVersion))"

        var systemInfo = XrSystemGetInfo(type: XR_TYPE_SYSTEM_GET_INFO, next: nil, formFactor: XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY)
        var system: XrSystemId = 0
        let systemResult = xrGetSystem(instance, &systemInfo, &system)
        guard exposure_xr_succeeded(systemResult) != 0 else {
            xrDestroyInstance(instance)
            throw XRError.call(name: "xrGetSystem", result: xrResultName(systemResult))
        }
        systemId = system
        var systemProps = XrSystemProperties(); systemProps.type = XR_TYPE_SYSTEM_PROPERTIES
        systemName = xrGetSystemProperties(instance, system, &systemProps) == XR_SUCCESS ? cString(systemProps.systemName) : ""
        if extensions.contains("XR_EXT_debug_utils") { createMessenger() }
    }

    func proc<T>(_ name: String, as: T.Type) throws -> T {
        var f: PFN_xrVoidFunction?
        try xrCheck("xrGetInstanceProcAddr(\(name))", xrGetInstanceProcAddr(handle, name, &f))
        guard let f else { throw XRError.unsupported(name) }
        return unsafeBitCast(f, to: T.self)
    }

    private func createMessenger() {
        guard let create = try? proc("xrCreateDebugUtilsMessengerEXT", as: PFN_xrCreateDebugUtilsMessengerEXT.self) else { return }
        var info = XrDebugUtilsMessengerCreateInfoEXT()
        info.type = XR_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        info.messageSeverities = XrDebugUtilsMessageSeverityFlagsEXT(XR_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT
                                                                    | XR_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
        info.messageTypes = XrDebugUtilsMessageTypeFlagsEXT(XR_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT
            | XR_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | XR_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT
            | XR_DEBUG_UTILS_MESSAGE_TYPE_CONFORMANCE_BIT_EXT)
        info.userCallback = { _, _, data, user in
            guard let data, let user else { return XrBool32(XR_FALSE) }
            let log = Unmanaged<MessageLog>.fromOpaque(user).takeUnretainedValue()
            let text = data.pointee.message.map { String(cString: $0) } ?? "(no text)"
            let function = data.pointee.functionName.map { String(cString: $0) } ?? "?"
            log.append("OpenXR \(function): \(text)")
            return XrBool32(XR_FALSE)
        }
        info.userData = Unmanaged.passUnretained(messages).toOpaque()
        var m: XrDebugUtilsMessengerEXT?
        if create(handle, &info, &m) == XR_SUCCESS { messenger = m }
    }

    deinit {
        if let messenger, let destroy = try? proc("xrDestroyDebugUtilsMessengerEXT", as: PFN_xrDestroyDebugUtilsMessengerEXT.self) {
            _ = destroy(messenger)
        }
        xrDestroyInstance(handle)
    }
}

func cString<T>(_ field: T) -> String {
    var copy = field
    return withUnsafeBytes(of: &copy) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

func setCString<T>(_ field: inout T, _ string: String) {
    withUnsafeMutableBytes(of: &field) { buf in
        let bytes = Array(string.utf8.prefix(buf.count - 1))
        buf.copyBytes(from: bytes)
        buf[bytes.count] = 0
    }
}
