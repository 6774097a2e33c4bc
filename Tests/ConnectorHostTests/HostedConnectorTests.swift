import AttrmapTesting
import ConnectorHost
import Connectors
import JSONValues
import Logging
import SCIM
import Testing

/// The ECMA engine on its own: SCIM requests executed against a connector, no HTTP anywhere.
struct HostedConnectorTests {
    static func host(_ connector: any Connector = InMemoryConnector(), deprovisioning: Deprovisioning = Deprovisioning()) -> HostedConnector {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return HostedConnector(name: "APP1", token: "engine-token-000", connector: connector, deprovisioning: deprovisioning, logger: logger)
    }

    static func user(_ name: String) -> JSON {
        .object([("schemas", .array([.string(SchemaURN.coreUser)])), ("userName", .string(name)), ("active", .bool(true))])
    }

    @Test func answersWith503UntilTheFirstImport() async throws {
        let host = Self.host()
        let error = await #expect(throws: SCIMError.self) { try await host.execute(.search(.user, filter: nil), base: nil) }
        #expect(error?.status == 503)
        await host.importAll()
        #expect(try await host.execute(.search(.user, filter: nil), base: nil).status == 200)
    }

    @Test(arguments: [false, true])
    func createsFindsPatchesAndDeletes(cached: Bool) async throws {
        let host = Self.host(cached ? CacheOnly(InMemoryConnector()) : InMemoryConnector())
        await host.importAll()
        let base = "https://example.test/ecma2host_APP1/scim"
        let created = try await host.execute(.create(.user, Self.user("bjensen@contoso.com")), base: base)
        #expect(created.status == 201)
        let id = try #require(created.body?["id"]?.stringValue)
        #expect(created.location == "\(base)/Users/\(id)")
        #expect(created.body?["meta"]?["location"]?.stringValue == created.location)

        // Entra's matching query, by any case of the value.
        let query = SCIMRequest.search(.user, filter: .compare(AttributePath(name: "userName"), .eq, .string("BJENSEN@contoso.com")))
        let found = try await host.execute(query, base: nil)
        #expect(found.body?["totalResults"] == .number("1"))

        let patch = SCIMRequest.patch(.user, id: id, .init([PatchOperation(op: .replace, path: AttributePath(name: "active"), value: .string("False"))]))
        let patched = try await host.execute(patch, base: nil)
        #expect(patched.status == 200)
        #expect(patched.body?["active"] == .bool(false))

        // userName is unique, in any case.
        let duplicate = await #expect(throws: SCIMError.self) { try await host.execute(.create(.user, Self.user("BJensen@Contoso.com")), base: nil) }
        #expect(duplicate?.status == 409)
        #expect(duplicate?.scimType == .uniqueness)

        #expect(try await host.execute(.delete(.user, id: id), base: nil).status == 204)
        let gone = await #expect(throws: SCIMError.self) { try await host.execute(.get(.user, id: id), base: nil) }
        #expect(gone?.status == 404)
    }

    @Test func patchingAGroupAnswers204AndProjectionsApply() async throws {
        let host = Self.host()
        await host.importAll()
        let group = try await host.execute(.create(.group, .object([("displayName", .string("Sales"))])), base: nil)
        let id = try #require(group.body?["id"]?.stringValue)
        let patch = SCIMRequest.patch(.group, id: id, .init([PatchOperation(op: .replace, path: AttributePath(name: "displayName"), value: .string("Sales EU"))]))
        #expect(try await host.execute(patch, base: nil) == .noContent)
        let projected = try await host.execute(SCIMRequest(.group, .get(id: id), attributes: [AttributePath(name: "displayName")]), base: nil)
        #expect(projected.body?["displayName"] == .string("Sales EU"))
        #expect(projected.body?["meta"] == nil)
    }

    /// The disable flow of the ECMA wizard: a PATCH of active false deletes the object.
    @Test func theDisableFlowCanDelete() async throws {
        let connector = InMemoryConnector()
        let host = Self.host(connector, deprovisioning: Deprovisioning(disableFlow: .delete, deleteFlow: .delete))
        await host.importAll()
        let id = try #require(try await host.execute(.create(.user, Self.user("leaver@contoso.com")), base: nil).body?["id"]?.stringValue)
        _ = try await host.execute(.patch(.user, id: id, .init([PatchOperation(op: .replace, path: AttributePath(name: "active"), value: .bool(false))])), base: nil)
        #expect(try await connector.fullImport(objectType: "User").isEmpty)
    }

    @Test func discoveryDescribesWhatTheConnectorServes() async throws {
        let host = Self.host()
        await host.importAll()
        let types = try await host.execute(SCIMRequest(nil, .resourceTypes(name: nil)), base: "https://h/scim")
        #expect(types.body?["totalResults"] == .number("2"))
        let config = try await host.execute(SCIMRequest(nil, .serviceProviderConfig), base: "https://h/scim")
        #expect(config.body?["patch"]?["supported"] == .bool(true))
    }
}
