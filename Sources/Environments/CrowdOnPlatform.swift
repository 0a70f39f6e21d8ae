// How the crowd walks on a station platform: goals along the platform, lanes round the patient
// and the canopy pillars, and the hard limits (safety line, benches, pillars, personal space)
// applied after every correction. Each is O(1) per person, so a platform steps as fast as the plaza.
import SceneModel
import Foundation

extension CrowdSimulation {
    /// Limits for a body's centre across the platform.
    func minZ(_ area: PlatformArea) -> Float { area.walkMinZ + radius }
    func maxZ(_ area: PlatformArea) -> Float { area.walkMaxZ - radius }

    /// Centre-line bands beside the patient's personal space: in front (toward the track) and behind.
    func passingBands(_ area: PlatformArea) -> (front: (lo: Float, hi: Float), back: (lo: Float, hi: Float)) {
        let margin: Float = 0.05
        return ((minZ(area), -keepOutNow - margin), (keepOutNow + margin, maxZ(area)))
    }
    /// A band this wide (m) holds one walking lane.
    static let laneWidth: Float = 0.5

    /// True when there is no room to walk past the patient in both directions at once (a lane
    /// each side, or two lanes on one side); people then stay on their own side of the patient.
    /// A squeeze through a single narrow gap jams a two-way crowd, so it does not count.
    func patientBlocksPlatform(_ area: PlatformArea) -> Bool {
        let (front, back) = passingBands(area)
        let fw = front.hi - front.lo, bw = back.hi - back.lo
        return !((fw >= Self.laneWidth && bw >= Self.laneWidth) || max(fw, bw) >= 3 * Self.laneWidth)
    }

    /// Somewhere else along the platform: a fair way along it, or on the same side of the patient
    /// when the patient's personal space closes the platform.
    func platformGoal(from p: SIMD2<Float>, _ area: PlatformArea) -> SIMD2<Float> {
        let z = rng.float(minZ(area), maxZ(area))
        if platformClosed {
            let side: Float = p.x < 0 ? -1 : 1
            let near = min(halfSize - 1, keepOutNow + 1)
            return SIMD2(side * rng.float(near, halfSize), z)
        }
        var x = rng.float(-halfSize, halfSize)
        for _ in 0..<4 where abs(x - p.x) < halfSize * 0.5 { x = rng.float(-halfSize, halfSize) }
        return SIMD2(x, z)
    }

    /// Adjusts where a walker wants to go: a new goal when the patient closes the way to it, a
    /// lane in front of or behind the patient when passing, and round the nearest pillar.
    func steerOnPlatform(_ me: inout Walker, _ desired: inout SIMD2<Float>, _ area: PlatformArea) {
        let p = me.position
        let speed = length(desired)
        if !me.leaving && platformClosed && me.goal.x * p.x < 0 {
            me.goal = platformGoal(from: p, area)
            let toGoal = me.goal - p
            desired = toGoal / max(0.001, length(toGoal)) * speed
        }
        let ahead = me.goal.x - p.x
        if abs(p.x) < keepOutNow + 2.5 && ahead * p.x < 0 && !platformClosed {
            let lane = passingLane(towardPlusX: ahead > 0, area)
            desired.y = max(-speed, min(speed, (lane - p.y) * 3))
            // Reach the lane before stepping up beside the patient.
            if abs(lane - p.y) > 0.3 && abs(p.x) < keepOutNow + 0.6 { desired.x *= 0.3 }
        }
        let pillar = area.nearestPillar(p)
        let off = p - pillar, d = length(off)
        if d < area.pillarRadius + radius + 1.2 && d > 1e-4 {
            let away = off / d
            let towards = -(desired.x * away.x + desired.y * away.y)
            if towards > 0 {
                let turn: Float = desired.x * -away.y + desired.y * away.x >= 0 ? 1 : -1
                desired += SIMD2(-away.y, away.x) * turn * towards + away * towards * 0.5
            }
        }
    }

    /// Where to walk past the patient (z of a lane outside their personal space). Traffic keeps
    /// to one side, so nobody meets head-on: toward +x behind the patient, toward -x in front
    /// when both are open; else two lanes in the wider band.
    func passingLane(towardPlusX: Bool, _ area: PlatformArea) -> Float {
        let (front, back) = passingBands(area)
        let fw = front.hi - front.lo, bw = back.hi - back.lo
        if fw >= Self.laneWidth && bw >= Self.laneWidth {
            return towardPlusX ? (back.lo + back.hi) / 2 : (front.lo + front.hi) / 2
        }
        let band = bw >= fw ? back : front
        return towardPlusX ? band.hi - Self.laneWidth / 2 : band.lo + Self.laneWidth / 2
    }

    /// The hard limits, last so they always hold: the patient's personal space (kept by moving
    /// along the platform, never toward the track), the walkway's sides and ends, the pillars.
    @inline(__always)
    func confine(_ p: SIMD2<Float>, keepOut: Float, _ area: PlatformArea) -> SIMD2<Float> {
        var q = p
        q.y = min(maxZ(area), max(minZ(area), q.y))
        q.x = min(area.halfLength - radius, max(-(area.halfLength - radius), q.x))
        if q.x * q.x + q.y * q.y < keepOut * keepOut {
            q.x = (q.x < 0 ? -1 : 1) * (keepOut * keepOut - q.y * q.y).squareRoot()
        }
        let pillar = area.nearestPillar(q)
        let off = q - pillar, d = length(off), clear = area.pillarRadius + radius
        if d < clear {
            q = pillar + (d > 1e-5 ? off / d : SIMD2(q.x < pillar.x ? -1 : 1, 0)) * clear
            // A pillar near the wall: slide out along the platform rather than into the wall.
            let z = min(maxZ(area), max(minZ(area), q.y))
            if z != q.y {
                let dz = z - pillar.y
                q = SIMD2(pillar.x + (q.x < pillar.x ? -1 : 1) * max(0, clear * clear - dz * dz).squareRoot() * 1.0001, z)
            }
        }
        return q
    }
}
