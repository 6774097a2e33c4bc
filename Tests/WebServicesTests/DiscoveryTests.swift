import AttrmapTesting
import Connectors
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceDiscovery
import Testing
import WebServices

/// `attrmap discover rest`: the tree of an OpenAPI document and the starter template it writes,
/// on the sample HR application's own document and on a larger 3.0 fixture.
@Suite struct DiscoveryTests {
    static let fixture = AttrmapBinary.packageRoot.appendingPathComponent("Fixtures/openapi/directory.yaml").path

    static func template(_ text: String, variables: [String: String]) throws -> WebServiceTemplate {
        let root = try ConnectorSettings.parse(yaml: text, file: "discovered.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: variables)
    }

    @Test func theTemplateDiscoveredFromTheSampleMeetsTheConnectorContract() async throws {
        let hr = try HRApplication()
        let url = hr.application.baseURL + "/openapi.json"
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        let discovery = try OpenAPIDiscovery(text: String(decoding: data, as: UTF8.self), source: url)
        let starter = discovery.starterTemplate()
        // The relative server URL is read against the document's own address.
        #expect(starter.contains(#"baseURL: "${APP_URL:-\#(hr.apiURL)}""#), "\(starter)")
        let template = try Self.template(starter, variables: ["API_KEY": HRApplication.apiKey])
        let user = try #require(template.objectType("User"))
        #expect(user.anchor == "login")
        #expect(user.attribute("roles")?.multiValued == true)
        let connector = WebServiceConnector(template: template, transport: try HTTP1Transport(connection: template.connection), logger: Logger(label: "test"))
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: connector, sample: HRConnectorTests.sample(), anchorAttribute: "login", textAttribute: "displayName",
            multiValuedAttribute: "roles",
            storedPassword: { login in
                let body = #"{"login": "\#(login)", "password": "Pass@w0rd1-é"}"#
                return try await hr.call("POST", "/login", body: body).status == 200 ? "Pass@w0rd1-é" : nil
            }))
    }

    @Test func aLargerDocumentShowsItsTree() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let tree = try OpenAPIDiscovery(text: text, source: "directory.yaml").tree()
        for line in [
            "Contoso Directory 2.4.0 (OpenAPI 3.0.3)",
            "  https://directory-test.contoso.example/v2 — test",
            "  clientCredentials: OAuth 2 client credentials, token https://login.contoso.example/oauth2/token",
            "    GET listUsers — Users, a page at a time.",
            "      200: UserPage {@odata.nextLink string, value [User]}",
            // allOf merged: the identifier, the new user's members, and its own.
            "      201: User {id* string(uuid), userPrincipalName* string, displayName string, accountEnabled boolean, employeeNumber integer, otherMails [string], address Address, createdDateTime string(date-time)}",
            "      paging (guessed): offset (offset from 0)",
            "    PUT addMember",
            "      parameters: path groupId* string, path memberId* string",
        ] {
            #expect(tree.contains(line + "\n"), "\(line)")
        }
    }

    @Test func aLargerDocumentGivesAStarterTemplateThatReads() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let starter = try OpenAPIDiscovery(text: text, source: "directory.yaml").starterTemplate()
        let template = try Self.template(starter, variables: ["CLIENT_ID": "attrmap", "CLIENT_SECRET": "s3cr3t-s3cr3t"])
        #expect(template.connection.baseURL == "https://directory.contoso.example/v2")
        guard case .clientCredentials(let client) = template.connection.authentication else {
            Issue.record("not client credentials: \(starter)")
            return
        }
        #expect(client.tokenURL == "https://login.contoso.example/oauth2/token")
        #expect(template.objectTypes.map(\.name) == ["User", "Group"])
        let user = try #require(template.objectType("User"))
        #expect(user.anchor == "id")
        #expect(user.attributes.map(\.name) == ["id", "userPrincipalName", "displayName", "accountEnabled", "employeeNumber", "otherMails"])
        #expect(starter.contains("# review: left out (objects, or lists of objects): address"))
        #expect(starter.contains("# review: read-only, left out (add them to import them): createdDateTime"))
        guard case .nextLink(let next)? = user.operations.importAll?.paging?.style else {
            Issue.record("users do not page by next link")
            return
        }
        #expect(next.description == "/@odata.nextLink")
        #expect(user.operations.setPassword?.steps.first?.summary == "POST /users/{[id]}/password")
        let group = try #require(template.objectType("Group"))
        #expect(group.operations.update?.sendsEverything == true, "PUT replaces the whole group")
        #expect(group.operations.update?.steps.map(\.summary) == [
            "PUT /groups/{[groupId]}", "PUT /groups/{[groupId]}/members/{[item]}", "DELETE /groups/{[groupId]}/members/{[item]}",
        ])
    }

    @Test(arguments: [
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /users:\n    get:\n      responses: 5\n",
         "bad.yaml:6:18: "),
        ("swagger: '2.0'\ninfo: {title: t, version: '1'}\n", "bad.yaml: a Swagger 2.0 document; discovery reads OpenAPI 3.0 to 3.2"),
        ("openapi: 4.0.0\ninfo: {title: t, version: '1'}\n", "bad.yaml:1:10: OpenAPI 4.0.0 is not read; discovery reads 3.0 to 3.2"),
        ("[1, 2]", "bad.yaml:1:1: an OpenAPI document is an object"),
    ] as [(String, String)])
    func aDocumentThatCannotBeReadIsALocatedError(text: String, message: String) {
        do {
            _ = try OpenAPIDiscovery(text: text, source: "bad.yaml")
            Issue.record("read")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }
}
