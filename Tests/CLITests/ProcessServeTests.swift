import AttrmapTesting
import Foundation
import JSONValues
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

    @Test func provisionsThroughTheHostIntoThePythonExample() async throws {
        let folder = try TemporaryFolder("serve-process")
        defer { folder.remove() }
        let example = AttrmapBinary.packageRoot.appendingPathComponent("Examples/process-connectors/csv-users/connector.py").path
        // Someone already in the file: the host's first import reads it.
        try "login,displayName,city,roles,passwordHash\nzoe,Zoë Früh,Porto,,\n".write(toFile: folder.path("users.csv"), atomically: true, encoding: .utf8)
        try """
            connectors:
              - name: CSV
                token: ${CSV_HOST_TOKEN}
                process:
                  command: [python3, \(example)]
                  settings: {file: users.csv}
            """.write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        let server = try ServeCommandTests.Server(
            data: "", token: nil, logLevel: "info", connector: "CSV", arguments: ["--config", folder.path("serve.yaml")],
            environment: ["CSV_HOST_TOKEN": Self.token])
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
}
