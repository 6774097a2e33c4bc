import Foundation
import OpenAPIKit
import Yams

/// An OpenAPI 3.0, 3.1 or 3.2 document (JSON or YAML) read for discovery: the tree of its
/// servers, security schemes, resources and operations with their parameters and the attributes
/// of their request and response bodies; and a starter template for the web services connector,
/// its object types, operations and paging guessed from the resources and marked for review.
package struct OpenAPIDiscovery {
    let document: OpenAPI.Document
    /// Where it was read from, for relative server URLs.
    package let source: String
    /// The version the document declares (a 3.0 document is read as 3.1).
    package let version: String

    /// Why a document could not be read, located when the place is known.
    package struct Problem: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    /// Reads `text`, from `source` (a file or URL, for messages and relative server URLs).
    package init(text: String, source: String) throws(Problem) {
        self.source = source
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw Problem(message: "\(source): neither JSON nor YAML: \(error)")
        }
        guard let root, case .mapping = root else { throw Problem(message: "\(source):1:1: an OpenAPI document is an object") }
        guard let declared = root["openapi"]?.string else {
            if root["swagger"] != nil {
                throw Problem(message: "\(source): a Swagger 2.0 document; discovery reads OpenAPI 3.0 to 3.2 (convert it first, for example with swagger2openapi)")
            }
            throw Problem(message: "\(source):1:1: no 'openapi' version: not an OpenAPI document")
        }
        // JSON is read as YAML too, which keeps the order of members (the order attributes are
        // shown and written in); JSON that YAML refuses (tabs) is read as JSON.
        let version = declared
        self.version = declared
        let data = Data(text.utf8)
        let json = text.drop { $0.isWhitespace }.first == "{" && (try? Yams.load(yaml: text)) == nil
        do {
            if version.hasPrefix("3.0") {
                document = try OpenAPI30.decode(data, json: json)
            } else if version.hasPrefix("3.1") || version.hasPrefix("3.2") {
                document = json ? try JSONDecoder().decode(OpenAPI.Document.self, from: data) : try YAMLDecoder().decode(OpenAPI.Document.self, from: data)
            } else {
                throw Problem(message: "\(Self.place(source, root["openapi"])): OpenAPI \(version) is not read; discovery reads 3.0 to 3.2")
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            let readable = OpenAPI.Error(from: error)
            throw Problem(message: "\(Self.place(source, Self.node(at: readable.codingPath, in: root))): \(readable.localizedDescription)")
        }
    }

    /// The node a decoder's coding path names, as far as it goes.
    static func node(at path: [any CodingKey], in root: Node) -> Node {
        var node = root
        for key in path {
            if let index = key.intValue, let items = node.sequence, index < items.count {
                node = items[index]
            } else if let child = node[key.stringValue] {
                node = child
            } else {
                break
            }
        }
        return node
    }

    static func place(_ source: String, _ node: Node?) -> String {
        guard let mark = node?.mark else { return source }
        return "\(source):\(mark.line):\(mark.column)"
    }

    // MARK: Reading the document

    /// A schema with its references followed (and `allOf` merged): the component's name when it
    /// was one.
    func resolved(_ schema: JSONSchema?, depth: Int = 0) -> (schema: JSONSchema, name: String?)? {
        guard let schema else { return nil }
        if case .reference(let reference, _) = schema.value {
            guard depth < 20, let target = try? document.components.lookup(reference) else { return nil }
            return resolved(target, depth: depth + 1).map { ($0.schema, $0.name ?? reference.name) }
        }
        return (schema, nil)
    }

    /// The properties of an object schema, `allOf` members merged, in order; and which are required.
    func properties(_ schema: JSONSchema, depth: Int = 0) -> [(name: String, schema: JSONSchema, required: Bool)] {
        guard depth < 20 else { return [] }
        switch schema.value {
        case .object(_, let context):
            let required = Set(context.requiredProperties)
            return context.properties.map { ($0.key, $0.value, required.contains($0.key)) }
        case .all(of: let parts, _):
            var merged: [(String, JSONSchema, Bool)] = []
            for part in parts {
                guard let part = resolved(part, depth: depth + 1) else { continue }
                for property in properties(part.schema, depth: depth + 1) where !merged.contains(where: { $0.0 == property.name }) {
                    merged.append(property)
                }
            }
            return merged
        case .reference:
            return resolved(schema).map { properties($0.schema, depth: depth + 1) } ?? []
        default:
            return []
        }
    }

    /// `string`, `string|null`, `[string]`, `Employee`, `{…}`: a schema in a word.
    func describe(_ schema: JSONSchema?, depth: Int = 0) -> String {
        guard let schema else { return "?" }
        if case .reference(let reference, _) = schema.value {
            // A named scalar reads as its type; anything with members by its name.
            if let target = resolved(schema), [.string, .integer, .number, .boolean].contains(target.schema.jsonType), depth < 5 {
                return describe(target.schema, depth: depth + 1) + (schema.nullable ? "|null" : "")
            }
            return reference.name ?? "?"
        }
        let nullable = schema.nullable ? "|null" : ""
        switch schema.value {
        case .string(let core, _): return "string" + (core.format.rawValue.isEmpty ? "" : "(\(core.format.rawValue))") + nullable
        case .boolean: return "boolean" + nullable
        case .integer: return "integer" + nullable
        case .number: return "number" + nullable
        case .array(_, let context): return "[\(describe(context.items, depth: depth + 1))]" + nullable
        case .object: return "{…}" + nullable
        case .all: return "allOf"
        case .one(of: let options, _): return options.map { describe($0, depth: depth + 1) }.joined(separator: "|")
        case .any(of: let options, _): return options.map { describe($0, depth: depth + 1) }.joined(separator: "|")
        case .null: return "null"
        default: return "any"
        }
    }

    func parameters(_ operation: OpenAPI.Operation, _ item: OpenAPI.PathItem) -> [OpenAPI.Parameter] {
        (item.parameters + operation.parameters).compactMap { document.components[$0] }
    }

    /// The JSON schema of a body, from its JSON media type (`application/json`, `…+json`) or the first.
    func schema(_ content: OpenAPI.Content.Map) -> JSONSchema? {
        let entries = content.map { ($0.key.rawValue, document.components[$0.value]) }
        let chosen = entries.first { $0.0.contains("json") } ?? entries.first
        return chosen?.1?.schema
    }

    /// The operation's first 2xx response, its status and body schema.
    func success(_ operation: OpenAPI.Operation) -> (status: String, schema: JSONSchema?)? {
        for (code, either) in operation.responses {
            guard let response = document.components[either] else { continue }
            switch code.value {
            case .status(let status) where (200..<300).contains(status): return (String(status), schema(response.content))
            case .range(.success): return ("2XX", schema(response.content))
            default: continue
            }
        }
        return nil
    }

    func requestSchema(_ operation: OpenAPI.Operation) -> JSONSchema? {
        guard let either = operation.requestBody, let request = document.components[either] else { return nil }
        return schema(request.content)
    }

    // MARK: The tree

    /// The document as a tree, for people.
    package func tree() -> String {
        var lines: [String] = []
        lines.append("\(document.info.title) \(document.info.version) (OpenAPI \(version))")
        lines.append("servers")
        if document.servers.isEmpty { lines.append("  (none: the document's own address)") }
        for server in document.servers {
            lines.append("  \(server.urlTemplate.rawValue)" + (server.description.map { " — \($0)" } ?? ""))
        }
        let schemes = document.components.securitySchemes
        if !schemes.isEmpty {
            lines.append("security schemes")
            for (name, either) in schemes {
                guard let scheme = document.components[either] else { continue }
                lines.append("  \(name.rawValue): \(Self.describe(scheme))")
            }
        }
        lines.append("resources")
        for route in document.routes {
            lines.append("  \(route.path.rawValue)")
            for endpoint in route.pathItem.endpoints {
                let operation = endpoint.operation
                var line = "    \(endpoint.method.rawValue.uppercased()) \(operation.operationId ?? "(no operationId)")"
                if let summary = operation.summary { line += " — \(summary)" }
                lines.append(line)
                let parameters = parameters(operation, route.pathItem)
                if !parameters.isEmpty {
                    let described = parameters.map { parameter -> String in
                        let type = parameter.schemaOrContent.a.map { describe($0.schema.b ?? resolvedReference($0.schema.a)) } ?? "content"
                        return "\(parameter.context.location.rawValue) \(parameter.name)\(parameter.required ? "*" : "") \(type)"
                    }
                    lines.append("      parameters: " + described.joined(separator: ", "))
                }
                if let body = requestSchema(operation) { lines.append("      body: " + attributes(of: body)) }
                for (code, either) in Self.ordered(operation.responses) {
                    guard let response = document.components[either] else { continue }
                    let schema = schema(response.content)
                    lines.append("      \(code.rawValue)" + (schema.map { ": " + attributes(of: $0) } ?? (response.description.map { " — \($0)" } ?? "")))
                }
                if endpoint.method == .builtin(.get), !route.path.rawValue.contains("{"), let paging = paging(operation, route.pathItem) {
                    lines.append("      paging (guessed): \(paging.summary)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Responses by status: codes in order, ranges after them, `default` last.
    static func ordered(_ responses: OpenAPI.Response.Map) -> [(OpenAPI.Response.StatusCode, Either<OpenAPI.Reference<OpenAPI.Response>, OpenAPI.Response>)] {
        func rank(_ code: OpenAPI.Response.StatusCode) -> Int {
            switch code.value {
            case .status(let status): status
            case .range(let range): (Int(range.rawValue.prefix(1)) ?? 9) * 100 + 99
            case .default: 1000
            }
        }
        return responses.map { ($0.key, $0.value) }.sorted { rank($0.0) < rank($1.0) }
    }

    func resolvedReference(_ reference: OpenAPI.Reference<JSONSchema>?) -> JSONSchema? {
        guard let reference else { return nil }
        return try? document.components.lookup(reference)
    }

    /// `Employee {login* string, roles [string], …}`.
    func attributes(of schema: JSONSchema) -> String {
        guard let (target, name) = resolved(schema) else { return describe(schema) }
        let members = properties(target)
        if members.isEmpty {
            if let items = target.arrayContext?.items { return "[" + attributes(of: items) + "]" }
            return name ?? describe(target)
        }
        let shown = members.map { "\($0.name)\($0.required ? "*" : "") \(describe($0.schema))" }.joined(separator: ", ")
        return (name.map { $0 + " " } ?? "") + "{" + shown + "}"
    }

    static func describe(_ scheme: OpenAPI.SecurityScheme) -> String {
        switch scheme.type {
        case .apiKey(let name, let location): "API key in \(location.rawValue) \(name)"
        case .http(let scheme, _): "HTTP \(scheme)"
        case .oauth2(let flows, _):
            if let credentials = flows.clientCredentials { "OAuth 2 client credentials, token \(credentials.tokenUrl.absoluteString)" } else { "OAuth 2 (no client-credentials flow)" }
        case .openIdConnect(let url): "OpenID Connect \(url.absoluteString)"
        case .mutualTLS: "mutual TLS"
        }
    }
}
