public import JSONValues

/// The resources whose values at one attribute path equal a given text, compared without case as
/// SCIM compares strings by default: Entra's matching queries (`userName eq "…"`) become lookups.
/// `ID` names a resource: its SCIM id, or its position in a list.
public struct EqualityIndex<ID: Hashable & Sendable>: Sendable {
    public let path: AttributePath
    private var ids: [String: Set<ID>] = [:]

    /// An empty index of the values at `path`.
    public init(path: AttributePath) {
        self.path = path
    }

    /// An index of `resources` by their values at `path`.
    public init(path: AttributePath, resources: some Sequence<(ID, JSON)>) {
        self.path = path
        for (id, resource) in resources { insert(id, resource) }
    }

    /// Adds `id` under each value `resource` has at the path.
    public mutating func insert(_ id: ID, _ resource: JSON) {
        for value in Resource.values(at: path, in: resource) {
            if let text = value.comparableText { ids[text.lowercased(), default: []].insert(id) }
        }
    }

    /// Removes `id` from under each value `resource` has at the path.
    public mutating func remove(_ id: ID, _ resource: JSON) {
        for value in Resource.values(at: path, in: resource) {
            guard let text = value.comparableText?.lowercased() else { continue }
            ids[text]?.remove(id)
            if ids[text]?.isEmpty == true { ids[text] = nil }
        }
    }

    /// The resources with `value` at the path.
    public func ids(equalTo value: String) -> Set<ID> {
        ids[value.lowercased()] ?? []
    }
}
