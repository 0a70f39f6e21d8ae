// What the OpenXR runtime says about itself and the headset, for the session record: a result is
// only interpretable when one knows which runtime, display rate and view size produced it.
import Foundation

public struct RuntimeFacts: Equatable, Sendable {
    public var runtimeName = ""
    public var runtimeVersion = ""
    /// The headset as xrGetSystemProperties names it.
    public var systemName = ""
    /// The display's current refresh rate (Hz): stated by XR_FB_display_refresh_rate, else measured.
    public var displayRateHz: Double?
    /// The rates the display offers (XR_FB_display_refresh_rate); empty when the runtime does not say.
    public var availableRatesHz: [Double] = []
    /// The runtime's recommended per-eye image size.
    public var recommendedWidth = 0
    public var recommendedHeight = 0
    /// "stage", or "local" when the runtime has no stage (the floor is then assumed).
    public var referenceSpace = ""
    /// The controllers' interaction profile in use, e.g. "/interaction_profiles/oculus/touch_controller".
    public var interactionProfile: String?
    public init() {}
}
