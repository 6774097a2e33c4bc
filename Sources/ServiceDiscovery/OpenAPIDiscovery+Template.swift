import Foundation
import OpenAPIKit

extension OpenAPIDiscovery {
    /// How a list operation pages, as far as its parameters and response tell.
    struct PagingGuess {
        var query: [(String, String)]
        var records: String
        /// The template's `paging` map, or nil for one page.
        var paging: String?
        var summary: String
    }

    static let sizeNames = ["limit", "per_page", "perPage", "pageSize", "page_size", "size", "count", "top", "$top", "maxResults", "max_results"]
    static let cursorParameters = ["cursor", "pageToken", "page_token", "after", "continuationToken", "continuation", "nextToken", "starting_after"]
    static let sinceNames = ["updatedSince", "modifiedSince", "changedSince", "updated_since", "modified_since", "since", "lastModifiedSince"]
    static let cursorMembers = ["next_cursor", "nextCursor", "nextPageToken", "next_page_token", "cursor", "continuationToken", "nextToken"]

    func paging(_ operation: OpenAPI.Operation, _ item: OpenAPI.PathItem) -> PagingGuess? {
        guard let response = success(operation), let (schema, _) = resolved(response.schema) else { return nil }
        let query = parameters(operation, item).filter { $0.context.location == .query }.map(\.name)
        let members = properties(schema)
        var records = ""
        if schema.arrayContext == nil {
            guard let list = members.first(where: { member in resolved(member.schema)?.schema.arrayContext != nil }) else { return nil }
            records = "/" + list.name
        }
        var guess = PagingGuess(query: [], records: records, paging: nil, summary: "one page")
        let size = query.first { Self.sizeNames.contains($0) }
        if let size { guess.query.append((size, "\"[page.size]\"")) }
        let names = members.map(\.name)
        if let parameter = query.first(where: { Self.cursorParameters.contains($0) }), let member = names.first(where: { Self.cursorMembers.contains($0) }) {
            guess.query.append((parameter, "\"[page.cursor]\""))
            guess.paging = "{style: cursor, cursor: /\(member), size: 100}"
            guess.summary = "cursor: /\(member) of each page, sent as \(parameter)"
        } else if names.contains("@odata.nextLink") {
            guess.paging = "{style: nextLink, next: /@odata.nextLink}"
            guess.summary = "next link: /@odata.nextLink"
        } else if names.contains("_links") {
            guess.paging = "{style: nextLink, next: /_links/next/href}"
            guess.summary = "next link: /_links/next/href (HAL)"
        } else if query.contains("page") {
            guess.query.append(("page", "\"[page.number]\""))
            guess.paging = "{style: page, size: 100\(names.contains("total") ? ", total: /total" : "")}"
            guess.summary = "numbered pages (page)"
        } else if let offset = query.first(where: { ["offset", "startIndex", "start", "skip", "$skip"].contains($0) }) {
            guess.query.append((offset, "\"[page.offset]\""))
            let start = offset == "startIndex" ? 1 : 0
            guess.paging = "{style: offset, start: \(start), size: 100\(names.contains("total") ? ", total: /total" : names.contains("totalResults") ? ", total: /totalResults" : "")}"
            guess.summary = "offset (\(offset) from \(start))"
        } else if let next = names.first(where: { $0 == "next" || $0 == "nextLink" || $0 == "next_url" }) {
            guess.paging = "{style: nextLink, next: /\(next)}"
            guess.summary = "next link: /\(next)"
        } else if let headers = operation.responses.compactMap({ document.components[$0.value] }).first?.headers, headers.keys.contains(where: { $0.lowercased() == "link" }) {
            guess.paging = "{style: linkHeader}"
            guess.summary = "Link header"
        }
        return guess
    }

    /// A resource the connector can serve: a collection listed by `GET` and its items at
    /// `collection/{parameter}`.
    struct Resource {
        var name: String
        var collection: String
        var item: String
        var parameter: String
        var list: OpenAPI.Operation
        var listItem: OpenAPI.PathItem
        var schema: JSONSchema
        var schemaName: String?
    }

    func resources() -> [Resource] {
        var found: [Resource] = []
        let routes = document.routes
        for route in routes where !route.path.rawValue.contains("{") {
            guard let list = route.pathItem.get, let guess = paging(list, route.pathItem), let response = success(list),
                let (schema, _) = resolved(response.schema)
            else { continue }
            let listSchema = guess.records.isEmpty ? schema : properties(schema).first { "/" + $0.name == guess.records }?.schema
            guard let items = resolved(listSchema)?.schema.arrayContext?.items, let (itemSchema, itemName) = resolved(items) else { continue }
            let prefix = route.path.rawValue.hasSuffix("/") ? route.path.rawValue : route.path.rawValue + "/"
            guard let itemRoute = routes.first(where: { other in
                let path = other.path.rawValue
                return path.hasPrefix(prefix + "{") && path.hasSuffix("}") && !path.dropFirst(prefix.count).contains("/")
            }) else { continue }
            let parameter = String(itemRoute.path.rawValue.dropFirst(prefix.count + 1).dropLast())
            var detailed = itemSchema
            if let get = itemRoute.pathItem.get, let detail = success(get)?.schema, let (resolvedDetail, _) = resolved(detail), !properties(resolvedDetail).isEmpty {
                detailed = resolvedDetail
            }
            let base = (itemName ?? String(route.path.rawValue.split(separator: "/").last ?? "Object"))
            found.append(Resource(
                name: base, collection: route.path.rawValue, item: itemRoute.path.rawValue, parameter: parameter, list: list,
                listItem: route.pathItem, schema: detailed, schemaName: itemName))
        }
        // The first is served as User (a group-like one as Group); the others by their schema's name.
        var names: Set<String> = []
        for index in found.indices {
            let lower = found[index].name.lowercased()
            let name = lower.contains("group") && !names.contains("Group") ? "Group" : !names.contains("User") && !lower.contains("group") ? "User" : found[index].name
            found[index].name = name
            names.insert(name)
        }
        return found
    }

    /// A starter template: every resource found as an object type, its operations bound, its
    /// paging guessed; whatever was guessed is marked `# review`.
    package func starterTemplate() -> String {
        var yaml: [String] = []
        yaml.append("# A starter template for the web services connector, discovered from \(source)")
        yaml.append("# (\(document.info.title) \(document.info.version)) by attrmap discover rest. Lines marked 'review' are")
        yaml.append("# guesses; check them, then try each operation: attrmap webservice call THIS.yaml OPERATION …")
        yaml.append("name: \(Self.quoted(Self.slug(document.info.title)))")
        yaml.append("connection:")
        let (base, guessed) = baseURL()
        yaml.append("  baseURL: \(Self.quoted("${APP_URL:-\(base)}"))" + (guessed ? "   # review: the document gives no absolute server URL" : ""))
        yaml.append("  timeouts: {connect: 5s, request: 30s}")
        yaml.append("  concurrency: 8")
        yaml.append("  retry: {attempts: 3, initialDelay: 200ms, maxDelay: 10s}")
        yaml += authentication().map { "  " + $0 }
        yaml.append("objectTypes:")
        let resources = resources()
        if resources.isEmpty { yaml.append("  []   # review: no collection with a GET list and an item path was found") }
        for resource in resources { yaml += objectType(resource).map { "  " + $0 } }
        return yaml.joined(separator: "\n") + "\n"
    }

    func baseURL() -> (String, guessed: Bool) {
        let server = document.servers.first?.urlTemplate.rawValue ?? "/"
        if server.hasPrefix("http://") || server.hasPrefix("https://") { return (Self.trimmed(server), false) }
        if let url = URL(string: source), let scheme = url.scheme, scheme.hasPrefix("http"), let host = url.host {
            return (Self.trimmed("\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")\(server)"), false)
        }
        return (Self.trimmed("http://127.0.0.1:8080" + (server.hasPrefix("/") ? server : "/" + server)), true)
    }

    static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    func authentication() -> [String] {
        let schemes = document.components.securitySchemes
        let required = document.security.first.flatMap { $0.keys.first }.flatMap { reference in document.components[reference] }
        let chosen = required ?? schemes.values.compactMap { document.components[$0] }.first
        guard let scheme = chosen else { return ["authentication: {type: none}   # review: the document names no security scheme"] }
        switch scheme.type {
        case .apiKey(let name, let location) where location == .header:
            return ["authentication: {type: apiKey, header: \(Self.quoted(name)), value: \"${API_KEY}\"}"]
        case .apiKey(let name, let location) where location == .query:
            return ["authentication: {type: apiKey, query: \(Self.quoted(name)), value: \"${API_KEY}\"}"]
        case .http(let kind, _) where kind.lowercased() == "basic":
            return ["authentication: {type: basic, username: \"${APP_USERNAME}\", password: \"${APP_PASSWORD}\"}"]
        case .http(let kind, _) where kind.lowercased() == "bearer":
            return ["authentication: {type: bearer, token: \"${APP_TOKEN}\"}"]
        case .oauth2(let flows, _):
            guard let credentials = flows.clientCredentials else { break }
            return [
                "authentication: {type: oauth2, tokenURL: \(Self.quoted(credentials.tokenUrl.absoluteString)), clientID: \"${CLIENT_ID}\", clientSecret: \"${CLIENT_SECRET}\"}",
            ]
        default:
            break
        }
        return ["authentication: {type: none}   # review: \(Self.describe(scheme)) is not one attrmap speaks"]
    }

    func objectType(_ resource: Resource) -> [String] {
        var yaml: [String] = []
        let members = properties(resource.schema).filter { !$0.name.hasPrefix("_") }
        var attributes: [(name: String, line: String)] = []
        var skipped: [String] = []
        var readOnly: [String] = []
        for member in members {
            guard let (schema, _) = resolved(member.schema) else { continue }
            // What the application alone writes is left out, but for the anchor.
            if member.schema.readOnly || schema.readOnly, member.name != resource.parameter {
                readOnly.append(member.name)
                continue
            }
            var parts = ["name: \(Self.quoted(member.name))"]
            switch schema.jsonType {
            case .boolean?: parts.append("type: boolean")
            case .integer?: parts.append("type: integer")
            case .string?, .number?, nil:
                if case .string(let core, _) = schema.value, core.format.rawValue == "date-time" { parts.append("type: dateTime") }
            case .array?:
                guard let items = resolved(schema.arrayContext?.items)?.schema, [.string, .integer].contains(items.jsonType) else {
                    skipped.append(member.name)
                    continue
                }
                parts.append("multiValued: true")
            default:
                skipped.append(member.name)
                continue
            }
            if member.required { parts.append("required: true") }
            attributes.append((member.name, parts.count == 1 ? Self.quoted(member.name) : "{" + parts.joined(separator: ", ") + "}"))
        }
        let names = attributes.map(\.name)
        let anchor = names.contains(resource.parameter) ? resource.parameter : names.contains("id") ? "id" : members.first { $0.required }?.name ?? names.first ?? "id"
        yaml.append("- name: \(resource.name)" + (resource.schemaName.map { "   # \(resource.collection), schema \($0)" } ?? "   # \(resource.collection)"))
        yaml.append("  anchor: \(Self.quoted(anchor))" + (anchor == resource.parameter ? "" : "   # review: the item path names {\(resource.parameter)}"))
        yaml.append("  attributes:")
        for attribute in attributes { yaml.append("    - " + attribute.line) }
        if !skipped.isEmpty { yaml.append("    # review: left out (objects, or lists of objects): " + skipped.joined(separator: ", ")) }
        if !readOnly.isEmpty { yaml.append("    # review: read-only, left out (add them to import them): " + readOnly.joined(separator: ", ")) }
        yaml.append("  operations:")
        let itemPath = resource.item.replacingOccurrences(of: "{\(resource.parameter)}", with: "{[\(anchor)]}")
        let guess = paging(resource.list, resource.listItem)
        if let size = guess?.query.first(where: { $0.1 == "\"[page.size]\"" })?.0 {
            yaml.append("    test: [{GET: \(Self.quoted(resource.collection)), query: {\(Self.quoted(size)): 1}}]")
        }
        yaml.append("    import:")
        yaml.append("      steps:")
        yaml.append("        - GET: \(Self.quoted(resource.collection))")
        if let query = guess?.query, !query.isEmpty {
            yaml.append("          query: {" + query.map { "\(Self.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}")
        }
        yaml.append("      records: \(Self.quoted(guess?.records ?? ""))")
        if let paging = guess?.paging { yaml.append("      paging: \(paging)   # review: guessed (\(guess!.summary))") }
        // A list that takes a time to list changes from: the same list as a delta import.
        let listQuery = parameters(resource.list, resource.listItem).filter { $0.context.location == .query }.map(\.name)
        if let since = listQuery.first(where: { Self.sinceNames.contains($0) }) {
            yaml.append("    deltaImport:   # review: the changes since the last import, by \(since)")
            yaml.append("      steps:")
            yaml.append("        - GET: \(Self.quoted(resource.collection))")
            let query = [(since, "\"[delta.since]\"")] + (guess?.query ?? [])
            yaml.append("          query: {" + query.map { "\(Self.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}")
            yaml.append("      records: \(Self.quoted(guess?.records ?? ""))")
            if let paging = guess?.paging { yaml.append("      paging: \(paging)") }
        }
        let routes = document.routes
        let item = routes.first { $0.path.rawValue == resource.item }?.pathItem
        if item?.get != nil { yaml.append("    get: [{GET: \(Self.quoted(itemPath))}]") }
        // Multi-valued attributes with their own add and remove calls: item/{id}/NAME/{value}.
        var ownCalls: [(attribute: String, add: String, addMethod: String, remove: String)] = []
        for route in routes {
            let path = route.path.rawValue
            guard path.hasPrefix(resource.item + "/") else { continue }
            let rest = path.dropFirst(resource.item.count + 1).split(separator: "/")
            guard rest.count == 2, rest[1].hasPrefix("{"), let attribute = attributes.first(where: { $0.name == rest[0] && $0.line.contains("multiValued") })?.name else { continue }
            let method = route.pathItem.put != nil ? "PUT" : route.pathItem.post != nil ? "POST" : nil
            guard let method, route.pathItem.delete != nil else { continue }
            let valuePath = itemPath + "/" + rest[0] + "/{[item]}"
            ownCalls.append((attribute, valuePath, method, valuePath))
        }
        if let post = routes.first(where: { $0.path.rawValue == resource.collection })?.pathItem.post {
            let body = bodyMembers(post, attributes: names, excluding: [])
            yaml.append("    create:")
            yaml.append("      - POST: \(Self.quoted(resource.collection))")
            yaml.append("        body: {" + body.map { "\(Self.quoted($0)): \"[\($0)]\"" }.joined(separator: ", ") + "}")
        } else {
            yaml.append("    # review: no POST on \(resource.collection): the application creates none")
        }
        if let patch = item?.patch ?? item?.put {
            let method = item?.patch != nil ? "PATCH" : "PUT"
            let body = bodyMembers(patch, attributes: names, excluding: Set(ownCalls.map(\.attribute) + [anchor]))
            yaml.append("    update:")
            yaml.append("      send: \(method == "PATCH" ? "changed" : "all")" + (method == "PUT" ? "   # review: PUT replaces the whole object" : ""))
            yaml.append("      steps:")
            yaml.append("        - \(method): \(Self.quoted(itemPath))")
            yaml.append("          body: {" + body.map { "\(Self.quoted($0)): \"[\($0)]\"" }.joined(separator: ", ") + "}")
            for call in ownCalls {
                yaml.append("        - {forEach: \"[added.\(call.attribute)]\", \(call.addMethod): \(Self.quoted(call.add))}")
                yaml.append("        - {forEach: \"[removed.\(call.attribute)]\", DELETE: \(Self.quoted(call.remove))}")
            }
        }
        if item?.delete != nil { yaml.append("    delete: [{DELETE: \(Self.quoted(itemPath))}]") }
        if let password = routes.first(where: { $0.path.rawValue == resource.item + "/password" }), let operation = password.pathItem.put ?? password.pathItem.post {
            let method = password.pathItem.put != nil ? "PUT" : "POST"
            let field = requestSchema(operation).flatMap { resolved($0) }.map { properties($0.schema).map(\.name) }?.first ?? "password"
            yaml.append("    setPassword: [{\(method): \(Self.quoted(itemPath + "/password")), body: {\(Self.quoted(field)): \"[password]\"}}]")
        }
        return yaml
    }

    /// The attributes a write's body sends: the request schema's properties that are attributes.
    func bodyMembers(_ operation: OpenAPI.Operation, attributes: [String], excluding: Set<String>) -> [String] {
        guard let schema = requestSchema(operation), let (target, _) = resolved(schema) else { return attributes.filter { !excluding.contains($0) } }
        let accepted = Set(properties(target).filter { !$0.schema.readOnly }.map(\.name))
        return attributes.filter { accepted.contains($0) && !excluding.contains($0) }
    }

    static func slug(_ title: String) -> String {
        let words = title.lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.isEmpty ? "application" : words.joined(separator: "-")
    }

    static func quoted(_ text: String) -> String { YAMLScalar.quoted(text) }
}

/// Scalars of the starter templates discovery writes.
enum YAMLScalar {
    /// A YAML scalar: plain when that reads back as the same text, else double-quoted.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
            && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(text.lowercased()) && Double(text) == nil
        if plain { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
