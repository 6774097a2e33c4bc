import Connectors
import MappingExpressions
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// HTTP/1.1 on SwiftNIO, with TLS through NIOSSL: keep-alive connections per origin, at most the
/// connector's concurrency of them, each carrying one request at a time.
///
/// A request is one write of its head and body and one wait for the whole response: the request
/// timeout runs on the connection's event loop from the moment the request is written and closes
/// the connection when it passes. A connection is made within the connect timeout, its TLS
/// handshake included, so a certificate nobody trusts is a failure to connect: nothing was sent.
/// Responses larger than `maxBodySize` fail. Redirects are not followed and bodies are not
/// decompressed: the template says what a call is, and gets what the application answered.
package final class HTTP1Transport: HTTPTransport {
    private let tls: NIOSSLContext?
    private let limit: Int
    private let connectTimeout: Duration
    private let maxBodySize: Int
    private let pools = Mutex<[Origin: ConnectionPool]>([:])

    package init(connection: WebServiceTemplate.Connection, maxBodySize: Int = 64 << 20) throws(TransportFailure) {
        if connection.baseURL.lowercased().hasPrefix("https://") || connection.tls.caFile != nil || connection.tls.certificateFile != nil {
            var configuration = TLSConfiguration.makeClientConfiguration()
            do {
                if let ca = connection.tls.caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
                if let certificate = connection.tls.certificateFile, let key = connection.tls.privateKeyFile {
                    configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                    configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
                if connection.tls.insecure { configuration.certificateVerification = .none }
                tls = try NIOSSLContext(configuration: configuration)
            } catch {
                throw .connect("the TLS files cannot be read: \(error)")
            }
        } else {
            tls = nil
        }
        limit = max(1, connection.concurrency)
        connectTimeout = connection.connectTimeout
        self.maxBodySize = maxBodySize
    }

    package func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportFailure) -> IncomingResponse {
        guard let target = RequestTarget(request.url) else {
            throw .connect("the URL \(WebServiceClient.pathOnly(request.url)) is not valid")
        }
        if target.origin.secure, tls == nil {
            throw .connect("the URL \(WebServiceClient.pathOnly(request.url)) is HTTPS, the connection's base URL is not")
        }
        let pool = pools.withLock { pools in
            if let pool = pools[target.origin] { return pool }
            let pool = ConnectionPool(origin: target.origin, tls: tls, limit: limit, connectTimeout: connectTimeout)
            pools[target.origin] = pool
            return pool
        }
        let head = Self.head(request, target)
        let body = request.body.map { ByteBuffer(bytes: $0) }
        // A kept-alive connection the application closed just as the request went out fails with
        // no byte of an answer; an idempotent request is then sent again, on another connection
        // (RFC 9112 §9.3.1), as long as the one that failed had carried a request before.
        var attempts = 0
        while true {
            attempts += 1
            let connection = try await pool.acquire(timeout: timeout)
            let exchange = Exchange(
                head: head, body: body, timeout: TimeAmount.nanoseconds(Int64(timeout / .nanoseconds(1))), maxBodySize: maxBodySize,
                promise: connection.channel.eventLoop.makePromise())
            let result = await withTaskCancellationHandler {
                connection.channel.writeAndFlush(exchange, promise: nil)
                return await outcome { try await exchange.promise.futureResult.get() }
            } onCancel: {
                connection.channel.close(promise: nil)
            }
            switch result {
            case .success(let (response, keepAlive)):
                pool.release(connection, reuse: keepAlive)
                return response
            case .failure(let error):
                pool.release(connection, reuse: false)
                if let unanswered = error as? Unanswered {
                    if connection.reused, request.isIdempotent, !Task.isCancelled, attempts <= limit { continue }
                    throw unanswered.failure
                }
                throw error as? TransportFailure ?? .interrupted("\(error)")
            }
        }
    }

    static func head(_ request: OutgoingRequest, _ target: RequestTarget) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        if !request.headers.contains(where: { $0.0.caseInsensitiveEquals("Host") }) { headers.add(name: "Host", value: target.host) }
        for (name, value) in request.headers where !name.caseInsensitiveEquals("Content-Length") {
            headers.add(name: name, value: value)
        }
        if let body = request.body {
            headers.add(name: "Content-Length", value: String(body.count))
        } else if ["POST", "PUT", "PATCH"].contains(request.method) {
            headers.add(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target.path, headers: headers)
    }

    package func shutdown() async {
        let all = pools.withLock { pools in
            defer { pools = [:] }
            return Array(pools.values)
        }
        for pool in all { await pool.shutdown() }
    }

    deinit {
        // A connector that was never run as a service (a command, a test) still lets its
        // connections go.
        for pool in pools.withLock({ Array($0.values) }) { pool.closeIdle() }
    }
}

/// Where a connection goes: scheme, host and port.
struct Origin: Hashable, Sendable {
    var secure: Bool
    var host: String
    var port: Int
}

/// A URL taken apart for HTTP/1.1: its origin, the `Host` header's value and the request target
/// (path and query, fragment dropped). Bytes a request line cannot carry (spaces, controls,
/// non-ASCII) are percent-encoded; a URL with credentials in it is not accepted.
struct RequestTarget {
    var origin: Origin
    var host: String
    var path: String

    init?(_ url: String) {
        let bytes = Array(url.utf8)
        let secure: Bool
        var index: Int
        if bytes.starts(with: Array("https://".utf8)) || bytes.starts(with: Array("HTTPS://".utf8)) {
            secure = true
            index = 8
        } else if bytes.starts(with: Array("http://".utf8)) || bytes.starts(with: Array("HTTP://".utf8)) {
            secure = false
            index = 7
        } else {
            return nil
        }
        let authorityStart = index
        while index < bytes.count, ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(bytes[index]) { index += 1 }
        let authority = bytes[authorityStart..<index]
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }
        var host: ArraySlice<UInt8>
        var port = secure ? 443 : 80
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = authority[authority.startIndex + 1..<close]
            let rest = authority[(close + 1)...]
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":"), let number = Int(String(decoding: rest.dropFirst(), as: UTF8.self)), (1...65535).contains(number) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            guard let number = Int(String(decoding: authority[(colon + 1)...], as: UTF8.self)), (1...65535).contains(number) else { return nil }
            port = number
        } else {
            host = authority
        }
        guard !host.isEmpty, host.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        origin = Origin(secure: secure, host: String(decoding: host, as: UTF8.self).lowercased(), port: port)
        self.host = String(decoding: authority, as: UTF8.self)
        var path = ""
        if index >= bytes.count || bytes[index] != UInt8(ascii: "/") { path = "/" }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count - index)
        while index < bytes.count, bytes[index] != UInt8(ascii: "#") {
            let byte = bytes[index]
            if byte > 0x20, byte < 0x7F, !Self.notInRequestLine.contains(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
            index += 1
        }
        self.path = path + String(decoding: encoded, as: UTF8.self)
    }

    private static let notInRequestLine = Set("\"<>\\^`{|}".utf8)
}

/// One request and its answer on a connection: written as one message, so the handler sends head
/// and body with one flush and starts the request's timer on the connection's own loop.
final class Exchange: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let timeout: TimeAmount
    let maxBodySize: Int
    /// The response, and whether the connection may carry another request.
    let promise: EventLoopPromise<(IncomingResponse, Bool)>

    init(head: HTTPRequestHead, body: ByteBuffer?, timeout: TimeAmount, maxBodySize: Int, promise: EventLoopPromise<(IncomingResponse, Bool)>) {
        self.head = head
        self.body = body
        self.timeout = timeout
        self.maxBodySize = maxBodySize
        self.promise = promise
    }
}

/// A connection of the pool: its channel, and whether it carried a request before this one.
struct PooledConnection: Sendable {
    let id: Int
    let channel: any Channel
    var reused = false
}

/// A request's failure before any byte of its answer came, on a connection that closed or broke:
/// the application cannot have answered it.
struct Unanswered: Error {
    let failure: TransportFailure
}

/// The connections to one origin: idle ones reused newest first, new ones made while fewer than
/// the limit are open, and callers beyond it served in turn as connections come back or close.
final class ConnectionPool: Sendable {
    private enum Turn {
        case reuse(PooledConnection)
        case connect
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Turn, any Error>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var idle: [PooledConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextID = 0
        var closed = false

        /// An idle connection still open, else a slot for a new one below `limit`; nil when
        /// neither is free.
        mutating func take(limit: Int) -> Turn? {
            while var connection = idle.popLast() {
                connection.reused = true
                if connection.channel.isActive { return .reuse(connection) }
            }
            guard open < limit else { return nil }
            open += 1
            return .connect
        }

        mutating func newID() -> Int {
            nextID += 1
            return nextID
        }
    }

    let origin: Origin
    private let tls: NIOSSLContext?
    private let limit: Int
    private let connectTimeout: Duration
    private let state = Mutex(State())
    private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    init(origin: Origin, tls: NIOSSLContext?, limit: Int, connectTimeout: Duration) {
        self.origin = origin
        self.tls = tls
        self.limit = limit
        self.connectTimeout = connectTimeout
    }

    /// An idle connection, a new one, or the next one free within `timeout`.
    func acquire(timeout: Duration) async throws(TransportFailure) -> PooledConnection {
        enum Next {
            case now(Turn)
            case wait
            case closed
        }
        let next: Next = state.withLock { state in
            if state.closed { return .closed }
            return state.take(limit: limit).map(Next.now) ?? .wait
        }
        let turn: Turn
        switch next {
        case .now(let now): turn = now
        case .closed: throw .connect("the connector is shutting down")
        case .wait:
            do {
                turn = try await wait(timeout)
            } catch let failure as TransportFailure {
                throw failure
            } catch {
                throw .interrupted("\(error)")
            }
        }
        switch turn {
        case .reuse(let connection): return connection
        case .connect: return try await connect(state.withLock { $0.newID() })
        }
    }

    private func wait(_ timeout: Duration) async throws -> Turn {
        let id = state.withLock { $0.newID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
                let timer = group.any().scheduleTask(in: .nanoseconds(Int64(timeout / .nanoseconds(1)))) {
                    self.abandon(id, TransportFailure.timeout("\(timeout) passed waiting for a free connection"))
                }
                // What freed a slot or brought a connection back since the caller found none is
                // taken here, under the same lock as the queue: else the caller would wait for a
                // release that has already happened.
                enum Queued {
                    case waiting
                    case now(Turn)
                    case closed
                }
                let queued: Queued = state.withLock { state in
                    guard !state.closed else { return .closed }
                    if let turn = state.take(limit: limit) { return .now(turn) }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
                    return .waiting
                }
                switch queued {
                case .waiting: break
                case .now(let turn):
                    timer.cancel()
                    continuation.resume(returning: turn)
                case .closed:
                    timer.cancel()
                    continuation.resume(throwing: TransportFailure.connect("the connector is shutting down"))
                }
            }
        } onCancel: {
            abandon(id, CancellationError())
        }
    }

    private func abandon(_ id: Int, _ error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(throwing: error)
    }

    /// A connection back from a request: kept for the next one, handed to a caller waiting, or
    /// closed (its slot then goes to a caller waiting when the close completes).
    func release(_ connection: PooledConnection, reuse: Bool) {
        guard reuse, connection.channel.isActive else {
            connection.channel.close(promise: nil)
            return
        }
        let waiter: Waiter? = state.withLock { state in
            if state.closed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.timer?.cancel()
            var connection = connection
            connection.reused = true
            waiter.continuation.resume(returning: .reuse(connection))
        } else if state.withLock({ $0.closed }) {
            connection.channel.close(promise: nil)
        }
    }

    /// A slot is free again: a connection closed or could not be made.
    private func freed(_ id: Int) {
        let waiter: Waiter? = state.withLock { state in
            state.idle.removeAll { $0.id == id }
            if !state.closed, !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: .connect)
    }

    private func connect(_ id: Int) async throws(TransportFailure) -> PooledConnection {
        let timeout = TimeAmount.nanoseconds(Int64(connectTimeout / .nanoseconds(1)))
        let origin = origin
        let tls = tls
        let result = await outcome {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let operations = channel.pipeline.syncOperations
                        if let tls {
                            let name = Self.isAddress(origin.host) ? nil : origin.host
                            try operations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                        }
                        try operations.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes)
                        try operations.addHandler(ExchangeHandler(secure: tls != nil, handshakeTimeout: timeout))
                    }
                }
                .connect(host: origin.host, port: origin.port).get()
            do {
                try await channel.pipeline.handler(type: ExchangeHandler.self).flatMap { $0.ready! }.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
            return channel
        }
        switch result {
        case .success(let channel):
            channel.closeFuture.whenComplete { _ in self.freed(id) }
            return PooledConnection(id: id, channel: channel)
        case .failure(let error):
            freed(id)
            if let failure = error as? TransportFailure { throw failure }
            if case ChannelError.connectTimeout = error { throw .connect("the connection was not made in time") }
            let text = "\(error)"
            throw .connect(text.contains("refused") || text.contains("ECONNREFUSED") ? "connection refused" : text)
        }
    }

    static func isAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    func closeIdle() {
        let idle = state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.channel.close(promise: nil) }
    }

    func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: TransportFailure.connect("the connector is shutting down"))
        }
        for connection in idle { try? await connection.channel.close() }
    }
}

/// The last handler of a connection: sends an ``Exchange``'s request, gathers its response and
/// completes it; fails it when the connection breaks, the body grows past its limit or its
/// timer fires. `ready` completes once the connection can carry requests (its TLS handshake done).
final class ExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private let secure: Bool
    private let handshakeTimeout: TimeAmount
    private var readyPromise: EventLoopPromise<Void>?
    private var handshakeTimer: Scheduled<Void>?
    private var exchange: Exchange?
    private var timer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    init(secure: Bool, handshakeTimeout: TimeAmount) {
        self.secure = secure
        self.handshakeTimeout = handshakeTimeout
    }

    /// Completes when the connection is ready for its first request.
    private(set) var ready: EventLoopFuture<Void>?

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        ready = promise.futureResult
        if secure { readyPromise = promise } else { promise.succeed() }
    }

    func channelActive(context: ChannelHandlerContext) {
        if secure, readyPromise != nil {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
                let (handler, context) = loopBound.value
                handler.failReady(TransportFailure.connect("the TLS handshake did not finish in time"))
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            handshakeTimer?.cancel()
            readyPromise?.succeed()
            readyPromise = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func failReady(_ error: any Error) {
        handshakeTimer?.cancel()
        readyPromise?.fail(error)
        readyPromise = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard self.exchange == nil, context.channel.isActive else {
            exchange.promise.fail(Unanswered(failure: .interrupted("the connection was closed before the request was sent")))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        self.exchange = exchange
        head = nil
        body = nil
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: exchange.timeout) {
            let (handler, context) = loopBound.value
            handler.fail(TransportFailure.timeout("\(Self.describe(exchange.timeout)) passed"))
            context.close(promise: nil)
        }
        // A part that cannot be written (a header value with a line break in it is refused
        // before anything is sent) fails the request and closes the connection.
        func watched() -> EventLoopPromise<Void> {
            let sent = context.eventLoop.makePromise(of: Void.self)
            sent.futureResult.assumeIsolated().whenFailure { error in
                let (handler, context) = loopBound.value
                // A connection that closed under the request is one more unanswered failure; a
                // request the encoder refused (a header with a line break) is the request's own.
                let closed = error as? ChannelError == .ioOnClosedChannel || error as? ChannelError == .outputClosed
                handler.fail(TransportFailure.interrupted("the request could not be sent: \(error)"), unanswered: closed)
                context.close(promise: nil)
            }
            return sent
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: watched())
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: watched())
        promise?.succeed()
    }

    static func describe(_ amount: TimeAmount) -> String {
        let duration = Duration.nanoseconds(amount.nanoseconds)
        return "\(duration)"
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx answers are interim; the response is the one after them.
            if head.status.code >= 200 || head.status.code == 101 { self.head = head }
        case .body(let part):
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > exchange.maxBodySize {
                fail(TransportFailure.interrupted("the response is larger than \(exchange.maxBodySize) bytes"))
                context.close(promise: nil)
                return
            }
            if body == nil { body = part } else { body!.writeImmutableBuffer(part) }
        case .end:
            guard let head else { return }
            timer?.cancel()
            timer = nil
            self.exchange = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            self.head = nil
            let response = IncomingResponse(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: bytes)
            exchange.promise.succeed((response, head.isKeepAlive))
        }
    }

    /// Fails the request in flight. With `unanswered`, a failure of the connection itself: when
    /// no byte of an answer had come, it is ``Unanswered``.
    private func fail(_ error: TransportFailure, unanswered: Bool = false) {
        timer?.cancel()
        timer = nil
        let exchange = self.exchange
        let nothingCame = head == nil && body == nil
        self.exchange = nil
        head = nil
        body = nil
        exchange?.promise.fail(unanswered && nothingCame ? Unanswered(failure: error) : error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failReady(TransportFailure.connect("the application closed the connection"))
        fail(.interrupted("the application closed the connection before its answer was complete"), unanswered: true)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if readyPromise != nil {
            failReady(TransportFailure.connect("TLS: \(error)"))
        } else if let error = error as? HTTPParserError {
            fail(TransportFailure.interrupted(
                error == .invalidEOFState
                    ? "the application closed the connection before its answer was complete"
                    : "the application's answer is not HTTP/1.1 (\(error))"))
        } else {
            // A reset or another failure of the socket.
            fail(.interrupted("\(error)"), unanswered: error is IOError)
        }
        context.close(promise: nil)
    }
}
