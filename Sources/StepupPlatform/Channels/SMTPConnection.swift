import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// One SMTP conversation over SwiftNIO: lines in, commands out, replies parsed, TLS added in place for STARTTLS.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let iterator: IteratorBox

    /// Holds the stream's iterator; used by one conversation at a time.
    private final class IteratorBox: @unchecked Sendable {
        var iterator: AsyncThrowingStream<String, any Error>.AsyncIterator
        init(_ iterator: AsyncThrowingStream<String, any Error>.AsyncIterator) { self.iterator = iterator }
    }

    private init(channel: any Channel, replies: AsyncThrowingStream<String, any Error>) {
        self.channel = channel
        self.iterator = IteratorBox(replies.makeAsyncIterator())
    }

    static func connect(_ configuration: SMTPConfiguration, tls: NIOSSLContext?) async throws -> SMTPConnection {
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeout * 1000))
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: Self.serverHostname(configuration.host))
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: timeout),
                        ByteToMessageHandler(LineBasedFrameDecoder()),
                        SMTPLineHandler(continuation: continuation),
                    ])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError.connectionFailed(String(describing: error))
        }
        return SMTPConnection(channel: channel, replies: stream)
    }

    /// SNI and certificate hostname: an IP address is checked against the certificate's IP entries, not sent as SNI.
    static func serverHostname(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    /// Reads one (possibly multi-line) reply: its code and its lines' texts.
    func reply() async throws -> (code: Int, lines: [String]) {
        var lines: [String] = []
        while true {
            guard let line = try await iterator.iterator.next() else { throw SMTPError.closed }
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw SMTPError.reply(code: 0, text: "unparsable reply")
            }
            lines.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, lines) }
        }
    }

    /// Sends a command and reads its reply, which must be `expected`; any other code is a typed failure.
    @discardableResult
    func command(_ line: String, expect expected: Int) async throws -> [String] {
        try await send(line)
        return try await expect(expected)
    }

    func expect(_ expected: Int) async throws -> [String] {
        let (code, lines) = try await reply()
        guard code == expected else { throw SMTPError.reply(code: code, text: lines.joined(separator: " ")) }
        return lines
    }

    func send(_ line: String) async throws {
        try await write(ByteBuffer(string: line + "\r\n"))
    }

    func sendRaw(_ text: String) async throws {
        try await write(ByteBuffer(string: text))
    }

    /// A write to a connection that ended (the read timeout closed it, the server hung up) fails as the typed error
    /// that ended it, so it is retried as transient and reported as a delivery failure, never as NIO's own error.
    private func write(_ buffer: ByteBuffer) async throws {
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            while try await iterator.iterator.next() != nil {}
            throw SMTPError.closed
        }
    }

    /// Upgrades the connection to TLS in place, after the server's `220` to `STARTTLS`.
    func startTLS(_ context: NIOSSLContext, host: String) async throws {
        let hostname = Self.serverHostname(host)
        let channel = self.channel
        // Made and added on the channel's event loop: a handler is not Sendable, so it never crosses threads.
        do {
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: hostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            throw SMTPError.connectionFailed("STARTTLS: \(error)")
        }
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// Turns decoded lines into the reply stream; a read timeout or a closed connection ends it with an error.
final class SMTPLineHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncThrowingStream<String, any Error>.Continuation

    init(continuation: AsyncThrowingStream<String, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        var line = buffer.readString(length: buffer.readableBytes) ?? ""
        if line.hasSuffix("\r") { line.removeLast() }
        continuation.yield(line)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            continuation.finish(throwing: SMTPError.timedOut)
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish(throwing: SMTPError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SMTPError.connectionFailed(String(describing: error)))
        context.close(promise: nil)
    }
}
