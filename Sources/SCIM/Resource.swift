public import JSONValues

extension JSON {
    /// The member named `name`, compared without case as SCIM attribute names are.
    public func member(_ name: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        if let exact = members.first(where: { $0.0 == name }) { return exact.1 }
        return members.first(where: { $0.0.equalsIgnoringCase(name) })?.1
    }

    /// The text SCIM compares: strings as they are, booleans `True`/`False`, numbers as written.
    public var comparableText: String? {
        switch self {
        case .string(let text): text
        case .bool(let flag): flag ? "True" : "False"
        case .number(let text): text
        default: nil
        }
    }
}

/// The members of a SCIM resource or complex value, edited in place; names compare without case,
/// as SCIM attribute names do.
extension Array where Element == (String, JSON) {
    /// The member named `name` (an exact match first).
    public func member(_ name: String) -> JSON? {
        if let exact = first(where: { $0.0 == name }) { return exact.1 }
        return first(where: { $0.0.equalsIgnoringCase(name) })?.1
    }

    /// Sets the member named `name`, in its place, or appends it.
    public mutating func put(_ name: String, _ value: JSON) {
        if let index = firstIndex(where: { $0.0.equalsIgnoringCase(name) }) {
            self[index].1 = value
        } else {
            append((name, value))
        }
    }

    /// Removes every member named `name`.
    public mutating func removeMember(_ name: String) {
        removeAll { $0.0.equalsIgnoringCase(name) }
    }
}

/// Reading a SCIM resource (a JSON object) by attribute path and filter.
public enum Resource {
    /// The values at `path` in `resource`: one for a simple attribute, each element's sub-attribute
    /// for a multi-valued one, only the elements the value filter selects.
    public static func values(at path: AttributePath, in resource: JSON) -> [JSON] {
        let container: JSON?
        if let schema = path.schema, !SchemaURN.isCore(schema) {
            container = resource.member(schema)
        } else {
            container = resource
        }
        guard let attribute = container?.member(path.name) else { return [] }
        var elements: [JSON]
        if case .array(let array) = attribute { elements = array } else { elements = [attribute] }
        if let filter = path.filter {
            elements = elements.filter { matches(filter, $0) }
        }
        guard let sub = path.subAttribute else { return elements.filter { $0 != .null } }
        return elements.compactMap { $0.member(sub) }.filter { $0 != .null }
    }

    /// Whether `filter` holds for `resource` (or for one element of a multi-valued attribute).
    /// Strings compare without case (SCIM's default `caseExact: false`).
    public static func matches(_ filter: Filter, _ resource: JSON) -> Bool {
        switch filter {
        case .and(let lhs, let rhs): return matches(lhs, resource) && matches(rhs, resource)
        case .or(let lhs, let rhs): return matches(lhs, resource) || matches(rhs, resource)
        case .not(let inner): return !matches(inner, resource)
        case .present(let path): return !values(at: path, in: resource).isEmpty
        case .valuePath(let path): return !values(at: path, in: resource).isEmpty
        case .compare(let path, let comparison, let expected):
            let found = values(at: path, in: resource)
            if comparison == .ne { return !found.contains { compare($0, .eq, expected) } }
            return found.contains { compare($0, comparison, expected) }
        }
    }

    static func compare(_ actual: JSON, _ comparison: Filter.Comparison, _ expected: JSON) -> Bool {
        if case .null = expected { return comparison == .eq ? actual == .null : actual != .null }
        guard let lhs = actual.comparableText, let rhs = expected.comparableText else { return false }
        if case .number = expected, let a = Double(lhs), let b = Double(rhs) {
            return compareOrdered(a, b, comparison)
        }
        let a = lhs.lowercased(), b = rhs.lowercased()
        switch comparison {
        case .eq: return a == b
        case .ne: return a != b
        case .co: return a.contains(b)
        case .sw: return a.hasPrefix(b)
        case .ew: return a.hasSuffix(b)
        case .gt, .lt, .ge, .le: return compareOrdered(a, b, comparison)
        }
    }

    static func compareOrdered<T: Comparable>(_ a: T, _ b: T, _ comparison: Filter.Comparison) -> Bool {
        switch comparison {
        case .eq: a == b
        case .ne: a != b
        case .gt: a > b
        case .lt: a < b
        case .ge: a >= b
        case .le: a <= b
        case .co, .sw, .ew: false
        }
    }
}
