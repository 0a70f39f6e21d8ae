// People walking across a square area around the patient (who stands at the origin): they enter
// and leave at the edges as the wanted number changes, steer with a social-force model (a pull
// toward their goal, pushes from neighbours found through a spatial hash grid, a strong push away
// from the patient), then overlaps are resolved by position correction so bodies never
// interpenetrate and nobody comes closer to the patient than the closest approach. On a station
// platform (init(platform:)) the area is the platform's walkway instead, with its own limits
// (CrowdOnPlatform.swift).
import SceneModel
import Foundation

public struct Walker: Equatable, Sendable {
    /// Stable while the person is in the scene (sound emitter ids use it).
    public var id: Int
    /// Ground position (x, z) in metres.
    public var position: SIMD2<Float>
    public var velocity: SIMD2<Float>
    public var goal: SIMD2<Float>
    /// Body yaw (0 faces -Z).
    public var heading: Float
    /// Head yaw relative to the body.
    public var headYaw: Float
    /// Looks at the patient when this is below the gaze share (fixed per person, so a rising
    /// share adds lookers instead of reshuffling them).
    public var gazeRank: Float
    public var speedFactor: Float
    public var leaving: Bool
    /// Walk cycle phase in radians.
    public var phase: Float
    public var look: PersonLook
    /// Set for someone walking up to the patient (the `person_approaches` event).
    public var visit: Visit?

    public struct Visit: Equatable, Sendable {
        /// Seconds they stand facing the patient once they have arrived.
        public var standSeconds: Float
        public var arrived: Bool
    }

    public var isLookingAtPatientDirection: Bool {
        let toPatient = -position
        guard toPatient.x * toPatient.x + toPatient.y * toPatient.y > 1e-6 else { return false }
        let want = atan2(-toPatient.x, -toPatient.y)
        return abs(CrowdSimulation.wrap(want - heading - headYaw)) < 0.12
    }
}

public struct CrowdSettings: Equatable, Sendable {
    /// People wanted in the area (before the cap).
    public var count: Int
    public var closestApproach: Float
    public var gazeShare: Float
    public var walkingSpeed: Float
    public init(count: Int, closestApproach: Float, gazeShare: Float, walkingSpeed: Float) {
        self.count = count; self.closestApproach = closestApproach; self.gazeShare = gazeShare; self.walkingSpeed = walkingSpeed
    }
}

public final class CrowdSimulation {
    public let halfSize: Float
    public let maxPeople: Int
    public let radius: Float = 0.24
    /// Furthest a head turns from the body's facing (a person does not look straight behind).
    public let neckLimit: Float = 1.4
    public private(set) var walkers: [Walker] = []
    var rng: SeededRandom
    private var nextID = 1
    private var spawnCredit: Float = 0
    private let grid: SpatialGrid
    /// Set on a station platform: people walk along it within its limits (see PlatformArea).
    public let platform: PlatformArea?
    /// The patient's personal space as of the last step (platform goals depend on it).
    var keepOutNow: Float = 0 {
        didSet { if let platform, keepOutNow != oldValue { platformClosed = patientBlocksPlatform(platform) } }
    }
    /// Whether the patient's personal space closes the platform (worked out once per change).
    var platformClosed = false

    public init(halfSize: Float, maxPeople: Int, seed: UInt64) {
        self.halfSize = halfSize
        self.platform = nil
        self.maxPeople = maxPeople
        self.rng = SeededRandom.derived(seed, 0xC0)
        // Cells of at least the 1 m interaction reach; at most 128 x 128 of them for large areas.
        self.grid = SpatialGrid(halfSize: halfSize + 3, cell: max(1.0, (2 * halfSize + 6) / 128))
        walkers.reserveCapacity(maxPeople)
    }

    /// A crowd on a station platform: people enter and leave at its ends.
    public init(platform: PlatformArea, maxPeople: Int, seed: UInt64) {
        self.halfSize = platform.walkHalfLength
        self.maxPeople = maxPeople
        self.platform = platform
        self.rng = SeededRandom.derived(seed, 0xC0)
        // A strip over the platform's width only (people never leave it across).
        self.grid = SpatialGrid(halfX: platform.halfLength + 1, halfZ: (platform.backZ - platform.edgeZ) / 2 + 1,
                                centreZ: (platform.backZ + platform.edgeZ) / 2, cell: 1)
        walkers.reserveCapacity(maxPeople)
    }

    public var presentCount: Int { walkers.count }
    public var stayingCount: Int { walkers.reduce(0) { $0 + ($1.leaving ? 0 : 1) } }

    /// Fills the area at once with `settings.count` people (a world that starts crowded).
    public func fill(_ settings: CrowdSettings) {
        let wanted = min(maxPeople, settings.count)
        var attempts = 0
        keepOutNow = settings.closestApproach
        while walkers.count < wanted && attempts < wanted * 20 {
            attempts += 1
            let p = SIMD2(rng.float(-halfSize, halfSize), platform.map { rng.float(minZ($0), maxZ($0)) } ?? rng.float(-halfSize, halfSize))
            if length(p) < settings.closestApproach + radius { continue }
            if let platform, length(p - platform.nearestPillar(p)) < platform.pillarRadius + radius { continue }
            // Keep the first placement free of overlaps when there is room for it.
            if attempts < wanted * 10, walkers.contains(where: { length($0.position - p) < 2 * radius }) { continue }
            spawn(at: p, settings)
        }
    }

    public func step(_ settings: CrowdSettings, dt rawDt: Double) {
        let dt = Float(min(0.1, max(0, rawDt)))
        guard dt > 0 else { return }
        keepOutNow = settings.closestApproach
        manageCount(settings, dt: dt)
        if walkers.isEmpty { return }
        grid.rebuild(walkers)
        steer(settings, dt: dt)
        for pass in 0..<2 { separate(settings, final: pass == 1) }
        finish(settings, dt: dt)
    }

    /// One person enters in front of the patient, walks up to just outside the closest approach,
    /// stands looking at them for `standSeconds`, then walks on.
    /// On a platform they come along it from one end and stop beside the patient, as far toward
    /// the front as the safety line allows.
    public func sendVisitor(_ settings: CrowdSettings, standSeconds: Float = 8) {
        let stand = settings.closestApproach + radius + 0.3
        var start = SIMD2(rng.float(-halfSize * 0.4, halfSize * 0.4), -(halfSize + 0.8))
        var goal = SIMD2<Float>(0, -stand)
        if let platform {
            start = edgePoint()
            let z = max(minZ(platform), -stand)
            goal = SIMD2((start.x < 0 ? -1 : 1) * max(0, stand * stand - z * z).squareRoot(), z)
        }
        spawn(at: start, settings)
        let i = walkers.count - 1
        walkers[i].goal = goal
        walkers[i].visit = Walker.Visit(standSeconds: standSeconds, arrived: false)
        walkers[i].gazeRank = -1
    }

    // MARK: arrivals and departures

    private func manageCount(_ settings: CrowdSettings, dt: Float) {
        let wanted = min(maxPeople, max(0, settings.count))
        // Reaching the far edge: leave the scene.
        walkers.removeAll { w in
            abs(w.position.x) > halfSize + 1.5 || abs(w.position.y) > halfSize + 1.5 || (w.leaving && length(w.goal - w.position) < 1.0)
        }
        var staying = stayingCount
        if staying > wanted {
            // Most recent arrivals turn round first and walk out at the nearest edge.
            for i in walkers.indices.reversed() where staying > wanted && !walkers[i].leaving && walkers[i].visit == nil {
                walkers[i].leaving = true
                walkers[i].goal = nearestExit(walkers[i].position)
                staying -= 1
            }
        } else if staying < wanted {
            // Enter over time at the edges (about 2 people per metre of edge per minute is plenty).
            spawnCredit += dt * max(4, Float(wanted) / 4)
            while staying < wanted && spawnCredit >= 1 {
                spawnCredit -= 1
                spawn(at: edgePoint(), settings)
                staying += 1
            }
        }
        if staying >= wanted { spawnCredit = 0 }
    }

    private func spawn(at p: SIMD2<Float>, _ settings: CrowdSettings) {
        let goal = farGoal(from: p)
        let look = PersonLook.random(&rng)
        let w = Walker(id: nextID, position: p, velocity: .zero, goal: goal,
                       heading: atan2(-(goal.x - p.x), -(goal.y - p.y)), headYaw: 0,
                       gazeRank: rng.unit(), speedFactor: rng.float(0.8, 1.2), leaving: false,
                       phase: rng.float(0, 2 * .pi), look: look, visit: nil)
        nextID += 1
        walkers.append(w)
    }

    /// A point on the edge of the area, just inside it.
    private func edgePoint() -> SIMD2<Float> {
        if let platform {
            let side: Float = rng.int(2) == 0 ? -1 : 1
            return SIMD2(side * (halfSize + 0.8), rng.float(minZ(platform), maxZ(platform)))
        }
        let t = rng.float(-halfSize, halfSize), e = halfSize + 0.8
        switch rng.int(4) {
        case 0: return SIMD2(t, -e)
        case 1: return SIMD2(t, e)
        case 2: return SIMD2(-e, t)
        default: return SIMD2(e, t)
        }
    }

    /// An edge point across the area, so people cross it rather than hug one edge.
    private func farGoal(from p: SIMD2<Float>) -> SIMD2<Float> {
        if let platform { return platformGoal(from: p, platform) }
        var goal = edgePoint()
        for _ in 0..<4 where length(goal - p) < halfSize { goal = edgePoint() }
        return goal
    }

    private func nearestExit(_ p: SIMD2<Float>) -> SIMD2<Float> {
        let e = halfSize + 1.0
        if platform != nil { return SIMD2(p.x < 0 ? -e : e, p.y) }
        if abs(p.x) > abs(p.y) { return SIMD2(p.x < 0 ? -e : e, p.y) }
        return SIMD2(p.x, p.y < 0 ? -e : e)
    }

    // MARK: social forces

    private func steer(_ settings: CrowdSettings, dt: Float) {
        let keepOut = settings.closestApproach + radius
        let reach: Float = 1.0
        walkers.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count {
                var me = w[i]
                let speed = settings.walkingSpeed * me.speedFactor * (me.leaving ? 1.1 : 1)
                var toGoal = me.goal - me.position
                let goalDistance = length(toGoal)
                var visiting = false
                if var visit = me.visit {
                    if visit.arrived || goalDistance < 0.6 {
                        visit.arrived = true
                        visit.standSeconds -= dt
                        me.visit = visit.standSeconds > 0 ? visit : nil
                        if me.visit == nil { me.goal = farGoal(from: me.position); toGoal = me.goal - me.position }
                    }
                    visiting = me.visit != nil
                }
                if !me.leaving && !visiting && goalDistance < 1.0 {
                    // Arrived at the far edge: walk back across to another edge point.
                    me.goal = farGoal(from: me.position); toGoal = me.goal - me.position
                }
                var desired = toGoal / max(0.001, length(toGoal)) * speed
                if me.visit?.arrived == true { desired = .zero }
                // Walk round the patient: steer sideways when the path passes close to them.
                let p = me.position, d = length(p)
                if platform == nil && !visiting && d < keepOut + 2.5 && d > 0.001 {
                    let away = p / d
                    let towards = -(desired.x * away.x + desired.y * away.y)
                    if towards > 0 {
                        let side = SIMD2(-away.y, away.x) * (desired.x * -away.y + desired.y * away.x >= 0 ? 1 : -1)
                        desired += side * towards + away * towards * 0.5
                    }
                }
                if let platform, !visiting { steerOnPlatform(&me, &desired, platform) }
                var force = (desired - me.velocity) * 2.0
                // Neighbours: exponential push within reach, stronger from people ahead.
                let (cx, cz) = grid.cell(p)
                for gz in max(0, cz - 1)...min(grid.rows - 1, cz + 1) {
                    for gx in max(0, cx - 1)...min(grid.side - 1, cx + 1) {
                        let c = gz * grid.side + gx
                        var k = Int(grid.start[c])
                        let end = Int(grid.start[c + 1])
                        while k < end {
                            let j = Int(grid.order[k]); k += 1
                            if j == i { continue }
                            let delta = p - w[j].position
                            let dist2 = delta.x * delta.x + delta.y * delta.y
                            if dist2 > reach * reach || dist2 < 1e-8 { continue }
                            let dist = dist2.squareRoot()
                            let n = delta / dist
                            let ahead = me.velocity.x * -n.x + me.velocity.y * -n.y > 0 ? 1.0 : 0.5 as Float
                            force += n * (3.0 * ahead * exp((2 * radius - dist) / 0.25))
                        }
                    }
                }
                if !visiting && d < keepOut + 1.0 && d > 0.001 {
                    force += p / d * (8.0 * exp((keepOut - d) / 0.3))
                }
                me.velocity += force * dt
                let v = length(me.velocity), cap = speed * 1.3
                if v > cap { me.velocity *= cap / v }
                me.position += me.velocity * dt
                w[i] = me
            }
        }
    }

    /// Position correction: pushes overlapping pairs apart and everyone out of the patient's space.
    private func separate(_ settings: CrowdSettings, final: Bool) {
        let minDist = 2 * radius
        let keepOut = settings.closestApproach
        walkers.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count {
                let (cx, cz) = grid.cell(w[i].position)
                for gz in max(0, cz - 1)...min(grid.rows - 1, cz + 1) {
                    for gx in max(0, cx - 1)...min(grid.side - 1, cx + 1) {
                        let c = gz * grid.side + gx
                        var k = Int(grid.start[c])
                        let end = Int(grid.start[c + 1])
                        while k < end {
                            let j = Int(grid.order[k]); k += 1
                            if j <= i { continue }
                            let delta = w[i].position - w[j].position
                            let dist2 = delta.x * delta.x + delta.y * delta.y
                            if dist2 >= minDist * minDist { continue }
                            let dist = dist2.squareRoot()
                            let n = dist > 1e-5 ? delta / dist : SIMD2<Float>(1, 0)
                            let push = n * ((minDist - dist) * 0.5)
                            w[i].position += push; w[j].position -= push
                        }
                    }
                }
            }
            if let platform {
                // The platform's limits once, after the last pass: that is what the frame shows.
                guard final else { return }
                for i in 0..<w.count { w[i].position = confine(w[i].position, keepOut: keepOut, platform) }
                return
            }
            for i in 0..<w.count {
                let d = length(w[i].position)
                if d < keepOut {
                    w[i].position = d > 1e-5 ? w[i].position / d * keepOut : SIMD2(0, keepOut)
                }
            }
        }
    }

    private func finish(_ settings: CrowdSettings, dt: Float) {
        let turn = 3.0 * dt, headTurn = 2.5 * dt
        for i in walkers.indices {
            var me = walkers[i]
            let speed = length(me.velocity)
            if me.visit?.arrived == true {
                // Standing in front of the patient, turned toward them.
                let want = atan2(me.position.x, me.position.y)
                me.heading = Self.wrap(me.heading + max(-turn, min(turn, Self.wrap(want - me.heading))))
            } else if speed > 0.15 {
                let want = atan2(-me.velocity.x, -me.velocity.y)
                me.heading = Self.wrap(me.heading + max(-turn, min(turn, Self.wrap(want - me.heading))))
            }
            me.phase = (me.phase + speed * dt * 5.0).truncatingRemainder(dividingBy: 2 * .pi)
            var headGoal: Float = 0
            if me.gazeRank < settings.gazeShare {
                let rel = Self.wrap(atan2(me.position.x, me.position.y) - me.heading)
                if abs(rel) <= neckLimit { headGoal = rel }
            }
            me.headYaw += max(-headTurn, min(headTurn, headGoal - me.headYaw))
            walkers[i] = me
        }
    }

    @inline(__always)
    static func wrap(_ a: Float) -> Float {
        var x = a.truncatingRemainder(dividingBy: 2 * .pi)
        if x > .pi { x -= 2 * .pi } else if x < -.pi { x += 2 * .pi }
        return x
    }
}
