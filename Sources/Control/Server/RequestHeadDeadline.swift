import HummingbirdCore
import Logging
import NIOCore

/// A connection must send a complete request head (up to the blank line) within `deadline` of
/// opening, or it is closed. Slow, half-sent requests ("slowloris") otherwise hold a connection
/// open forever while trickling a byte now and then, which no idle timeout notices. Wraps the
/// server's own child channel: the check sits first on the (decrypted) bytes and removes itself
/// once the head is in, so a WebSocket that follows is untouched.
struct RequestHeadDeadlineChannel<Inner: HTTPChannelHandler>: HTTPChannelHandler {
    typealias Value = Inner.Value
    let inner: Inner
    let deadline: TimeAmount
    let onTimeout: @Sendable () -> Void

    var responder: HTTPChannelHandler.Responder { inner.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline(deadline: deadline, onTimeout: onTimeout))
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async { await inner.handle(value: value, logger: logger) }
}

final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var timer: Scheduled<Void>?
    /// The last bytes seen, so a blank line split across reads is still found.
    private var tail: [UInt8] = []
    private var done = false

    init(deadline: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel, onTimeout = self.onTimeout
        timer = context.eventLoop.scheduleTask(in: deadline) {
            onTimeout()
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            let buffer = unwrapInboundIn(data)
            let bytes = tail + (buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
            if Self.containsBlankLine(bytes) {
                done = true
                timer?.cancel()
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            tail = Array(bytes.suffix(3))
        }
        context.fireChannelRead(data)
    }

    static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return true }
        return false
    }
}
