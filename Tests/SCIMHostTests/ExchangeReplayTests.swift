import Connectors
import Foundation
import HTTPTypes
import JSONValues
import SCIM
import ConnectorHost
import SCIMHost
import Testing

/// Every documented exchange of `Fixtures/scim-exchanges.json`, replayed against the host: the
/// object the request names is seeded first, then the request is sent as Entra sends it, and the
/// status (and, where the fixture shows it, the result) must match.
struct ExchangeReplayTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let exchanges: [JSON] = {
        let url = packageRoot.appendingPathComponent("Fixtures/scim-exchanges.json")
        guard let text = try? String(contentsOf: url, encoding: .utf8), case .array(let items) = try? JSON.parse(text) else { return [] }
        return items.filter { $0.member("method")?.stringValue != nil }
    }()

    static var ids: [String] { exchanges.compactMap { $0.member("id")?.stringValue } }

    /// The objects each exchange assumes are there.
    static func seed(for exchange: JSON) -> [ConnectorObject] {
        let path = exchange.member("path")?.stringValue ?? ""
        let status = Int(exchange.member("expected_status")?.comparableText ?? "0") ?? 0
        var objects = [user("existing-user", userName: "existing@contoso.com")]
        if exchange.member("method")?.stringValue == "GET", path.contains("filter=") {
            // The objects the documented queries find.
            objects.append(user("2441309d85324e7793ae", userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"))
            objects.append(group("8c601452cc934a9ebef9", displayName: "displayName"))
        }
        let segments = path.split(separator: "?")[0].split(separator: "/").map(String.init)
        if segments.count >= 2, status != 404 {
            let id = segments[segments.count - 1]
            if segments[segments.count - 2] == "Users", id != "Users" {
                var seeded = user(id, userName: "seed-\(id)@contoso.com")
                if id != "{id-without-work-email}" {
                    seeded.document = seeded.document.map { document in
                        guard case .object(var members) = document else { return document }
                        members.append(("emails", .array([.object([("type", .string("work")), ("value", .string("old@contoso.com"))])])))
                        members.append(("active", .bool(true)))
                        return .object(members)
                    }
                }
                objects.append(seeded)
            }
            if segments[segments.count - 2] == "Groups" {
                var seeded = group(id, displayName: "group-\(id)")
                seeded.document = .object([
                    ("schemas", .array([.string(SchemaURN.coreGroup)])), ("displayName", .string("group-\(id)")),
                    ("members", .array([.object([("value", .string("f648f8d5ea4e4cd38e9c"))]), .object([("value", .string("u1091"))])])),
                ])
                objects.append(seeded)
            }
        }
        return objects
    }

    static func user(_ id: String, userName: String) -> ConnectorObject {
        ConnectorObject(objectType: "User", anchor: id, document: .object([
            ("schemas", .array([.string(SchemaURN.coreUser)])), ("userName", .string(userName)),
        ]))
    }

    static func group(_ id: String, displayName: String) -> ConnectorObject {
        ConnectorObject(objectType: "Group", anchor: id, document: .object([
            ("schemas", .array([.string(SchemaURN.coreGroup)])), ("displayName", .string(displayName)),
        ]))
    }

    /// The ECMA SQL tutorial's table: anchor ContosoLogin, connector attributes by name.
    static let ecmaSchema = ConnectorSchema(objectTypes: [
        .init(name: "User", anchor: "ContosoLogin", attributes: ["ContosoLogin", "AzureID", "Email", "FirstName", "LastName", "textID"].map {
            .init(name: $0)
        }, keepsDocument: false),
    ])

    /// What must hold after the request, read back with GET: (path, expected values).
    static let effects: [String: (String, [JSON])] = [
        "user-patch-multivalued": (#"emails[type eq "work"].value"#, [.string("updatedEmail@microsoft.com")]),
        "user-disable-scimdev": ("active", [.bool(false)]),
        "compat-disable-legacy": ("active", [.bool(false)]),
        "compat-disable-flag": ("active", [.bool(false)]),
        "rule-reenable": ("active", [.bool(true)]),
        "compat-add-single-flag": ("nickName", [.string("Babs")]),
        "compat-replace-multi-flag": ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", [.string("Aklq")]),
        "compat-replace-multi-legacy": ("name.familyName", [.string("Pkqf")]),
        "legacy-patch-manager": ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", [.string("00aa00aa-bb11-cc22-dd33-44ee44ee44ee")]),
        "rule-replace-valuepath-no-match": (#"emails[type eq "work"].value"#, [.string("new@contoso.com")]),
        "group-patch-add-members": (#"members[value eq "f648f8d5ea4e4cd38e9c"].value"#, [.string("f648f8d5ea4e4cd38e9c")]),
        "group-patch-remove-members-legacy": (#"members[value eq "f648f8d5ea4e4cd38e9c"].value"#, []),
        "compat-remove-member-legacy": (#"members[value eq "u1091"].value"#, []),
        "roles-assertive-patch": ("roles.value", [.string("User"), .string("Test")]),
        "group-patch-displayname": ("displayName", [.string("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName")]),
    ]

    @Test(arguments: ids)
    func replays(id: String) async throws {
        let exchange = try #require(Self.exchanges.first { $0.member("id")?.stringValue == id })
        let method = HTTPRequest.Method(rawValue: exchange.member("method")!.stringValue!)!
        var path = exchange.member("path")!.stringValue!
        let isECMA = path.hasPrefix("/ecma2host_SQL")
        if path.hasPrefix("/scim/") { path.removeFirst(5) }
        // The query as it travels: spaces and quotes encoded (a '+' already stands for a space).
        if let question = path.firstIndex(of: "?") {
            let query = path[path.index(after: question)...].replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "\"", with: "%22")
            path = String(path[..<question]) + "?" + query
        }
        let expected = Int(exchange.member("expected_status")!.comparableText!)!
        let host = isECMA
            ? await TestHost(name: "SQL", connector: InMemoryConnector(schema: Self.ecmaSchema))
            : await TestHost(connector: InMemoryConnector(objects: Self.seed(for: exchange)))
        let body = exchange.member("request_body").flatMap { $0 == .null ? nil : $0.serialized }
        let effect = Self.effects[id]
        let requestPath = path
        let responseBody = exchange.member("response_body")
        try await host.run { send in
            let reply = try await send(requestPath, method, body, TestHost.token)
            #expect(reply.status == expected, "\(id): \(reply.text)")
            #expect(reply.headers[.contentType] == (reply.status == 204 ? nil : "application/scim+json"))
            if reply.status >= 400 {
                #expect(reply.json?.member("schemas") == .array([.string(SchemaURN.error)]))
                #expect(reply.json?.member("status") == .string(String(expected)))
            }
            // The documented /Schemas answer is a cloud app's (User, enterprise, Group); the host
            // also serves the ECMA2Host extension, so only that count differs.
            if let total = responseBody?.member("totalResults"), id != "schemas-discovery" {
                #expect(reply.json?.member("totalResults") == total)
            }
            if method == .post, expected == 201 {
                #expect(reply.json?.member("id")?.stringValue?.isEmpty == false)
                #expect(reply.headers[.location]?.hasSuffix("/\(reply.json?.member("id")?.stringValue ?? "?")") == true)
                if let userName = exchange.member("request_body")?.member("userName") { #expect(reply.json?.member("userName") == userName) }
            }
            if let (attribute, values) = effect {
                let resourcePath = requestPath.split(separator: "?")[0]
                let read = try await send(String(resourcePath), .get, nil, TestHost.token)
                #expect(read.json?.at(attribute) == values, "\(id): \(read.text)")
            }
        }
    }
}
