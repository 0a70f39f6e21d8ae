// The station platform's fixed scenery, built once from boxes: the deck 1 m above the track bed
// with a yellow safety line near its edge, rails on sleepers below the edge, a canopy on pillars,
// benches, ticket machines and signs along the back wall, buildings at both ends, a retaining
// wall across the tracks with the city and sky beyond. The patient stands 2.5 m from the edge.
import SceneModel
import Foundation

enum PlatformScenery {
    static func build(_ area: PlatformArea, settings: SceneSettings, seed: UInt64) -> [DrawBatch] {
        var rng = SeededRandom.derived(seed, 0x9A)
        var a = SceneAssembler()
        let deck = settings.color("platform", Vec3(0.52, 0.51, 0.48))
        let line = settings.color("safety_line", Vec3(0.95, 0.78, 0.05))
        let bed = settings.color("track_bed", Vec3(0.20, 0.18, 0.16))
        let canopy = settings.color("canopy", Vec3(0.30, 0.33, 0.36))
        let buildings = settings.color("buildings", Vec3(0.6, 0.55, 0.48))
        let L = area.halfLength, y0 = area.trackBedY
        let trackLength = 4 * L

        // Ground at track level, and the deck: a block whose top is the floor the patient stands on.
        a.add(.quad, at: Vec3(0, y0, 0), size: Vec3(trackLength * 3, 1, trackLength * 3), bed * 0.8)
        let depth = area.backZ - area.edgeZ
        a.add(.box, at: Vec3(0, y0 / 2, (area.edgeZ + area.backZ) / 2), size: Vec3(2 * L, -y0, depth), deck)
        // The face of the deck toward the track is in shadow; a pale coping stone marks the edge.
        a.add(.box, at: Vec3(0, y0 / 2, area.edgeZ + 0.01), size: Vec3(2 * L, -y0 - 0.02, 0.04), deck * 0.45)
        a.add(.quad, at: Vec3(0, 0.005, area.edgeZ + 0.2), size: Vec3(2 * L, 1, 0.4), Vec3(0.82, 0.80, 0.76))
        a.add(.quad, at: Vec3(0, 0.008, area.safetyLineZ), size: Vec3(2 * L, 1, area.safetyLineWidth), line)

        // Track: ballast, sleepers every 0.65 m, two rails.
        let bedWidth: Float = 3.6
        a.add(.box, at: Vec3(0, y0 + 0.06, area.trackZ), size: Vec3(trackLength, 0.12, bedWidth), bed)
        var x = -trackLength / 2
        while x < trackLength / 2 {
            a.add(.box, at: Vec3(x, y0 + 0.15, area.trackZ), size: Vec3(0.26, 0.08, 2.6), Vec3(0.30, 0.25, 0.20))
            x += 0.65
        }
        for side in [Float(-1), 1] {
            a.add(.box, at: Vec3(0, y0 + 0.26, area.trackZ + side * area.gauge / 2), size: Vec3(trackLength, 0.14, 0.07),
                  Vec3(0.55, 0.53, 0.52))
        }

        // Across the tracks: a retaining wall with a station sign, the city beyond it.
        let wallZ = area.trackZ - bedWidth / 2 - 1.6
        a.add(.box, at: Vec3(0, y0 + 1.3, wallZ), size: Vec3(trackLength, 2.6, 0.4), Vec3(0.50, 0.46, 0.42))
        for signX in [Float(-9), 9] {
            a.add(.box, at: Vec3(signX, y0 + 2.0, wallZ + 0.25), size: Vec3(4, 0.7, 0.08), Vec3(0.08, 0.18, 0.45))
            a.add(.box, at: Vec3(signX, y0 + 2.0, wallZ + 0.3), size: Vec3(3.2, 0.18, 0.02), Vec3(0.92, 0.92, 0.9))
        }
        var s = -trackLength / 2
        while s < trackLength / 2 {
            let width = rng.float(10, 18), h = rng.float(6, 20)
            let c = buildings * rng.float(0.75, 1.15)
            let p = Vec3(s + width / 2, y0 + h / 2, wallZ - rng.float(35, 60))
            a.add(.box, at: p, size: Vec3(width - 0.5, h, 12), c)
            var y = y0 + 3
            while y < y0 + h - 1 { a.add(.box, at: Vec3(p.x, y, p.z), size: Vec3(width - 0.4, 1.0, 12.1), c * 0.5); y += 3.2 }
            s += width + rng.float(0, 6)
        }

        // Back wall with posters, benches and ticket machines in front of it.
        let wallDepth: Float = 0.2, roofY: Float = 3.6
        a.add(.box, at: Vec3(0, roofY / 2, area.backZ + wallDepth / 2), size: Vec3(2 * L, roofY, wallDepth), Vec3(0.68, 0.64, 0.58))
        let furnitureDepth = area.backZ - area.furnitureFrontZ
        let furnitureZ = (area.backZ + area.furnitureFrontZ) / 2
        for k in -2...2 {
            let bx = Float(k) * area.pillarSpacing
            a.add(.box, at: Vec3(bx, 0.22, furnitureZ), size: Vec3(1.8, 0.44, furnitureDepth), Vec3(0.40, 0.25, 0.15))
            a.add(.box, at: Vec3(bx, 0.7, area.backZ - 0.05), size: Vec3(1.8, 0.5, 0.08), Vec3(0.40, 0.25, 0.15))
            let poster = Vec3(rng.float(0.2, 0.9), rng.float(0.2, 0.9), rng.float(0.2, 0.9))
            a.add(.box, at: Vec3(bx + area.pillarSpacing / 2, 1.6, area.backZ - 0.02), size: Vec3(1.2, 1.7, 0.04), poster)
        }
        for mx in [Float(-6.5), 6.5] {
            a.add(.box, at: Vec3(mx, 0.85, furnitureZ), size: Vec3(0.8, 1.7, furnitureDepth), Vec3(0.20, 0.45, 0.30))
            a.add(.box, at: Vec3(mx, 1.25, area.furnitureFrontZ - 0.01), size: Vec3(0.5, 0.35, 0.02), Vec3(0.1, 0.15, 0.2))
        }

        // Canopy on its pillars, lamps under it, hanging signs; station buildings close both ends.
        for pillar in area.pillars {
            a.add(.cylinder, at: Vec3(pillar.x, 0, pillar.y), size: Vec3(2 * area.pillarRadius, roofY, 2 * area.pillarRadius), canopy)
        }
        let roofFront = area.safetyLineZ + 0.5
        a.add(.box, at: Vec3(0, roofY + 0.08, (roofFront + area.backZ) / 2), size: Vec3(2 * L, 0.16, area.backZ - roofFront), canopy)
        var lx = -L + 3
        while lx < L {
            a.add(.sphere, at: Vec3(lx, roofY - 0.1, 0.6), size: Vec3(0.35, 0.15, 0.35), Vec3(0.95, 0.93, 0.85))
            lx += 6
        }
        for sx in [Float(-13.5), 13.5] {
            a.add(.box, at: Vec3(sx, 2.75, 0.3), size: Vec3(2.4, 0.45, 0.08), Vec3(0.08, 0.18, 0.45))
            a.add(.cylinder, at: Vec3(sx, 2.97, 0.3), size: Vec3(0.04, roofY - 2.97, 0.04), canopy)
        }
        for side in [Float(-1), 1] {
            let ex = side * (L + 4)
            a.add(.box, at: Vec3(ex, (6 + y0) / 2, (area.edgeZ + area.backZ) / 2 + 1), size: Vec3(8, 6 - y0, depth + 2), buildings * 0.9)
            a.add(.box, at: Vec3(side * L, 1.1, 0.4), size: Vec3(0.05, 2.2, 2.4), Vec3(0.08, 0.08, 0.1))
        }
        return a.batches
    }
}
