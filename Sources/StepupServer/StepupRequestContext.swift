import Hummingbird
import Logging
import NIOCore
import StepupPlatform

/// The per-request context of the Stepup server: Hummingbird's core storage, the peer address and the body limit.
public struct StepupRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer; with a trusted proxy, the client address is derived from it and `X-Forwarded-For`.
    public let peerAddress: String?
    /// Set by the server from configuration before routing; bodies beyond it are `body_too_large`.
    public var bodyLimit: Int = 65_536

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { bodyLimit }
}
