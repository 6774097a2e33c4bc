import Foundation

/// A path to elements of a document, as a template writes it: steps separated by `/`, each a
/// name (`rfc:BAPI_USER_GETLISTResponse` with a prefix of the template's map, or a bare
/// `USERLIST` that matches its local name in any namespace, for unqualified children) or `*`,
/// each with optional predicates: a position (`[1]`, `[last()]`) or child values
/// (`[TYPE='E' or TYPE='A']`); the last step may be `@name`, an attribute. A path that starts
/// with `/` starts at the root element, else below the element it is read from.
///
///     Envelope/Body/rfc:BAPI_USER_GETLISTResponse/USERLIST/item
///     RETURN/item[TYPE='E' or TYPE='A']/MESSAGE
package struct XMLPath: Sendable, CustomStringConvertible {
    struct Step: Sendable {
        enum Test: Sendable {
            case any
            case local(String)
            case qualified(XML.Name)
            case attribute(String)
        }

        enum Predicate: Sendable {
            case position(Int)
            case last
            /// Any of these child values.
            case values([(String, String)])
        }

        var test: Test
        var predicates: [Predicate]
    }

    let steps: [Step]
    let absolute: Bool
    package let description: String

    /// Parses `text` with `prefixes` (prefix → namespace URI); the problem when it is not a path.
    package init(_ text: String, prefixes: [String: String] = [:]) throws(XMLProblem) {
        description = text
        absolute = text.hasPrefix("/")
        var steps: [Step] = []
        let body = absolute ? String(text.dropFirst()) : text
        guard !body.isEmpty else { throw XMLProblem(message: "an empty XML path") }
        for (index, raw) in Self.split(body).enumerated() {
            var name = raw
            var predicates: [Step.Predicate] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                let inside = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                predicates.insert(try Self.predicate(inside, in: text), at: 0)
                name = String(name[..<open])
            }
            let test: Step.Test
            if name == "*" {
                test = .any
            } else if name.hasPrefix("@") {
                guard index == Self.split(body).count - 1 else { throw XMLProblem(message: "'\(text)': an attribute (@\(name.dropFirst())) can only end a path") }
                test = .attribute(String(name.dropFirst()))
            } else if let colon = name.firstIndex(of: ":") {
                let prefix = String(name[..<colon])
                guard let uri = prefixes[prefix] else { throw XMLProblem(message: "'\(text)': the prefix '\(prefix)' is not in the template's namespaces") }
                test = .qualified(XML.Name(String(name[name.index(after: colon)...]), namespace: uri))
            } else {
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
                    throw XMLProblem(message: "'\(text)': '\(name)' is not a step of a path")
                }
                test = .local(name)
            }
            steps.append(Step(test: test, predicates: predicates))
        }
        self.steps = steps
    }

    /// Splits at `/` outside predicates.
    static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "[" {
                depth += 1
            } else if character == "]" {
                depth -= 1
            } else if character == "/", depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }

    static func predicate(_ text: String, in path: String) throws(XMLProblem) -> Step.Predicate {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let position = Int(trimmed), position >= 1 { return .position(position) }
        if trimmed == "last()" { return .last }
        var values: [(String, String)] = []
        for term in trimmed.components(separatedBy: " or ") {
            let parts = term.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let first = parts[1].first, first == "'" || first == "\"", parts[1].last == first, parts[1].count >= 2 else {
                throw XMLProblem(message: "'\(path)': the predicate [\(text)] is a position, last(), or NAME='value' (joined by or)")
            }
            values.append((parts[0], String(parts[1].dropFirst().dropLast())))
        }
        return .values(values)
    }

    /// The elements the path selects from `element`; an absolute path starts at `root` (by
    /// default `element` itself).
    package func elements(in element: XML.Element, root: XML.Element? = nil) -> [XML.Element] {
        var current: [XML.Element]
        var remaining = steps[...]
        if absolute {
            let top = root ?? element
            guard let first = remaining.first, Self.filter([top], first).count == 1 else { return [] }
            current = [top]
            remaining = remaining.dropFirst()
        } else {
            current = [element]
        }
        for step in remaining {
            if case .attribute = step.test { break }
            current = current.flatMap { Self.filter($0.elements, step) }
        }
        return current
    }

    /// The texts the path selects: each element's text, or with a last `@name` step each value.
    package func values(in element: XML.Element, root: XML.Element? = nil) -> [String] {
        if let last = steps.last, case .attribute(let name) = last.test {
            return elements(in: element, root: root).compactMap { $0.attributes.first { $0.name.local == name }?.value }
        }
        return elements(in: element, root: root).map(\.text)
    }

    static func filter(_ candidates: [XML.Element], _ step: Step) -> [XML.Element] {
        var matching = candidates.filter { candidate in
            switch step.test {
            case .any: true
            case .local(let local): candidate.name.local == local
            case .qualified(let name): candidate.name == name
            case .attribute: false
            }
        }
        for predicate in step.predicates {
            switch predicate {
            case .position(let position): matching = position <= matching.count ? [matching[position - 1]] : []
            case .last: matching = matching.last.map { [$0] } ?? []
            case .values(let values):
                matching = matching.filter { element in
                    values.contains { name, value in element.child(name)?.text == value }
                }
            }
        }
        return matching
    }
}
