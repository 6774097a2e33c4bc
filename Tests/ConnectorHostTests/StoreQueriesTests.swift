import AttrmapTesting
import Foundation
import ConnectorHost
import Connectors
import JSONValues
import Logging
import SCIM
import Testing

/// A host that asks the store: the same answers as a host with a cache, nothing kept in memory,
/// and two hosts on one store that agree.
struct StoreQueriesTests {
    static func user(_ index: Int) -> ConnectorObject {
        ConnectorObject(objectType: "User", anchor: String(format: "u%05d", index), document: .object([
            ("userName", .string("user\(index)@contoso.com")), ("displayName", .string("User \(index)")),
            ("title", .string(index % 3 == 0 ? "Engineer" : "Analyst")),
        ]))
    }

    /// 2,500 users: more than one page of a scan.
    static func store() -> InMemoryConnector {
        InMemoryConnector(objects: (0..<2500).map(user))
    }

    static func ids(_ response: SCIMResponse) -> [String] {
        response.body?.member("Resources")?.arrayValue?.compactMap { $0.member("id")?.stringValue } ?? []
    }

    @Test(arguments: [
        #"userName eq "USER42@contoso.com""#,
        #"displayName eq "User 7" or id eq "u02000""#,
        #"title eq "Engineer" and displayName eq "User 9""#,
        #"displayName co "77""#,
        #"title sw "Eng""#,
        #"not (title eq "Analyst")"#,
        #"displayName pr"#,
        #"emails[type eq "work"].value eq "x""#,
    ])
    func aHostThatAsksTheStoreAnswersAsOneWithACache(filter: String) async throws {
        let store = Self.store()
        let asking = HostedConnectorTests.host(store)
        let caching = HostedConnectorTests.host(CacheOnly(store))
        await asking.importAll()
        await caching.importAll()
        for (start, count) in [(1, 1000), (3, 7), (1200, 50), (2600, 10)] {
            let request = SCIMRequest.search(.user, filter: try Filter.parse(filter), startIndex: start, count: count)
            let asked = try await asking.execute(request, base: nil)
            let cached = try await caching.execute(request, base: nil)
            #expect(asked.body?.member("totalResults") == cached.body?.member("totalResults"), "\(filter) from \(start)")
            #expect(Self.ids(asked) == Self.ids(cached), "\(filter) from \(start)")
        }
    }

    @Test func twoHostsOnOneStoreAgree() async throws {
        let store = InMemoryConnector()
        let first = HostedConnectorTests.host(store)
        let second = HostedConnectorTests.host(store)
        await first.importAll()
        await second.importAll()
        let created = try await first.execute(.create(.user, HostedConnectorTests.user("shared@contoso.com")), base: nil)
        #expect(created.status == 201)
        let id = try #require(created.body?.member("id")?.stringValue)
        // Found by the other host at once, by id and by the matching query.
        #expect(try await second.execute(.get(.user, id: id), base: nil).status == 200)
        let found = try await second.execute(.search(.user, filter: try Filter.parse(#"userName eq "shared@contoso.com""#)), base: nil)
        #expect(Self.ids(found) == [id])
        // The second host refuses the same userName: the store holds it.
        let duplicate = await #expect(throws: SCIMError.self) {
            try await second.execute(.create(.user, HostedConnectorTests.user("SHARED@contoso.com")), base: nil)
        }
        #expect(duplicate?.status == 409)
        #expect(duplicate?.scimType == .uniqueness)
        // A PATCH through one is what the other reads.
        let patch = SCIMRequest.PatchRequest([PatchOperation(op: .replace, path: try AttributePath.parse("displayName"), value: .string("Shared"))])
        #expect(try await first.execute(.patch(.user, id: id, patch), base: nil).status == 200)
        #expect(try await second.execute(.get(.user, id: id), base: nil).body?.member("displayName") == .string("Shared"))
        #expect(try await second.execute(.delete(.user, id: id), base: nil).status == 204)
        let gone = await #expect(throws: SCIMError.self) { try await first.execute(.get(.user, id: id), base: nil) }
        #expect(gone?.status == 404)
    }
}
