import Connectors
import JSONValues
import SCIM

/// Reading from a store that answers queries itself (a ``QueryingConnector``): a `GET` is one
/// lookup by anchor, a matching query (`userName eq`, an ECMA2Host attribute `eq`, `id eq`, and
/// `and`/`or` of them) one indexed query and one count, and any other filter a scan of the store
/// page by page, so that memory holds one page whatever the store's size.
struct StoreQueries: Sendable {
    let connector: any QueryingConnector
    let mapping: ResourceMapping
    let objectType: ConnectorSchema.ObjectType
    let definition: ResourceDefinition
    let metrics: ConnectorMetrics

    /// Objects a scan reads at a time.
    static let scanPage = 1000

    func resource(_ id: String) async throws(ConnectorError) -> JSON? {
        try await get(id).map(resource)
    }

    func resource(_ object: ConnectorObject) -> JSON {
        mapping.resource(from: object, type: objectType, definition: definition)
    }

    /// The resources matching `filter` (resolved against the definition; all when nil) from
    /// `startIndex` (1-based), at most `count`, and how many match in all.
    func query(_ filter: Filter?, startIndex: Int, count: Int) async throws(ConnectorError) -> (total: Int, resources: [JSON]) {
        let offset = max(1, startIndex) - 1
        let query = filter.flatMap { Self.translate($0, objectType: objectType, definition: definition) }
        if filter == nil || query != nil {
            guard count > 0 else { return (try await total(query), []) }
            let objects = try await search(ConnectorSearch(query: query, offset: offset, limit: count))
            // A first page that is not full holds every match (a matching query's usual answer):
            // no count to ask for.
            let total = offset == 0 && objects.count < count ? objects.count : try await total(query)
            return (total, objects.map(resource))
        }
        // A filter the store cannot answer: every object read once, in anchor order, a page at a time.
        var total = 0
        var page: [JSON] = []
        var after: String?
        while true {
            let objects = try await search(ConnectorSearch(after: after, limit: Self.scanPage))
            for object in objects {
                let candidate = resource(object)
                guard Resource.matches(filter!, candidate) else { continue }
                if total >= offset, page.count < count { page.append(candidate) }
                total += 1
            }
            guard objects.count == Self.scanPage, let last = objects.last else { break }
            after = last.anchor
        }
        return (total, page)
    }

    // Each call to the connector, counted and timed.

    private func get(_ id: String) async throws(ConnectorError) -> ConnectorObject? {
        try await metrics.measure("get") { () async throws(ConnectorError) in try await connector.get(objectType: objectType.name, anchor: id) }
    }

    private func search(_ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject] {
        try await metrics.measure("search") { () async throws(ConnectorError) in try await connector.search(objectType: objectType.name, search) }
    }

    func total(_ query: ConnectorQuery?) async throws(ConnectorError) -> Int {
        try await metrics.measure("count") { () async throws(ConnectorError) in try await connector.count(objectType: objectType.name, query: query) }
    }

    /// Whether an object other than `id` holds the unique value `key` (a user's `userName`, a
    /// group's `displayName`, lowercased). Only a store that keeps documents can say.
    func holdsUnique(_ key: String, except id: String?) async throws(ConnectorError) -> Bool {
        guard objectType.keepsDocument, let name = ResourceMapping.uniqueAttribute(definition.resourceType) else { return false }
        let holders = try await search(ConnectorSearch(query: .document(name, equals: key), limit: 2))
        return holders.contains { $0.anchor != id }
    }

    /// The query a store answers for `filter` (already resolved against `definition`), or nil when
    /// it has no such query: `eq` on `id`, on an ECMA2Host attribute of the connector, or on a
    /// single-valued core attribute the connector keeps in its document, and `and`/`or` of those.
    static func translate(_ filter: Filter, objectType: ConnectorSchema.ObjectType, definition: ResourceDefinition) -> ConnectorQuery? {
        switch filter {
        case .compare(let path, .eq, let value):
            guard path.filter == nil, path.subAttribute == nil, let text = value.comparableText else { return nil }
            if let schema = path.schema {
                guard schema.equalsIgnoringCase(SchemaURN.ecma2HostUser), let attribute = objectType.attribute(path.name) else { return nil }
                return .attribute(attribute.name, equals: text)
            }
            if path.name.equalsIgnoringCase("id") { return .anchor(text) }
            if ResourceMapping.isOwnType(definition) {
                return objectType.attribute(path.name).map { .attribute($0.name, equals: text) }
            }
            guard objectType.keepsDocument, let attribute = definition.schema.attribute(path.name),
                attribute.type == .string || attribute.type == .reference, !attribute.multiValued
            else { return nil }
            return .document(attribute.name, equals: text)
        case .and(let lhs, let rhs):
            guard let left = translate(lhs, objectType: objectType, definition: definition),
                let right = translate(rhs, objectType: objectType, definition: definition)
            else { return nil }
            return .and([left, right])
        case .or(let lhs, let rhs):
            guard let left = translate(lhs, objectType: objectType, definition: definition),
                let right = translate(rhs, objectType: objectType, definition: definition)
            else { return nil }
            return .or([left, right])
        default:
            return nil
        }
    }
}
