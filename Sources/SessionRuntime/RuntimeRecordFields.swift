// The runtime's description as record metadata keys (docs/session-record.md, "meta").
import Foundation
import XR

enum RuntimeRecordFields {
    static func metadata(_ f: RuntimeFacts) -> [String: String] {
        var m: [String: String] = [:]
        if !f.runtimeName.isEmpty { m["runtime_name"] = f.runtimeName }
        if !f.runtimeVersion.isEmpty { m["runtime_version"] = f.runtimeVersion }
        if !f.systemName.isEmpty { m["headset_name"] = f.systemName }
        if let r = f.displayRateHz, r.isFinite, r > 0 { m["display_rate_hz"] = String(r) }
        if !f.availableRatesHz.isEmpty { m["display_rates_hz"] = f.availableRatesHz.map { String($0) }.joined(separator: ",") }
        if f.recommendedWidth > 0 { m["recommended_view_size"] = "\(f.recommendedWidth)x\(f.recommendedHeight)" }
        if !f.referenceSpace.isEmpty { m["reference_space"] = f.referenceSpace }
        if let p = f.interactionProfile { m["interaction_profile"] = p }
        return m
    }
}
