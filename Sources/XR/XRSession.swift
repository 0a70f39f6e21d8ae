// An OpenXR session bound to our Vulkan device: reference space, view space, per-eye swapchains.
import COpenXR
import CVulkan
import SceneModel

/// One eye's swapchain and its images.
final class XRSwapchain {
    let handle: XrSwapchain
    let images: [VkImage]
    let format: VkFormat
    let width: Int, height: Int

    /// Keeps the session alive while this swapchain exists (destroyed before it).
    private let owner: XRSession

    init(session owner: XRSession, format: VkFormat, width: Int, height: Int, usage: XrSwapchainUsageFlags) throws {
        self.owner = owner
        let session = owner.handle
        var ci = XrSwapchainCreateInfo()
        ci.type = XR_TYPE_SWAPCHAIN_CREATE_INFO
        ci.usageFlags = usage
        ci.format = Int64(format.rawValue)
        ci.sampleCount = 1
        ci.width = UInt32(width)
        ci.height = UInt32(height)
        ci.faceCount = 1
        ci.arraySize = 1
        ci.mipCount = 1
        var h: XrSwapchain?
        try xrCheck("xrCreateSwapchain", xrCreateSwapchain(session, &ci, &h))
        guard let h else { throw XRError.call(name: "xrCreateSwapchain", result: "null handle") }
        var count: UInt32 = 0
        do {
            try xrCheck("xrEnumerateSwapchainImages", xrEnumerateSwapchainImages(h, 0, &count, nil))
            var blank = XrSwapchainImageVulkan2KHR()
            blank.type = XR_TYPE_SWAPCHAIN_IMAGE_VULKAN2_KHR
            var imgs = [XrSwapchainImageVulkan2KHR](repeating: blank, count: Int(count))
            try imgs.withUnsafeMutableBufferPointer { buf in
                // The runtime fills an array of XrSwapchainImageVulkan2KHR through its base-header pointer.
                let base = UnsafeMutableRawPointer(buf.baseAddress).map { $0.assumingMemoryBound(to: XrSwapchainImageBaseHeader.self) }
                try xrCheck("xrEnumerateSwapchainImages", xrEnumerateSwapchainImages(h, count, &count, base))
            }
            images = try imgs.prefix(Int(count)).map { img in
                guard let image = img.image else { throw XRError.call(name: "xrEnumerateSwapchainImages", result: "null VkImage") }
                return image
            }
        } catch {
            xrDestroySwapchain(h); throw error
        }
        handle = h; self.format = format; self.width = width; self.height = height
    }

    /// Acquire and wait; returns the image index. The image is in the layout the runtime hands out.
    func acquire() throws -> Int {
        var index: UInt32 = 0
        try xrCheck("xrAcquireSwapchainImage", xrAcquireSwapchainImage(handle, nil, &index))
        var wait = XrSwapchainImageWaitInfo()
        wait.type = XR_TYPE_SWAPCHAIN_IMAGE_WAIT_INFO
        wait.timeout = 1_000_000_000
        try xrCheck("xrWaitSwapchainImage", xrWaitSwapchainImage(handle, &wait))
        guard Int(index) < images.count else { throw XRError.call(name: "xrAcquireSwapchainImage", result: "index out of range") }
        return Int(index)
    }

    func release() throws {
        try xrCheck("xrReleaseSwapchainImage", xrReleaseSwapchainImage(handle, nil))
    }

    deinit { xrDestroySwapchain(handle) }
}

final class XRSession {
    let handle: XrSession
    /// The app's world: stage (floor origin), or local moved down by the floor offset.
    private(set) var appSpace: XrSpace?
    private(set) var viewSpace: XrSpace?
    private(set) var usesStage = false
    let viewSizes: [(width: Int, height: Int)]
    /// The instance and the Vulkan device outlive the session.
    private let instance: XRInstance
    private let vulkan: XRVulkanContext

    init(instance: XRInstance, vulkan: XRVulkanContext, floorOffset: Float) throws {
        self.instance = instance
        self.vulkan = vulkan
        var binding = XrGraphicsBindingVulkan2KHR()
        binding.type = XR_TYPE_GRAPHICS_BINDING_VULKAN2_KHR
        binding.instance = vulkan.instance
        binding.physicalDevice = vulkan.physicalDevice
        binding.device = vulkan.device
        binding.queueFamilyIndex = vulkan.queueFamilyIndex
        binding.queueIndex = 0
        var s: XrSession?
        try withUnsafePointer(to: &binding) { b in
            var ci = XrSessionCreateInfo()
            ci.type = XR_TYPE_SESSION_CREATE_INFO
            ci.next = UnsafeRawPointer(b)
            ci.systemId = instance.systemId
            try xrCheck("xrCreateSession", xrCreateSession(instance.handle, &ci, &s))
        }
        guard let s else { throw XRError.call(name: "xrCreateSession", result: "null handle") }
        handle = s

        // Views: primary stereo is required.
        var count: UInt32 = 0
        var sizes: [(width: Int, height: Int)] = []
        var app: XrSpace?, view: XrSpace?
        var stageFound = false
        do {
            try xrCheck("xrEnumerateViewConfigurationViews",
                        xrEnumerateViewConfigurationViews(instance.handle, instance.systemId, XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO, 0, &count, nil))
            var blank = XrViewConfigurationView(); blank.type = XR_TYPE_VIEW_CONFIGURATION_VIEW
            var views = [XrViewConfigurationView](repeating: blank, count: Int(count))
            try xrCheck("xrEnumerateViewConfigurationViews",
                        xrEnumerateViewConfigurationViews(instance.handle, instance.systemId, XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO, count, &count, &views))
            guard count == 2 else { throw XRError.unsupported("a two-view primary stereo configuration (got \(count) views)") }
            sizes = views.map { (Int($0.recommendedImageRectWidth), Int($0.recommendedImageRectHeight)) }

            var spaceCount: UInt32 = 0
            try xrCheck("xrEnumerateReferenceSpaces", xrEnumerateReferenceSpaces(s, 0, &spaceCount, nil))
            var types = [XrReferenceSpaceType](repeating: XR_REFERENCE_SPACE_TYPE_VIEW, count: Int(spaceCount))
            try xrCheck("xrEnumerateReferenceSpaces", xrEnumerateReferenceSpaces(s, spaceCount, &spaceCount, &types))
            // Without a stage, local (eye level at start) moved down by the floor offset stands in for the floor.
            let stage = types.contains(XR_REFERENCE_SPACE_TYPE_STAGE)
            stageFound = stage
            let offset = stage ? Pose.identity : Pose(position: Vec3(0, -floorOffset, 0))
            app = try XRSession.referenceSpace(s, stage ? XR_REFERENCE_SPACE_TYPE_STAGE : XR_REFERENCE_SPACE_TYPE_LOCAL, offset)
            view = try XRSession.referenceSpace(s, XR_REFERENCE_SPACE_TYPE_VIEW, .identity)
        } catch {
            if let app { xrDestroySpace(app) }
            xrDestroySession(s)
            throw error
        }
        viewSizes = sizes
        appSpace = app
        viewSpace = view
        usesStage = stageFound
    }

    static func referenceSpace(_ session: XrSession, _ type: XrReferenceSpaceType, _ pose: Pose) throws -> XrSpace {
        var ci = XrReferenceSpaceCreateInfo()
        ci.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO
        ci.referenceSpaceType = type
        ci.poseInReferenceSpace = pose.xr
        var space: XrSpace?
        try xrCheck("xrCreateReferenceSpace", xrCreateReferenceSpace(session, &ci, &space))
        guard let space else { throw XRError.call(name: "xrCreateReferenceSpace", result: "null handle") }
        return space
    }

    func swapchainFormats() throws -> [Int64] {
        var count: UInt32 = 0
        try xrCheck("xrEnumerateSwapchainFormats", xrEnumerateSwapchainFormats(handle, 0, &count, nil))
        var formats = [Int64](repeating: 0, count: Int(count))
        try xrCheck("xrEnumerateSwapchainFormats", xrEnumerateSwapchainFormats(handle, count, &count, &formats))
        return Array(formats.prefix(Int(count)))
    }

    /// Head pose and eye views in the app space at `time`.
    func locate(at time: XrTime) throws -> (head: Pose, views: [EyeView], raw: [XrView]) {
        guard let appSpace, let viewSpace else { return (.identity, [], []) }
        var location = XrSpaceLocation()
        location.type = XR_TYPE_SPACE_LOCATION
        try xrCheck("xrLocateSpace", xrLocateSpace(viewSpace, appSpace, time, &location))
        var info = XrViewLocateInfo()
        info.type = XR_TYPE_VIEW_LOCATE_INFO
        info.viewConfigurationType = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO
        info.displayTime = time
        info.space = appSpace
        var state = XrViewState(); state.type = XR_TYPE_VIEW_STATE
        var blank = XrView(); blank.type = XR_TYPE_VIEW
        var views = [XrView](repeating: blank, count: 2)
        var count: UInt32 = 0
        try xrCheck("xrLocateViews", xrLocateViews(handle, &info, &state, 2, &count, &views))
        let eyes = views.prefix(Int(count)).map { v in
            EyeView(pose: Pose(v.pose), fov: Fov(angleLeft: v.fov.angleLeft, angleRight: v.fov.angleRight,
                                                 angleUp: v.fov.angleUp, angleDown: v.fov.angleDown))
        }
        return (Pose(location.pose), eyes, Array(views.prefix(Int(count))))
    }

    func destroySpaces() {
        if let appSpace { xrDestroySpace(appSpace) }
        if let viewSpace { xrDestroySpace(viewSpace) }
        appSpace = nil; viewSpace = nil
    }

    deinit {
        destroySpaces()
        xrDestroySession(handle)
    }
}

extension Pose {
    init(_ p: XrPosef) {
        self.init(position: Vec3(p.position.x, p.position.y, p.position.z),
                  orientation: Quat(x: p.orientation.x, y: p.orientation.y, z: p.orientation.z, w: p.orientation.w))
    }
    var xr: XrPosef {
        XrPosef(orientation: XrQuaternionf(x: orientation.x, y: orientation.y, z: orientation.z, w: orientation.w),
                position: XrVector3f(x: position.x, y: position.y, z: position.z))
    }
}
