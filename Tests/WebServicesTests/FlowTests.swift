import AttrmapTesting
import Connectors
import Foundation
import JSONValues
import Logging
import Testing
import WebServices

/// Flows beyond one call per operation, and the token-based ways to authenticate, against the
/// sample HR application.
@Suite struct FlowTests {
    static func template(_ hr: HRApplication, authentication: String, operations: String) throws -> WebServiceTemplate {
        let yaml = """
            name: hr-flows
            connection:
              baseURL: \(hr.apiURL)
              concurrency: 4
              authentication: \(authentication)
            objectTypes:
              - name: User
                anchor: login
                attributes: [login, email, department, {name: active, type: boolean}]
                operations:
            \(operations.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n"))
            """
        let root = try ConnectorSettings.parse(yaml: yaml, file: "flows.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: ["KEY": HRApplication.apiKey, "CLIENT_SECRET": "client-secret-0123"])
    }

    static let apiKey = #"{type: apiKey, header: X-API-Key, value: "${KEY}"}"#
    static let basics = """
        get: [{GET: "/employees/{[login]}"}]
        create: [{POST: /employees, body: {login: "[login]", email: "[email]", department: "[department]"}}]
        """

    @Test func importsAListThenEachRecordsDetailInParallel() async throws {
        let hr = try HRApplication()
        for index in 0..<120 {
            _ = try await hr.call("POST", "/employees", body: #"{"login": "d\#(String(format: "%03d", index))", "email": "d\#(index)@contoso.com"}"#)
        }
        let connector = try hr.connector(Self.template(hr, authentication: Self.apiKey, operations: Self.basics + """

            import:
              steps: [{GET: /employees, query: {fields: '"login"', limit: 50, cursor: "[page.cursor]"}}]
              records: /data
              paging: {style: cursor, cursor: /next_cursor}
              detail: [{GET: "/employees/{[item.login]}"}]
              concurrency: 4
            """))
        let objects = try await connector.fullImport(objectType: "User")
        #expect(objects.map(\.anchor) == (0..<120).map { "d" + String(format: "%03d", $0) })
        #expect(objects[7].attributes["email"] == .string("d7@contoso.com"), "the detail call's record, not the list's")
        let calls = try hr.requests().filter { $0["method"] == .string("GET") }
        #expect(calls.filter { $0["path"] == .string("/api/v1/employees") }.count == 3)
        #expect(calls.filter { $0["path"]?.stringValue?.hasPrefix("/api/v1/employees/d") == true }.count == 120)
        // The next page is asked for while this one's detail calls run: the second list call
        // comes before the last of the first page's fifty.
        let paths = calls.compactMap { $0["path"]?.stringValue }
        let secondList = try #require(paths.indices.filter { paths[$0] == "/api/v1/employees" }.dropFirst().first)
        let lastOfFirstPage = try #require(paths.firstIndex(of: "/api/v1/employees/d049"))
        #expect(secondList < lastOfFirstPage, "\(paths.prefix(60))")
    }

    @Test func aConditionalStepRunsOnlyWhenItHolds() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector(Self.template(hr, authentication: Self.apiKey, operations: """
            import: [{GET: /employees}]
            get: [{GET: "/employees/{[login]}"}]
            create:
              - name: create
                POST: /employees
                body: {login: "[login]", email: "[email]"}
              - when: 'IsPresent([department])'
                PATCH: "/employees/{[steps.create.body.login]}"
                body: {department: 'ToUpper([department], )'}
            """))
        try await connector.create(ConnectorObject(objectType: "User", anchor: "x1", attributes: ["login": .string("x1"), "department": .string("sales")]))
        try await connector.create(ConnectorObject(objectType: "User", anchor: "x2", attributes: ["login": .string("x2")]))
        #expect(try await hr.call("GET", "/employees/x1").body?["department"] == .string("SALES"))
        #expect(try hr.requests().filter { $0["method"] == .string("PATCH") }.map { $0["path"] } == [.string("/api/v1/employees/x1")])
    }

    @Test func aStepThatFailsPartWayIsNamed() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector(Self.template(hr, authentication: Self.apiKey, operations: """
            import: [{GET: /employees}]
            get: [{GET: "/employees/{[login]}"}]
            create:
              - {name: create, POST: /employees, body: {login: "[login]"}}
              - {name: assign, PUT: "/employees/{[login]}/roles/{[department]}"}
            """))
        do {
            try await connector.create(ConnectorObject(objectType: "User", anchor: "p1", attributes: ["login": .string("p1")]))
            Issue.record("a create whose second step cannot be built succeeded")
        } catch {
            #expect(error.message.hasPrefix("User create, step 2 of 2 (assign)"), "\(error.message)")
        }
    }

    @Test func takesATokenByClientCredentialsOnceForEveryWaitingCall() async throws {
        let hr = try HRApplication(oauth: (id: "attrmap-client", secret: "client-secret-0123", lifetime: 600))
        let oauth = #"{type: oauth2, tokenURL: /oauth/token, clientID: attrmap-client, clientSecret: "${CLIENT_SECRET}"}"#
        let connector = try hr.connector(Self.template(hr, authentication: oauth, operations: Self.basics + "\nimport: [{GET: /employees}]"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    try await connector.create(ConnectorObject(objectType: "User", anchor: "o\(index)", attributes: ["login": .string("o\(index)")]))
                }
            }
            try await group.waitForAll()
        }
        // Ten creates waited for one token.
        #expect(try hr.requests().filter { $0["path"] == .string("/oauth/token") }.count == 1)
    }

    @Test func renewsATokenBeforeItExpires() async throws {
        // A token of 30 seconds, renewed 29.5 seconds before it expires: a call more than half a
        // second after the first takes a new one, and the application refuses none of them
        // however slow the machine (a refused token would be a renewal of its own).
        let hr = try HRApplication(oauth: (id: "attrmap-client", secret: "client-secret-0123", lifetime: 30))
        let oauth = #"{type: oauth2, tokenURL: /oauth/token, clientID: attrmap-client, clientSecret: "${CLIENT_SECRET}", refreshBefore: 29500ms}"#
        let connector = try hr.connector(Self.template(hr, authentication: oauth, operations: Self.basics + "\nimport: [{GET: /employees}]"))
        try await connector.create(ConnectorObject(objectType: "User", anchor: "r1", attributes: ["login": .string("r1")]))
        #expect(try hr.requests().filter { $0["path"] == .string("/oauth/token") }.count == 1)
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await connector.get(objectType: "User", anchor: "r1")?.anchor == "r1")
        #expect(try hr.requests().filter { $0["path"] == .string("/oauth/token") }.count == 2)
    }

    /// Each algorithm with `qop=auth`, and SHA-256 with `auth-int` alone, where each digest covers
    /// the body too (the creates have one, the import none).
    @Test(arguments: [("SHA-256", "auth"), ("MD5", "auth"), ("SHA-256", "auth-int")])
    func answersAnHTTPDigestChallenge(algorithm: String, qop: String) async throws {
        // No API key: the application asks for Digest only.
        let hr = try HRApplication(
            digest: (user: "attrmap", password: "digest-password-0123"), extra: ["--digest-algorithm", algorithm, "--digest-qop", qop])
        let digest = #"{type: digest, username: attrmap, password: "${DIGEST_PASSWORD}"}"#
        let template = { (password: String) throws -> WebServiceTemplate in
            let root = try ConnectorSettings.parse(
                yaml: try String(contentsOfFile: HRApplication.templatePath, encoding: .utf8).replacingOccurrences(
                    of: #"authentication: {type: apiKey, header: X-API-Key, value: "${HR_API_KEY}"}"#, with: "authentication: " + digest),
                file: "hr-app.yaml", context: "template", folder: "", environment: [:])
            return try TemplateReader.read(root, variables: ["HR_URL": hr.apiURL, "DIGEST_PASSWORD": password])
        }
        let connector = try hr.connector(try template("digest-password-0123"))
        for index in 0..<5 {
            try await connector.create(ConnectorObject(objectType: "User", anchor: "g\(index)", attributes: ["login": .string("g\(index)")]))
        }
        #expect(try await connector.fullImport(objectType: "User").count == 5)
        // One challenge, then each call answers it with its own count: one 401 in all.
        let requests = try hr.requests().filter { ($0["path"]?.stringValue ?? "").hasPrefix("/api/v1/employees") }
        #expect(requests.count == 5 + 1 + 1, "five creates, one import page, and the first call's challenge")
        let wrong = try hr.connector(try template("not-the-password"))
        await #expect {
            try await wrong.testConnection()
        } throws: { error in
            (error as! ConnectorError).kind == .permissionDenied && "\(error)".contains("answered 401")
        }
    }

    @Test func aWrongClientSecretIsAPermissionError() async throws {
        let hr = try HRApplication(oauth: (id: "attrmap-client", secret: "another-secret-999", lifetime: 60))
        let oauth = #"{type: oauth2, tokenURL: /oauth/token, clientID: attrmap-client, clientSecret: "${CLIENT_SECRET}"}"#
        let connector = try hr.connector(Self.template(hr, authentication: oauth, operations: Self.basics + "\nimport: [{GET: /employees}]"))
        do {
            _ = try await connector.get(objectType: "User", anchor: "anyone")
            Issue.record("a refused client got a token")
        } catch {
            #expect(error.kind == .permissionDenied)
            #expect(error.message.contains("invalid_client"))
            #expect(!error.message.contains("client-secret-0123"))
        }
    }

    @Test func logsInWithAStepWhoseResponseHoldsTheToken() async throws {
        let hr = try HRApplication(oauth: (id: "attrmap-client", secret: "client-secret-0123", lifetime: 60))
        // The token endpoint called as a login step of the template's own.
        let login = """
            {type: login, token: /access_token, expiresIn: /expires_in,
             request: {POST: "\(hr.application.baseURL)/oauth/token", form: {grant_type: '"client_credentials"', client_id: '"attrmap-client"', client_secret: "${CLIENT_SECRET}"}}}
            """
        let connector = try hr.connector(Self.template(hr, authentication: login, operations: Self.basics + "\nimport: [{GET: /employees}]"))
        try await connector.create(ConnectorObject(objectType: "User", anchor: "l1", attributes: ["login": .string("l1")]))
        #expect(try await connector.get(objectType: "User", anchor: "l1")?.anchor == "l1")
        #expect(try hr.requests().filter { $0["path"] == .string("/oauth/token") }.count == 1)
    }
}
