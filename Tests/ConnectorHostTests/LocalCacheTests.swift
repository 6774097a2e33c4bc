import AttrmapTesting
import ConnectorHost
import Connectors
import Foundation
import JSONValues
import LocalCache
import SCIM
import Testing

/// A connector that cannot answer queries, served from a local SQLite copy: it meets the
/// connector contract, queries included, and a host on it answers as a host with an in-memory
/// cache does.
struct LocalCacheTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-cache-\(UUID().uuidString).sqlite").path
    }

    @Test func aCachedConnectorMeetsTheConnectorContract() async throws {
        let source = InMemoryConnector(schema: ConnectorSchema(objectTypes: [
            .init(name: "User", anchor: "id", attributes: [.init(name: "city"), .init(name: "proxyAddresses", multiValued: true)], keepsDocument: true),
        ]))
        let path = Self.path()
        let cached = try LocallyCachedConnector(source: CacheOnly(source), path: path)
        let sample = ConnectorObject(
            objectType: "User", anchor: "0f1e2d3c",
            attributes: ["city": .string("Oslo"), "proxyAddresses": .array([.string("SMTP:l@contoso.com"), .string("smtp:lj@contoso.com")])],
            document: .object([("userName", .string("ljacobson@contoso.com"))]))
        try await ConnectorConformance.check(.init(
            connector: cached, sample: sample, textAttribute: "city", multiValuedAttribute: "proxyAddresses",
            reopen: {
                // A restart: a new cache on the same file, refreshed from the source at discovery.
                let reopened = try LocallyCachedConnector(source: CacheOnly(source), path: path)
                _ = try await reopened.schema()
                return reopened
            }))
    }

    @Test(arguments: [#"userName eq "user42@contoso.com""#, #"title eq "Engineer" and displayName eq "User 9""#, #"displayName co "77""#])
    func aHostOnTheLocalCacheAnswersAsOneWithAMemoryCache(filter: String) async throws {
        let store = StoreQueriesTests.store()
        let onFile = HostedConnectorTests.host(try LocallyCachedConnector(source: CacheOnly(store), path: Self.path()))
        let inMemory = HostedConnectorTests.host(CacheOnly(store))
        await onFile.importAll()
        await inMemory.importAll()
        for (start, count) in [(1, 1000), (3, 7), (2600, 10)] {
            let request = SCIMRequest.search(.user, filter: try Filter.parse(filter), startIndex: start, count: count)
            let fromFile = try await onFile.execute(request, base: nil)
            let fromMemory = try await inMemory.execute(request, base: nil)
            #expect(fromFile.body?.member("totalResults") == fromMemory.body?.member("totalResults"), "\(filter) from \(start)")
            #expect(StoreQueriesTests.ids(fromFile) == StoreQueriesTests.ids(fromMemory), "\(filter) from \(start)")
        }
        // Writes reach the source and the copy.
        let created = try await onFile.execute(.create(.user, HostedConnectorTests.user("fresh@contoso.com")), base: nil)
        let id = try #require(created.body?.member("id")?.stringValue)
        #expect(try await store.get(objectType: "User", anchor: id) != nil)
        let found = try await onFile.execute(.search(.user, filter: try Filter.parse(#"userName eq "FRESH@contoso.com""#)), base: nil)
        #expect(StoreQueriesTests.ids(found) == [id])
    }

    /// A source that hands over its objects three at a time, and can fail after the first page.
    final class Paged: Connector, @unchecked Sendable {
        let store: InMemoryConnector
        var failsAfterFirstPage = false
        init(_ store: InMemoryConnector) { self.store = store }
        func run() async throws { try await store.run() }
        func testConnection() async throws(ConnectorError) {}
        func schema() async throws(ConnectorError) -> ConnectorSchema { try await store.schema() }
        func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] { try await store.fullImport(objectType: objectType) }
        func fullImport(objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void) async throws(ConnectorError) {
            let all = try await store.fullImport(objectType: objectType).sorted { $0.anchor < $1.anchor }
            for start in stride(from: 0, to: all.count, by: 3) {
                if start > 0, failsAfterFirstPage { throw ConnectorError(.unavailable, "the store went away") }
                try await deliver(Array(all[start..<min(start + 3, all.count)]))
            }
        }
        func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? { try await store.get(objectType: objectType, anchor: anchor) }
        func create(_ object: ConnectorObject) async throws(ConnectorError) { try await store.create(object) }
        func replace(_ object: ConnectorObject) async throws(ConnectorError) { try await store.replace(object) }
        func delete(objectType: String, anchor: String) async throws(ConnectorError) { try await store.delete(objectType: objectType, anchor: anchor) }
        func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {}
    }

    @Test func aFullImportStreamsItsPagesSweepsWhatIsGoneAndRemovesNothingWhenItFails() async throws {
        let store = InMemoryConnector(objects: (0..<10).map { ConnectorObject(objectType: "User", anchor: "u\($0)", document: .object([("n", .number(String($0)))])) })
        let source = Paged(store)
        let cached = try LocallyCachedConnector(source: source, path: Self.path())
        _ = try await cached.schema()
        #expect(try await cached.fullImport(objectType: "User").map(\.anchor) == (0..<10).map { "u\($0)" })
        // Changed, deleted and added in the store: the next import brings the change and the new
        // one, and sweeps the deleted one.
        try await store.replace(ConnectorObject(objectType: "User", anchor: "u1", document: .object([("n", .string("changed"))])))
        try await store.delete(objectType: "User", anchor: "u5")
        try await store.create(ConnectorObject(objectType: "User", anchor: "u10"))
        _ = try await cached.schema()
        #expect(try await cached.get(objectType: "User", anchor: "u1")?.document == .object([("n", .string("changed"))]))
        #expect(try await cached.get(objectType: "User", anchor: "u5") == nil)
        #expect(try await cached.get(objectType: "User", anchor: "u10") != nil)
        #expect(try await cached.count(objectType: "User", query: nil) == 10)
        // An import that fails after its first page removes nothing.
        try await store.delete(objectType: "User", anchor: "u9")
        source.failsAfterFirstPage = true
        await #expect(throws: ConnectorError.self) { _ = try await cached.schema() }
        #expect(try await cached.count(objectType: "User", query: nil) == 10)
        #expect(try await cached.get(objectType: "User", anchor: "u9") != nil)
    }
}
