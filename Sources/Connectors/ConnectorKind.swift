package import Logging

/// A kind of connector that a configuration can name: the SQL connector's `sqlite` and
/// `postgres`, `memory`, and those to come. A kind reads its part of a connector's entry, with
/// every mistake located in the file, and makes the connector when the host starts.
///
/// A kind is chosen by its name written as a key of the entry (`sqlite: hr.sqlite`,
/// `postgres: {…}`) or as `kind: NAME`. The executable registers the kinds it ships in a
/// ``ConnectorKinds``; the configuration knows none of them.
package protocol ConnectorKind: Sendable {
    /// The name in a configuration: `sqlite`.
    var name: String { get }

    /// The other keys of a connector's entry the kind reads (`sync`, `objectTypes`); any key
    /// neither the host nor the kind reads is an error.
    var keys: [String] { get }

    /// Reads the kind's settings from a connector's entry (the whole entry: the kind reads the
    /// keys it knows). Nothing is opened yet.
    func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration
}

/// What a kind read from a connector's entry: enough to make the connector.
package protocol ConnectorConfiguration: Sendable {
    /// Opens the store (a file, a pool not yet running) and makes the connector.
    func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector
}

/// The connector kinds an executable ships, by name.
package struct ConnectorKinds: Sendable {
    private var kinds: [(name: String, kind: any ConnectorKind)] = []

    package init(_ kinds: [any ConnectorKind] = []) {
        for kind in kinds { register(kind) }
    }

    /// Adds `kind`; a later kind of the same name replaces an earlier one.
    package mutating func register(_ kind: any ConnectorKind) {
        kinds.removeAll { $0.name == kind.name }
        kinds.append((kind.name, kind))
    }

    package var names: [String] { kinds.map(\.name) }

    package subscript(name: String) -> (any ConnectorKind)? {
        kinds.first { $0.name == name }?.kind
    }

    /// The kind a connector's entry uses: its `kind`, else the one whose name is a key of it.
    package func kind(for entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorKind {
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        if let named = entry["kind"] {
            guard let name = named.string, let kind = self[name] else {
                throw named.problem("unknown connector kind '\(named.string ?? "")'; the kinds are \(list)")
            }
            return kind
        }
        let present = kinds.filter { entry[$0.name] != nil }
        guard let first = present.first else {
            throw entry.problem("the connector needs a store: one of \(list) (as a key, or 'kind: NAME')")
        }
        guard present.count == 1 else {
            throw entry[present[1].name]!.problem("the connector names two stores, '\(first.name)' and '\(present[1].name)'")
        }
        return first.kind
    }
}
