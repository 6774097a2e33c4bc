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

    /// A type of the connector's own (`Device`, at `/Devices`): its attributes at the resource's
    /// top level, its filters asked of the store as attribute queries, and the same answers from
    /// a cache.
    @Test func aTypeOfTheConnectorsOwnIsServedUnderItsName() async throws {
        let device = ConnectorSchema.ObjectType(name: "Device", anchor: "serialNumber", attributes: [
            .init(name: "serialNumber", type: .string, multiValued: false),
            .init(name: "model", type: .string, multiValued: false),
            .init(name: "owners", type: .string, multiValued: true),
        ], keepsDocument: false)
        let schema = ConnectorSchema(objectTypes: InMemoryConnector.defaultSchema.objectTypes + [device])
        let store = InMemoryConnector(schema: schema, objects: (0..<30).map { index in
            ConnectorObject(objectType: "Device", anchor: String(format: "SN%03d", index), attributes: [
                "serialNumber": .string(String(format: "SN%03d", index)), "model": .string(index % 2 == 0 ? "X1" : "T14"),
                "owners": .array([.string("user\(index)")]),
            ])
        })
        let asking = HostedConnectorTests.host(store)
        let caching = HostedConnectorTests.host(CacheOnly(store))
        await asking.importAll()
        await caching.importAll()
        let type = ResourceType.named("Device")
        #expect(asking.resourceTypes.map(\.endpoint) == ["/Users", "/Groups", "/Devices"])
        for filter in [#"model eq "X1""#, #"serialNumber eq "sn007""#, #"id eq "SN011" or model eq "nothing""#, #"owners co "user1""#] {
            let request = SCIMRequest.search(type, filter: try Filter.parse(filter), startIndex: 1, count: 100)
            let asked = try await asking.execute(request, base: nil)
            let cached = try await caching.execute(request, base: nil)
            #expect(asked.body?.member("totalResults") == cached.body?.member("totalResults"), "\(filter)")
            #expect(Self.ids(asked) == Self.ids(cached), "\(filter)")
            #expect(!Self.ids(asked).isEmpty, "\(filter)")
        }
        let body = try JSON.parse(#"{"schemas":["urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:Device"],"serialNumber":"SN100","model":"X1","owners":["ann"]}"#)
        for host in [asking, caching] {
            let created = try await host.execute(.create(type, body), base: "https://h/scim")
            #expect(created.status == 201)
            #expect(created.body?.member("id") == .string("SN100"))
            #expect(created.location == "https://h/scim/Devices/SN100")
            let patch = SCIMRequest.PatchRequest(try Patch.operations(try JSON.parse(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"owners","value":["bob"]}]}"#)))
            let patched = try await host.execute(.patch(type, id: "SN100", patch), base: nil)
            #expect(patched.body?.member("owners") == .array([.string("ann"), .string("bob")]), "\(patched)")
            let stored = try #require(try await store.get(objectType: "Device", anchor: "SN100"))
            #expect(stored.attributes["owners"] == .array([.string("ann"), .string("bob")]))
            #expect(try await host.execute(.delete(type, id: "SN100"), base: nil).status == 204)
        }
        let missingAnchor = await #expect(throws: SCIMError.self) {
            try await asking.execute(.create(type, try JSON.parse(#"{"model":"X1"}"#)), base: nil)
        }
        #expect(missingAnchor?.detail == "the anchor attribute 'serialNumber' is required")
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
