import Connectors
import Foundation
import JSONValues
import Logging
import Testing
import WebServices

/// A template is read strictly, every mistake reported where it was written.
@Suite struct TemplateReaderTests {
    static let valid = """
        name: app
        connection:
          baseURL: https://app.example/api
          authentication: {type: bearer, token: "${TOKEN}"}
        objectTypes:
          - name: User
            anchor: id
            attributes: [id, {name: groups, multiValued: true}]
            operations:
              import: [{GET: /users}]
              get: [{GET: "/users/{[id]}"}]
              create: [{POST: /users, body: {id: "[id]", kind: '"person"', level: 3}}]
        """

    static func read(_ yaml: String, variables: [String: String] = ["TOKEN": "t0ps3cr3t"]) throws -> WebServiceTemplate {
        let root = try ConnectorSettings.parse(yaml: yaml, file: "app.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: variables)
    }

    static func problem(_ yaml: String, variables: [String: String] = ["TOKEN": "t0ps3cr3t"]) -> String {
        do {
            _ = try read(yaml, variables: variables)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsAValidTemplate() throws {
        let template = try Self.read(Self.valid)
        #expect(template.connection.baseURL == "https://app.example/api")
        guard case .bearer(let token) = template.connection.authentication else {
            Issue.record("not bearer")
            return
        }
        #expect(token.value == "t0ps3cr3t")
        #expect("\(token)" == "[Redact]")
        let user = try #require(template.objectType("user"))
        #expect(user.attributes.map(\.name) == ["id", "groups"])
        #expect(user.attribute("groups")?.multiValued == true)
        let create = try #require(user.operations.create?.steps.first)
        #expect(create.method == "POST")
        guard case .object(let members)? = create.body else {
            Issue.record("no body")
            return
        }
        #expect(members.map(\.0) == ["id", "kind", "level"])
    }

    @Test(arguments: [
        // A misspelt key, at its own place.
        ("baseURL: https://app.example/api", "baseUrl: https://app.example/api",
         "app.yaml:3:3 (template, 'connection.baseUrl'): unknown key 'baseUrl' in 'connection'; the keys are 'baseURL', 'endpoint', 'timeouts', 'concurrency', 'rateLimit', 'retry', 'authentication', 'headers', 'errors', 'tls', 'idempotencyKey', 'soap', 'namespaces'"),
        // YAML 1.1 booleans are not booleans.
        ("{name: groups, multiValued: true}", "{name: groups, multiValued: yes}",
         "app.yaml:8:50 (object type User, 'attributes.multiValued'): expected true or false, not 'yes'"),
        // A secret is never written in the template.
        (#"token: "${TOKEN}""#, "token: hunter2hunter2",
         "app.yaml:4:41 (template, 'connection.authentication.token'): a secret is given by reference, ${VARIABLE} or {file: PATH}, never written in the template"),
        ("name: User\n", "name: User\n    anchor: login\n",
         "app.yaml:7:5: the key 'anchor' is written twice in one map"),
        (#"get: [{GET: "/users/{[id]}"}]"#, #"get: [{GET: "/users/{[id]}", POST: /users}]"#,
         "app.yaml:11:13 (User, get, step 1): a step is one call: one of GET, POST, PUT, PATCH, DELETE, HEAD with its path (GET: /employees), or SOAP with its operation"),
        ("anchor: id", "anchor: login", "app.yaml:7:13 (object type User, 'anchor'): the anchor 'login' is not one of the attributes"),
        // More detail calls at once than the connection carries.
        ("import: [{GET: /users}]", #"import: {steps: [{GET: /users}], detail: [{GET: "/users/{[id]}"}], concurrency: 16}"#,
         "app.yaml:10:87 (object type User, 'operations.import.concurrency'): 16 detail calls at once is more than the connection allows (its 'concurrency' is 8); raise 'connection.concurrency' as well, or lower this"),
    ] as [(String, String, String)])
    func refusesWithTheMistakesPlace(replacing: String, with: String, message: String) {
        #expect(Self.problem(Self.valid.replacingOccurrences(of: replacing, with: with)) == message)
    }

    @Test func anExpressionThatDoesNotCompileIsShownWhereItIs() {
        let message = Self.problem(Self.valid.replacingOccurrences(of: #"id: "[id]""#, with: #"id: "ToUpper([id]""#))
        #expect(message.hasPrefix("app.yaml:12:42 (User, create, step 1, 'body.id'): the expression 'ToUpper([id]' does not compile:"), "\(message)")
        #expect(message.contains("12:"), "the diagnostic points into the file: \(message)")
    }

    @Test func aBareWordIsNoTextAndTheMessageSaysSo() {
        let message = Self.problem(Self.valid.replacingOccurrences(of: #"kind: '"person"'"#, with: "kind: person"))
        #expect(message.hasPrefix(#"app.yaml:12:56 (User, create, step 1, 'body.kind'): the expression 'person' does not compile (a constant text is written in quotes, '"person"'; an attribute in brackets, '[person]'):"#), "\(message)")
    }

    @Test func aVariableThatIsNotSetIsNamed() {
        #expect(Self.problem(Self.valid, variables: [:]) == "app.yaml:4:41 (template, 'connection.authentication.token'): the variable TOKEN is not set (in the configuration's 'variables' or the environment)")
    }

    @Test func aDeltaImportReadsItsWatermarkOrItsToken() {
        let since = Self.valid.replacingOccurrences(of: "      get: [", with: """
                  deltaImport:
                    steps: [{GET: /users, query: {after: "[delta.since]"}}]
                    overlap: 2s
                  get: [
            """)
        #expect(Self.problem(since) == "no error")
        let token = since.replacingOccurrences(of: #"after: "[delta.since]"}}]"#, with: #"token: "[delta.token]"}}]\#n        token: /deltaToken"#)
        // A token needs no overlap; a token read but not located; a token located but not sent back.
        #expect(Self.problem(token) == "app.yaml:14:18 (object type User, 'operations.deltaImport.overlap'): 'overlap' is for a time watermark ([delta.since]); a delta token needs none")
        let located = token.replacingOccurrences(of: "        overlap: 2s\n", with: "")
        #expect(Self.problem(located) == "no error")
        #expect(Self.problem(located.replacingOccurrences(of: "        token: /deltaToken\n", with: ""))
            == "app.yaml:12:9 (object type User, 'operations.deltaImport'): a step of 'deltaImport' reads [delta.token], but 'token' does not say where a response holds it")
        #expect(Self.problem(located.replacingOccurrences(of: #"token: "[delta.token]""#, with: #"token: '"all"'"#))
            == "app.yaml:12:9 (object type User, 'operations.deltaImport'): no step of 'deltaImport' reads [delta.token]: the token the application gave would not be sent back")
    }

    @Test func aPathTemplateNeedsItsBraces() {
        #expect(Self.problem(Self.valid.replacingOccurrences(of: #""/users/{[id]}""#, with: #""/users/{[id]""#))
            == "app.yaml:11:19 (User, get, step 1, 'GET'): '{' without '}' in the path '/users/{[id]'")
    }
}

/// A SOAP template: its mistakes reported where they were written, and the envelopes its steps
/// become.
@Suite struct SOAPTemplateTests {
    static let valid = """
        name: soap-app
        connection:
          endpoint: https://app.example/soap
          authentication: {type: usernameToken, username: svc, password: "${PASSWORD}"}
          namespaces: {u: "urn:example:users"}
          soap: {version: "1.2", namespace: "urn:example:users", elementForm: qualified}
          errors: [{xml: "*/u:Errors/u:Error", message: "u:Text", outcome: invalidValue}]
        objectTypes:
          - name: User
            anchor: id
            attributes: [id, mail, {name: groups, multiValued: true}]
            operations:
              import:
                steps: [{SOAP: ListUsers, body: {u:After: "[page.cursor]"}}]
                records: "u:ListUsersResponse/u:User"
                paging: {style: keyset, key: /id}
              get: [{SOAP: GetUser, body: {"@id": "[id]"}}]
              create:
                - SOAP: CreateUser
                  action: urn:example:users/Create
                  body: {id: "[id]", mail: "[mail]", groups: {forEach: "[groups]", value: {group: "[item]"}}}
        """

    static func problem(_ yaml: String) -> String {
        do {
            let root = try ConnectorSettings.parse(yaml: yaml, file: "soap.yaml", context: "template", folder: "", environment: [:])
            _ = try TemplateReader.read(root, variables: ["PASSWORD": "s3cr3t-password"])
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func aStepBecomesAnEnvelopeWithItsNamesQualified() throws {
        let root = try ConnectorSettings.parse(yaml: Self.valid, file: "soap.yaml", context: "template", folder: "", environment: [:])
        let template = try TemplateReader.read(root, variables: ["PASSWORD": "s3cr3t-password"])
        let client = WebServiceClient(template: template, transport: TracingTransport(sending: nil, write: { _ in }), logger: .init(label: "test"))
        let step = try #require(template.objectType("User")?.operations.create?.steps.first)
        let context = FlowContext(
            attributes: ["id": .string("ann"), "mail": .string("a&b@contoso.com"), "groups": .array([.string("g1"), .string("g2")])],
            attributeNames: ["id", "mail", "groups"])
        let request = try #require(try client.request(step, context))
        #expect(request.header("Content-Type") == #"application/soap+xml; charset=utf-8; action="urn:example:users/Create""#)
        #expect(request.header("SOAPAction") == nil)
        let body = String(decoding: try #require(request.body), as: UTF8.self)
        #expect(body.hasSuffix("""
            <soapenv:Body><u:CreateUser xmlns:u="urn:example:users"><u:id>ann</u:id><u:mail>a&amp;b@contoso.com</u:mail>\
            <u:groups><u:group>g1</u:group></u:groups><u:groups><u:group>g2</u:group></u:groups></u:CreateUser></soapenv:Body></soapenv:Envelope>
            """), "\(body)")
        #expect(body.contains(#"<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope">"#))
        let reply = Array("""
            <e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><u:CreateUserResponse xmlns:u="urn:example:users">\
            <u:Errors><u:Error><u:Code>7</u:Code><u:Text>mail is taken</u:Text></u:Error></u:Errors></u:CreateUserResponse></e:Body></e:Envelope>
            """.utf8)
        let soap = try #require(SOAPEnvelope.read(reply))
        let (outcome, message, _) = client.read(IncomingResponse(status: 200, body: reply), soap: soap, rules: [])
        #expect(outcome == .invalidValue)
        #expect(message == "mail is taken")
        #expect(SOAPEnvelope.json(soap.body) == .object([("CreateUserResponse", .object([("Errors", .object([("Error", .object([
            ("Code", .string("7")), ("Text", .string("mail is taken")),
        ]))]))]))]))
    }

    @Test(arguments: [
        (#"{SOAP: GetUser, body: {"@id": "[id]"}}"#, #"{SOAP: x:GetUser, body: {"@id": "[id]"}}"#,
         "soap.yaml:17:20 (User, get, step 1, 'SOAP'): the prefix 'x' is not in the connection's 'namespaces'"),
        ("{u:After: \"[page.cursor]\"}", "{v:After: \"[page.cursor]\"}",
         "soap.yaml:14:42 (User, import, step 1, 'body.v:After'): the prefix 'v' of 'v:After' is not in the connection's 'namespaces'"),
        (#"records: "u:ListUsersResponse/u:User""#, #"records: "w:ListUsersResponse/u:User""#,
         "soap.yaml:15:18 (object type User, 'operations.import.records'): 'w:ListUsersResponse/u:User': the prefix 'w' is not in the template's namespaces"),
        (#"version: "1.2""#, #"version: "2.0""#, "soap.yaml:6:19 (template, 'connection.soap.version'): a SOAP 'version' is \"1.1\" or \"1.2\""),
        ("attributes: [id, mail,", "attributes: [id, flag, mail,",
         "soap.yaml:11:22 (object type User, 'attributes'): 'flag' is a name expressions reserve (added, changed, delta, flag, item, page, password, previous, removed, steps); give the attribute another name and a 'record' pointer"),
        (#"get: [{SOAP: GetUser, body: {"@id": "[id]"}}]"#, #"get: [{GET: "/users/{[id]}"}]"#,
         "soap.yaml:3:3 (template, 'connection'): usernameToken authenticates SOAP calls, and the step at soap.yaml:17:13 is a REST call (GET /users/{[id]})"),
    ] as [(String, String, String)])
    func refusesWithTheMistakesPlace(replacing: String, with: String, message: String) {
        #expect(Self.problem(Self.valid.replacingOccurrences(of: replacing, with: with)) == message)
    }
}
