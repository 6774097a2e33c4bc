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
}
