// One place that turns AL/ALC error codes into `AudioError`s, and one lock that serialises
// OpenAL access: the current context is process-wide, so each engine makes its own context
// current under this lock before touching sources.
import COpenAL
import Foundation

enum AL {
    /// Held around every block of AL calls (they need "their" context current).
    static let lock = NSLock()

    static func errorName(_ code: ALenum) -> String {
        switch code {
        case AL_NO_ERROR: return "AL_NO_ERROR"
        case AL_INVALID_NAME: return "AL_INVALID_NAME"
        case AL_INVALID_ENUM: return "AL_INVALID_ENUM"
        case AL_INVALID_VALUE: return "AL_INVALID_VALUE"
        case AL_INVALID_OPERATION: return "AL_INVALID_OPERATION"
        case AL_OUT_OF_MEMORY: return "AL_OUT_OF_MEMORY"
        default: return "AL error 0x\(String(code, radix: 16))"
        }
    }

    static func alcErrorName(_ code: ALCenum) -> String {
        switch code {
        case ALC_NO_ERROR: return "ALC_NO_ERROR"
        case ALC_INVALID_DEVICE: return "ALC_INVALID_DEVICE"
        case ALC_INVALID_CONTEXT: return "ALC_INVALID_CONTEXT"
        case ALC_INVALID_ENUM: return "ALC_INVALID_ENUM"
        case ALC_INVALID_VALUE: return "ALC_INVALID_VALUE"
        case ALC_OUT_OF_MEMORY: return "ALC_OUT_OF_MEMORY"
        default: return "ALC error 0x\(String(code, radix: 16))"
        }
    }

    /// Throws if the AL call(s) since the last check set an error; `call` names what was attempted.
    static func check(_ call: String) throws {
        let code = alGetError()
        if code != AL_NO_ERROR { throw AudioError.al(call: call, error: errorName(code)) }
    }

    /// Throws if `device` has a pending ALC error.
    static func checkDevice(_ device: OpaquePointer?, _ call: String) throws {
        let code = alcGetError(device)
        if code != ALC_NO_ERROR { throw AudioError.alc(call: call, error: alcErrorName(code)) }
    }

    static func hasDeviceExtension(_ device: OpaquePointer?, _ name: String) -> Bool {
        alcIsExtensionPresent(device, name) != ALC_FALSE
    }

    /// A NUL-separated, double-NUL-terminated ALC string list (device enumeration).
    static func stringList(_ pointer: UnsafePointer<ALCchar>?) -> [String] {
        guard var p = pointer else { return [] }
        var out: [String] = []
        while p.pointee != 0 {
            let s = String(cString: p)
            out.append(s)
            p = p.advanced(by: strlen(p) + 1)
        }
        return out
    }

    static func string(_ pointer: UnsafePointer<ALCchar>?) -> String? {
        guard let p = pointer else { return nil }
        return String(cString: p)
    }
}
