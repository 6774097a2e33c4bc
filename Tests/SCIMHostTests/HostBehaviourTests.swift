import AttrmapTesting
import Connectors
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import JSONValues
import SCIM
import ConnectorHost
import SCIMHost
import Synchronization
import Testing

struct HostBehaviourTests {
    static let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","name":{"givenName":"Barbara"}}"#

    static func count(_ connector: any Connector) async throws -> Int {
        try await connector.fullImport(objectType: "User").count + connector.fullImport(objectType: "Group").count
    }

    @Test(arguments: Reading.allCases)
    func malformedRequestsGetSCIMErrorsAndChangeNothing(reading: Reading) async throws {
        let connector = InMemoryConnector()
        let host = await TestHost(connector: reading.serve(connector))
        try await host.run { send in
            let created = try await send("/Users", .post, Self.user, TestHost.token)
            #expect(created.status == 201)
            let id = created.json?.member("id")?.stringValue ?? ""
            let before = try await Self.count(connector)
            let cases: [(String, HTTPRequest.Method, String?, String?, Int, String?)] = [
                ("/Users", .post, #"{"userName": "x",, }"#, TestHost.token, 400, "invalidSyntax"),
                ("/Users", .post, "", TestHost.token, 400, "invalidSyntax"),
                ("/Users", .post, "[1, 2]", TestHost.token, 400, "invalidSyntax"),
                ("/Users", .post, #"{"name": {"givenName": "no userName"}}"#, TestHost.token, 400, "invalidValue"),
                ("/Users", .post, Self.user, TestHost.token, 409, "uniqueness"),
                ("/Users?filter=userName%20zz%20%22x%22", .get, nil, TestHost.token, 400, "invalidFilter"),
                ("/Users?filter=userName%20eq", .get, nil, TestHost.token, 400, "invalidFilter"),
                ("/Users?startIndex=abc", .get, nil, TestHost.token, 400, "invalidValue"),
                ("/Widgets", .get, nil, TestHost.token, 404, nil),
                ("/Users/no-such-id", .get, nil, TestHost.token, 404, nil),
                ("/Users/no-such-id", .patch, #"{"Operations":[{"op":"add","path":"title","value":"x"}]}"#, TestHost.token, 404, nil),
                ("/Users/\(id)", .patch, #"{"Operations":[{"op":"remove"}]}"#, TestHost.token, 400, "noTarget"),
                ("/Users/\(id)", .patch, #"{"Operations":[{"op":"jump","path":"title"}]}"#, TestHost.token, 400, "invalidSyntax"),
                ("/Users/\(id)", .patch, #"{"Operations":[{"op":"remove","path":"userName"}]}"#, TestHost.token, 400, "mutability"),
                ("/Users/\(id)", .patch, #"{"Operations":[{"op":"add","path":"emails[type eq","value":"x"}]}"#, TestHost.token, 400, "invalidPath"),
                ("/Users/\(id)", .put, #"{"displayName": "no userName"}"#, TestHost.token, 400, "invalidValue"),
                ("/Users", .get, nil, "wrong-token-123456", 401, nil),
                ("/Users", .post, Self.user, nil, 401, nil),
                ("/Users", .delete, nil, TestHost.token, 405, nil),
                ("/ecma2host_APP2/scim/Users", .get, nil, TestHost.token, 404, nil),
                ("/Users", .post, #"{"userName": "\#(String(repeating: "x", count: 2 << 20))"}"#, TestHost.token, 413, nil),
            ]
            for (path, method, body, token, status, scimType) in cases {
                let reply = try await send(path, method, body, token)
                #expect(reply.status == status, "\(method) \(path.prefix(60)): \(reply.text.prefix(300))")
                #expect(reply.json?.member("schemas") == .array([.string(SchemaURN.error)]), "\(path.prefix(60))")
                #expect(reply.json?.member("status") == .string(String(status)))
                #expect(reply.json?.member("scimType")?.stringValue == scimType, "\(method) \(path.prefix(60)): \(reply.text.prefix(300))")
                if status == 401 { #expect(reply.headers[.wwwAuthenticate] == "Bearer") }
            }
            #expect(try await Self.count(connector) == before)
            let unchanged = try await send("/Users/\(id)", .get, nil, TestHost.token)
            #expect(unchanged.json?.member("userName") == .string("bjensen"))
            #expect(unchanged.json?.at("name.givenName") == [.string("Barbara")])
        }
    }

    /// RFC 8259 requires UTF-8: a body that is not is refused at its first bad byte, and two
    /// different malformed names can never be stored as the same replacement characters.
    @Test func bodiesThatAreNotUTF8AreRefusedAndChangeNothing() async throws {
        let connector = InMemoryConnector()
        let host = await TestHost(connector: connector)
        let prefix = Array(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":""#.utf8)
        let cases: [([UInt8], String)] = [
            (prefix + [0xFF, 0xFE] + Array(#""}"#.utf8), "line 1, column 71 (byte offset 70): invalid UTF-8 in a string: the bytes FF FE are not a character"),
            (prefix + [0x62, 0xFE, 0xFF] + Array(#""}"#.utf8), "line 1, column 72 (byte offset 71): invalid UTF-8 in a string: the bytes FE FF are not a character"),
            (prefix + [0xC0, 0xAF] + Array(#""}"#.utf8), "invalid UTF-8 in a string: the bytes C0 AF are not a character"),
            (prefix + Array(#"x\uD800"}"#.utf8), "column 72 (byte offset 71): invalid escape '\\uD800' in a string: a lone UTF-16 surrogate is not a character"),
            (Array(#"{"userName":"ok","title":""#.utf8) + [0xE9] + Array(#""}"#.utf8), "column 27 (byte offset 26): invalid UTF-8 in a string: the byte E9"),
        ]
        try await host.application.test(.router) { client in
            for (body, detail) in cases {
                for (method, path) in [(HTTPRequest.Method.post, "/Users"), (.put, "/Users/whoever")] {
                    try await client.execute(
                        uri: "/ecma2host_APP1/scim" + path, method: method,
                        headers: [.contentType: "application/scim+json", .authorization: "Bearer \(TestHost.token)"],
                        body: ByteBuffer(bytes: body)
                    ) { response in
                        let json = try JSON.parse(String(buffer: response.body))
                        #expect(response.status.code == 400)
                        #expect(json.member("scimType")?.stringValue == "invalidSyntax")
                        let text = json.member("detail")?.stringValue ?? ""
                        #expect(text.hasPrefix("the body is not valid JSON: "), "\(text)")
                        #expect(text.contains(detail), "\(text)")
                    }
                }
            }
        }
        #expect(try await Self.count(connector) == 0)
    }

    @Test(arguments: Reading.allCases)
    func requestsWaitWithA503UntilTheImportIsDone(reading: Reading) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = HostedConnector(name: "APP1", token: TestHost.token, connector: reading.serve(InMemoryConnector()), logger: logger)
        let app = try Host.application(services: [service], logger: logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ecma2host_APP1/scim/Users", method: .get, headers: [.authorization: "Bearer \(TestHost.token)"]) { response in
                #expect(response.status.code == 503)
                #expect(response.headers[.retryAfter] == "5")
                #expect(String(buffer: response.body).contains("importing"))
            }
            await service.importAll()
            try await client.execute(uri: "/ecma2host_APP1/scim/Users", method: .get, headers: [.authorization: "Bearer \(TestHost.token)"]) { response in
                #expect(response.status.code == 200)
            }
        }
    }

    @Test(arguments: Reading.allCases)
    func queriesFilterPageAndProject(reading: Reading) async throws {
        let host = await TestHost(connector: reading.serve(InMemoryConnector()))
        try await host.run { send in
            for index in 1...25 {
                let body = #"{"userName":"user\#(index)@contoso.com","displayName":"User \#(index)","title":"\#(index % 2 == 0 ? "Engineer" : "Analyst")","emails":[{"type":"work","value":"u\#(index)@contoso.com"}],"password":"Secret-\#(index)"}"#
                #expect(try await send("/Users", .post, body, TestHost.token).status == 201)
            }
            let engineers = try await send("/Users?filter=title+eq+%22engineer%22&count=5&startIndex=3", .get, nil, TestHost.token)
            #expect(engineers.json?.member("totalResults") == .number("12"))
            #expect(engineers.json?.member("itemsPerPage") == .number("5"))
            #expect(engineers.json?.member("startIndex") == .number("3"))
            let both = try await send(#"/Users?filter=(title%20eq%20%22Analyst%22%20and%20userName%20sw%20%22user1%22)%20or%20emails%5Btype%20eq%20%22work%22%20and%20value%20eq%20%22u2@contoso.com%22%5D"#, .get, nil, TestHost.token)
            #expect(both.json?.member("totalResults") == .number("7"), "\(both.text.prefix(200))")
            let projected = try await send("/Users?filter=userName%20eq%20%22user3@contoso.com%22&attributes=displayName,emails.value", .get, nil, TestHost.token)
            let resource = projected.json?.member("Resources")?.arrayValue?.first
            #expect(resource?.member("displayName") == .string("User 3"))
            #expect(resource?.member("userName") == nil)
            #expect(resource?.member("id") != nil)
            #expect(resource?.member("emails") == .array([.object([("value", .string("u3@contoso.com"))])]))
            let excluded = try await send("/Users?count=1&excludedAttributes=emails,title", .get, nil, TestHost.token)
            let first = excluded.json?.member("Resources")?.arrayValue?.first
            #expect(first?.member("emails") == nil)
            #expect(first?.member("title") == nil)
            #expect(first?.member("userName") != nil)
            let none = try await send("/Users?count=0", .get, nil, TestHost.token)
            #expect(none.json?.member("totalResults") == .number("25"))
            #expect(none.json?.member("Resources") == .array([]))
            // Passwords are never returned.
            #expect(!(try await send("/Users", .get, nil, TestHost.token)).text.contains("Secret-"))
        }
    }

    @Test(arguments: Reading.allCases)
    func concurrentWritesAreSafe(reading: Reading) async throws {
        let connector = InMemoryConnector()
        let host = await TestHost(connector: reading.serve(connector))
        try await host.run { send in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await send("/Users", .post, #"{"userName":"same@contoso.com"}"#, TestHost.token).status }
                }
                for index in 0..<100 {
                    group.addTask { try await send("/Users", .post, #"{"userName":"user\#(index)@contoso.com"}"#, TestHost.token).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 101)
            #expect(statuses.filter { $0 == 409 }.count == 39)
            #expect(try await connector.fullImport(objectType: "User").count == 101)
        }
    }

    @Test(arguments: Reading.allCases)
    func disableAndDeleteFlows(reading: Reading) async throws {
        // Disable flow "delete": a PATCH active=false removes the object from the application.
        let deleting = InMemoryConnector()
        let host = await TestHost(connector: reading.serve(deleting), deprovisioning: Deprovisioning(disableFlow: .delete, deleteFlow: .delete))
        try await host.run { send in
            let id = try await send("/Users", .post, #"{"userName":"a@contoso.com","active":true}"#, TestHost.token).json?.member("id")?.stringValue ?? ""
            let disabled = try await send("/Users/\(id)", .patch, #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#, TestHost.token)
            #expect(disabled.status == 200)
            #expect(try await deleting.fullImport(objectType: "User").isEmpty)
            #expect(try await send("/Users/\(id)", .get, nil, TestHost.token).status == 404)
        }
        // Set an attribute: the disable flow sets IsActive false, the delete flow keeps the row but flags it.
        let schema = ConnectorSchema(objectTypes: [
            .init(name: "User", anchor: "login", attributes: [.init(name: "login"), .init(name: "IsActive", type: .boolean)], keepsDocument: true),
        ])
        let flagging = InMemoryConnector(schema: schema)
        let flags = await TestHost(connector: reading.serve(flagging), deprovisioning: Deprovisioning(disableFlow: .setAttribute("IsActive", false), deleteFlow: .none))
        try await flags.run { send in
            let body = #"{"userName":"b@contoso.com","urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"login":"b","IsActive":"True"}}"#
            let created = try await send("/Users", .post, body, TestHost.token)
            #expect(created.status == 201)
            #expect(created.json?.member("id") == .string("b"))
            #expect(try await flagging.get(objectType: "User", anchor: "b")?.attributes["IsActive"] == .bool(true))
            _ = try await send("/Users/b", .patch, #"{"Operations":[{"op":"replace","path":"active","value":false}]}"#, TestHost.token)
            #expect(try await flagging.get(objectType: "User", anchor: "b")?.attributes["IsActive"] == .bool(false))
            #expect(try await send("/Users/b", .delete, nil, TestHost.token).status == 204)
            #expect(try await flagging.get(objectType: "User", anchor: "b") != nil)
            // The application keeps the object. A host that asks the store serves it still, as
            // the ECMA host does after its next import; a cache forgets it until then.
            #expect(try await send("/Users/b", .get, nil, TestHost.token).status == (reading == .store ? 200 : 404))
        }
    }

    @Test(arguments: Reading.allCases)
    func connectorAttributesLiveUnderTheECMA2HostExtension(reading: Reading) async throws {
        let host = await TestHost(name: "SQL", connector: reading.serve(InMemoryConnector(schema: ExchangeReplayTests.ecmaSchema)))
        try await host.run { send in
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"],"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"ContosoLogin":"ljacobson","Email":"l@contoso.com"}}"#
            let created = try await send("/Users", .post, body, TestHost.token)
            #expect(created.status == 201)
            #expect(created.json?.member("id") == .string("ljacobson"))
            // Entra's matching query: the bare attribute name, or the full URN path.
            for filter in ["ContosoLogin+eq+%22ljacobson%22", "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:Email%20eq%20%22L@contoso.com%22"] {
                let found = try await send("/Users?filter=\(filter)", .get, nil, TestHost.token)
                #expect(found.json?.member("totalResults") == .number("1"), "\(filter)")
            }
            let patched = try await send("/Users/ljacobson", .patch, #"{"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:FirstName","value":"Lola"}]}"#, TestHost.token)
            #expect(patched.json?.at("urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:FirstName") == [.string("Lola")])
            let unknown = try await send("/Users", .post, #"{"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"ContosoLogin":"x","Nope":"1"}}"#, TestHost.token)
            #expect(unknown.status == 400)
            #expect(unknown.json?.member("detail")?.stringValue?.contains("has no attribute 'Nope'") == true)
            let schemas = try await send("/Schemas/urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User", .get, nil, TestHost.token)
            #expect(schemas.json?.member("attributes")?.arrayValue?.compactMap { $0.member("name")?.stringValue } == ["ContosoLogin", "AzureID", "Email", "FirstName", "LastName", "textID"])
        }
    }
}

extension HostBehaviourTests {
    @Test(arguments: Reading.allCases)
    func autosyncPicksUpChangesMadeOutsideTheHost(reading: Reading) async throws {
        let connector = InMemoryConnector()
        let host = await TestHost(connector: reading.serve(connector))
        let timer = Task { await host.service.autosync(every: .milliseconds(50)) }
        defer { timer.cancel() }
        // A user written straight into the application's store, as another tool would.
        try await connector.create(ConnectorObject(objectType: "User", anchor: "outside", document: .object([
            ("schemas", .array([.string(SchemaURN.coreUser)])), ("userName", .string("outside@contoso.com")),
        ])))
        var seen = false
        for _ in 0..<100 where !seen {
            try await Task.sleep(for: .milliseconds(20))
            seen = (try? await host.service.get(.user, id: "outside")) != nil
        }
        #expect(seen)
        let (total, _) = try await host.service.query(.user, filter: try Filter.parse(#"userName eq "outside@contoso.com""#), startIndex: 1, count: nil)
        #expect(total == 1)
    }
}

/// A store that cannot be reached for its first `failures` connection tests.
final class UnreachableAtFirst: Connector {
    let inner = InMemoryConnector()
    let failures: Int
    let attempts = Mutex(0)

    init(failures: Int) { self.failures = failures }

    func run() async throws { try await inner.run() }

    func testConnection() async throws(ConnectorError) {
        let attempt = attempts.withLock { $0 += 1; return $0 }
        if attempt <= failures { throw ConnectorError(.unavailable, "connection refused (attempt \(attempt))") }
    }

    func schema() async throws(ConnectorError) -> ConnectorSchema { try await inner.schema() }
    func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] { try await inner.fullImport(objectType: objectType) }
    func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? { try await inner.get(objectType: objectType, anchor: anchor) }
    func create(_ object: ConnectorObject) async throws(ConnectorError) { try await inner.create(object) }
    func replace(_ object: ConnectorObject) async throws(ConnectorError) { try await inner.replace(object) }
    func delete(objectType: String, anchor: String) async throws(ConnectorError) { try await inner.delete(objectType: objectType, anchor: anchor) }
    func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        try await inner.setPassword(objectType: objectType, anchor: anchor, password: password)
    }
}

extension HostBehaviourTests {
    @Test func aStoreDownAtStartIsServedOnceItIsBack() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connector = UnreachableAtFirst(failures: 2)
        let service = HostedConnector(name: "APP1", token: TestHost.token, connector: connector, logger: logger)
        let app = try Host.application(services: [service], logger: logger)
        try await app.test(.router) { client in
            await service.importAll()
            // Down: the 503 says why.
            try await client.execute(uri: "/ecma2host_APP1/scim/Users", method: .get, headers: [.authorization: "Bearer \(TestHost.token)"]) { response in
                #expect(response.status.code == 503)
                #expect(String(buffer: response.body).contains("connection refused (attempt 1)"))
            }
            let loop = Task { await service.maintainCache(refreshEvery: nil, retryDelays: [.milliseconds(10)]) }
            defer { loop.cancel() }
            for _ in 0..<200 where service.state != .ready { try await Task.sleep(for: .milliseconds(10)) }
            #expect(service.state == .ready)
            #expect(connector.attempts.withLock { $0 } == 3)
            try await client.execute(uri: "/ecma2host_APP1/scim/Users", method: .get, headers: [.authorization: "Bearer \(TestHost.token)"]) { response in
                #expect(response.status.code == 200)
            }
        }
    }
}
