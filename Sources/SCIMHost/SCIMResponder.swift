package import ConnectorHost
import Foundation
package import Hummingbird
import HTTPTypes
import JSONValues
package import Logging
import Metrics
import NIOCore
import SCIM

/// The host's HTTP surface: `/ecma2host_{connector}/scim/...` for each connector, bearer-token
/// authentication, SCIM 2.0 endpoints, and every error as a SCIM error body. Each request gets a
/// request id (`X-Request-ID`, taken from the request when it has one) that every log line of the
/// request carries; no token, password or body is ever logged.
///
/// For operations, with no token: `/health` (the process answers), `/ready` (every connector has
/// imported or discovered its store and the store answers), and `/metrics` when the executable
/// gives a way to render them (Prometheus text). None of them names an object, an attribute
/// value, a token or a secret. Every request is counted and timed through swift-metrics:
/// `attrmap_http_requests_total{connector, route, method, status}` and
/// `attrmap_http_request_duration_seconds{connector, route, method}`, the route with `{id}` for an id.
package struct SCIMResponder: HTTPResponder {
    package typealias Context = BasicRequestContext

    let services: [String: HostedConnector]
    let maxBodySize: Int
    let logger: Logger
    /// The metrics in Prometheus' text format; nil: no `/metrics`.
    let metrics: (@Sendable () -> [UInt8])?

    package init(services: [HostedConnector], maxBodySize: Int = 1 << 20, metrics: (@Sendable () -> [UInt8])? = nil, logger: Logger) {
        self.services = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.maxBodySize = maxBodySize
        self.metrics = metrics
        self.logger = logger
    }

    static let scimContentType = "application/scim+json"

    package func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = request.headers[.xRequestID].flatMap { $0.isEmpty || $0.count > 128 ? nil : $0 } ?? randomUUID()
        return await RequestContext.$requestID.withValue(requestID) { await respond(to: request, requestID: requestID) }
    }

    private func respond(to request: Request, requestID: String) async -> Response {
        let started = ContinuousClock.now
        if request.method == .get, let operations = await operations(request) { return operations }
        var response: Response
        do {
            response = try await route(request)
        } catch let error as SCIMError {
            response = Self.response(error)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            response = Self.response(SCIMError(status: 413, "the request body is larger than \(maxBodySize) bytes"))
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)"])
            response = Self.response(SCIMError(status: 500, "internal error; the log has the details under request id \(requestID)"))
        }
        response.headers[.xRequestID] = requestID
        let (named, route) = Self.route(of: request.uri.path) { services[$0]?.resourceTypes.map { String($0.endpoint.dropFirst()) } ?? [] }
        // Only connectors that exist: a label is never something a client makes up.
        let connector = services[named] == nil ? "" : named
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(request.method.rawValue) ? request.method.rawValue : "other"
        let labels = [("connector", connector), ("route", connector.isEmpty ? "other" : route), ("method", method)]
        Counter(label: "attrmap_http_requests_total", dimensions: labels + [("status", String(response.status.code))]).increment()
        let elapsed = started.duration(to: .now)
        Timer(label: "attrmap_http_request_duration_seconds", dimensions: labels)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
        ])
        return response
    }

    // MARK: Operations

    /// `/health`, `/ready` and `/metrics`, or nil for any other path.
    func operations(_ request: Request) async -> Response? {
        switch request.uri.path {
        case "/health":
            return Self.plain("ok\n")
        case "/ready":
            var waiting: [String] = []
            for (name, service) in services.sorted(by: { $0.key < $1.key }) where !(await service.isReady(within: .seconds(2))) {
                waiting.append(name)
            }
            if waiting.isEmpty { return Self.plain("ready\n") }
            return Self.plain("not ready: \(waiting.joined(separator: ", "))\n", status: .serviceUnavailable)
        case "/metrics":
            guard let metrics else { return nil }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics())))
        default:
            return nil
        }
    }

    static func plain(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The connector and the route of `path`, for metrics: `/Users/{id}`, never an id or a value.
    /// `resources` gives the endpoints a connector serves beyond users and groups (`Devices`).
    static func route(of path: String, resources: (String) -> [String] = { _ in [] }) -> (connector: String, route: String) {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard components.count >= 2, components[0].hasPrefix("ecma2host_"), components[1].lowercased() == "scim" else { return ("", "other") }
        let connector = String(components[0].dropFirst("ecma2host_".count).prefix(64))
        let rest = components.dropFirst(2)
        guard let first = rest.first else { return (connector, "/") }
        let known = ["Users", "Groups", "Schemas", "ResourceTypes", "ServiceProviderConfig", ".search"] + resources(connector)
        guard let resource = known.first(where: { $0.lowercased() == first.lowercased() }) else { return (connector, "other") }
        switch rest.count {
        case 1: return (connector, "/\(resource)")
        case 2 where rest.last?.lowercased() == ".search": return (connector, "/\(resource)/.search")
        case 2: return (connector, "/\(resource)/{id}")
        default: return (connector, "other")
        }
    }

    // MARK: Routing

    /// `/ecma2host_{name}/scim/…`: the connector, the token, then the request decoded, executed
    /// and encoded.
    func route(_ request: Request) async throws -> Response {
        let components = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        guard components.count >= 2, components[0].hasPrefix("ecma2host_"), components[1].lowercased() == "scim" else {
            throw SCIMError.notFound("no such endpoint; connectors are served at /ecma2host_{connector}/scim")
        }
        let name = String(components[0].dropFirst("ecma2host_".count))
        guard let service = services[name] else {
            throw SCIMError.notFound("no connector named '\(name)' (names are case-sensitive)")
        }
        try authenticate(request, service: service)
        var body: [UInt8]?
        if [.post, .put, .patch].contains(request.method) {
            var request = request
            body = Array(try await request.collectBody(upTo: maxBodySize).readableBytesView)
        }
        let scimRequest = try SCIMRequest(
            method: request.method.rawValue, path: components.dropFirst(2).joined(separator: "/"), query: request.uri.query, body: body,
            types: service.resourceTypes)
        return Self.response(try await service.execute(scimRequest, base: baseURL(request, connector: name)))
    }

    // MARK: Authentication

    func authenticate(_ request: Request, service: HostedConnector) throws {
        let header = Array((request.headers[.authorization] ?? "").utf8)
        let scheme = Array("bearer ".utf8)
        guard header.count > scheme.count, zip(header, scheme).allSatisfy({ ($0 | 0x20) == $1 || ($0 == 0x20 && $1 == 0x20) }) else {
            throw SCIMError(status: 401, "a bearer token is required (Authorization: Bearer <secret token>)")
        }
        var presented = Array(header.dropFirst(scheme.count))
        while presented.first == 0x20 { presented.removeFirst() }
        while presented.last == 0x20 { presented.removeLast() }
        let expected = Array(service.token.utf8)
        // Constant time: the comparison does not stop at the first difference.
        var difference = UInt8(presented.count == expected.count ? 0 : 1)
        for index in 0..<max(presented.count, expected.count) {
            difference |= (index < presented.count ? presented[index] : 0) ^ (index < expected.count ? expected[index] : 0xFF)
        }
        guard difference == 0 else { throw SCIMError(status: 401, "the bearer token is not valid for this connector") }
    }

    // MARK: Helpers

    func baseURL(_ request: Request, connector: String) -> String {
        let host = request.head.authority ?? "localhost"
        let scheme = request.head.scheme ?? "http"
        return "\(scheme)://\(host)/ecma2host_\(connector)/scim"
    }

    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        value.write(to: &bytes)
        return Response(
            status: status, headers: [.contentType: scimContentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func response(_ error: SCIMError) -> Response {
        response(SCIMResponse(error: error))
    }

    /// The HTTP response of a SCIM response: its status, body, `Location`, and the headers an
    /// error calls for (`WWW-Authenticate` with a 401, `Retry-After` with a 503).
    static func response(_ scim: SCIMResponse) -> Response {
        var response: Response
        if let body = scim.body {
            response = json(body, status: HTTPResponse.Status(code: scim.status))
        } else {
            response = Response(status: HTTPResponse.Status(code: scim.status))
        }
        if let location = scim.location { response.headers[.location] = location }
        if scim.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        if let seconds = scim.retryAfter { response.headers[.retryAfter] = String(seconds) }
        return response
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-ID")!
}

/// The request being answered, for the log lines emitted while it is.
package enum RequestContext {
    @TaskLocal package static var requestID: String?

    /// Adds `request=<id>` to every log line emitted while a request is answered, the
    /// connector's included. It runs only for lines that are actually written.
    package static let metadataProvider = Logger.MetadataProvider {
        requestID.map { ["request": .string($0)] } ?? [:]
    }
}
