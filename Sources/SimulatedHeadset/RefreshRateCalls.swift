// XR_FB_display_refresh_rate, offered when the script lists `refreshRates`: the app can read the
// display's rate instead of inferring it from frame timing. The current rate is `displayRateHz`;
// a request for another listed rate is accepted and logged but does not change the clock.
import COpenXR
import Foundation

private func refreshRatesEnabledLocked(_ session: OpaquePointer?) -> Bool {
    guard let s = rt.sessions[handleValue(session)], let instance = rt.instances[s.instance] else { return false }
    return instance.extensions.contains("XR_FB_display_refresh_rate")
}

let simEnumerateDisplayRefreshRates: PFN_xrEnumerateDisplayRefreshRatesFB = { session, capacity, count, rates in
    rt.withLock {
        guard rt.sessions[handleValue(session)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard refreshRatesEnabledLocked(session) else { return XR_ERROR_FUNCTION_UNSUPPORTED }
        let list = (rt.config.refreshRates ?? []).map { Float($0) }
        return twoCall(list, capacity: capacity, count: count, out: rates) { $0.pointee = $1 }
    }
}

let simGetDisplayRefreshRate: PFN_xrGetDisplayRefreshRateFB = { session, rate in
    guard let rate else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard rt.sessions[handleValue(session)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard refreshRatesEnabledLocked(session) else { return XR_ERROR_FUNCTION_UNSUPPORTED }
        rate.pointee = Float(rt.config.displayRateHz)
        return XR_SUCCESS
    }
}

let simRequestDisplayRefreshRate: PFN_xrRequestDisplayRefreshRateFB = { session, rate in
    rt.withLock {
        guard rt.sessions[handleValue(session)] != nil else { return XR_ERROR_HANDLE_INVALID }
        guard refreshRatesEnabledLocked(session) else { return XR_ERROR_FUNCTION_UNSUPPORTED }
        guard rate == 0 || (rt.config.refreshRates ?? []).contains(where: { abs(Float($0) - rate) < 0.01 }) else {
            return XR_ERROR_DISPLAY_REFRESH_RATE_UNSUPPORTED_FB
        }
        rt.log("display refresh rate \(rate) requested")
        return XR_SUCCESS
    }
}
