// XR_FB_display_refresh_rate, when the runtime offers it: the display's rate as the runtime states
// it, rather than inferred from frame timing.
import COpenXR
import Foundation

struct DisplayRefreshRate {
    private let session: XrSession
    private let enumerate: PFN_xrEnumerateDisplayRefreshRatesFB
    private let get: PFN_xrGetDisplayRefreshRateFB

    /// nil when the runtime does not offer the extension.
    init?(instance: XRInstance, session: XrSession) {
        guard instance.extensions.contains("XR_FB_display_refresh_rate"),
              let enumerate = try? instance.proc("xrEnumerateDisplayRefreshRatesFB", as: PFN_xrEnumerateDisplayRefreshRatesFB.self),
              let get = try? instance.proc("xrGetDisplayRefreshRateFB", as: PFN_xrGetDisplayRefreshRateFB.self) else { return nil }
        self.session = session; self.enumerate = enumerate; self.get = get
    }

    /// The display's current rate (Hz), or nil if the runtime does not give one.
    func current() -> Double? {
        var rate: Float = 0
        guard get(session, &rate) == XR_SUCCESS, rate.isFinite, rate > 0 else { return nil }
        return Double(rate)
    }

    /// The rates the display can run at (Hz).
    func available() -> [Double] {
        var count: UInt32 = 0
        guard enumerate(session, 0, &count, nil) == XR_SUCCESS, count > 0 else { return [] }
        var rates = [Float](repeating: 0, count: Int(count))
        guard enumerate(session, count, &count, &rates) == XR_SUCCESS else { return [] }
        return rates.prefix(Int(count)).map { Double($0) }
    }
}
