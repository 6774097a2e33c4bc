public import JSONValues

// The one HTTP decoder and the one HTTP encoder of SCIM requests, relative to a SCIM base URL
// (`https://host/ecma2host_APP1/scim`): what the host reads and what the transform writes.

extension SCIMRequest {
    // MARK: Decoding

    /// Decodes an HTTP request: its method, the path below the SCIM base URL (`/Users/2819c223`,
    /// percent-encoded as received), the raw query string and the body. Every problem is the
    /// SCIM error the client should get: 404 for an unknown endpoint, 405 for a method it does
    /// not take, 400 with a `scimType` for an invalid body, filter, path or parameter. `types` are
    /// the resource types served (a host's connector may serve more than users and groups).
    public init(method: String, path: String, query: String?, body: [UInt8]?, types: [ResourceType] = ResourceType.all) throws(SCIMError) {
        let rest = path.split(separator: "/", omittingEmptySubsequences: true).map { Self.percentDecoded($0, plusIsSpace: false) }
        let endpoints = types.map(\.endpoint)
        guard let first = rest.first else {
            throw .notFound("no resource named; try \((endpoints + ["/Schemas"]).joined(separator: ", "))")
        }
        let parameters = Self.queryParameters(query)
        let method = method.uppercased()
        func notAllowed() -> SCIMError { SCIMError(status: 405, "\(method) is not supported on /\(rest.joined(separator: "/"))") }

        switch (first.lowercased(), rest.count, method) {
        case ("serviceproviderconfig", 1, "GET"):
            self.init(nil, .serviceProviderConfig)
        case ("resourcetypes", 1...2, "GET"):
            self.init(nil, .resourceTypes(name: rest.count == 2 ? rest[1] : nil))
        case ("schemas", 1...2, "GET"):
            self.init(nil, .schemas(id: rest.count == 2 ? rest[1] : nil))
        case (".search", 1, "POST"):
            self = try Self.searchByPost(nil, body: body, over: [:])
        case ("serviceproviderconfig", _, _), ("resourcetypes", _, _), ("schemas", _, _), (".search", _, _):
            throw notAllowed()
        default:
            guard let type = ResourceType(endpoint: first, among: types) else {
                let served = endpoints.count == 2 ? endpoints.joined(separator: " and ") : endpoints.joined(separator: ", ")
                throw .notFound("no resource type '\(first)'; this host serves \(served)")
            }
            guard rest.count <= 2 else { throw .notFound("no such endpoint") }
            let attributes = try Self.paths(parameters["attributes"])
            let excluded = try Self.paths(parameters["excludedAttributes"])
            let operation: Operation
            switch (rest.count == 2 ? rest[1] : nil, method) {
            case (nil, "GET"): operation = .search(try Self.search(parameters, usesPost: false))
            case (nil, "POST"): operation = .create(try Self.json(body))
            case (".search", "POST"):
                self = try Self.searchByPost(type, body: body, over: parameters)
                return
            case (let id?, "GET"): operation = .get(id: id)
            case (let id?, "PUT"): operation = .replace(id: id, try Self.json(body))
            case (let id?, "PATCH"): operation = .patch(id: id, PatchRequest(try Patch.operations(try Self.json(body))))
            case (let id?, "DELETE"): operation = .delete(id: id)
            default: throw notAllowed()
            }
            self.init(type, operation, attributes: attributes, excludedAttributes: excluded)
        }
    }

    /// `POST …/.search`: the parameters of the body, over those of the query string.
    static func searchByPost(_ type: ResourceType?, body: [UInt8]?, over query: [String: String]) throws(SCIMError) -> SCIMRequest {
        let searched = searchParameters(try json(body), over: query)
        return SCIMRequest(
            type, .search(try search(searched, usesPost: true)),
            attributes: try paths(searched["attributes"]), excludedAttributes: try paths(searched["excludedAttributes"]))
    }

    /// The body as JSON; it must be there and be UTF-8 JSON (RFC 8259).
    static func json(_ body: [UInt8]?) throws(SCIMError) -> JSON {
        guard let body, !body.isEmpty else { throw .badRequest(.invalidSyntax, "the request has no body") }
        do {
            return try JSON.parse(body)
        } catch {
            throw .badRequest(
                .invalidSyntax, "the body is not valid JSON: line \(error.line), column \(error.column) (byte offset \(error.offset)): \(error.message)")
        }
    }

    static func search(_ parameters: [String: String], usesPost: Bool) throws(SCIMError) -> Search {
        Search(
            filter: try filter(parameters["filter"]), startIndex: try integer(parameters["startIndex"], name: "startIndex"),
            count: try integer(parameters["count"], name: "count"), usesPost: usesPost)
    }

    /// A filter parameter; nil when absent or blank.
    static func filter(_ text: String?) throws(SCIMError) -> Filter? {
        guard let text, !text.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        do {
            return try Filter.parse(text)
        } catch {
            throw .badRequest(.invalidFilter, "invalid filter '\(text)': \(error.message) at offset \(error.offset)")
        }
    }

    static func integer(_ text: String?, name: String) throws(SCIMError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .badRequest(.invalidValue, "'\(name)' must be an integer, not '\(text)'") }
        return value
    }

    /// A comma-separated list of attribute paths (`attributes=userName,emails.value`).
    static func paths(_ text: String?) throws(SCIMError) -> [AttributePath] {
        guard let text, !text.isEmpty else { return [] }
        var paths: [AttributePath] = []
        for part in text.split(separator: ",") {
            var start = part.startIndex, end = part.endIndex
            while start < end, part[start] == " " { start = part.index(after: start) }
            while end > start, part[part.index(before: end)] == " " { end = part.index(before: end) }
            let trimmed = String(part[start..<end])
            guard !trimmed.isEmpty else { continue }
            do { paths.append(try AttributePath.parse(trimmed)) } catch {
                throw .badRequest(.invalidPath, "invalid attribute '\(trimmed)': \(error.message)")
            }
        }
        return paths
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

    static let parameterNames = ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder"]

    /// Query parameters, decoded as HTML forms are: `+` is a space, then `%XX` (Entra sends
    /// `filter=userName+eq+"x"`). Parameter names compare without case (`startindex`, `Filter`).
    package static func queryParameters(_ query: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(parts[0], plusIsSpace: true)
            let canonical = parameterNames.first { $0.equalsIgnoringCase(key) } ?? key
            parameters[canonical] = parts.count > 1 ? percentDecoded(parts[1], plusIsSpace: true) : ""
        }
        return parameters
    }

    /// `text` with its `%XX` escapes decoded (and `+` as a space in a query); `text` itself when an
    /// escape is malformed or the bytes are not UTF-8.
    package static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")), !(plusIsSpace && utf8.contains(UInt8(ascii: "+"))) { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex, utf8.index(after: first) != utf8.endIndex,
                    let high = hexValue(utf8[first]), let low = hexValue(utf8[utf8.index(after: first)])
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

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Encoding

    /// A request as it goes over HTTP, relative to the SCIM base URL.
    public struct HTTP: Hashable, Sendable {
        public var method: String
        /// The path segments below the base URL (`Users`, an id), not encoded.
        public var segments: [String]
        /// The query parameters in order, not encoded.
        public var query: [QueryItem]
        public var body: JSON?

        /// One `name=value` of the query string, percent-decoded.
        public struct QueryItem: Hashable, Sendable {
            public var name: String
            public var value: String
        }

        /// The path and query as a person reads them, the way Entra's provisioning logs and
        /// `attrmap transform` show them: `/Users?filter=userName eq "bjensen"`.
        public var target: String {
            var text = ""
            for segment in segments { text += "/" + segment }
            if !query.isEmpty { text += "?" + query.map { $0.name + "=" + $0.value }.joined(separator: "&") }
            return text
        }

        /// ``target`` with the id and the query values percent-encoded, as sent.
        public var encodedTarget: String {
            var text = ""
            for segment in segments { text += "/" + SCIMRequest.percentEncoded(segment, allowed: .pathSegment) }
            if !query.isEmpty {
                text += "?" + query.map { $0.name + "=" + SCIMRequest.percentEncoded($0.value, allowed: .queryValue) }.joined(separator: "&")
            }
            return text
        }
    }

    /// The request over HTTP.
    public var http: HTTP {
        var query: [HTTP.QueryItem] = []
        func projection() {
            if !attributes.isEmpty { query.append(.init(name: "attributes", value: attributes.map(\.description).joined(separator: ","))) }
            if !excludedAttributes.isEmpty {
                query.append(.init(name: "excludedAttributes", value: excludedAttributes.map(\.description).joined(separator: ",")))
            }
        }
        let method: String
        var path: [String] = []
        var body: JSON?
        switch operation {
        case .search(let search) where search.usesPost:
            method = "POST"
            path = [".search"]
            var members: [(String, JSON)] = [("schemas", .array([.string(SchemaURN.searchRequest)]))]
            if !attributes.isEmpty { members.append(("attributes", .array(attributes.map { .string($0.description) }))) }
            if !excludedAttributes.isEmpty { members.append(("excludedAttributes", .array(excludedAttributes.map { .string($0.description) }))) }
            if let filter = search.filter { members.append(("filter", .string(filter.description))) }
            if let startIndex = search.startIndex { members.append(("startIndex", .number(String(startIndex)))) }
            if let count = search.count { members.append(("count", .number(String(count)))) }
            body = .object(members)
        case .search(let search):
            method = "GET"
            if let filter = search.filter { query.append(.init(name: "filter", value: filter.description)) }
            if let startIndex = search.startIndex { query.append(.init(name: "startIndex", value: String(startIndex))) }
            if let count = search.count { query.append(.init(name: "count", value: String(count))) }
            projection()
        case .get(let id):
            method = "GET"
            path = [id]
            projection()
        case .create(let resource):
            method = "POST"
            body = resource
            projection()
        case .replace(let id, let resource):
            method = "PUT"
            path = [id]
            body = resource
            projection()
        case .patch(let id, let patch):
            method = "PATCH"
            path = [id]
            body = patch.body
            projection()
        case .delete(let id):
            method = "DELETE"
            path = [id]
        case .serviceProviderConfig:
            method = "GET"
            path = ["ServiceProviderConfig"]
        case .resourceTypes(let name):
            method = "GET"
            path = ["ResourceTypes"] + (name.map { [$0] } ?? [])
        case .schemas(let id):
            method = "GET"
            path = ["Schemas"] + (id.map { [$0] } ?? [])
        }
        let segments = (resourceType.map { [String($0.endpoint.dropFirst())] } ?? []) + path
        return HTTP(method: method, segments: segments, query: query, body: body)
    }

    /// The method, as sent.
    public var method: String { http.method }
    /// The readable path and query (``HTTP/target``).
    public var path: String { http.target }
    /// The JSON body, for the requests that have one.
    public var body: JSON? { http.body }

    /// `{"method": …, "path": …, "body": …}`, as `attrmap transform` writes each request.
    public var json: JSON {
        let http = http
        var members: [(String, JSON)] = [("method", .string(http.method)), ("path", .string(http.target))]
        if let body = http.body { members.append(("body", body)) }
        return .object(members)
    }

    enum Allowed { case pathSegment, queryValue }

    /// RFC 3986: unreserved characters stay, everything else is `%XX` (a space too, never `+`).
    static func percentEncoded(_ text: String, allowed: Allowed) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: ","):
                // Allowed in a path segment (pchar) and in a query.
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where allowed == .queryValue:
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(digits[Int(byte >> 4)])
                output.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return output
    }
}

extension SCIMRequest.PatchRequest {
    /// The PatchOp message (RFC 7644 §3.5.2): `{"schemas": [PatchOp], "Operations": [{"op", "path"?, "value"?}]}`.
    public var body: JSON {
        let list: [JSON] = operations.map { operation in
            let op = opSpelling == .capitalized ? operation.op.rawValue.prefix(1).uppercased() + operation.op.rawValue.dropFirst() : operation.op.rawValue
            var members: [(String, JSON)] = [("op", .string(op))]
            if let path = operation.path { members.append(("path", .string(path.description))) }
            if let value = operation.value { members.append(("value", value)) }
            return .object(members)
        }
        return .object([("schemas", .array([.string(SchemaURN.patchOp)])), ("Operations", .array(list))])
    }
}
