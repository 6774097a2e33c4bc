import JSONValues
package import Logging
import ServiceLifecycle
import Synchronization

/// A connector whose store is a dictionary: for tests of the host, and for trying mappings with no
/// database at all. Keeps documents and passwords.
package final class InMemoryConnector: QueryingConnector {
    private let state: Mutex<[String: [String: ConnectorObject]]>
    private let passwords = Mutex<[String: String]>([:])
    private let declared: ConnectorSchema

    /// No background work: waits for the graceful shutdown.
    package func run() async throws {
        try? await gracefulShutdown()
    }

    package init(schema: ConnectorSchema = InMemoryConnector.defaultSchema, objects: [ConnectorObject] = []) {
        declared = schema
        var initial: [String: [String: ConnectorObject]] = [:]
        for object in objects { initial[object.objectType.lowercased(), default: [:]][object.anchor] = object }
        state = Mutex(initial)
    }

    /// Users and groups whose anchor the host generates, keeping whole documents.
    package static let defaultSchema = ConnectorSchema(objectTypes: [
        .init(name: "User", anchor: "id", attributes: [], keepsDocument: true),
        .init(name: "Group", anchor: "id", attributes: [], keepsDocument: true),
    ])

    package func testConnection() async throws(ConnectorError) {}

    package func schema() async throws(ConnectorError) -> ConnectorSchema { declared }

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        state.withLock { Array(($0[objectType.lowercased()] ?? [:]).values).sorted { $0.anchor < $1.anchor } }
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        state.withLock { $0[objectType.lowercased()]?[anchor] }
    }

    /// A scan of the dictionary: the objects are in memory anyway.
    package func search(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject] {
        let matching = state.withLock { objects in
            (objects[objectType.lowercased()] ?? [:]).values.filter { object in
                (search.after.map { object.anchor > $0 } ?? true) && (search.query?.matches(object) ?? true)
            }
        }
        return Array(matching.sorted { $0.anchor < $1.anchor }.dropFirst(search.offset).prefix(search.limit))
    }

    package func count(objectType: String, query: ConnectorQuery?) async throws(ConnectorError) -> Int {
        state.withLock { objects in (objects[objectType.lowercased()] ?? [:]).values.count { query?.matches($0) ?? true } }
    }

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        try state.withLock { (objects: inout [String: [String: ConnectorObject]]) throws(ConnectorError) in
            let type = object.objectType.lowercased()
            if objects[type]?[object.anchor] != nil {
                throw ConnectorError(.alreadyExists, "an object with anchor '\(object.anchor)' exists")
            }
            objects[type, default: [:]][object.anchor] = object
        }
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        try state.withLock { (objects: inout [String: [String: ConnectorObject]]) throws(ConnectorError) in
            let type = object.objectType.lowercased()
            guard objects[type]?[object.anchor] != nil else { throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'") }
            objects[type]![object.anchor] = object
        }
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        try state.withLock { (objects: inout [String: [String: ConnectorObject]]) throws(ConnectorError) in
            guard objects[objectType.lowercased()]?.removeValue(forKey: anchor) != nil else {
                throw ConnectorError(.notFound, "no object with anchor '\(anchor)'")
            }
        }
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        passwords.withLock { $0["\(objectType.lowercased())/\(anchor)"] = password }
    }

    /// The password last set, for tests.
    package func password(objectType: String, anchor: String) -> String? {
        passwords.withLock { $0["\(objectType.lowercased())/\(anchor)"] }
    }
}

/// `kind: memory` (or `memory: {}`) in a connector's entry: users and groups in memory, for
/// trying a configuration and for tests. Nothing survives a restart.
package struct InMemoryKind: ConnectorKind {
    package init() {}

    package var name: String { "memory" }

    package var keys: [String] { [] }

    package struct Configuration: ConnectorConfiguration {
        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector { InMemoryConnector() }
    }

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        Configuration()
    }
}
