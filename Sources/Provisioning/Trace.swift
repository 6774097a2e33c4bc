import JSONValues
import MappingExpressions

/// The steps of one user's provisioning, as JSON objects, in the spirit of Entra's
/// provision-on-demand report. Recording is skipped entirely when disabled.
struct Trace {
    let enabled: Bool
    private(set) var steps: [JSON] = []

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func read(_ attributes: [String: Value], names: [String], masking: Set<String>) {
        guard enabled else { return }
        var members: [(String, JSON)] = []
        members.reserveCapacity(names.count)
        for name in names {
            let value = attributes[name] ?? .null
            members.append((name, masking.contains(name) && !value.isNull ? .string(Provisioner.redacted) : value.traceJSON))
        }
        steps.append(.object([("step", .string("read")), ("attributes", .object(members))]))
    }

    mutating func scope(_ evaluation: ScopingFilter.Evaluation, masking: Set<String>) {
        guard enabled else { return }
        let clauses: [JSON] = evaluation.clauses.map { entry in
            var members: [(String, JSON)] = [
                ("group", .number(String(entry.group + 1))), ("attribute", .string(entry.clause.attribute)),
                ("operator", .string(entry.clause.operator.rawValue)),
            ]
            if let value = entry.clause.value { members.append(("value", .string(value))) }
            let actual = masking.contains(entry.clause.attribute) && !entry.actual.isNull ? JSON.string(Provisioner.redacted) : entry.actual.traceJSON
            members.append(("actual", actual))
            members.append(("result", .bool(entry.result)))
            return .object(members)
        }
        steps.append(.object([("step", .string("scope")), ("inScope", .bool(evaluation.inScope)), ("clauses", .array(clauses))]))
    }

    mutating func match(_ mapping: Mapping, value: String?, result: String, id: String? = nil) {
        guard enabled else { return }
        var members: [(String, JSON)] = [("step", .string("match")), ("target", .string(mapping.targetText))]
        if let precedence = mapping.matchingPrecedence { members.append(("precedence", .number(String(precedence)))) }
        members.append(("value", value.map(JSON.string) ?? .null))
        members.append(("result", .string(result)))
        if let id { members.append(("id", .string(id))) }
        steps.append(.object(members))
    }

    mutating func mapping(_ mapping: Mapping, value: JSON?, flow: String) {
        guard enabled else { return }
        steps.append(.object([
            ("step", .string("mapping")), ("target", .string(mapping.targetText)),
            ("source", mapping.sourceText.map(JSON.string) ?? .null), ("value", value ?? .null), ("flow", .string(flow)),
        ]))
    }

    mutating func note(_ text: String) {
        guard enabled else { return }
        steps.append(.object([("step", .string("note")), ("text", .string(text))]))
    }
}

extension Value {
    /// A source value in a trace: booleans as JSON booleans, the rest as ``json``.
    var traceJSON: JSON {
        if case .boolean(let flag) = self { return .bool(flag) }
        return json
    }
}
