import AsyncHTTPClient
import Foundation
package import JSONValues
import MappingExpressions
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// An HTTP request as a value: what a step becomes once its expressions are evaluated.
package struct OutgoingRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)] = []
    package var body: [UInt8]?
    /// Values in it that are secrets: ``redacted()`` shows them as `[Redact]`.
    package var secrets: [String] = []
    /// A SOAP envelope's: where its header's content goes (a WS-Security header), and its version.
    package var soapHeaderOffset: Int?
    package var soapVersion: SOAPVersion?

    package init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Whether sending it twice does what sending it once does (RFC 9110 §9.2.2).
    package var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method) }

    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// The request as text, each secret replaced by `[Redact]`, ready for a trace or a dry run.
    package func redacted() -> String {
        var text = "\(method) \(url)\n"
        for (name, value) in headers { text += "\(name): \(value)\n" }
        if let body, !body.isEmpty { text += "\n" + String(decoding: body, as: UTF8.self) + "\n" }
        return Self.redact(text, secrets)
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        var text = text
        for secret in secrets.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: "[Redact]")
            // The same secret percent-encoded, as in a query or a form.
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
                text = text.replacingOccurrences(of: encoded, with: "[Redact]")
            }
        }
        return text
    }
}

/// An HTTP response as a value.
package struct IncomingResponse: Sendable {
    package var status: Int
    package var headers: [(String, String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// The body as JSON, when it is JSON.
    package var json: JSON? {
        guard !body.isEmpty else { return nil }
        return try? JSON.parse(body)
    }

    /// The headers as a JSON object, names in lower case (`[steps.NAME.headers.location]`).
    package var headersJSON: JSON {
        .object(headers.map { ($0.0.lowercased(), .string($0.1)) })
    }
}

/// Why a request got no response.
package enum TransportFailure: Error, Sendable, CustomStringConvertible {
    /// The connection could not be made: nothing was sent.
    case connect(String)
    /// No answer in time: the application may have acted.
    case timeout(String)
    /// The connection broke, or another failure after the request may have been sent.
    case interrupted(String)

    package var description: String {
        switch self {
        case .connect(let reason): "cannot connect: \(reason)"
        case .timeout(let reason): "no answer in time: \(reason)"
        case .interrupted(let reason): "the connection failed: \(reason)"
        }
    }
}

/// What sends requests: HTTP for real, or a recorder for a dry run.
package protocol HTTPTransport: Sendable {
    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportFailure) -> IncomingResponse
    func shutdown() async
}

/// HTTP/1.1 and HTTP/2 through async-http-client, with a connection pool sized to the
/// connector's concurrency. Responses larger than `maxBodySize` fail.
package final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    private let maxBodySize: Int

    package init(connection: WebServiceTemplate.Connection, maxBodySize: Int = 64 << 20) throws(TransportFailure) {
        var tls: TLSConfiguration?
        if connection.baseURL.hasPrefix("https://") || connection.tls.caFile != nil || connection.tls.certificateFile != nil {
            var configuration = TLSConfiguration.makeClientConfiguration()
            do {
                if let ca = connection.tls.caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
                if let certificate = connection.tls.certificateFile, let key = connection.tls.privateKeyFile {
                    configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                    configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
            } catch {
                throw .connect("the TLS files cannot be read: \(error)")
            }
            if connection.tls.insecure { configuration.certificateVerification = .none }
            tls = configuration
        }
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connection.concurrency)
        // The connector retries on its own, with its backoff: a refused connection fails at once.
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(connection.connectTimeout / .nanoseconds(1)))),
            connectionPool: pool, decompression: .disabled)
        // The connector traces requests its own way (TracingTransport): no spans of the client's.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maxBodySize = maxBodySize
    }

    package func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportFailure) -> IncomingResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            return try await withDeadline(timeout) { [client, maxBodySize, outgoing] in
                let response = try await client.execute(outgoing, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
                let body = try await response.body.collect(upTo: maxBodySize)
                return IncomingResponse(
                    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(body.readableBytesView))
            }
        } catch let error as HTTPClientError {
            switch error {
            case .connectTimeout: throw .connect("the connection was not made in time")
            case .deadlineExceeded, .readTimeout: throw .timeout("\(timeout) passed")
            case .invalidURL, .emptyHost, .emptyScheme: throw .connect("the URL \(WebServiceClient.pathOnly(request.url)) is not valid")
            default: throw .interrupted("\(error)")
            }
        } catch let error as NIOTooManyBytesError {
            throw .interrupted("the response is larger than \(maxBodySize) bytes (\(error))")
        } catch {
            let text = "\(error)"
            if text.contains("refused") || text.contains("NIOConnectionError") || text.contains("connect(") || text.contains("ECONNREFUSED") {
                throw .connect(Self.reason(text))
            }
            throw .interrupted(text)
        }
    }

    /// Runs `work` and gives up on it when `timeout` passes: the caller has its failure at the
    /// deadline, whatever the work does then (the client's own deadline covers only the wait for
    /// the response's head, and is carried out in tasks a busy process may run late). The work is
    /// cancelled and finishes on its own. One task and one timer on an event loop per request.
    package func withDeadline(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> IncomingResponse) async throws -> IncomingResponse {
        let eventLoop = client.eventLoopGroup.any()
        let race = DeadlineRace()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IncomingResponse, any Error>) in
                let timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout / .nanoseconds(1)))) {
                    race.finish(.failure(HTTPClientError.deadlineExceeded))
                }
                race.start(continuation, timer: timer, work: work)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    private static func reason(_ text: String) -> String {
        text.contains("refused") || text.contains("ECONNREFUSED") ? "connection refused" : text
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    deinit {
        // A connector that was never run as a service (a command, a test) still lets its
        // connections go; the task holds the client until they have.
        let client = self.client
        Task { try? await client.shutdown() }
    }
}

extension Duration {
    /// In seconds, as a fraction.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Who finishes a request first: its work, its deadline or its caller's cancellation. The first
/// resumes the caller; the others only cancel what is left (the work's task, the timer).
private final class DeadlineRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<IncomingResponse, any Error>?
        var result: Result<IncomingResponse, any Error>?
        var task: Task<Void, Never>?
        var timer: Scheduled<Void>?
    }
    private let state = Mutex(State())

    /// Starts the work unless the request is already over (cancelled before it began).
    func start(
        _ continuation: CheckedContinuation<IncomingResponse, any Error>, timer: Scheduled<Void>,
        work: @escaping @Sendable () async throws -> IncomingResponse
    ) {
        let early: Result<IncomingResponse, any Error>? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            state.timer = timer
            return nil
        }
        if let early {
            timer.cancel()
            continuation.resume(with: early)
            return
        }
        let task = Task {
            let result: Result<IncomingResponse, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            self.finish(result)
        }
        let over = state.withLock { state in
            state.task = task
            return state.continuation == nil
        }
        if over { task.cancel() }
    }

    func finish(_ result: Result<IncomingResponse, any Error>) {
        let (continuation, task, timer) = state.withLock { state in
            guard state.result == nil else { return (nil, nil, nil) as (CheckedContinuation<IncomingResponse, any Error>?, Task<Void, Never>?, Scheduled<Void>?) }
            state.result = result
            defer { state.continuation = nil }
            return (state.continuation, state.task, state.timer)
        }
        guard let continuation else { return }
        timer?.cancel()
        if case .failure = result { task?.cancel() }
        continuation.resume(with: result)
    }
}
