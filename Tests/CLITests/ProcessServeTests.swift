import AttrmapTesting
import Foundation
import JSONValues
import Spawning
import Testing

/// `attrmap serve` with a process connector: the Python example of Examples/process-connectors
/// behind the host, provisioned as Entra does it, and its CSV file read back.
@Suite struct ProcessServeTests {
    static let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    static let token = "csv-host-token-0123456789"

    static func rows(_ folder: TemporaryFolder) throws -> [String] {
        let text = (try? String(contentsOfFile: folder.path("users.csv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().map(String.init)
    }

    /// `attrmap serve` with one connector, CSV: the Python example on `users.csv` in `folder`.
    static func pythonExampleServer(in folder: TemporaryFolder) throws -> ServeCommandTests.Server {
        let example = AttrmapBinary.packageRoot.appendingPathComponent("Examples/process-connectors/csv-users/connector.py").path
        try """
            connectors:
              - name: CSV
                token: ${CSV_HOST_TOKEN}
                process:
                  command: [python3, \(example)]
                  settings: {file: users.csv}
            """.write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        return try ServeCommandTests.Server(
            data: "", token: nil, logLevel: "info", connector: "CSV", arguments: ["--config", folder.path("serve.yaml")],
            environment: ["CSV_HOST_TOKEN": Self.token])
    }

    /// `attrmap serve` with one connector, APP: the Swift example on `app.ndjson` in `folder`.
    static func swiftExampleServer(in folder: TemporaryFolder) throws -> ServeCommandTests.Server {
        try """
            connectors:
              - name: APP
                token: ${APP_HOST_TOKEN}
                process:
                  command: [\(SampleApplication.url(of: "swift-users-connector").path)]
                  settings: {journal: app.ndjson}
            """.write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        return try ServeCommandTests.Server(
            data: "", token: nil, logLevel: "info", connector: "APP", arguments: ["--config", folder.path("serve.yaml")],
            environment: ["APP_HOST_TOKEN": Self.token])
    }

    @Test func provisionsThroughTheHostIntoThePythonExample() async throws {
        let folder = try TemporaryFolder("serve-process")
        defer { folder.remove() }
        // Someone already in the file: the host's first import reads it.
        try "login,displayName,city,roles,passwordHash\nzoe,Zoë Früh,Porto,,\n".write(toFile: folder.path("users.csv"), atomically: true, encoding: .utf8)
        let server = try Self.pythonExampleServer(in: folder)
        defer { server.stop() }

        let (listed, list) = try await server.send("GET", "/Users?filter=\("login eq \"zoe\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: Self.token)
        #expect(listed == 200, "\(list)")
        #expect(try JSON.parse(list)["totalResults"] == .number("1"), "\(list)")

        let body = """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\(Self.ext)"],"userName":"ann@contoso.com","password":"Correct-Horse-1",
             "\(Self.ext)":{"login":"ann","displayName":"Ann Lee","city":"Lisbon","roles":["hr","it"]}}
            """
        let (created, text) = try await server.send("POST", "/Users", token: Self.token, body: body)
        #expect(created == 201, "\(text)")
        let id = try #require(try JSON.parse(text)["id"]?.stringValue)
        #expect(id == "ann")
        let annRow = try #require(try Self.rows(folder).first { $0.hasPrefix("ann,") })
        #expect(annRow.hasPrefix(#"ann,Ann Lee,Lisbon,"[""hr"", ""it""]","#), "\(annRow)")
        #expect(!annRow.hasSuffix(","), "the password was set: \(annRow)")

        // A second create of the login: 409.
        let (again, refusal) = try await server.send("POST", "/Users", token: Self.token, body: body)
        #expect(again == 409, "\(refusal)")
        #expect(refusal.contains(#""scimType":"uniqueness""#), "\(refusal)")

        let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"\#(Self.ext):city","value":"Porto"},{"op":"replace","path":"\#(Self.ext):roles","value":["hr"]}]}"#
        let (patched, patchText) = try await server.send("PATCH", "/Users/ann", token: Self.token, body: patch)
        #expect(patched == 200 || patched == 204, "\(patchText)")
        let patchedRows = try Self.rows(folder)
        #expect(patchedRows.first { $0.hasPrefix("ann,") }?.hasPrefix(#"ann,Ann Lee,Porto,"[""hr""]","#) == true, "\(patchedRows)")

        let (read, readText) = try await server.send("GET", "/Users/ann", token: Self.token)
        #expect(read == 200)
        #expect(try JSON.parse(readText)[Self.ext]?["city"] == .string("Porto"), "\(readText)")

        let (deleted, _) = try await server.send("DELETE", "/Users/ann", token: Self.token)
        #expect(deleted == 204)
        #expect(try Self.rows(folder).allSatisfy { !$0.hasPrefix("ann,") })
        let log = server.stopAndReadLog()
        #expect(log.contains("connector process started"), "\(log.suffix(2000))")
        #expect(!log.contains("Correct-Horse-1"))
    }

    /// The Swift example serves two object types: users under /Users, groups under /Groups, with
    /// members added and removed by PATCH as attribute-level changes of the group's `members`.
    @Test func servesUsersAndGroupsOfOneProgram() async throws {
        let folder = try TemporaryFolder("serve-process-groups")
        defer { folder.remove() }
        let server = try Self.swiftExampleServer(in: folder)
        defer { server.stop() }
        for login in ["ann", "bob"] {
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"\#(login)@contoso.com","\#(Self.ext)":{"login":"\#(login)"}}"#
            let (status, text) = try await server.send("POST", "/Users", token: Self.token, body: body)
            #expect(status == 201, "\(text)")
        }
        let group = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Finance","members":[{"value":"ann"}]}"#
        let (created, createdText) = try await server.send("POST", "/Groups", token: Self.token, body: group)
        #expect(created == 201, "\(createdText)")
        let id = try #require(try JSON.parse(createdText)["id"]?.stringValue)

        let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"bob"}]},{"op":"remove","path":"members[value eq \"ann\"]"}]}"#
        let (patched, patchText) = try await server.send("PATCH", "/Groups/\(id)", token: Self.token, body: patch)
        #expect(patched == 200 || patched == 204, "\(patchText)")

        let (read, readText) = try await server.send("GET", "/Groups/\(id)", token: Self.token)
        #expect(read == 200, "\(readText)")
        let resource = try JSON.parse(readText)
        #expect(resource["displayName"] == .string("Finance"), "\(readText)")
        #expect(resource["members"] == .array([.object([("value", .string("bob"))])]), "\(readText)")
        let filter = "displayName eq \"Finance\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (listed, list) = try await server.send("GET", "/Groups?filter=\(filter)", token: Self.token)
        #expect(listed == 200, "\(list)")
        #expect(try JSON.parse(list)["totalResults"] == .number("1"), "\(list)")

        // The program holds the group as its own attributes: the members by login; the PATCH
        // reached it as one attribute-level update (bob added, ann removed).
        let journal = try String(contentsOfFile: folder.path("app.ndjson"), encoding: .utf8).split(separator: "\n")
        let groupLines = journal.filter { $0.contains(#""objectType":"Group""#) }
        #expect(groupLines.count == 2, "a create and one update: \(groupLines)")
        #expect(groupLines.last?.contains(#""members":["bob"]"#) == true, "\(groupLines)")
        #expect(groupLines.last?.contains(#""displayName":"Finance""#) == true, "\(groupLines)")

        let (deleted, _) = try await server.send("DELETE", "/Groups/\(id)", token: Self.token)
        #expect(deleted == 204)
        let (gone, _) = try await server.send("GET", "/Groups/\(id)", token: Self.token)
        #expect(gone == 404)
    }

    /// A type of the program's own beyond users and groups: the Swift example's `Role`, served at
    /// `/Roles` with its attributes at the top level, listed by `/ResourceTypes` and `/Schemas`,
    /// created, filtered, patched and deleted like users.
    @Test func servesATypeOfTheProgramsOwn() async throws {
        let folder = try TemporaryFolder("serve-process-roles")
        defer { folder.remove() }
        let server = try Self.swiftExampleServer(in: folder)
        defer { server.stop() }
        let schema = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:Role"

        let (typesStatus, typesText) = try await server.send("GET", "/ResourceTypes", token: Self.token)
        #expect(typesStatus == 200, "\(typesText)")
        let types = try JSON.parse(typesText)["Resources"]?.arrayValue ?? []
        #expect(types.map { $0["endpoint"]?.stringValue ?? "" } == ["/Users", "/Groups", "/Roles"], "\(typesText)")
        #expect(types.last?["schema"] == .string(schema), "\(typesText)")
        let (schemaStatus, schemaText) = try await server.send("GET", "/Schemas/\(schema)", token: Self.token)
        #expect(schemaStatus == 200, "\(schemaText)")
        let attributes = try JSON.parse(schemaText)["attributes"]?.arrayValue ?? []
        #expect(attributes.compactMap { $0["name"]?.stringValue } == ["name", "description", "permissions"], "\(schemaText)")

        let role = #"{"schemas":["\#(schema)"],"name":"approver","description":"Approves invoices","permissions":["invoice.read","invoice.approve"]}"#
        let (created, createdText) = try await server.send("POST", "/Roles", token: Self.token, body: role)
        #expect(created == 201, "\(createdText)")
        let resource = try JSON.parse(createdText)
        #expect(resource["id"] == .string("approver"), "the anchor is the role's name: \(createdText)")
        #expect(resource["permissions"] == .array([.string("invoice.read"), .string("invoice.approve")]), "\(createdText)")
        #expect(resource["meta"]?["location"]?.stringValue?.hasSuffix("/Roles/approver") == true, "\(createdText)")
        let (again, againText) = try await server.send("POST", "/Roles", token: Self.token, body: role)
        #expect(again == 409, "\(againText)")

        let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"description","value":"Approves and pays invoices"},{"op":"add","path":"permissions","value":["invoice.pay"]}]}"#
        let (patched, patchText) = try await server.send("PATCH", "/Roles/approver", token: Self.token, body: patch)
        #expect(patched == 200, "\(patchText)")
        let filter = "description eq \"Approves and pays invoices\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (listed, list) = try await server.send("GET", "/Roles?filter=\(filter)", token: Self.token)
        #expect(listed == 200, "\(list)")
        let found = try JSON.parse(list)
        #expect(found["totalResults"] == .number("1"), "\(list)")
        #expect(found["Resources"]?.arrayValue?.first?["permissions"]?.arrayValue?.count == 3, "\(list)")

        // The program got the role as its own attributes, the PATCH as one attribute-level update.
        let journal = try String(contentsOfFile: folder.path("app.ndjson"), encoding: .utf8).split(separator: "\n")
        let roleLines = journal.filter { $0.contains(#""objectType":"Role""#) }
        #expect(roleLines.count == 2, "a create and one update: \(roleLines)")
        #expect(roleLines.last?.contains(#""description":"Approves and pays invoices""#) == true, "\(roleLines)")
        #expect(roleLines.last?.contains("invoice.pay") == true, "\(roleLines)")

        // A name the program does not serve: 404 naming what it does.
        let (unknown, unknownText) = try await server.send("GET", "/Devices", token: Self.token)
        #expect(unknown == 404, "\(unknownText)")
        #expect(unknownText.contains("/Users, /Groups, /Roles"), "\(unknownText)")
        // A user still names roles by their anchors, unchanged by the new type.
        let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"ann@contoso.com","\#(Self.ext)":{"login":"ann","roles":["approver"]}}"#
        let (userStatus, userText) = try await server.send("POST", "/Users", token: Self.token, body: user)
        #expect(userStatus == 201, "\(userText)")

        let (deleted, _) = try await server.send("DELETE", "/Roles/approver", token: Self.token)
        #expect(deleted == 204)
        let (gone, _) = try await server.send("GET", "/Roles/approver", token: Self.token)
        #expect(gone == 404)
    }

    /// SIGHUP restarts the program while creates go on: each is answered 201 and written, by the
    /// old process or the new one, and the host keeps serving.
    @Test func sighupRestartsTheProgramWithoutLosingARequest() async throws {
        let folder = try TemporaryFolder("serve-process-sighup")
        defer { folder.remove() }
        let server = try Self.pythonExampleServer(in: folder)
        defer { server.stop() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<30 {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(30 * index))
                    if index == 10 { server.process.signal(SIGHUP) }
                    let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"u\#(index)@contoso.com","\#(Self.ext)":{"login":"u\#(index)"}}"#
                    return try await server.send("POST", "/Users", token: Self.token, body: body).0
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 30, "\(statuses)")
        #expect(try Self.rows(folder).count == 30)
        let (health, _) = try await server.send("GET", "/Users?count=1", token: Self.token)
        #expect(health == 200, "the host still serves after SIGHUP")
        let log = server.stopAndReadLog()
        #expect(log.contains("SIGHUP: restarting the process connectors"), "\(log.suffix(2000))")
        #expect(log.contains("connector program replaced"), "\(log.suffix(2000))")
    }
}
