import AttrmapTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValues
import Testing

/// `attrmap serve` with the web services connector into the sample HR application, both really
/// started: the full cycle Entra drives, and what the client is told when the application
/// refuses or is away.
@Suite struct WebServiceServeTests {
    static let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    static let apiKey = "hr-serve-key-0123456789"
    static let token = "hr-host-token-0123456789"

    /// The application's own API, as another client reads it.
    static func hr(_ app: SampleApplication, _ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: JSON?) {
        var request = URLRequest(url: URL(string: app.baseURL + "/api/v1" + path)!)
        request.httpMethod = method
        request.setValue(apiKey, forHTTPHeaderField: "X-API-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data.isEmpty ? nil : try? JSON.parse(Array(data)))
    }

    static func requests(_ app: SampleApplication) throws -> [JSON] {
        let text = try String(contentsOf: app.folder.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    /// One POST /Users, not retried on a 503 (as `Server.send` is): its response, headers included.
    static func postOnce(_ server: ServeCommandTests.Server, _ body: String) async throws -> (HTTPURLResponse, Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/ecma2host_\(server.connector)/scim/Users")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/scim+json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return (try #require(response as? HTTPURLResponse), data)
    }

    static func patch(_ operations: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(operations)]}"#
    }

    static func user(_ login: String, roles: [String] = ["Employee"]) -> String {
        let list = roles.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\(ext)"],"userName":"\(login)@contoso.com","password":"Correct-Horse-1",
             "\(ext)":{"login":"\(login)","givenName":"Ann","familyName":"Lee","active":true,"roles":[\(list)]}}
            """
    }

    @Test func provisionsThroughTheHostIntoTheApplication() async throws {
        let app = try SampleApplication(
            executable: "sample-hr-app", arguments: ["--database", "hr.sqlite", "--request-log", "requests.ndjson"],
            environment: ["HR_API_KEY": Self.apiKey])
        // Employees already there: the host's first import reads them, two pages of 200.
        for index in 0..<250 {
            #expect(try await Self.hr(app, "POST", "/employees", body: #"{"login": "e\#(index)"}"#).status == 201)
        }
        let folder = app.folder.appendingPathComponent("host")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let template = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/hr-app.yaml").path
        try """
            connectors:
              - name: hr
                token: ${HR_HOST_TOKEN}
                webservice: \(template)
                variables: {HR_URL: "\(app.baseURL)/api/v1"}
                deprovisioning: {disable: {set: active, value: false}}
            """.write(to: folder.appendingPathComponent("serve.yaml"), atomically: true, encoding: .utf8)
        let server = try ServeCommandTests.Server(
            data: "", token: nil, connector: "hr", arguments: ["--config", folder.appendingPathComponent("serve.yaml").path],
            environment: ["HR_API_KEY": Self.apiKey, "HR_HOST_TOKEN": Self.token])
        defer { server.stop() }

        let (listed, list) = try await server.send("GET", "/Users?count=1", token: Self.token)
        #expect(listed == 200)
        #expect(try JSON.parse(list)["totalResults"] == .number("250"))

        // Create, with the password as its own call.
        let (created, body) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("ann"))
        #expect(created == 201, "\(body)")
        let ann = try await Self.hr(app, "GET", "/employees/ann")
        #expect(ann.body?["givenName"] == .string("Ann"))
        #expect(ann.body?["roles"] == .array([.string("Employee")]))
        #expect(try await Self.hr(app, "POST", "/login", body: #"{"login":"ann","password":"Correct-Horse-1"}"#).status == 200)

        // Read and query.
        let (read, resource) = try await server.send("GET", "/Users/ann", token: Self.token)
        #expect(read == 200)
        #expect(try JSON.parse(resource)[Self.ext]?["familyName"] == .string("Lee"))
        let filter = "\(Self.ext):login eq \"ann\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (queried, found) = try await server.send("GET", "/Users?filter=\(filter)", token: Self.token)
        #expect(queried == 200)
        #expect(try JSON.parse(found)["totalResults"] == .number("1"))

        // An update sends what changed; a role added is its own call.
        let (updated, _) = try await server.send("PATCH", "/Users/ann", token: Self.token, body: Self.patch("""
            {"op":"replace","path":"\(Self.ext):jobTitle","value":"Manager"},{"op":"add","path":"\(Self.ext):roles","value":["Approver"]}
            """))
        #expect(updated == 200)
        #expect(try await Self.hr(app, "GET", "/employees/ann").body?["jobTitle"] == .string("Manager"))
        let writes = try Self.requests(app).filter { $0["method"] != .string("GET") }.suffix(2)
        #expect(writes.first?["body"] == .object([("jobTitle", .string("Manager"))]))
        #expect(writes.last?["path"] == .string("/api/v1/employees/ann/roles/Approver"))

        // A role removed.
        let (replaced, _) = try await server.send("PATCH", "/Users/ann", token: Self.token, body: Self.patch("""
            {"op":"replace","path":"\(Self.ext):roles","value":["Approver"]}
            """))
        #expect(replaced == 200)
        #expect(try await Self.hr(app, "GET", "/employees/ann").body?["roles"] == .array([.string("Approver")]))
        let removal = try Self.requests(app).last { $0["method"] != .string("GET") }
        #expect(removal?["method"] == .string("DELETE"))
        #expect(removal?["path"] == .string("/api/v1/employees/ann/roles/Employee"))

        // Disabled: the disable flow sets active to false.
        let (disabled, _) = try await server.send("PATCH", "/Users/ann", token: Self.token, body: Self.patch(#"{"op":"replace","path":"active","value":false}"#))
        #expect(disabled == 200)
        #expect(try await Self.hr(app, "GET", "/employees/ann").body?["active"] == .bool(false))

        // Deleted.
        #expect(try await server.send("DELETE", "/Users/ann", token: Self.token).0 == 204)
        #expect(try await Self.hr(app, "GET", "/employees/ann").status == 404)
        #expect(try await server.send("GET", "/Users/ann", token: Self.token).0 == 404)

        // The application refuses a value: 400 with its reason.
        let (refused, reason) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("bad/login"))
        #expect(refused == 400)
        #expect(reason.contains("login is a text of 1 to 256 characters without '/'"), "\(reason)")

        // The application already has one the host did not know of: 409 with its reason.
        #expect(try await Self.hr(app, "POST", "/employees", body: #"{"login": "behind"}"#).status == 201)
        let (conflict, why) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("behind"))
        #expect(conflict == 409)
        #expect(why.contains("an employee with login 'behind' exists"), "\(why)")

        // The application is away: 503 with Retry-After and the reason; back, it works again.
        app.stop()
        let (http, data) = try await Self.postOnce(server, Self.user("cy"))
        #expect(http.statusCode == 503)
        #expect(http.value(forHTTPHeaderField: "Retry-After") != nil)
        #expect(String(decoding: data, as: UTF8.self).contains("cannot connect"), "\(String(decoding: data, as: UTF8.self))")
        try app.start()
        #expect(try await server.send("POST", "/Users", token: Self.token, body: Self.user("cy")).0 == 201)
        #expect(try await Self.hr(app, "GET", "/employees/cy").status == 200)

        // Nothing the host logged holds a key, a token or a password.
        let log = server.stopAndReadLog()
        for secret in [Self.apiKey, Self.token, "Correct-Horse-1"] { #expect(!log.contains(secret)) }
    }
}

/// `attrmap webservice call`: one operation of a template, shown request by request.
@Suite struct WebServiceCallTests {
    static let template = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/hr-app.yaml").path

    static func objectFile(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-object-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The examples in `webservice call --help` name files that exist, and their dry runs work
    /// as written (from the repository's root), sending nothing.
    @Test func theHelpsExamplesRunAsWritten() throws {
        // Wide enough that no example is wrapped.
        let help = try AttrmapBinary.run(["webservice", "call", "--help"], environment: ["COLUMNS": "400"])
        let examples = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("attrmap webservice call ") && !$0.contains("--send") }
        #expect(examples.count >= 2, "\(help.stdout)")
        for example in examples {
            var words = example.split(separator: " ").map(String.init).dropFirst()
            var input: [UInt8]?
            if let redirect = words.firstIndex(of: "<") {
                words = words[..<redirect]
                input = Array("Initial-pass-1\n".utf8)
            }
            let arguments = words.map { word in
                word.hasPrefix("Examples/") ? AttrmapBinary.packageRoot.appendingPathComponent(word).path : word
            }
            for path in arguments where path.hasSuffix(".json") || path.hasSuffix(".yaml") {
                #expect(FileManager.default.fileExists(atPath: path), "\(example): \(path) does not exist")
            }
            let output = try AttrmapBinary.run(Array(arguments), input: input)
            #expect(output.status == 0, "\(example): \(output.stderr)")
            #expect(output.stdout.contains("(not sent)"), "\(example): \(output.stdout)")
        }
    }

    @Test func aDryRunShowsTheRequestsAndSendsNothing() throws {
        let before = try Self.objectFile(#"{"login": "ann", "givenName": "Ann", "department": "Sales", "roles": ["Employee"]}"#)
        let after = try Self.objectFile(#"{"login": "ann", "givenName": "Ann", "jobTitle": "Manager", "roles": ["Employee", "Approver"]}"#)
        let output = try AttrmapBinary.run(
            ["webservice", "call", Self.template, "update", "--object", after, "--previous", before, "--variable", "HR_URL=http://127.0.0.1:9/api/v1"],
            environment: ["HR_API_KEY": "dry-run-key-0123456789"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == """
            ── request 1 (not sent)
            PATCH http://127.0.0.1:9/api/v1/employees/ann
            Content-Type: application/merge-patch+json
            Accept: application/json
            X-API-Key: [Redact]

            {"department":null,"jobTitle":"Manager"}

            ── request 2 (not sent)
            PUT http://127.0.0.1:9/api/v1/employees/ann/roles/Approver
            Accept: application/json
            X-API-Key: [Redact]


            """)
        // Without the key set, the dry run still shows where it goes.
        let unset = try AttrmapBinary.run(["webservice", "call", Self.template, "get", "--anchor", "ann"], environment: ["HR_API_KEY": ""])
        #expect(unset.status == 0, "\(unset.stderr)")
        #expect(unset.stdout.contains("GET http://127.0.0.1:8089/api/v1/employees/ann\n"))
    }

    @Test func sendingShowsEachResponseAndWhatWasRead() async throws {
        let key = "call-test-key-0123456789"
        let app = try SampleApplication(executable: "sample-hr-app", arguments: ["--database", "hr.sqlite"], environment: ["HR_API_KEY": key])
        let ann = try Self.objectFile(#"{"login": "ann", "givenName": "Ann", "active": true, "roles": ["Employee"]}"#)
        let variables = ["--variable", "HR_URL=\(app.baseURL)/api/v1", "--send"]
        let created = try AttrmapBinary.run(["webservice", "call", Self.template, "create", "--object", ann] + variables, environment: ["HR_API_KEY": key])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("── response 1: 201\n"))
        #expect(created.stdout.hasSuffix("── create succeeded\n"))
        #expect(!created.stdout.contains(key))

        let read = try AttrmapBinary.run(["webservice", "call", Self.template, "get", "--anchor", "ann"] + variables, environment: ["HR_API_KEY": key])
        #expect(read.stdout.contains(#"── read: {"active":true,"givenName":"Ann","login":"ann","roles":["Employee"]}"#), "\(read.stdout)")

        let password = try AttrmapBinary.run(
            ["webservice", "call", Self.template, "setPassword", "--anchor", "ann", "--password-stdin"] + variables,
            input: Array("Correct-Horse-1\n".utf8), environment: ["HR_API_KEY": key])
        #expect(password.status == 0, "\(password.stderr)")
        #expect(password.stdout.contains(#""password": "[Redact]""#) || password.stdout.contains(#""password":"[Redact]""#), "\(password.stdout)")
        #expect(!password.stdout.contains("Correct-Horse-1"))

        let refused = try AttrmapBinary.run(["webservice", "call", Self.template, "create", "--object", ann] + variables, environment: ["HR_API_KEY": key])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: User create: POST /employees answered 409: an employee with login 'ann' exists\n")
    }

    /// A delta import tried by hand: where changes start, then the changes since.
    @Test func aDeltaImportShowsWhereTheNextOneStarts() async throws {
        let key = "delta-test-key-0123456789"
        let app = try SampleApplication(executable: "sample-hr-app", arguments: ["--database", "hr.sqlite"], environment: ["HR_API_KEY": key])
        let variables = ["--variable", "HR_URL=\(app.baseURL)/api/v1", "--send"]
        let start = try AttrmapBinary.run(["webservice", "call", Self.template, "deltaImport"] + variables, environment: ["HR_API_KEY": key])
        #expect(start.status == 0, "\(start.stderr)")
        let marker = "── changes start from: "
        let line = try #require(start.stdout.split(separator: "\n").first { $0.hasPrefix(marker) }, "\(start.stdout)")
        let watermark = String(line.dropFirst(marker.count).prefix { $0 != " " })
        #expect(line.hasSuffix("(give it as --since to a later deltaImport)"))

        let bob = try Self.objectFile(#"{"login": "bob", "givenName": "Bob", "active": true}"#)
        #expect(try AttrmapBinary.run(["webservice", "call", Self.template, "create", "--object", bob] + variables, environment: ["HR_API_KEY": key]).status == 0)
        let delta = try AttrmapBinary.run(["webservice", "call", Self.template, "deltaImport", "--since", watermark] + variables, environment: ["HR_API_KEY": key])
        #expect(delta.status == 0, "\(delta.stderr)")
        #expect(delta.stdout.contains("updatedSince="), "\(delta.stdout)")
        #expect(delta.stdout.contains(#"{"active":true,"givenName":"Bob","login":"bob"}\#n"#), "\(delta.stdout)")
        #expect(delta.stdout.contains(" changed, 0 deleted in 1 requests; the next deltaImport is --since 20"), "\(delta.stdout)")

        let misplaced = try AttrmapBinary.run(["webservice", "call", Self.template, "get", "--anchor", "bob", "--since", watermark])
        #expect(misplaced.status == 64)
        #expect(misplaced.stderr.contains("--since is for deltaImport"), "\(misplaced.stderr)")
    }
}

/// `attrmap discover rest`, through the binary.
@Suite struct DiscoverCommandTests {
    @Test func printsTheTreeAndWritesAStarterTemplateOnce() throws {
        let folder = try TemporaryFolder("attrmap-discover")
        defer { folder.remove() }
        let template = folder.path("directory.yaml")
        let first = try AttrmapBinary.run(["discover", "rest", "--openapi", "Fixtures/openapi/directory.yaml", "--template", template])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Contoso Directory 2.4.0 (OpenAPI 3.0.3)\n"))
        #expect(first.stdout.hasSuffix("starter template: \(template) (review the lines marked '# review')\n"))
        let written = try String(contentsOfFile: template, encoding: .utf8)
        #expect(written.contains("  - name: Group   # /groups, schema Group\n"))
        // The dry run reads it: the template is one attrmap takes.
        let call = try AttrmapBinary.run(["webservice", "call", template, "get", "--anchor", "u1"])
        #expect(call.status == 0, "\(call.stderr)")
        #expect(call.stdout.contains("GET https://directory.contoso.example/v2/users/u1\n"))

        let again = try AttrmapBinary.run(["discover", "rest", "--openapi", "Fixtures/openapi/directory.yaml", "--template", template])
        #expect(again.status == 1)
        #expect(again.stderr == "error: '\(template)' exists; name a new file for the starter template\n")
        #expect(try String(contentsOfFile: template, encoding: .utf8) == written)
    }

    @Test func printsTheTreeOfAWSDLAndLocatesWhatItCannotRead() throws {
        let tree = try AttrmapBinary.run(["discover", "soap", "--wsdl", "Fixtures/wsdl/directory/directory.wsdl"])
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(tree.stdout.hasPrefix("WSDL urn:contoso:directory (Fixtures/wsdl/directory/directory.wsdl and 3 imported)\n"))
        #expect(tree.stdout.contains("    port DirectorySoap12: SOAP 1.2, binding DirectorySoap12, https://directory.contoso.example/soap12\n"))
        let bad = try AttrmapBinary.run(["discover", "soap", "--wsdl", "Fixtures/openapi/directory.yaml"])
        #expect(bad.status == 65)
        #expect(bad.stderr.hasPrefix("error: Fixtures/openapi/directory.yaml:1:1: not well-formed XML"), "\(bad.stderr)")
    }
}

/// What the SCIM client is told when the application behind the host fails or is slow.
@Suite struct WebServiceFailureTests {
    /// A host in front of a sample started with `arguments`, its template's request timeout `timeout`.
    static func host(_ arguments: [String], timeout: String = "30s") throws -> (SampleApplication, ServeCommandTests.Server) {
        let app = try SampleApplication(
            executable: "sample-hr-app", arguments: ["--database", "hr.sqlite"] + arguments, environment: ["HR_API_KEY": WebServiceServeTests.apiKey])
        let shipped = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/hr-app.yaml")
        let template = try String(contentsOf: shipped, encoding: .utf8)
            .replacingOccurrences(of: "request: 30s", with: "request: \(timeout)")
            .replacingOccurrences(of: "retry: {attempts: 3,", with: "retry: {attempts: 1,")
        try template.write(to: app.folder.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
        try """
            connectors:
              - name: hr
                token: ${HR_HOST_TOKEN}
                webservice: template.yaml
                variables: {HR_URL: "\(app.baseURL)/api/v1"}
            """.write(to: app.folder.appendingPathComponent("serve.yaml"), atomically: true, encoding: .utf8)
        let server = try ServeCommandTests.Server(
            data: "", token: nil, connector: "hr", arguments: ["--config", app.folder.appendingPathComponent("serve.yaml").path],
            environment: ["HR_API_KEY": WebServiceServeTests.apiKey, "HR_HOST_TOKEN": WebServiceServeTests.token])
        return (app, server)
    }

    static func created(_ server: ServeCommandTests.Server, _ login: String) async throws -> (Int, JSON) {
        let (status, body) = try await server.send("POST", "/Users", token: WebServiceServeTests.token, body: WebServiceServeTests.user(login))
        return (status, try JSON.parse(body))
    }

    @Test func anApplicationErrorIs502WithItsReason() async throws {
        let (app, server) = try Self.host(["--fault", "500/1/POST"])
        defer { server.stop() }
        let (status, body) = try await Self.created(server, "ann")
        #expect(status == 502)
        #expect(body["detail"]?.stringValue == "the application failed: User create: POST /employees answered 500: the application was asked to answer 500 to every 1")
        // Nothing is recorded as created.
        #expect(try await server.send("GET", "/Users/ann", token: WebServiceServeTests.token).0 == 404)
        _ = app
    }

    @Test func anApplicationThatIsNotThereForAWhileIs503WithRetryAfter() async throws {
        let (app, server) = try Self.host(["--fault", "503/1/POST"])
        defer { server.stop() }
        // The host is ready once its first import is done.
        #expect(try await server.send("GET", "/Users?count=1", token: WebServiceServeTests.token).0 == 200)
        let (http, data) = try await WebServiceServeTests.postOnce(server, WebServiceServeTests.user("bea"))
        #expect(http.statusCode == 503)
        // The application's own Retry-After (1 second) is passed on.
        #expect(http.value(forHTTPHeaderField: "Retry-After") == "1")
        let body = try JSON.parse(Array(data))
        #expect(body["detail"]?.stringValue?.hasSuffix("answered 503: the application was asked to answer 503 to every 1") == true, "\(body)")
        _ = app
    }

    @Test func anApplicationThatDoesNotAnswerInTimeIs504() async throws {
        let (app, server) = try Self.host(["--delay", "4000/POST"], timeout: "400ms")
        defer { server.stop() }
        let (status, body) = try await Self.created(server, "cid")
        #expect(status == 504)
        #expect(body["detail"]?.stringValue?.contains("did not answer") == true, "\(body)")
        #expect(try await server.send("GET", "/Users/cid", token: WebServiceServeTests.token).0 == 404)
        _ = app
    }

}
