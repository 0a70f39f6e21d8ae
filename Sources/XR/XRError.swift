// Errors of the XR module: every failing OpenXR or Vulkan call becomes a thrown error that names the call.
import COpenXR
import CVulkan

public enum XRError: Error, CustomStringConvertible, Equatable {
    /// An OpenXR call failed; `result` is its XrResult name, e.g. "XR_ERROR_SESSION_LOST".
    case call(name: String, result: String)
    /// A Vulkan call failed; `result` is the VkResult value.
    case vulkan(call: String, result: Int32)
    /// No OpenXR runtime could be loaded (no active runtime, or the loader rejected it).
    case noRuntime(detail: String)
    /// The runtime lacks something the app needs (extension, view configuration, format).
    case unsupported(String)

    public var description: String {
        switch self {
        case let .call(name, result):
            return "\(name) failed with \(result)"
        case let .vulkan(call, result):
            return "\(call) failed with VkResult \(result)"
        case let .noRuntime(detail):
            return "no OpenXR runtime: \(detail). Install and select one (Monado: apt install monado-service; "
                + "SteamVR: set it as the OpenXR runtime in its settings), or run in desktop mode."
        case let .unsupported(what):
            return "the OpenXR runtime does not support \(what)"
        }
    }
}

extension XRError {
    /// The runtime lost the session or instance: recreate rather than give up.
    public var isLoss: Bool {
        if case let .call(_, result) = self { return result == "XR_ERROR_SESSION_LOST" || result == "XR_ERROR_INSTANCE_LOST" }
        return false
    }
}

/// The XrResult's name from openxr_reflection.h.
func xrResultName(_ r: XrResult) -> String { String(cString: exposure_xr_result_name(r)) }

/// Throws unless `result` is a success code; returns it so callers can look at XR_SESSION_LOSS_PENDING etc.
@discardableResult
func xrCheck(_ name: String, _ result: XrResult) throws -> XrResult {
    guard exposure_xr_succeeded(result) != 0 else { throw XRError.call(name: name, result: xrResultName(result)) }
    return result
}

func vkCheck(_ call: String, _ result: VkResult) throws {
    guard result == VK_SUCCESS else { throw XRError.vulkan(call: call, result: result.rawValue) }
}
