// Voices: one OpenAL source per audible emitter, reused from a pool, faded in when an emitter
// appears and out when it leaves, so scene changes never click.
import COpenAL
import SceneModel

/// One sounding emitter.
struct Voice {
    var source: ALuint
    var kind: SoundKind
    var gain: Float
    var fade: Fade
}

extension AudioEngine {
    static func makeSource() throws -> ALuint {
        var source: ALuint = 0
        alGenSources(1, &source)
        try AL.check("alGenSources")
        return source
    }

    /// Loops `buffer` on `source` from `offset` samples, at `position` (world metres) or head-relative when nil.
    static func startLoop(source: ALuint, buffer: ALuint, offset: Int, position: Vec3?) throws {
        alSourcei(source, AL_BUFFER, ALint(buffer))
        alSourcei(source, AL_LOOPING, AL_TRUE)
        alSourcef(source, AL_REFERENCE_DISTANCE, 1)
        alSourcef(source, AL_ROLLOFF_FACTOR, 1)
        alSourcef(source, AL_MAX_DISTANCE, 60)
        alSourcef(source, AL_GAIN, 0)
        place(source: source, at: position)
        alSourcei(source, AL_SAMPLE_OFFSET, ALint(offset))
        try AL.check("alSourcei(AL_BUFFER/AL_LOOPING/AL_SAMPLE_OFFSET)")
        alSourcePlay(source)
        try AL.check("alSourcePlay")
    }

    /// Ambient emitters sit on the listener (no direction); placed ones at their world position.
    static func place(source: ALuint, at position: Vec3?) {
        if let p = position {
            alSourcei(source, AL_SOURCE_RELATIVE, AL_FALSE)
            alSource3f(source, AL_POSITION, p.x, p.y, p.z)
        } else {
            alSourcei(source, AL_SOURCE_RELATIVE, AL_TRUE)
            alSource3f(source, AL_POSITION, 0, 0, 0)
        }
    }

    /// OpenXR and OpenAL share axes (+X right, +Y up, -Z forward), so the pose maps straight across.
    func placeListener(_ pose: Pose) throws {
        let p = pose.position, q = pose.orientation.normalized
        // A lost-tracking frame can carry NaNs: keep the last good pose.
        guard MixPlan.isFinite(p), [q.x, q.y, q.z, q.w].allSatisfy(\.isFinite) else { return }
        let at = q.rotate(Vec3(0, 0, -1)), up = q.rotate(Vec3(0, 1, 0))
        alListener3f(AL_POSITION, p.x, p.y, p.z)
        var orientation: [ALfloat] = [at.x, at.y, at.z, up.x, up.y, up.z]
        alListenerfv(AL_ORIENTATION, &orientation)
        try AL.check("alListener(AL_POSITION/AL_ORIENTATION)")
    }

    /// Matches voices to this frame's audible emitters: new ones start silent and fade in;
    /// missing ones (or an id that now names another kind, as when the safe-room scene replaces
    /// the exposure scene) move to `departing`, fade out, and then return their source to the pool.
    func assignVoices(_ emitters: [SoundEmitter]) throws {
        var present = Set<Int>()
        for e in emitters {
            present.insert(e.id)
            let gain = min(1, e.gain)
            if var v = voices[e.id], v.kind == e.kind {
                v.gain = gain
                Self.place(source: v.source, at: e.position)
                voices[e.id] = v
                continue
            }
            if let old = voices.removeValue(forKey: e.id) { depart(old) }
            // Heavy churn can leave many voices fading out; new ones wait a frame rather than fail.
            guard voices.count + departing.count < sourceBudget else { continue }
            let source = try freeSources.popLast() ?? Self.makeSource()
            try Self.startLoop(source: source, buffer: bank.buffer(e.kind),
                               offset: MixPlan.startOffset(id: e.id, loopLength: bank.loopLength(e.kind)),
                               position: e.position)
            voices[e.id] = Voice(source: source, kind: e.kind, gain: gain, fade: Fade())
        }
        for (id, v) in voices where !present.contains(id) {
            voices.removeValue(forKey: id)
            depart(v)
        }
        try AL.check("alSource3f(AL_POSITION)")
    }

    private func depart(_ voice: Voice) { departing.append(voice) }

    /// Advances every fade towards where the mode and the scene want it.
    func stepFades(seconds: Double) {
        var safeRoomHasOwnTone = false
        for (id, var v) in voices {
            v.fade.target = MixPlan.fadeTarget(kind: v.kind, mode: mode)
            v.fade.step(seconds: seconds, duration: Self.fadeSeconds)
            if v.kind == .roomTone { safeRoomHasOwnTone = true }
            voices[id] = v
        }
        for i in departing.indices {
            departing[i].fade.target = 0
            departing[i].fade.step(seconds: seconds, duration: Self.fadeSeconds)
        }
        for v in departing where v.fade.isSilentAndSettled { recycle(v.source) }
        departing.removeAll { $0.fade.isSilentAndSettled }
        // Pause and opt-out may keep the exposure scene for a moment: the engine's own room tone
        // fills the safe room until the safe-room scene brings its room tone emitter.
        roomTone.fade.target = (mode == .safeRoom && !safeRoomHasOwnTone) ? 1 : 0
        roomTone.fade.step(seconds: seconds, duration: Self.fadeSeconds)
    }

    func applyGains() throws {
        for v in voices.values { alSourcef(v.source, AL_GAIN, v.gain * v.fade.level) }
        for v in departing { alSourcef(v.source, AL_GAIN, v.gain * v.fade.level) }
        alSourcef(roomTone.source, AL_GAIN, Self.ownRoomToneGain * roomTone.fade.level)
        try AL.check("alSourcef(AL_GAIN)")
    }

    private func recycle(_ source: ALuint) {
        alSourceStop(source)
        alSourcei(source, AL_BUFFER, 0)
        freeSources.append(source)
    }
}
