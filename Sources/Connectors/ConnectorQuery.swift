package import JSONValues

/// A condition on a connector's objects that a store can answer itself, with its indexes: what
/// the host asks of a ``QueryingConnector`` instead of keeping every object in memory.
///
/// Comparisons of text are case-insensitive, as SCIM's `eq` is on attributes that are not
/// `caseExact` (every attribute the host exposes). A store folds case as its engine does
/// (SQLite's `lower` folds ASCII letters only).
package indirect enum ConnectorQuery: Sendable, Hashable {
    /// The anchor (the SCIM `id`) is this value, exactly.
    case anchor(String)
    /// A connector attribute (a column) holds this value; for a multi-valued attribute, one of its
    /// values is this one.
    case attribute(String, equals: String)
    /// A top-level member of the kept document (the rest of the SCIM resource: `userName`,
    /// `displayName`, `externalId`) is this text.
    case document(String, equals: String)
    case and([ConnectorQuery])
    case or([ConnectorQuery])

    /// Whether `object` satisfies the query, as a store without indexes checks it.
    package func matches(_ object: ConnectorObject) -> Bool {
        switch self {
        case .anchor(let anchor):
            return object.anchor == anchor
        case .attribute(let name, let value):
            guard let held = object.attributes[name] ?? object.attributes.first(where: { $0.key.lowercased() == name.lowercased() })?.value
            else { return false }
            let wanted = value.lowercased()
            return (held.arrayValue ?? [held]).contains { Self.text($0)?.lowercased() == wanted }
        case .document(let name, let value):
            guard let members = object.document?.objectValue,
                let held = members.first(where: { $0.0 == name })?.1 ?? members.first(where: { $0.0.lowercased() == name.lowercased() })?.1
            else { return false }
            return Self.text(held)?.lowercased() == value.lowercased()
        case .and(let all):
            return all.allSatisfy { $0.matches(object) }
        case .or(let any):
            return any.contains { $0.matches(object) }
        }
    }

    /// The text of a single value as stores compare it: a string as is, a number's text, a
    /// boolean as `True` or `False`.
    package static func text(_ value: JSON) -> String? {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "True" : "False"
        default: nil
        }
    }
}

/// One page of a search: objects matching a query, in ascending anchor order.
package struct ConnectorSearch: Sendable, Hashable {
    /// nil: every object of the type.
    package var query: ConnectorQuery?
    /// Only objects whose anchor sorts after this one (a scan that goes on where the previous
    /// page ended, at the cost of one index seek, whatever the page).
    package var after: String?
    /// Objects to skip first (SCIM's `startIndex` − 1).
    package var offset: Int
    /// At most this many objects.
    package var limit: Int

    package init(query: ConnectorQuery? = nil, after: String? = nil, offset: Int = 0, limit: Int) {
        self.query = query
        self.after = after
        self.offset = offset
        self.limit = limit
    }
}

/// A connector whose store answers queries itself (a SQL database with its indexes), so that the
/// host keeps nothing of it in memory: it asks the store for each `GET`, each matching query and
/// each uniqueness check, and several hosts can serve one store together. A connector that
/// cannot (a web service without a query API) is served from a local cache instead.
package protocol QueryingConnector: Connector {
    /// The objects of `objectType` that `search` selects, in ascending anchor order.
    func search(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject]

    /// How many objects of `objectType` match `query` (all of them when nil).
    func count(objectType: String, query: ConnectorQuery?) async throws(ConnectorError) -> Int
}
