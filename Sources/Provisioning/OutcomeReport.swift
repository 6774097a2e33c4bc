public import JSONValues
import SCIM

/// One user's outcome as the transform writes it: an NDJSON line, or a readable block of text.
public struct OutcomeReport: Sendable {
    /// Where the user was read: the file, its position in the file (0-based), its line.
    public struct Source: Sendable {
        public var file: String
        public var index: Int
        public var line: Int
        public var id: String?

        /// The user at `index` in `file`, starting at `line`, with the id it was read with.
        public init(file: String, index: Int, line: Int, id: String? = nil) {
            self.file = file
            self.index = index
            self.line = line
            self.id = id
        }
    }

    public var source: Source
    public var outcome: Outcome

    /// The report of `outcome` for the user read at `source`.
    public init(source: Source, outcome: Outcome) {
        self.source = source
        self.outcome = outcome
    }

    /// The report's UTF-8 bytes in `format`, one line for NDJSON.
    public func render(_ format: BatchTransform.Format) -> [UInt8] {
        switch format {
        case .ndjson:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(2048)
            json.write(to: &bytes)
            bytes.append(0x0A)
            return bytes
        case .text:
            return Array(text.utf8)
        }
    }

    public var json: JSON {
        var members: [(String, JSON)] = [
            ("source", .object([
                ("file", .string(source.file)), ("index", .number(String(source.index))), ("line", .number(String(source.line))),
                ("id", source.id.map(JSON.string) ?? .null),
            ])),
            ("action", .string(outcome.action.rawValue)),
        ]
        if let reason = outcome.reason { members.append(("reason", .string(reason))) }
        members.append(("requests", .array(outcome.requests.map(\.json))))
        members.append(("steps", .array(outcome.steps)))
        members.append(("errors", .array(outcome.errors.map(\.json))))
        return .object(members)
    }

    public var text: String {
        var lines: [String] = []
        let id = source.id.map { " (\($0))" } ?? ""
        lines.append("\(source.file) #\(source.index)\(id): \(outcome.action.rawValue)\(outcome.reason.map { " — \($0)" } ?? "")")
        for request in outcome.requests {
            let http = request.http
            lines.append("  \(http.method) \(http.target)")
            if let body = http.body {
                for bodyLine in body.prettySerialized.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append("    \(bodyLine)")
                }
            }
        }
        for problem in outcome.errors {
            let location = problem.location.map { "\($0): " } ?? ""
            let target = problem.target.map { " (target \($0))" } ?? ""
            lines.append("  error: \(location)\(problem.message)\(target)")
        }
        if !outcome.steps.isEmpty {
            lines.append("  steps:")
            for step in outcome.steps { lines.append("    " + Self.describe(step)) }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// One trace step in a line.
    static func describe(_ step: JSON) -> String {
        let kind = step.member("step")?.stringValue ?? "?"
        func value(_ json: JSON?) -> String { json.map { $0 == .null ? "null" : $0.serialized } ?? "null" }
        switch kind {
        case "read":
            let attributes = (step.member("attributes")?.objectValue ?? []).map { "\($0.0)=\(value($0.1))" }
            return "read     " + attributes.joined(separator: ", ")
        case "scope":
            let clauses = (step.member("clauses")?.arrayValue ?? []).map { clause in
                let operand = clause.member("value").map { " \(value($0))" } ?? ""
                return "[\(value(clause.member("group")))] \(clause.member("attribute")?.stringValue ?? "") \(clause.member("operator")?.stringValue ?? "")\(operand) (actual \(value(clause.member("actual")))) → \(value(clause.member("result")))"
            }
            return "scope    in scope: \(value(step.member("inScope")))" + (clauses.isEmpty ? "" : "; " + clauses.joined(separator: "; "))
        case "match":
            return "match    \(step.member("target")?.stringValue ?? "") = \(value(step.member("value"))) → \(step.member("result")?.stringValue ?? "")"
                + (step.member("id").map { " (id \(value($0)))" } ?? "")
        case "mapping":
            return "mapping  \(step.member("target")?.stringValue ?? "") ← \(step.member("source")?.stringValue ?? "(none)") = \(value(step.member("value"))): \(step.member("flow")?.stringValue ?? "")"
        default:
            return "note     \(step.member("text")?.stringValue ?? step.serialized)"
        }
    }
}
