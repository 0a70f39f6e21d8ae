// Where people may walk on the station platform, in the crowd's ground coordinates (x, z), with
// the patient at the origin facing -Z across the tracks. The platform runs along X; its track
// edge is in front of the patient, its back wall behind. People keep behind the yellow safety
// line and in front of the benches, and walk round the canopy pillars. These are hard limits:
// the crowd applies them after every other correction, so no body ever crosses them.
import SceneModel
import Foundation

public struct PlatformArea: Equatable, Sendable {
    /// Platform deck: the track edge and the back wall (z), and its ends (|x|).
    public var edgeZ: Float = -2.5
    public var backZ: Float = 3.5
    public var halfLength: Float = 30
    /// Yellow safety line: its centre and width. Bodies stay on the patient's side of it.
    public var safetyLineZ: Float = -2.0
    public var safetyLineWidth: Float = 0.2
    /// Front of the benches and ticket machines along the back wall.
    public var furnitureFrontZ: Float = 2.95
    /// Canopy pillars: one row at `pillarZ`, at x = firstPillarX + k * pillarSpacing.
    public var pillarZ: Float = 2.5
    public var pillarRadius: Float = 0.25
    public var firstPillarX: Float = -25
    public var pillarSpacing: Float = 10
    public var pillarCount = 6
    /// Track centre line and the rail gauge (standard gauge, 1.435 m).
    public var trackZ: Float = -4.3
    public var gauge: Float = 1.435
    public var trackBedY: Float = -1.0

    public init() {}

    /// People enter and leave this far along the platform (the stairs at each end).
    public var walkHalfLength: Float { halfLength - 2 }
    /// Body-edge limits across the platform: the back of the yellow line and the furniture.
    public var walkMinZ: Float { safetyLineZ + safetyLineWidth / 2 }
    public var walkMaxZ: Float { furnitureFrontZ }

    public var pillars: [SIMD2<Float>] {
        (0..<pillarCount).map { SIMD2(firstPillarX + Float($0) * pillarSpacing, pillarZ) }
    }

    /// The pillar nearest to `p` (the row is far sparser than a body, so one is enough).
    @inline(__always)
    func nearestPillar(_ p: SIMD2<Float>) -> SIMD2<Float> {
        let k = ((p.x - firstPillarX) / pillarSpacing).rounded()
        let i = min(Float(pillarCount - 1), max(0, k))
        return SIMD2(firstPillarX + i * pillarSpacing, pillarZ)
    }

    /// Walkable floor outside the patient's personal space (m2), for density -> people.
    /// The disc of radius `closest` is clipped to the walkway strip by sampling along x.
    func usableArea(closestApproach closest: Float) -> Float {
        let width = walkMaxZ - walkMinZ
        let full = 2 * walkHalfLength * width
        guard closest > 0 else { return full }
        let samples = 64
        let step = 2 * closest / Float(samples)
        var covered: Float = 0
        for s in 0..<samples {
            let x = -closest + (Float(s) + 0.5) * step
            let h = (closest * closest - x * x).squareRoot()
            covered += max(0, min(h, walkMaxZ) - max(-h, walkMinZ)) * step
        }
        return max(0, full - covered)
    }
}
