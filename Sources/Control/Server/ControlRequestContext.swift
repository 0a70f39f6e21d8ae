import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every console route: Hummingbird's, plus the peer's address, which
/// the per-source limits and the refusal summaries need.
struct ControlRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<ControlRequestContext>
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// "127.0.0.1", "::1"; "unknown" for a peer without an IP address.
    var sourceName: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// Refuses, with 403 and a message, any request whose Host or Origin the console does not
/// answer to (see RequestOriginPolicy); the refusal is counted, not recorded row by row.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext
    let policy: RequestOriginPolicy
    let port: @Sendable () -> Int?
    let tally: RefusalTally

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority
        if let why = policy.refusal(host: host, origin: request.headers[.origin], port: port()) {
            tally.note(.crossOrigin, from: context.sourceName)
            return ConsoleRoutes.errorResponse(.forbidden, why)
        }
        return try await next(request, context)
    }
}
