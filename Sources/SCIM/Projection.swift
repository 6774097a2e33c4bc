import Foundation
public import JSONValues

/// The `attributes` and `excludedAttributes` query parameters (RFC 7644 §3.4.2.5), and the
/// attributes never returned (`password`).
public struct Projection: Sendable {
    public var attributes: [AttributePath]
    public var excluded: [AttributePath]

    /// Only `attributes` (when not empty), without `excluded`.
    public init(attributes: [AttributePath] = [], excluded: [AttributePath] = []) {
        self.attributes = attributes
        self.excluded = excluded
    }

    /// Reads comma-separated lists of paths.
    public init(attributes: String?, excludedAttributes: String?, definition: ResourceDefinition) throws(SCIMError) {
        func parse(_ text: String?) throws(SCIMError) -> [AttributePath] {
            guard let text, !text.isEmpty else { return [] }
            var paths: [AttributePath] = []
            for part in text.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                do { paths.append(definition.resolve(try AttributePath.parse(trimmed))) } catch {
                    throw .badRequest(.invalidPath, "invalid attribute '\(trimmed)': \(error.message)")
                }
            }
            return paths
        }
        self.attributes = try parse(attributes)
        self.excluded = try parse(excludedAttributes)
    }

    static let alwaysReturned = ["id", "schemas"]

    /// The resource as it is returned.
    public func apply(to resource: JSON, definition: ResourceDefinition) -> JSON {
        guard case .object(let members) = resource else { return resource }
        var result: [(String, JSON)] = []
        for (key, value) in members {
            if Self.alwaysReturned.contains(where: { key.equalsIgnoringCase($0) }) {
                result.append((key, value))
                continue
            }
            if key.equalsIgnoringCase("password") { continue }
            if let ext = definition.extension(key), case .object(let inner) = value {
                let kept = inner.compactMap { name, member -> (String, JSON)? in
                    project(AttributePath(schema: ext.id, name: name), member)
                }
                if !kept.isEmpty || attributes.contains(where: { $0.schema?.equalsIgnoringCase(ext.id) == true && $0.name.equalsIgnoringCase(key) }) {
                    result.append((key, .object(kept)))
                }
                continue
            }
            if let kept = project(AttributePath(name: key), value)?.1 { result.append((key, kept)) }
        }
        return .object(result)
    }

    /// One top-level attribute (or extension member) after both lists; nil when it is left out.
    private func project(_ path: AttributePath, _ value: JSON) -> (String, JSON)? {
        func same(_ a: AttributePath, _ b: AttributePath) -> Bool {
            a.name.equalsIgnoringCase(b.name) && (a.schema ?? "").equalsIgnoringCase(b.schema ?? "")
        }
        if excluded.contains(where: { same($0, path) && $0.subAttribute == nil }) { return nil }
        var value = value
        let excludedSubs = excluded.filter { same($0, path) }.compactMap(\.subAttribute)
        if !excludedSubs.isEmpty { value = Self.removing(excludedSubs, from: value) }
        guard !attributes.isEmpty else { return (path.name, value) }
        let requested = attributes.filter { same($0, path) }
        guard !requested.isEmpty else {
            // `urn:…:User` alone asks for the whole extension.
            if let schema = path.schema, attributes.contains(where: { $0.schema == nil && "\($0.name)".equalsIgnoringCase(schema) }) {
                return (path.name, value)
            }
            return nil
        }
        if requested.contains(where: { $0.subAttribute == nil }) { return (path.name, value) }
        return (path.name, Self.keeping(requested.compactMap(\.subAttribute), in: value))
    }

    private static func removing(_ subs: [String], from value: JSON) -> JSON {
        switch value {
        case .object(let members): .object(members.filter { member in !subs.contains { $0.equalsIgnoringCase(member.0) } })
        case .array(let elements): .array(elements.map { removing(subs, from: $0) })
        default: value
        }
    }

    private static func keeping(_ subs: [String], in value: JSON) -> JSON {
        switch value {
        case .object(let members): .object(members.filter { member in subs.contains { $0.equalsIgnoringCase(member.0) } })
        case .array(let elements): .array(elements.map { keeping(subs, in: $0) })
        default: value
        }
    }
}

/// A page of results (RFC 7644 §3.4.2).
public struct ListResponse: Sendable {
    public var totalResults: Int
    public var startIndex: Int
    public var resources: [JSON]

    /// One page of results: `totalResults` in all, this page starting at `startIndex` (1-based).
    public init(totalResults: Int, startIndex: Int, resources: [JSON]) {
        self.totalResults = totalResults
        self.startIndex = startIndex
        self.resources = resources
    }

    public var json: JSON {
        .object([
            ("schemas", .array([.string(SchemaURN.listResponse)])), ("totalResults", .number(String(totalResults))),
            ("startIndex", .number(String(startIndex))), ("itemsPerPage", .number(String(resources.count))),
            ("Resources", .array(resources)),
        ])
    }
}
