import Foundation
import MappingExpressions
package import JSONValues
package import MappingExpressions

/// What a step's expressions read. Besides the object's attributes by name (`[login]`):
///
/// | name | value |
/// | --- | --- |
/// | `[steps.NAME.body.PATH]` | a member of an earlier step's response body (`PATH` dotted, indexes as numbers) |
/// | `[steps.NAME.status]`, `[steps.NAME.headers.location]` | its status, a header (lower case) |
/// | `[item]`, `[item.PATH]` | the value a `forEach` step runs for, or the record an import's detail call reads |
/// | `[previous.NAME]` | in an update, the attribute's value before |
/// | `[changed]` | in an update, the names of the attributes that changed |
/// | `[added.NAME]`, `[removed.NAME]` | in an update, the values a multi-valued attribute gained or lost |
/// | `[password]` | in setPassword, the password |
/// | `[flag.NAME]` | `X` when the attribute's value is sent: in an update when it changed (always with `send: all`), else when it has one (SAP's change flags) |
/// | `[page.size]`, `[page.cursor]`, `[page.number]`, `[page.offset]` | in an import, the page asked for |
/// | `[delta.since]` | in a delta import, the time the changes are asked from |
/// | `[delta.token]` | in a delta import, the application's delta token from the last one; null when the current token is asked for |
///
/// These names are reserved: an attribute cannot be called `steps`, `item`, `previous`,
/// `changed`, `added`, `removed`, `flag`, `password`, `page` or `delta`.
package struct FlowContext: Sendable {
    package var attributes: [String: JSON]
    package var previous: [String: JSON]?
    package var steps: [String: StepResult] = [:]
    package var item: JSON?
    package var password: String?
    package var page: [String: JSON] = [:]
    package var delta: [String: JSON] = [:]
    /// The object's attribute names, to tell them from the reserved ones.
    package var attributeNames: Set<String>
    /// The anchor attribute's name: a body member that reads only it is always sent.
    package var anchorName: String?
    /// In an update, whether every attribute is sent rather than the changed ones.
    package var sendsEverything = false
    /// The cookies the application set during this flow, sent with its later calls (a
    /// stateful session, such as SAP's for `BAPI_TRANSACTION_COMMIT`).
    package var cookies: [(name: String, value: String)] = []

    package init(attributes: [String: JSON], attributeNames: Set<String>, previous: [String: JSON]? = nil) {
        self.attributes = attributes
        self.attributeNames = attributeNames
        self.previous = previous
    }

    package static let reservedNames: Set<String> = ["steps", "item", "previous", "changed", "added", "removed", "flag", "password", "page", "delta"]

    /// In an update, the attributes whose value changed.
    package var changed: Set<String> {
        guard let previous else { return [] }
        return Set(attributeNames.filter { previous[$0] != attributes[$0] })
    }

    /// The value `name` refers to, or nil (NULL).
    package func resolve(_ name: String) -> JSON? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard let head = parts.first, parts.count >= 1 else { return nil }
        switch head {
        case "steps":
            guard parts.count >= 3, let result = steps[String(parts[1])] else { return nil }
            switch parts[2] {
            case "body": return result.body.flatMap { DottedPath.value(parts.dropFirst(3), in: $0) }
            case "status": return parts.count == 3 ? .number(String(result.status)) : nil
            case "headers": return DottedPath.value(parts.dropFirst(3).map { Substring($0.lowercased()) }[...], in: result.headers)
            default: return nil
            }
        case "item":
            return item.flatMap { DottedPath.value(parts.dropFirst(), in: $0) }
        case "previous":
            return previous?[parts.dropFirst().joined(separator: ".")]
        case "changed" where parts.count == 1:
            let names = changed.sorted()
            return names.isEmpty ? nil : .array(names.map(JSON.string))
        case "added", "removed":
            let attribute = parts.dropFirst().joined(separator: ".")
            let now = Self.values(attributes[attribute])
            let before = Self.values(previous?[attribute])
            let difference = head == "added" ? now.filter { !before.contains($0) } : before.filter { !now.contains($0) }
            return difference.isEmpty ? nil : .array(difference)
        case "flag":
            let attribute = parts.dropFirst().joined(separator: ".")
            let sent: Bool
            if previous != nil {
                sent = sendsEverything || changed.contains(attribute)
            } else {
                sent = attributes[attribute].map { $0 != .null } ?? false
            }
            return sent ? .string("X") : nil
        case "password" where parts.count == 1:
            return password.map(JSON.string)
        case "page":
            return parts.count == 2 ? page[String(parts[1])] : nil
        case "delta":
            return parts.count == 2 ? delta[String(parts[1])] : nil
        default:
            return attributes[name]
        }
    }

    private static func values(_ value: JSON?) -> [JSON] {
        switch value {
        case nil, .null?: []
        case .array(let elements)?: elements
        case let single?: [single]
        }
    }

    /// Evaluates an expression: a lone `[name]` gives its value as it is; anything else goes
    /// through the evaluator and comes back as text, a list, a boolean or a number.
    package func evaluate(_ expression: TemplateExpression) throws(EvaluationError) -> JSON? {
        if let attribute = expression.attribute {
            let value = resolve(attribute)
            return value == .null ? nil : value
        }
        var inputs: [String: Value] = [:]
        for name in expression.reads {
            if let value = resolve(name) { inputs[name] = Value(json: value) }
        }
        return Self.json(try expression.compiled.evaluate(EvaluationContext(attributes: inputs)))
    }

    /// Whether a condition holds: a true boolean, the text `true` (any case), or a non-empty list.
    package func holds(_ expression: TemplateExpression) throws(EvaluationError) -> Bool {
        switch try evaluate(expression) {
        case .bool(let flag)?: flag
        case .string(let text)?: text.lowercased() == "true"
        case .array(let elements)?: !elements.isEmpty
        default: false
        }
    }

    /// An evaluated value as JSON; nil for NULL and for the flows that mean "leave it out".
    package static func json(_ value: Value) -> JSON? {
        switch value {
        case .null, .ignoreFlow, .ignoreObjectFlow: nil
        case .string(let text): .string(text)
        case .multiple(let values): .array(values.map(JSON.string))
        case .boolean(let flag): .bool(flag)
        case .number(let number): .number(String(number))
        case .dateTime(let date): .string(date.description)
        }
    }
}

/// What a step got back, for the steps after it.
package struct StepResult: Sendable {
    package var status: Int
    package var headers: JSON
    package var body: JSON?
    /// The raw response, for paging by header.
    package var response: IncomingResponse
    /// A SOAP step's response as XML; its `body` is the SOAP body as JSON.
    package var soap: SOAPMessage?

    /// A REST step's result: the body as JSON, when it is.
    package init(_ response: IncomingResponse) {
        status = response.status
        headers = response.headersJSON
        body = response.json
        self.response = response
    }

    /// A SOAP step's result: the envelope, and its body as JSON
    /// (`{"BAPI_USER_GETLISTResponse": {"ROWS": "2", …}}`); no body when the response is no envelope.
    package init(soap response: IncomingResponse) {
        status = response.status
        headers = response.headersJSON
        self.response = response
        soap = SOAPEnvelope.read(response.body)
        body = soap.map { SOAPEnvelope.json($0.body) }
    }
}

extension FlowContext {
    /// Keeps the cookies a response sets (`Set-Cookie: name=value; path=…`), replacing those of the same name.
    mutating func keepCookies(of response: IncomingResponse) {
        for (name, value) in response.headers where name.caseInsensitiveEquals("set-cookie") {
            guard let pair = value.split(separator: ";", maxSplits: 1).first, let equals = pair.firstIndex(of: "=") else { continue }
            let cookie = String(pair[..<equals].trimmingSpaces)
            let content = String(pair[pair.index(after: equals)...].trimmingSpaces)
            guard !cookie.isEmpty else { continue }
            cookies.removeAll { $0.name == cookie }
            cookies.append((cookie, content))
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
