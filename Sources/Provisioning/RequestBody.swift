import JSONValues
import SCIM

/// The body of a `POST /Users` as Entra builds it: core attributes in SCIM shape (a value-filtered
/// path becomes an element of its multi-valued attribute), extension attributes nested under their
/// URN, `schemas` first and `meta.resourceType` last.
struct RequestBody {
    /// Top-level members in the order they were first set.
    private var members: [(String, JSON)] = []
    private var usesECMA2Host = false

    mutating func set(_ path: AttributePath, _ value: JSON) {
        if let schema = path.schema, !SchemaURN.isCore(schema) {
            if schema.equalsIgnoringCase(SchemaURN.ecma2HostUser) { usesECMA2Host = true }
            var inner = members.member(schema)?.objectValue ?? []
            Self.set(path, value, in: &inner, isEnterpriseManager: schema.equalsIgnoringCase(SchemaURN.enterpriseUser) && path.name.equalsIgnoringCase("manager"))
            members.put(schema, .object(inner))
        } else {
            Self.set(path, value, in: &members, isEnterpriseManager: false)
        }
    }

    var json: JSON {
        var schemas: [JSON] = [.string(SchemaURN.coreUser), .string(SchemaURN.enterpriseUser)]
        if usesECMA2Host { schemas.append(.string(SchemaURN.ecma2HostUser)) }
        return .object([("schemas", .array(schemas))] + members + [("meta", .object([("resourceType", .string("User"))]))])
    }

    /// Sets `path` (without its schema) among `members`.
    private static func set(_ path: AttributePath, _ value: JSON, in members: inout [(String, JSON)], isEnterpriseManager: Bool) {
        if let filter = path.filter {
            // `emails[type eq "work"].value`: the element whose filter attributes match, or a new one.
            let pairs = equalities(in: filter)
            var elements = members.member(path.name)?.arrayValue ?? []
            let index = elements.firstIndex { element in
                pairs.allSatisfy { pair in element.member(pair.0)?.comparableText?.lowercased() == pair.1.comparableText?.lowercased() }
            }
            var element: [(String, JSON)]
            if let index { element = elements[index].objectValue ?? [] } else {
                element = pairs
                if path.name.lowercased() == "emails", pairs.contains(where: { $0.0.lowercased() == "type" && $0.1.comparableText?.lowercased() == "work" }),
                    !pairs.contains(where: { $0.0.lowercased() == "primary" })
                {
                    element.insert(("primary", .bool(true)), at: 0)
                }
            }
            element.put(path.subAttribute ?? "value", value)
            if let index { elements[index] = .object(element) } else { elements.append(.object(element)) }
            members.put(path.name, .array(elements))
        } else if let sub = path.subAttribute {
            var inner = members.member(path.name)?.objectValue ?? []
            inner.put(sub, value)
            members.put(path.name, .object(inner))
        } else if isEnterpriseManager, case .string = value {
            members.put(path.name, .object([("value", value)]))
        } else {
            members.put(path.name, value)
        }
    }

    /// The `attr eq value` pairs of a value filter joined by `and`: what a new element carries.
    /// `primary eq "True"` becomes the boolean `true`.
    static func equalities(in filter: Filter) -> [(String, JSON)] {
        switch filter {
        case .compare(let path, .eq, let value):
            if path.name.lowercased() == "primary", let text = value.comparableText?.lowercased(), text == "true" || text == "false" {
                return [(path.name, .bool(text == "true"))]
            }
            return [(path.name, value)]
        case .and(let lhs, let rhs): return equalities(in: lhs) + equalities(in: rhs)
        default: return []
        }
    }
}

/// A PATCH in the profile's shape.
enum PatchBuilder {
    /// `operations` as Entra sends them: in the legacy profile one operation per attribute, `op`
    /// capitalized (`Add`, `Replace`); in the compliant one, several replaced attributes merged
    /// into one path-less `replace` keyed by path, value-filtered paths kept apart.
    static func request(_ operations: [PatchOperation], profile: Profile) -> SCIMRequest.PatchRequest {
        switch profile {
        case .legacy:
            return SCIMRequest.PatchRequest(operations, opSpelling: .capitalized)
        case .compliant:
            let mergeable = operations.filter { $0.op == .replace && $0.path?.filter == nil }
            guard mergeable.count >= 2 else { return SCIMRequest.PatchRequest(operations) }
            let separate = operations.filter { $0.op != .replace || $0.path?.filter != nil }
            let merged = PatchOperation(
                op: .replace, path: nil, value: .object(mergeable.map { ($0.path?.description ?? "", $0.value ?? .null) }))
            return SCIMRequest.PatchRequest(separate + [merged])
        }
    }
}
