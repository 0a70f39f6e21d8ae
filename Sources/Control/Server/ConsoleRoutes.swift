import Foundation
import HTTPTypes
import Hummingbird

/// Plain HTTP routes: the console page and its assets, and the mirror image.
enum ConsoleRoutes {
    static let assets: [(path: String, file: String, ext: String, contentType: String)] = [
        ("/", "index", "html", "text/html; charset=utf-8"),
        ("/console.js", "console", "js", "text/javascript; charset=utf-8"),
        ("/ratings.js", "ratings", "js", "text/javascript; charset=utf-8"),
        ("/world.js", "world", "js", "text/javascript; charset=utf-8"),
        ("/console.css", "console", "css", "text/css; charset=utf-8"),
    ]

    /// The page may talk only to this server; no inline scripts, no framing by other sites.
    static let securityHeaders: HTTPFields = {
        var fields: HTTPFields = [
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'",
            .cacheControl: "no-store",
            .xContentTypeOptions: "nosniff",
        ]
        if let referrer = HTTPField.Name("Referrer-Policy") { fields[referrer] = "no-referrer" }
        return fields
    }()

    static func add(to router: Router<ControlRequestContext>, session: any ControlledSession, authenticator: Authenticator) {
        for asset in assets {
            router.get(RouterPath(asset.path)) { _, _ -> Response in
                guard let url = Bundle.module.url(forResource: asset.file, withExtension: asset.ext, subdirectory: "Console"),
                      let data = try? Data(contentsOf: url) else {
                    return errorResponse(.internalServerError, ControlSetupError.consoleAssetMissing("\(asset.file).\(asset.ext)").description)
                }
                var headers = securityHeaders
                headers[.contentType] = asset.contentType
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.get("/v1/mirror.png") { request, _ -> Response in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                return errorResponse(.unauthorized, "send the session token as 'Authorization: Bearer <token>'")
            }
            guard case .granted = authenticator.authenticate(token: String(header.dropFirst(7)), pairingCode: nil) else {
                return errorResponse(.unauthorized, "the token is not valid for this session")
            }
            guard let png = session.latestMirrorPNG() else {
                return errorResponse(.notFound, "no mirror image has been rendered yet")
            }
            var headers = securityHeaders
            headers[.contentType] = "image/png"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
    }

    static func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let code: String
        switch status {
        case .unauthorized: code = ControlErrorCode.authenticationFailed.rawValue
        case .notFound: code = "not_found"
        case .forbidden: code = "forbidden_origin"
        case .serviceUnavailable: code = ControlErrorCode.tooManyConnections.rawValue
        default: code = "server_error"
        }
        let object = ["type": "error", "code": code, "message": message]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers = securityHeaders
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
