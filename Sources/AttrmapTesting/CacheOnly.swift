package import Connectors
import JSONValues
import ServiceLifecycle

/// A connector with its queries hidden: the host serves it from a cache filled by full imports,
/// as it serves a connector whose store cannot answer queries. Tests run the host's flows both
/// ways with it.
package final class CacheOnly: Connector {
    package let wrapped: any Connector

    package init(_ wrapped: any Connector) {
        self.wrapped = wrapped
    }

    package func run() async throws { try await wrapped.run() }
    package func testConnection() async throws(ConnectorError) { try await wrapped.testConnection() }
    package func schema() async throws(ConnectorError) -> ConnectorSchema { try await wrapped.schema() }
    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        try await wrapped.fullImport(objectType: objectType)
    }
    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await wrapped.get(objectType: objectType, anchor: anchor)
    }
    package func create(_ object: ConnectorObject) async throws(ConnectorError) { try await wrapped.create(object) }
    package func sendsPasswordWithCreate(objectType: String) -> Bool { wrapped.sendsPasswordWithCreate(objectType: objectType) }
    package func anchor(ofNew object: ConnectorObject) throws(ConnectorError) -> String? { try wrapped.anchor(ofNew: object) }
    package func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError) {
        try await wrapped.create(object, password: password)
    }
    package func createReturningAnchor(_ object: ConnectorObject, password: String?) async throws(ConnectorError) -> String {
        try await wrapped.createReturningAnchor(object, password: password)
    }
    package func replace(_ object: ConnectorObject) async throws(ConnectorError) { try await wrapped.replace(object) }
    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        try await wrapped.update(object, from: previous)
    }
    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        try await wrapped.delete(objectType: objectType, anchor: anchor)
    }
    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        try await wrapped.setPassword(objectType: objectType, anchor: anchor, password: password)
    }
}
