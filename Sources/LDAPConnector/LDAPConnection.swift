import Connectors
package import LDAPMessages
import NIOCore
import NIOPosix
package import NIOSSL
import NIOTLS
import Synchronization

/// Why an LDAP call failed: the server's answer, or the connection's trouble.
package enum LDAPFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered with a result other than success.
    case result(LDAPResult, operation: String)
    /// No connection could be made (refused, unreachable, a TLS handshake that failed).
    case connect(String)
    /// The server did not answer within the call's time.
    case timedOut(String)
    /// The connection ended while the call was in flight.
    case closed(String)
    /// The server sent something that is not LDAP.
    case protocolError(String)

    package var description: String {
        switch self {
        case .result(let result, let operation):
            let diagnostic = result.diagnosticMessage.isEmpty ? "" : ": \(result.diagnosticMessage)"
            let matched = result.code == .noSuchObject && !result.matchedDN.isEmpty ? " (the nearest entry that exists is '\(result.matchedDN)')" : ""
            return "the directory refused the \(operation) with \(result.code)\(diagnostic)\(matched)"
        case .connect(let reason): return "cannot connect to the directory: \(reason)"
        case .timedOut(let reason): return reason
        case .closed(let reason): return "the connection to the directory ended: \(reason)"
        case .protocolError(let reason): return "the directory sent a message that is not LDAP: \(reason)"
        }
    }

    /// The server's result code, when it answered.
    package var code: ResultCode? {
        if case .result(let result, _) = self { return result.code }
        return nil
    }
}

/// Where a directory is and how to reach it safely.
package struct LDAPEndpoint: Sendable {
    package enum Security: String, Sendable {
        /// Cleartext: only where the configuration allows it.
        case none
        /// TLS from the first byte (`ldaps://`, port 636).
        case ldaps
        /// Cleartext, then the StartTLS extended operation before anything else.
        case startTLS
    }

    package var host: String
    package var port: Int
    package var security: Security
    /// The TLS settings (trust, a client certificate), for `ldaps` and `startTLS`.
    package var tls: NIOSSLContext?
    package var connectTimeout: Duration

    package init(host: String, port: Int, security: Security, tls: NIOSSLContext? = nil, connectTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.security = security
        self.tls = tls
        self.connectTimeout = connectTimeout
    }

    /// The name the server's certificate is checked against: nil for an IP address.
    var serverHostname: String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}

/// One connection to a directory on SwiftNIO: requests are multiplexed by message id, each with
/// its own deadline (a call past it is abandoned and fails), the answers of a search gathered
/// until its final result. Nothing blocks a thread: every call is a write and a promise.
package final class LDAPConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects, with TLS from the start for `ldaps` and after StartTLS for `startTLS`; the
    /// handshake is part of the connect timeout.
    package static func connect(_ endpoint: LDAPEndpoint) async throws(LDAPFailure) -> LDAPConnection {
        let timeout = TimeAmount.nanoseconds(Int64(endpoint.connectTimeout / .nanoseconds(1)))
        if endpoint.security != .none, endpoint.tls == nil { throw .connect("TLS is asked for and no TLS settings are given") }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let operations = channel.pipeline.syncOperations
                        if endpoint.security == .ldaps, let tls = endpoint.tls {
                            try operations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: endpoint.serverHostname))
                        }
                        try operations.addHandler(ByteToMessageHandler(LDAPFrameDecoder()))
                        try operations.addHandler(LDAPClientHandler(secure: endpoint.security == .ldaps))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw .connect("\(endpoint.host):\(endpoint.port): \(error)")
        }
        let connection = LDAPConnection(channel: channel)
        do {
            try await connection.handshake(within: endpoint.connectTimeout)
            if endpoint.security == .startTLS, let tls = endpoint.tls {
                try await connection.startTLS(tls, serverHostname: endpoint.serverHostname, timeout: endpoint.connectTimeout)
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Waits for the TLS handshake of an `ldaps` connection.
    private func handshake(within timeout: Duration) async throws(LDAPFailure) {
        let result = await outcome {
            try await self.channel.pipeline.handler(type: LDAPClientHandler.self).flatMap { $0.tlsReady(timeout: timeout) }.get()
        }
        if case .failure(let error) = result { throw error as? LDAPFailure ?? .connect("\(error)") }
    }

    /// StartTLS (RFC 4511 §4.14): the extended operation, then TLS on the same connection.
    private func startTLS(_ context: NIOSSLContext, serverHostname: String?, timeout: Duration) async throws(LDAPFailure) {
        let answer = try await send(.extendedRequest(name: ExtendedOperation.startTLS, value: nil), timeout: timeout)
        guard let result = answer.last?.operation.result else { throw .protocolError("no answer to StartTLS") }
        guard result.code == .success else {
            throw .connect("the directory refused StartTLS with \(result.code)\(result.diagnosticMessage.isEmpty ? "" : ": \(result.diagnosticMessage)")")
        }
        let tlsResult = await outcome {
            try await self.channel.eventLoop.flatSubmit {
                do {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                    try self.channel.pipeline.syncOperations.addHandler(tls, position: .first)
                    return self.channel.pipeline.handler(type: LDAPClientHandler.self).flatMap { $0.startedTLS(timeout: timeout) }
                } catch {
                    return self.channel.eventLoop.makeFailedFuture(error)
                }
            }.get()
        }
        if case .failure(let error) = tlsResult { throw error as? LDAPFailure ?? .connect("TLS after StartTLS: \(error)") }
    }

    /// Sends an operation and waits for every message that answers it (the entries and references
    /// of a search, then its result), at most `timeout`. An unbind or an abandon has no answer.
    package func send(_ operation: LDAPMessage.Operation, controls: [LDAPControl] = [], timeout: Duration) async throws(LDAPFailure) -> [LDAPMessage] {
        let promise = channel.eventLoop.makePromise(of: [LDAPMessage].self)
        let exchange = LDAPExchange(operation: operation, controls: controls, timeout: timeout, promise: promise)
        channel.writeAndFlush(exchange, promise: nil)
        let result = await outcome { try await promise.futureResult.get() }
        switch result {
        case .success(let messages): return messages
        case .failure(let error as LDAPFailure): throw error
        case .failure(let error): throw .closed("\(error)")
        }
    }

    /// Whether the connection still serves.
    package var isActive: Bool { channel.isActive }

    /// Sends an unbind and closes.
    package func close() {
        let channel = channel
        guard channel.isActive else { return }
        let promise = channel.eventLoop.makePromise(of: [LDAPMessage].self)
        channel.writeAndFlush(LDAPExchange(operation: .unbindRequest, controls: [], timeout: .seconds(1), promise: promise), promise: nil)
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
}

/// A request on its way: the operation, its deadline, and the promise its answers complete.
struct LDAPExchange: Sendable {
    var operation: LDAPMessage.Operation
    var controls: [LDAPControl]
    var timeout: Duration
    var promise: EventLoopPromise<[LDAPMessage]>

    /// The operation's name in messages: `add`, `search`.
    var name: String { Self.name(operation) }

    static func name(_ operation: LDAPMessage.Operation) -> String {
        switch operation {
        case .bindRequest: "bind"
        case .searchRequest: "search"
        case .modifyRequest: "modify"
        case .addRequest: "add"
        case .deleteRequest: "delete"
        case .modifyDNRequest: "rename (modify DN)"
        case .extendedRequest(let name, _):
            switch name {
            case ExtendedOperation.passwordModify: "password modify"
            case ExtendedOperation.startTLS: "StartTLS"
            default: "extended operation \(name)"
            }
        default: "request"
        }
    }
}

/// Cuts the byte stream into LDAP messages; a message larger than `limit` ends the connection.
struct LDAPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = LDAPMessage
    let limit = 64 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let length = try BER.frameLength(view) else {
            if view.count > limit { throw LDAPFailure.protocolError("a message larger than \(limit) bytes") }
            return .needMoreData
        }
        guard length <= limit else { throw LDAPFailure.protocolError("a message of \(length) bytes, more than \(limit)") }
        let bytes = buffer.readBytes(length: length)!
        do {
            context.fireChannelRead(wrapInboundOut(try LDAPMessage(decoding: bytes)))
        } catch {
            throw LDAPFailure.protocolError("\(error)")
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Gives each request an id, writes it, and routes the answers back to it by that id; fails
/// every request in flight when the connection ends.
final class LDAPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = LDAPMessage
    typealias OutboundIn = LDAPExchange
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var exchange: LDAPExchange
        var messages: [LDAPMessage] = []
        var timer: Scheduled<Void>?
    }

    private var pending: [Int: Pending] = [:]
    private var nextID = 0
    private var context: ChannelHandlerContext?
    /// Completed once TLS is up (at once for a connection without it).
    private var tls: EventLoopPromise<Void>?
    private var secure: Bool
    private var ended: LDAPFailure?

    init(secure: Bool) {
        self.secure = secure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        tls = context.eventLoop.makePromise()
        if !secure { tls?.succeed(()) }
    }

    /// Completes once the TLS handshake of an `ldaps` connection is done.
    func tlsReady(timeout: Duration) -> EventLoopFuture<Void> {
        guard let tls, let context else { return MultiThreadedEventLoopGroup.singleton.any().makeFailedFuture(LDAPFailure.closed("no connection")) }
        let timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout / .nanoseconds(1)))) {
            tls.fail(LDAPFailure.connect("the TLS handshake did not finish within \(timeout)"))
        }
        tls.futureResult.whenComplete { _ in timer.cancel() }
        return tls.futureResult
    }

    /// After StartTLS: waits for the new handshake.
    func startedTLS(timeout: Duration) -> EventLoopFuture<Void> {
        secure = true
        tls = context?.eventLoop.makePromise()
        return tlsReady(timeout: timeout)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { tls?.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        if let ended {
            exchange.promise.fail(ended)
            return
        }
        nextID = nextID == Int(Int32.max) ? 1 : nextID + 1
        let id = nextID
        let message = LDAPMessage(id: id, exchange.operation, controls: exchange.controls)
        let bytes = context.channel.allocator.buffer(bytes: message.encoded)
        switch exchange.operation {
        case .unbindRequest, .abandonRequest:
            // No answer: done once written.
            context.write(wrapOutboundOut(bytes)).whenComplete { _ in exchange.promise.succeed([]) }
            return
        default:
            break
        }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(exchange.timeout / .nanoseconds(1)))) { [weak self] () -> Void in
            self?.expire(id)
        }
        pending[id] = Pending(exchange: exchange, timer: timer)
        context.write(wrapOutboundOut(bytes), promise: promise)
    }

    /// A request past its deadline: abandoned at the server, failed here.
    private func expire(_ id: Int) {
        guard let request = pending.removeValue(forKey: id), let context else { return }
        request.exchange.promise.fail(LDAPFailure.timedOut("the directory did not answer the \(request.exchange.name) within \(request.exchange.timeout)"))
        nextID = nextID == Int(Int32.max) ? 1 : nextID + 1
        let abandon = LDAPMessage(id: nextID, .abandonRequest(id: id))
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: abandon.encoded)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if message.id == 0 {
            // An unsolicited notification: the server is about to close the connection.
            if case .extendedResponse(let result, _, _) = message.operation {
                fail(.closed("the directory said it closes the connection: \(result.code)\(result.diagnosticMessage.isEmpty ? "" : ", \(result.diagnosticMessage)")"))
            }
            context.close(promise: nil)
            return
        }
        guard var request = pending[message.id] else { return }
        request.messages.append(message)
        switch message.operation {
        case .searchResultEntry, .searchResultReference, .intermediateResponse:
            pending[message.id] = request
        default:
            pending[message.id] = nil
            request.timer?.cancel()
            request.exchange.promise.succeed(request.messages)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure = error as? LDAPFailure ?? (secure ? .connect("TLS: \(error)") : .closed("\(error)"))
        fail(failure)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed("the directory closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(_ failure: LDAPFailure) {
        if ended == nil { ended = failure }
        tls?.fail(failure)
        let all = pending
        pending = [:]
        for request in all.values {
            request.timer?.cancel()
            request.exchange.promise.fail(failure)
        }
    }
}
