import JSONValues
import SCIM

/// The ECMA host's cache of one resource type: every resource by id, the unique values
/// (`userName`, a group's `displayName`), and equality indexes for the matching queries Entra
/// sends. A class, so that its dictionaries are always mutated in place (a copy of a nested
/// dictionary would cost a pass over every object); owned and used by one actor only.
final class ObjectCache {
    let type: ResourceType
    /// id → resource.
    private(set) var resources: [String: JSON] = [:]
    /// Lowercased unique value → id.
    private var unique: [String: String] = [:]
    /// Equality indexes built on the first `path eq value` query for a path, then kept current,
    /// by canonical path.
    private var equality: [String: EqualityIndex<String>] = [:]

    init(type: ResourceType, resources: [String: JSON] = [:]) {
        self.type = type
        self.resources = resources
        for (id, resource) in resources {
            if let key = ResourceMapping.uniqueKey(type, resource) { unique[key] = id }
        }
    }

    func resource(_ id: String) -> JSON? { resources[id] }

    /// The id holding the unique value `key` (lowercased), if any.
    func owner(ofUnique key: String) -> String? { unique[key] }

    /// Stores `resource` under `id`, keeping the indexes and the unique value current.
    func store(_ resource: JSON, id: String) {
        let previous = resources.updateValue(resource, forKey: id)
        reindex(id: id, old: previous, new: resource)
        let oldKey = previous.flatMap { ResourceMapping.uniqueKey(type, $0) }
        let newKey = ResourceMapping.uniqueKey(type, resource)
        if let oldKey, oldKey != newKey, unique[oldKey] == id { unique[oldKey] = nil }
        if let newKey { unique[newKey] = id }
    }

    /// Forgets `id`.
    func remove(_ id: String) {
        guard let current = resources.removeValue(forKey: id) else { return }
        reindex(id: id, old: current, new: nil)
        if let key = ResourceMapping.uniqueKey(type, current), unique[key] == id { unique[key] = nil }
    }

    /// The resources matching `filter` (all when nil), in a stable order: an `id eq` lookup, an
    /// equality index for any other `eq`, a scan for the rest.
    func matching(_ filter: Filter?) -> [JSON] {
        if case .compare(let path, .eq, let value)? = filter, path.schema == nil, path.filter == nil, path.subAttribute == nil,
            path.name.equalsIgnoringCase("id")
        {
            return value.comparableText.flatMap { resources[$0] }.map { [$0] } ?? []
        }
        if case .compare(let path, .eq, let value)? = filter, let text = value.comparableText {
            let ids = equalityIndex(path).ids(equalTo: text)
            return ids.sorted().compactMap { resources[$0] }.filter { Resource.matches(filter!, $0) }
        }
        return resources.filter { entry in filter.map { Resource.matches($0, entry.value) } ?? true }
            .sorted { $0.key < $1.key }.map(\.value)
    }

    /// The equality index of `path`, built from the cache the first time it is asked for.
    private func equalityIndex(_ path: AttributePath) -> EqualityIndex<String> {
        let key = path.description.lowercased()
        if let index = equality[key] { return index }
        let index = EqualityIndex(path: path, resources: resources.lazy.map { ($0.key, $0.value) })
        equality[key] = index
        return index
    }

    /// Keeps the equality indexes current when the resource `id` changes from `old` to `new`.
    private func reindex(id: String, old: JSON?, new: JSON?) {
        // The keys copied first: a live view of them would make each mutation copy the indexes.
        for key in Array(equality.keys) {
            if let old { equality[key]!.remove(id, old) }
            if let new { equality[key]!.insert(id, new) }
        }
    }
}

/// Ids and unique values claimed by writes still being exported, so that two concurrent
/// creates of one `userName` cannot both reach the connector.
struct Reservations {
    private var claimed: Set<String> = []

    /// Claims `id` and `unique` for a write, or fails with 409 when the cache or another write
    /// in flight holds either.
    mutating func claim(_ cache: ObjectCache, id: String?, unique: String?) throws(SCIMError) {
        try claim(cache, type: cache.type, id: id, unique: unique)
    }

    /// Claims `id` and `unique` against the writes in flight, and against `cache` when there is one.
    mutating func claim(_ cache: ObjectCache?, type: ResourceType, id: String?, unique: String?) throws(SCIMError) {
        if let id, cache?.resource(id) != nil || claimed.contains("\(type.name)#\(id)") {
            throw Self.idTaken(type, id)
        }
        if let unique, cache?.owner(ofUnique: unique) != nil || claimed.contains("\(type.name)=\(unique)") {
            throw Self.uniqueTaken(type, unique)
        }
        if let id { claimed.insert("\(type.name)#\(id)") }
        if let unique { claimed.insert("\(type.name)=\(unique)") }
    }

    /// The 409 for an anchor another object holds.
    static func idTaken(_ type: ResourceType, _ id: String) -> SCIMError { .conflict("a \(type.name) with id '\(id)' already exists") }

    /// The 409 for a `userName` (a group's `displayName`) another object holds.
    static func uniqueTaken(_ type: ResourceType, _ unique: String) -> SCIMError {
        .conflict("\(type == .group ? "displayName" : "userName") '\(unique)' is already taken")
    }

    mutating func release(_ type: ResourceType, id: String?, unique: String?) {
        if let id { claimed.remove("\(type.name)#\(id)") }
        if let unique { claimed.remove("\(type.name)=\(unique)") }
    }
}
