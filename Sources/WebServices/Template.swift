package import Connectors
import Foundation
package import JSONValues
package import MappingExpressions
package import XMLDocuments

/// A web service template: how one application's API is called to test the connection, import,
/// read, create, update and delete its objects and set passwords. Read from a YAML file by
/// ``TemplateReader``; nothing in it is compiled code, every parameter is an expression of the
/// mapping language.
package struct WebServiceTemplate: Sendable {
    package var name: String
    package var connection: Connection
    package var objectTypes: [ObjectType]
    /// The file it was read from.
    package var file: String

    package func objectType(_ name: String) -> ObjectType? {
        objectTypes.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Where the application is and how it is called.
    package struct Connection: Sendable {
        /// Every relative path is appended to it: `https://hr.example/api/v1`.
        package var baseURL: String
        package var connectTimeout: Duration = .seconds(5)
        /// The whole of one call, retries aside.
        package var requestTimeout: Duration = .seconds(30)
        /// Calls in flight at once, for the whole connector.
        package var concurrency: Int = 8
        /// At most `requests` calls per `per`, as a token bucket.
        package var rateLimit: (requests: Int, per: Duration)?
        package var retry = RetryPolicy()
        package var authentication: Authentication = .none
        /// Headers sent with every call (constants).
        package var headers: [(String, String)] = []
        /// Rules for every call, after a step's own and before the defaults.
        package var errors: [ErrorRule] = []
        package var tls = TLSOptions()
        /// Sent with a fresh value per call (the same across its retries), so that calls that are
        /// not idempotent (`POST`) may be retried too.
        package var idempotencyKeyHeader: String?
        /// How SOAP steps are written, unless a step says otherwise.
        package var soap = SOAPDefaults()
        /// Prefix → namespace URI, for XML paths and for qualified names in SOAP bodies (`rfc:USERLIST`).
        package var namespaces: [String: String] = [:]
    }

    /// The SOAP settings of a connection: the version, the operations' namespace, whether their
    /// children are qualified, and the action, where `{operation}` stands for the operation's name.
    package struct SOAPDefaults: Sendable {
        package var version = SOAPVersion.v11
        package var namespace: String?
        package var qualified = false
        package var action: String?

        /// The action of `operation`: the pattern with the name in place of `{operation}`.
        package func action(for operation: String) -> String? {
            action?.replacingOccurrences(of: "{operation}", with: operation)
        }
    }

    package struct RetryPolicy: Sendable {
        /// Tries after the first.
        package var attempts: Int = 3
        /// The first backoff; each next one doubles, with full jitter.
        package var initialDelay: Duration = .milliseconds(200)
        /// No wait is longer, `Retry-After` included.
        package var maxDelay: Duration = .seconds(10)
    }

    package struct TLSOptions: Sendable {
        /// PEM file of the certificate authorities to trust instead of the system's.
        package var caFile: String?
        /// A client certificate and its key, PEM files (mutual TLS).
        package var certificateFile: String?
        package var privateKeyFile: String?
        /// Accepts any server certificate. For a test system only.
        package var insecure = false
    }

    package enum Authentication: Sendable {
        case none
        case basic(username: String, password: Secret)
        /// HTTP Digest (RFC 7616): the server's challenge answered with SHA-256 or MD5, `qop=auth`.
        case digest(username: String, password: Secret)
        case bearer(token: Secret)
        case apiKey(name: String, inQuery: Bool, value: Secret)
        /// OAuth 2 client credentials (RFC 6749 §4.4): a token from `tokenURL`, kept until shortly
        /// before it expires.
        case clientCredentials(OAuthClient)
        /// A login call whose response holds a token, sent in a header afterwards.
        case login(LoginStep)
        /// WS-Security UsernameToken in each SOAP envelope's header: the password as text or
        /// as a digest with a nonce.
        case usernameToken(username: String, password: Secret, digest: Bool)
    }

    package struct OAuthClient: Sendable {
        package var tokenURL: String
        package var clientID: String
        package var clientSecret: Secret
        package var scope: String?
        /// The client in an HTTP Basic header (the default, RFC 6749 §2.3.1), or in the form.
        package var credentialsInForm = false
        /// A token is renewed this long before it expires.
        package var refreshBefore: Duration = .seconds(60)
    }

    package struct LoginStep: Sendable {
        package var step: Step
        /// Where the token is in the response body.
        package var token: JSONPointer
        /// Where its lifetime in seconds is, when the response says.
        package var expiresIn: JSONPointer?
        /// How long a token is kept when the response does not say.
        package var lifetime: Duration = .seconds(3600)
        package var header = "Authorization"
        package var prefix = "Bearer "
    }

    /// A type of object the application holds: its schema, how its records read, its operations.
    package struct ObjectType: Sendable {
        package var name: String
        package var anchor: String
        package var attributes: [ConnectorSchema.Attribute]
        /// Attribute → where its value is in a record.
        package var record: [(attribute: String, pointer: JSONPointer)]
        package var operations: Operations

        package func attribute(_ name: String) -> ConnectorSchema.Attribute? {
            attributes.first { $0.name == name }
        }
    }

    package struct Operations: Sendable {
        package var test: Flow?
        package var importAll: ImportFlow?
        /// The changes since a time (`[delta.since]`), when the application can say.
        package var deltaImport: DeltaFlow?
        package var get: Flow?
        package var create: Flow?
        package var update: Flow?
        package var delete: Flow?
        package var setPassword: Flow?
    }

    /// An operation: steps run in order, and for `get`, where the record is.
    package struct Flow: Sendable {
        package var steps: [Step] {
            didSet { readsPassword = Self.readsPassword(steps) }
        }
        /// For `get` and an import's detail call: the record, in the last step's response (by
        /// default the whole JSON body, or the element in a SOAP body).
        package var record: ResponsePath?
        /// For `update`: only the body members that read a changed attribute (the default), or
        /// every member (an application that replaces the whole object).
        package var sendsEverything = false
        /// Where the operation was written, for messages.
        package var place: String

        /// Whether a step reads `[password]`: a create that sends the initial password itself.
        /// (Asked at every create: known once the steps are.)
        package private(set) var readsPassword: Bool

        package init(steps: [Step], record: ResponsePath? = nil, sendsEverything: Bool = false, place: String) {
            self.steps = steps
            self.record = record
            self.sendsEverything = sendsEverything
            self.place = place
            readsPassword = Self.readsPassword(steps)
        }

        private static func readsPassword(_ steps: [Step]) -> Bool { steps.contains { $0.reads.contains("password") } }
    }

    /// The full import: list calls page by page, the records in each page, and optionally a
    /// detail call per record (run in parallel) whose response is the record.
    package struct ImportFlow: Sendable {
        package var steps: [Step]
        package var records: ResponsePath = .json(.root)
        package var paging: Paging?
        package var detail: Flow?
        package var detailConcurrency = 8
        package var place: String
    }

    /// A delta import: an import flow whose calls read `[delta.since]`, the time the last import
    /// started less `overlap` (RFC 3339, UTC, milliseconds), or `[delta.token]`, the delta token
    /// the application gave at the end of the last one; and optionally a member that marks a
    /// record as deleted.
    package struct DeltaFlow: Sendable {
        package var flow: ImportFlow
        /// Where a response holds the application's delta token: the token of the last page that
        /// has one is where the next delta import starts. Without a token (`[delta.token]` is
        /// null) the application answers its current one, which a full import starts from.
        package var token: JSONPointer?
        /// Changes made this long before the last import started are asked for again, for clocks
        /// that differ and writes that were in flight.
        package var overlap: Duration = .seconds(5)
        /// A record whose member at the pointer has this value is a deletion.
        package var deleted: (JSONPointer, JSON)?
    }

    package struct Paging: Sendable {
        package enum Style: Sendable {
            /// The next page's cursor is at a pointer of the body: `[page.cursor]`.
            case cursor(JSONPointer)
            /// The next page's URL is at a pointer of the body (OData `@odata.nextLink`, HAL).
            case nextLink(JSONPointer)
            /// The next page's URL is the `Link` header's `rel="next"` (RFC 8288).
            case linkHeader
            /// Pages numbered from `start`: `[page.number]`.
            case page(start: Int)
            /// Records counted from `start` (0 for an offset, 1 for SCIM's startIndex): `[page.offset]`.
            case offset(start: Int)
            /// The next page starts after the last record's key, at a pointer into the record:
            /// `[page.cursor]` (SAP's `BAPI_USER_GETLIST`, `USERNAME GT last`).
            case keyset(JSONPointer)
        }

        package var style: Style
        /// `[page.size]`: a page shorter than this is the last (page and offset styles).
        package var size = 100
        /// The total number of records, when the body says: no page is asked past it.
        package var total: JSONPointer?
        /// A guard against an application that never stops.
        package var maxPages = 100_000
    }

    /// One HTTP call: a REST call, or a SOAP call (`soap`, a POST of an envelope).
    package struct Step: Sendable {
        package var name: String?
        package var method: String
        package var url: URLTemplate
        package var soap: SOAPCall?
        package var query: [(String, TemplateValue)] = []
        package var headers: [(String, TemplateValue)] = []
        package var body: BodyTemplate?
        /// `application/x-www-form-urlencoded` members instead of a JSON body.
        package var form: [(String, TemplateValue)]?
        /// The step runs only when this is true.
        package var condition: TemplateExpression?
        /// The step runs once per value (`[item]`), in order.
        package var forEach: TemplateExpression?
        package var errors: [ErrorRule] = []
        /// Where the step was written: `hr.template.yaml:40:9`.
        package var place: String

        /// Every name its expressions read.
        package var reads: [String] {
            url.reads + query.flatMap(\.1.reads) + headers.flatMap(\.1.reads) + (body?.reads ?? []) + (form?.flatMap(\.1.reads) ?? [])
                + (condition?.reads ?? []) + (forEach?.reads ?? [])
        }

        /// `POST /employees` or `SOAP BAPI_USER_CREATE1`, for messages.
        package var summary: String { soap.map { "SOAP \($0.operation.local)" } ?? "\(method) \(url.text)" }
    }

    /// A rule that reads a response as an outcome.
    package struct ErrorRule: Sendable {
        package var statuses: StatusSet?
        /// Members of the body that must have these values (text compared).
        package var body: [(JSONPointer, JSON)] = []
        /// A member of the body that must be present.
        package var exists: JSONPointer?
        /// Elements of a SOAP response that must be present: `*/RETURN/item[TYPE='E']`.
        package var xml: XMLPath?
        package var outcome: Outcome
        /// Where the application's reason is: in the body, or below the first element `xml` found.
        package var message: ResponsePath?

        package func matches(status: Int, body document: JSON?, soap: SOAPMessage? = nil) -> Bool {
            if let statuses, !statuses.contains(status) { return false }
            if let xml {
                guard let soap, !xml.elements(in: soap.body, root: soap.envelope).isEmpty else { return false }
            }
            if let exists, document.flatMap({ exists.value(in: $0) }).map({ $0 != .null }) != true { return false }
            for (pointer, expected) in body {
                guard let document, let found = pointer.value(in: document) else { return false }
                if ErrorRule.text(found) != ErrorRule.text(expected) { return false }
            }
            return true
        }

        static func text(_ value: JSON) -> String {
            switch value {
            case .string(let text), .number(let text): text
            case .bool(let flag): flag ? "true" : "false"
            default: value.serialized
            }
        }
    }

    /// `404`, `4xx`, or a list of them.
    package struct StatusSet: Sendable {
        package var codes: Set<Int> = []
        /// `4` for `4xx`.
        package var classes: Set<Int> = []

        package func contains(_ status: Int) -> Bool {
            codes.contains(status) || classes.contains(status / 100)
        }
    }

    /// What a call came to, whatever the application's way of saying it.
    package enum Outcome: String, Sendable, CaseIterable {
        case success, notFound, alreadyExists, invalidValue, invalidPassword, permission, transient, fatal
    }
}

/// A secret of the template, read from a reference (`${VARIABLE}`, a file). Its description is
/// `[Redact]`, so that it cannot reach a log by accident.
package struct Secret: Sendable, CustomStringConvertible {
    package let value: String

    package init(_ value: String) {
        self.value = value
    }

    package var description: String { "[Redact]" }
}

/// An expression of the mapping language inside a template, with where it was written.
package struct TemplateExpression: Sendable {
    package let compiled: CompiledExpression
    package let text: String
    /// When the expression is one attribute reference, `[name]`: its value passes unconverted
    /// (a boolean stays a boolean, a list a list).
    package let attribute: String?
    package let place: String

    package var reads: [String] { compiled.attributeNames }
}

/// A parameter: a constant written in the template (a number, `true`, `false`, `null`), a
/// variable (`${NAME}`, shown as `[Redact]`), or an expression.
package enum TemplateValue: Sendable {
    case constant(JSON)
    case secret(Secret)
    case expression(TemplateExpression)

    /// The attributes of the object it reads.
    package var reads: [String] {
        if case .expression(let expression) = self { expression.reads } else { [] }
    }
}

/// A JSON body whose leaves are parameters.
package indirect enum BodyTemplate: Sendable {
    case object([(String, BodyTemplate)])
    case array([BodyTemplate])
    case value(TemplateValue)
    /// A list: the template built once for each value, `[item]` (`{forEach: "[roles]", value: {AGR_NAME: "[item]"}}`).
    case each(TemplateExpression, BodyTemplate)

    /// Every attribute any leaf reads.
    package var reads: [String] {
        switch self {
        case .object(let members): members.flatMap(\.1.reads)
        case .array(let elements): elements.flatMap(\.reads)
        case .value(let value): value.reads
        case .each(let values, let element): values.reads + element.reads
        }
    }
}

/// Where something is in a response: a JSON Pointer into the body (a SOAP body as JSON), or an
/// XML path into a SOAP body (`rfc:BAPI_USER_GETLISTResponse/USERLIST/item`; from the envelope
/// when it starts with `/`).
package enum ResponsePath: Sendable, CustomStringConvertible {
    case json(JSONPointer)
    case xml(XMLPath)

    package var description: String {
        switch self {
        case .json(let pointer): pointer.description
        case .xml(let path): path.description
        }
    }
}

/// A URL or path with expressions in braces: `/employees/{[login]}/roles/{[item]}`. A value is
/// percent-encoded as one path segment; `{+…}` inserts it as it is (a URL).
package struct URLTemplate: Sendable {
    package enum Part: Sendable {
        case literal(String)
        case expression(TemplateExpression, encoded: Bool)
    }

    package var parts: [Part]
    /// As written.
    package var text: String

    package var reads: [String] {
        parts.flatMap { part -> [String] in
            if case .expression(let expression, _) = part { return expression.reads }
            return []
        }
    }
}
