// OpenAL Soft extension entry points, looked up at run time with alcGetProcAddress /
// alGetProcAddress (the portable way: other OpenAL implementations may not export them).
import COpenAL

/// ALC_SOFT_loopback: a device that mixes into our buffer when asked, faster than real time.
struct LoopbackFunctions {
    let openDevice: LPALCLOOPBACKOPENDEVICESOFT
    let isRenderFormatSupported: LPALCISRENDERFORMATSUPPORTEDSOFT
    let renderSamples: LPALCRENDERSAMPLESSOFT

    static func load() throws -> LoopbackFunctions {
        guard AL.hasDeviceExtension(nil, "ALC_SOFT_loopback"),
              let open = alcGetProcAddress(nil, "alcLoopbackOpenDeviceSOFT"),
              let supported = alcGetProcAddress(nil, "alcIsRenderFormatSupportedSOFT"),
              let render = alcGetProcAddress(nil, "alcRenderSamplesSOFT")
        else { throw AudioError.extensionMissing(name: "ALC_SOFT_loopback", neededFor: "rendering sound into memory (tests, WAV export)") }
        return LoopbackFunctions(openDevice: unsafeBitCast(open, to: LPALCLOOPBACKOPENDEVICESOFT.self),
                                 isRenderFormatSupported: unsafeBitCast(supported, to: LPALCISRENDERFORMATSUPPORTEDSOFT.self),
                                 renderSamples: unsafeBitCast(render, to: LPALCRENDERSAMPLESSOFT.self))
    }
}

/// ALC_SOFT_HRTF: names of the HRTF data sets the device offers.
struct HRTFFunctions {
    let getStringi: LPALCGETSTRINGISOFT

    static func load(device: OpaquePointer) -> HRTFFunctions? {
        guard AL.hasDeviceExtension(device, "ALC_SOFT_HRTF"),
              let p = alcGetProcAddress(device, "alcGetStringiSOFT") else { return nil }
        return HRTFFunctions(getStringi: unsafeBitCast(p, to: LPALCGETSTRINGISOFT.self))
    }

    func names(device: OpaquePointer) -> [String] {
        var count: ALCint = 0
        alcGetIntegerv(device, ALC_NUM_HRTF_SPECIFIERS_SOFT, 1, &count)
        return (0..<max(0, count)).compactMap { AL.string(getStringi(device, ALC_HRTF_SPECIFIER_SOFT, $0)) }
    }
}

/// AL_SOFT_deferred_updates: batch one frame's listener and source changes so the mixer
/// applies them together (no frame where the head moved but the sources did not).
struct DeferredUpdateFunctions {
    let defer_: LPALDEFERUPDATESSOFT
    let process: LPALPROCESSUPDATESSOFT

    /// Needs the context current.
    static func load() -> DeferredUpdateFunctions? {
        guard alIsExtensionPresent("AL_SOFT_deferred_updates") != AL_FALSE,
              let d = alGetProcAddress("alDeferUpdatesSOFT"),
              let p = alGetProcAddress("alProcessUpdatesSOFT") else { return nil }
        return DeferredUpdateFunctions(defer_: unsafeBitCast(d, to: LPALDEFERUPDATESSOFT.self),
                                       process: unsafeBitCast(p, to: LPALPROCESSUPDATESSOFT.self))
    }
}
