// `train_arrives` on the station platform: a three-car train runs in along the track from -X,
// braking evenly to stop alongside the platform, stands for a while, then pulls away toward +X.
// Its position is a pure function of the time since the event, so it replays exactly.
import SceneModel
import Foundation

struct TrainPass {
    static let arriveSeconds = 12.0, standSeconds = 20.0, leaveSeconds = 15.0
    static var totalSeconds: Double { arriveSeconds + standSeconds + leaveSeconds }
    /// Where the train's centre starts (out of sight beyond the station building) and how far it runs out.
    static let approachMetres = 150.0, departMetres = 200.0
    static let cars = 3, carLength: Float = 20, carGap: Float = 1.2
    static var length: Float { Float(cars) * carLength + Float(cars - 1) * carGap }

    private(set) var elapsed: Double = 0
    var isOver: Bool { elapsed >= Self.totalSeconds }

    mutating func advance(_ dt: Double) { elapsed = min(Self.totalSeconds, elapsed + max(0, dt)) }

    /// The train's centre along X: even braking to a stop at 0, standing, then even acceleration away.
    var centreX: Float {
        let t = elapsed
        if t < Self.arriveSeconds {
            let v0 = 2 * Self.approachMetres / Self.arriveSeconds
            let a = v0 / Self.arriveSeconds
            return Float(-Self.approachMetres + v0 * t - 0.5 * a * t * t)
        }
        let leaving = t - Self.arriveSeconds - Self.standSeconds
        guard leaving > 0 else { return 0 }
        let a = 2 * Self.departMetres / (Self.leaveSeconds * Self.leaveSeconds)
        return Float(0.5 * a * leaving * leaving)
    }

    /// Speed along X in m/s (for the rumble).
    var speed: Float {
        let t = elapsed
        if t < Self.arriveSeconds {
            let v0 = 2 * Self.approachMetres / Self.arriveSeconds
            return Float(v0 * (1 - t / Self.arriveSeconds))
        }
        let leaving = t - Self.arriveSeconds - Self.standSeconds
        guard leaving > 0 else { return 0 }
        return Float(2 * Self.departMetres / (Self.leaveSeconds * Self.leaveSeconds) * leaving)
    }

    /// Car bodies with a dark window band, doors facing the platform, a roof, and lamps at the front.
    func draw(_ area: PlatformArea, body: Vec3, into a: inout SceneAssembler) {
        let floorY = area.trackBedY + 0.55, height: Float = 3.3, width: Float = 2.9
        let z = area.trackZ, platformSide = z + width / 2
        var x0 = centreX - Self.length / 2
        for _ in 0..<Self.cars {
            let cx = x0 + Self.carLength / 2
            a.add(.box, at: Vec3(cx, floorY + height / 2, z), size: Vec3(Self.carLength, height, width), body)
            a.add(.box, at: Vec3(cx, floorY + 2.0, z), size: Vec3(Self.carLength - 1, 0.8, width + 0.04), Vec3(0.08, 0.1, 0.12))
            a.add(.box, at: Vec3(cx, floorY + height + 0.08, z), size: Vec3(Self.carLength - 0.4, 0.16, width - 0.3), body * 0.6)
            for door in [Float(-6), 0, 6] {
                a.add(.box, at: Vec3(cx + door, floorY + 1.1, platformSide + 0.01), size: Vec3(1.3, 2.0, 0.04), body * 0.55)
            }
            a.add(.box, at: Vec3(cx, floorY - 0.3, z), size: Vec3(Self.carLength - 3, 0.6, width - 0.6), Vec3(0.12, 0.12, 0.13))
            x0 += Self.carLength + Self.carGap
        }
        let front = centreX + Self.length / 2
        for side in [Float(-0.9), 0.9] {
            a.add(.sphere, at: Vec3(front + 0.02, floorY + 0.7, z + side), size: Vec3(0.1, 0.25, 0.25), Vec3(1, 0.97, 0.85))
        }
    }

    /// A rumble at the train's nearest point to the patient, louder with speed.
    func emitter(_ area: PlatformArea, id: Int) -> SoundEmitter {
        let nearestX = max(centreX - Self.length / 2, min(centreX + Self.length / 2, 0))
        return SoundEmitter(id: id, kind: .traffic, position: Vec3(nearestX, area.trackBedY + 0.5, area.trackZ),
                            gain: min(1, 0.15 + speed / 20))
    }
}
