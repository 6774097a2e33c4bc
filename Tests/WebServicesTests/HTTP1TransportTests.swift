import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
import WebServices

/// The HTTP/1.1 transport against a peer on loopback that answers each request as a test says:
/// the cases a well-behaved application never shows (no answer, a connection closed half way, a
/// body too large, idle connections closed under the client).
@Suite struct HTTP1TransportTests {
    static func transport(_ server: ScriptedServer, concurrency: Int = 4) throws -> HTTP1Transport {
        var template = try TemplateReaderTests.read(TemplateReaderTests.valid)
        template.connection.baseURL = server.url
        template.connection.concurrency = concurrency
        return try HTTP1Transport(connection: template.connection)
    }

    static func ok(_ body: String, _ extra: String = "") -> ScriptedServer.Reply {
        .send(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)".utf8))
    }

    @Test func requestsShareAKeptAliveConnectionAndNeverExceedTheLimit() async throws {
        let server = try await ScriptedServer { _ in Self.ok("hello") }
        let transport = try Self.transport(server, concurrency: 2)
        for _ in 0..<3 {
            let response = try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/a"), timeout: .seconds(10))
            #expect(response.status == 200)
            #expect(response.body == Array("hello".utf8))
        }
        #expect(server.connections == 1)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<12 {
                group.addTask { try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/\(index)"), timeout: .seconds(10)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(server.connections <= 2)
        #expect(server.requests.count == 15)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func theRequestLineHostAndLengthAreWhatHTTP1Wants() async throws {
        let server = try await ScriptedServer { _ in Self.ok("") }
        let transport = try Self.transport(server)
        var request = OutgoingRequest(method: "POST", url: server.url + "/api/a b?q=ü#fragment", body: Array("{\"x\":1}".utf8))
        request.headers = [("Content-Type", "application/json")]
        _ = try await transport.send(request, timeout: .seconds(10))
        _ = try await transport.send(OutgoingRequest(method: "PUT", url: server.url), timeout: .seconds(10))
        let (first, second) = (server.requests[0], server.requests[1])
        #expect(first.hasPrefix("POST /api/a%20b?q=%C3%BC HTTP/1.1\r\n"), "\(first)")
        #expect(first.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(first.contains("\r\nContent-Length: 7\r\n"))
        #expect(first.hasSuffix("\r\n\r\n{\"x\":1}"))
        #expect(second.hasPrefix("PUT / HTTP/1.1\r\n"), "\(second)")
        #expect(second.contains("\r\nContent-Length: 0\r\n"))
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aHeaderThatWouldSplitTheRequestIsNotSent() async throws {
        let server = try await ScriptedServer { _ in Self.ok("") }
        let transport = try Self.transport(server)
        var request = OutgoingRequest(method: "GET", url: server.url + "/a")
        request.headers = [("X-Name", "ann\r\nX-Admin: true")]
        await #expect(throws: TransportFailure.self) { try await transport.send(request, timeout: .seconds(10)) }
        #expect(server.requests.isEmpty)
        // The next request is sent as usual.
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/b"), timeout: .seconds(10)).status == 200)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aChunkedBodyIsGatheredAndConnectionCloseIsHonoured() async throws {
        let server = try await ScriptedServer { request in
            request.hasPrefix("GET /chunked")
                ? .send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".utf8))
                : Self.ok("bye", "Connection: close\r\n")
        }
        let transport = try Self.transport(server)
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/chunked"), timeout: .seconds(10)).body == Array("hello world".utf8))
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/close"), timeout: .seconds(10)).body == Array("bye".utf8))
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/close"), timeout: .seconds(10)).body == Array("bye".utf8))
        // One connection for the first two, a new one after the application said it closes.
        #expect(server.connections == 2)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func anIdleConnectionTheApplicationClosedIsNotUsedAgain() async throws {
        let server = try await ScriptedServer { _ in Self.ok("fine") }
        let transport = try Self.transport(server)
        #expect(try await transport.send(OutgoingRequest(method: "POST", url: server.url + "/a"), timeout: .seconds(10)).status == 200)
        await server.closeAll()
        // Whether the close has reached the client or not, the next request is answered, on a
        // new connection.
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/b"), timeout: .seconds(10)).status == 200)
        #expect(server.connections == 2)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aKeptAliveConnectionClosedUnderARequestRetriesOnlyAnIdempotentOne() async throws {
        // The application closes the connection on the first request to /drop, unanswered.
        let dropped = Mutex(false)
        let server = try await ScriptedServer { request in
            if request.contains(" /drop "), dropped.withLock({ state in defer { state = true }; return !state }) { return .close }
            return Self.ok("fine")
        }
        let transport = try Self.transport(server, concurrency: 1)
        for (method, expected) in [("GET", 200), ("POST", nil as Int?)] {
            dropped.withLock { $0 = false }
            _ = try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/first"), timeout: .seconds(10))
            do {
                let response = try await transport.send(OutgoingRequest(method: method, url: server.url + "/drop"), timeout: .seconds(10))
                #expect(response.status == expected, "\(method)")
            } catch {
                #expect(expected == nil, "\(method): \(error)")
                guard case .interrupted = error else { Issue.record("\(method): not interrupted: \(error)"); continue }
            }
        }
        // The GET went twice (the second time on a new connection), the POST once.
        let drops = server.requests.filter { $0.contains(" /drop ") }
        #expect(drops.filter { $0.hasPrefix("GET ") }.count == 2)
        #expect(drops.filter { $0.hasPrefix("POST ") }.count == 1)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func noAnswerInTimeIsATimeoutAndTheConnectionIsClosed() async throws {
        let server = try await ScriptedServer { request in request.hasPrefix("GET /slow") ? .hang : Self.ok("quick") }
        let transport = try Self.transport(server, concurrency: 1)
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/slow"), timeout: .milliseconds(300))
            Issue.record("a request with no answer succeeded")
        } catch {
            guard case .timeout = error else { Issue.record("not a timeout: \(error)"); return }
        }
        // The server never answers: without the timeout the call would wait for ever. The bound is
        // wide because the connection is made first (within the connect timeout), which a
        // machine busy with the rest of the suite can hold up for seconds.
        #expect(ContinuousClock.now - started < .seconds(30))
        // The one connection allowed was closed with the late request; a new one serves the next.
        #expect(try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/next"), timeout: .seconds(10)).body == Array("quick".utf8))
        #expect(server.connections == 2)
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aCancelledCallerStopsWaiting() async throws {
        let server = try await ScriptedServer { _ in .hang }
        let transport = try Self.transport(server)
        let waiting = Task { try await transport.send(OutgoingRequest(method: "GET", url: server.url + "/a"), timeout: .seconds(60)) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        waiting.cancel()
        await #expect(throws: TransportFailure.self) { _ = try await waiting.value }
        // The server never answers: without the timeout the call would wait for ever. The bound is
        // wide because the connection is made first (within the connect timeout), which a
        // machine busy with the rest of the suite can hold up for seconds.
        #expect(ContinuousClock.now - started < .seconds(30))
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aConnectionClosedHalfWayAnAnswerThatIsNotHTTPOrABodyTooLargeIsInterrupted() async throws {
        let server = try await ScriptedServer { request in
            if request.hasPrefix("GET /half") { return .sendAndClose(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part".utf8)) }
            if request.hasPrefix("GET /garbage") { return .send(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)) }
            return Self.ok(String(repeating: "x", count: 2000))
        }
        var template = try TemplateReaderTests.read(TemplateReaderTests.valid)
        template.connection.baseURL = server.url
        let transport = try HTTP1Transport(connection: template.connection, maxBodySize: 1000)
        for (path, reason) in [("/half", "closed the connection"), ("/garbage", "is not HTTP/1.1"), ("/large", "larger than 1000 bytes")] {
            do {
                _ = try await transport.send(OutgoingRequest(method: "GET", url: server.url + path), timeout: .seconds(10))
                Issue.record("\(path) succeeded")
            } catch {
                guard case .interrupted(let text) = error else { Issue.record("\(path): \(error)"); continue }
                #expect(text.contains(reason), "\(text)")
            }
        }
        await transport.shutdown()
        try await server.stop()
    }

    @Test func aPortNobodyListensOnIsRefusedAndABadURLIsNamed() async throws {
        // A port held by a socket that never listens: nobody else can take it meanwhile.
        let held = try HeldPort()
        defer { held.release() }
        let url = "http://127.0.0.1:\(held.port)"
        var template = try TemplateReaderTests.read(TemplateReaderTests.valid)
        template.connection.baseURL = url
        let transport = try HTTP1Transport(connection: template.connection)
        for (target, reason) in [(url + "/a", "connection refused"), ("ftp://example.com/a", "is not valid"), ("http://user@example.com/", "is not valid")] {
            do {
                _ = try await transport.send(OutgoingRequest(method: "GET", url: target), timeout: .seconds(10))
                Issue.record("\(target) succeeded")
            } catch {
                guard case .connect(let text) = error else { Issue.record("\(target): \(error)"); continue }
                #expect(text.contains(reason), "\(text)")
            }
        }
        await transport.shutdown()
    }
}

/// A loopback port bound and not listening: connections to it are refused.
struct HeldPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(descriptor) }
}

/// A TCP peer on loopback: it reads each HTTP/1.1 request (its head and a `Content-Length` body)
/// and answers as its script says, counting connections and keeping each request's text.
final class ScriptedServer: Sendable {
    enum Reply: Sendable {
        case send([UInt8])
        case sendAndClose([UInt8])
        /// The connection is closed, the request unanswered.
        case close
        case hang
    }

    private struct State {
        var connections = 0
        var requests: [String] = []
        var channels: [any Channel] = []
    }

    private final class Record: Sendable {
        let state = Mutex(State())
    }

    private let record = Record()
    private let channel: any Channel
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    var connections: Int { record.state.withLock { $0.connections } }
    var requests: [String] { record.state.withLock { $0.requests } }

    init(_ script: @escaping @Sendable (String) -> Reply) async throws {
        let record = record
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                record.state.withLock { state in
                    state.connections += 1
                    state.channels.append(child)
                }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        RequestReader { text in
                            record.state.withLock { $0.requests.append(text) }
                            return script(text)
                        })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    /// Closes every connection, as an application does with idle ones, and returns once they are.
    func closeAll() async {
        for channel in record.state.withLock({ $0.channels }) { try? await channel.close() }
    }

    func stop() async throws {
        await closeAll()
        try await channel.close()
    }

    private final class RequestReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var buffer: [UInt8] = []
        private let script: @Sendable (String) -> Reply

        init(_ script: @escaping @Sendable (String) -> Reply) { self.script = script }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffer += unwrapInboundIn(data).readableBytesView
            while let end = buffer.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                guard buffer.count >= end + length else { return }
                let text = String(decoding: buffer[..<(end + length)], as: UTF8.self)
                buffer.removeFirst(end + length)
                switch script(text) {
                case .send(let bytes): context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                case .sendAndClose(let bytes):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                case .close: context.close(promise: nil)
                case .hang: break
                }
            }
        }
    }
}
