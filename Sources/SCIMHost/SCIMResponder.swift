import Foundation
public import Hummingbird
import HTTPTypes
import JSONValues
public import Logging
import NIOCore
import SCIM

/// The host's HTTP surface: `/ecma2host_{connector}/scim/...` for each connector, bearer-token
/// authentication, SCIM 2.0 endpoints, and every error as a SCIM error body. Each request gets a
/// request id (`X-Request-ID`, taken from the request when it has one) that every log line of the
/// request carries; no token, password or body is ever logged.
public struct SCIMResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let services: [String: ConnectorService]
    let maxBodySize: Int
    let logger: Logger

    public init(services: [ConnectorService], maxBodySize: Int = 1 << 20, logger: Logger) {
        self.services = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.maxBodySize = maxBodySize
        self.logger = logger
    }

    static let scimContentType = "application/scim+json"

    public func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = request.headers[.xRequestID].flatMap { $0.isEmpty || $0.count > 128 ? nil : $0 } ?? randomUUID()
        return await RequestContext.$requestID.withValue(requestID) { await respond(to: request, requestID: requestID) }
    }

    private func respond(to request: Request, requestID: String) async -> Response {
        let started = ContinuousClock.now
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
        let elapsed = started.duration(to: .now)
        logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
        ])
        return response
    }

    // MARK: Routing

    func route(_ request: Request) async throws -> Response {
        // /ecma2host_{name}/scim/{Resource}[/{id}]
        let components = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard components.count >= 2, components[0].hasPrefix("ecma2host_"), components[1].lowercased() == "scim" else {
            throw SCIMError.notFound("no such endpoint; connectors are served at /ecma2host_{connector}/scim")
        }
        let name = String(components[0].dropFirst("ecma2host_".count))
        guard let service = services[name] else {
            throw SCIMError.notFound("no connector named '\(name)' (names are case-sensitive)")
        }
        try authenticate(request, service: service)
        let base = baseURL(request, connector: name)
        let rest = components.dropFirst(2).map { Self.percentDecoded($0[...], plusIsSpace: false) }
        guard let first = rest.first else { throw SCIMError.notFound("no resource named; try /Users, /Groups or /Schemas") }
        let query = Self.queryParameters(request.uri.query)

        switch (first.lowercased(), rest.count, request.method) {
        case ("serviceproviderconfig", 1, .get):
            return Self.json(Discovery.serviceProviderConfig(base: base))
        case ("resourcetypes", 1, .get):
            try service.checkReady()
            let types = service.resourceDefinitions.map { Discovery.resourceType($0, base: base) }
            return Self.json(ListResponse(totalResults: types.count, startIndex: 1, resources: types).json)
        case ("resourcetypes", 2, .get):
            try service.checkReady()
            guard let type = service.resourceDefinitions.first(where: { $0.name.equalsIgnoringCase(rest[1]) }) else {
                throw SCIMError.notFound("no resource type '\(rest[1])'")
            }
            return Self.json(Discovery.resourceType(type, base: base))
        case ("schemas", 1, .get):
            try service.checkReady()
            let schemas = Discovery.schemas(service.resourceDefinitions).map { $0.json(location: "\(base)/Schemas/\($0.id)") }
            return Self.json(ListResponse(totalResults: schemas.count, startIndex: 1, resources: schemas).json)
        case ("schemas", 2, .get):
            try service.checkReady()
            guard let schema = Discovery.schemas(service.resourceDefinitions).first(where: { $0.id.equalsIgnoringCase(rest[1]) }) else {
                throw SCIMError.notFound("no schema '\(rest[1])'")
            }
            return Self.json(schema.json(location: "\(base)/Schemas/\(schema.id)"))
        case (".search", 1, .post):
            return try await searchAll(request, service: service, base: base)
        case ("users", _, _), ("groups", _, _):
            let resourceType = first.lowercased() == "users" ? "User" : "Group"
            return try await resources(request, service: service, resourceType: resourceType, id: rest.count > 1 ? rest[1] : nil,
                                       extra: rest.count > 2, query: query, base: base, endpoint: first)
        default:
            if ["serviceproviderconfig", "resourcetypes", "schemas"].contains(first.lowercased()) {
                throw SCIMError(status: 405, "\(request.method) is not supported on /\(first)")
            }
            throw SCIMError.notFound("no resource type '\(first)'; this host serves /Users and /Groups")
        }
    }

    func resources(
        _ request: Request, service: ConnectorService, resourceType: String, id: String?, extra: Bool, query: [String: String],
        base: String, endpoint: String
    ) async throws -> Response {
        guard !extra else { throw SCIMError.notFound("no such endpoint") }
        let definition = try service.definition(resourceType)
        let projection = try Projection(attributes: query["attributes"], excludedAttributes: query["excludedAttributes"], definition: definition)
        let location = "\(base)/\(definition.endpoint.dropFirst())"
        func present(_ resource: JSON) -> JSON { Self.located(projection.apply(to: resource, definition: definition), base: location) }

        switch (id, request.method) {
        case (nil, .get):
            return Self.json(try await list(service, resourceType: resourceType, query: query, present: present))
        case (".search", .post):
            let searchQuery = Self.searchParameters(try await Self.body(request, limit: maxBodySize), over: query)
            let searchProjection = try Projection(
                attributes: searchQuery["attributes"], excludedAttributes: searchQuery["excludedAttributes"], definition: definition)
            return Self.json(try await list(service, resourceType: resourceType, query: searchQuery) {
                Self.located(searchProjection.apply(to: $0, definition: definition), base: location)
            })
        case (nil, .post):
            let body = try await Self.body(request, limit: maxBodySize)
            let created = try await service.create(resourceType, body)
            let located = present(created)
            var response = Self.json(located, status: .created)
            if let url = located.member("meta")?.member("location")?.stringValue { response.headers[.location] = url }
            return response
        case (let id?, .get):
            return Self.json(present(try await service.get(resourceType, id: id)))
        case (let id?, .put):
            let body = try await Self.body(request, limit: maxBodySize)
            return Self.json(present(try await service.replace(resourceType, id: id, body)))
        case (let id?, .patch):
            let body = try await Self.body(request, limit: maxBodySize)
            let updated = try await service.patch(resourceType, id: id, body)
            // Groups: 204, as Entra recommends (no member list); users: the resource.
            if resourceType == "Group", query["attributes"] == nil { return Response(status: .noContent) }
            return Self.json(present(updated))
        case (.some, .delete):
            try await service.delete(resourceType, id: id!)
            return Response(status: .noContent)
        default:
            throw SCIMError(status: 405, "\(request.method) is not supported on /\(endpoint)\(id.map { "/\($0)" } ?? "")")
        }
    }

    /// `POST /.search`: every resource type at once (RFC 7644 §3.4.3).
    func searchAll(_ request: Request, service: ConnectorService, base: String) async throws -> Response {
        let parameters = Self.searchParameters(try await Self.body(request, limit: maxBodySize), over: [:])
        let filter = try Self.filter(parameters["filter"])
        var all: [JSON] = []
        for definition in service.resourceDefinitions {
            let projection = try Projection(attributes: parameters["attributes"], excludedAttributes: parameters["excludedAttributes"], definition: definition)
            let location = "\(base)/\(definition.endpoint.dropFirst())"
            let (_, resources) = try await service.query(definition.name, filter: filter, startIndex: 1, count: nil)
            all += resources.map { Self.located(projection.apply(to: $0, definition: definition), base: location) }
        }
        let startIndex = max(1, try Self.integer(parameters["startIndex"], name: "startIndex") ?? 1)
        let count = try Self.integer(parameters["count"], name: "count").map { max(0, $0) } ?? Discovery.maxResults
        let page = Array(all.dropFirst(startIndex - 1).prefix(count))
        return Self.json(ListResponse(totalResults: all.count, startIndex: startIndex, resources: page).json)
    }

    /// The parameters of a search body (`POST …/.search`), over those of the query string.
    static func searchParameters(_ body: JSON, over query: [String: String]) -> [String: String] {
        var parameters = query
        for key in ["filter", "startIndex", "count", "attributes", "excludedAttributes"] {
            guard let value = body.member(key) else { continue }
            parameters[key] = value.stringValue ?? value.arrayValue.map { $0.compactMap(\.stringValue).joined(separator: ",") } ?? value.serialized
        }
        return parameters
    }

    /// A filter parameter; nil when absent or blank.
    static func filter(_ text: String?) throws(SCIMError) -> Filter? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        do {
            return try Filter.parse(text)
        } catch {
            throw .badRequest(.invalidFilter, "invalid filter '\(text)': \(error.message) at offset \(error.offset)")
        }
    }

    func list(_ service: ConnectorService, resourceType: String, query: [String: String], present: (JSON) -> JSON) async throws -> JSON {
        let filter = try Self.filter(query["filter"])
        let startIndex = try Self.integer(query["startIndex"], name: "startIndex") ?? 1
        let count = try Self.integer(query["count"], name: "count").map { max(0, $0) }
        let (total, page) = try await service.query(resourceType, filter: filter, startIndex: startIndex, count: count ?? Discovery.maxResults)
        return ListResponse(totalResults: total, startIndex: max(1, startIndex), resources: page.map(present)).json
    }

    // MARK: Authentication

    func authenticate(_ request: Request, service: ConnectorService) throws {
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

    static func located(_ resource: JSON, base: String) -> JSON {
        guard case .object(var members) = resource, let id = resource.member("id")?.stringValue else { return resource }
        if let index = members.firstIndex(where: { $0.0 == "meta" }), case .object(var meta) = members[index].1 {
            meta.removeAll { $0.0 == "location" }
            meta.append(("location", .string("\(base)/\(id)")))
            members[index].1 = .object(meta)
        }
        return .object(members)
    }

    static func integer(_ text: String?, name: String) throws(SCIMError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .badRequest(.invalidValue, "'\(name)' must be an integer, not '\(text)'") }
        return value
    }

    /// Query parameters, decoded as HTML forms are: `+` is a space, then `%XX` (Entra sends
    /// `filter=userName+eq+"x"`).
    static func queryParameters(_ query: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(parts[0], plusIsSpace: true)
            // Parameter names compare without case (startindex, Filter).
            let canonical = ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder"]
                .first { $0.equalsIgnoringCase(key) } ?? key
            parameters[canonical] = parts.count > 1 ? percentDecoded(parts[1], plusIsSpace: true) : ""
        }
        return parameters
    }

    /// `text` with its `%XX` escapes decoded (and `+` as a space in a query); `text` itself when an
    /// escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex, utf8.index(after: first) != utf8.endIndex,
                    let high = hex(utf8[first]), let low = hex(utf8[utf8.index(after: first)])
                else { return String(text) }
                bytes.append(high << 4 | low)
                index = utf8.index(first, offsetBy: 2)
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(validating: bytes, as: UTF8.self) ?? String(text)
    }

    static func body(_ request: Request, limit: Int) async throws -> JSON {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw SCIMError.badRequest(.invalidSyntax, "the request has no body") }
        do {
            return try JSON.parse(bytes)
        } catch {
            throw SCIMError.badRequest(.invalidSyntax, "the body is not valid JSON: line \(error.line), column \(error.column) (byte offset \(error.offset)): \(error.message)")
        }
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
        var response = json(error.body, status: HTTPResponse.Status(code: error.status))
        if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        if error.status == 503 { response.headers[.retryAfter] = "5" }
        return response
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-ID")!
}

/// The request being answered, for the log lines emitted while it is.
public enum RequestContext {
    @TaskLocal public static var requestID: String?

    /// Adds `request=<id>` to every log line emitted while a request is answered, the
    /// connector's included. It runs only for lines that are actually written.
    public static let metadataProvider = Logger.MetadataProvider {
        requestID.map { ["request": .string($0)] } ?? [:]
    }
}
