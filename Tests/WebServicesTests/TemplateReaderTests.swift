import Connectors
import Foundation
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

    @Test func aPathTemplateNeedsItsBraces() {
        #expect(Self.problem(Self.valid.replacingOccurrences(of: #""/users/{[id]}""#, with: #""/users/{[id]""#))
            == "app.yaml:11:19 (User, get, step 1, 'GET'): '{' without '}' in the path '/users/{[id]'")
    }
}
