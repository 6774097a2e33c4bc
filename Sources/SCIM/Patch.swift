public import JSONValues

/// One PATCH operation (RFC 7644 §3.5.2).
public struct PatchOperation: Sendable, Hashable {
    /// The three PATCH operations; decoding accepts any case (Entra's legacy client sends `Add`).
    public enum Op: String, Sendable {
        case add, replace, remove
    }

    public var op: Op
    public var path: AttributePath?
    public var value: JSON?

    /// An operation; without a path, `value` is an object of attributes to add or replace.
    public init(op: Op, path: AttributePath?, value: JSON?) {
        self.op = op
        self.path = path
        self.value = value
    }
}

/// Reading and applying PATCH requests, with every quirk of Entra's SCIM client accepted: `op` in
/// any case, `"True"`/`"False"` strings for booleans, a path-less `replace` whose keys are paths
/// (`name.givenName`, `urn:…:User:employeeNumber`), a filtered path that creates the element it
/// does not find, member removal by filter or by value array, an array value for `manager`, and a
/// stray `id` at the top level or `name` inside an operation (both ignored).
public enum Patch {
    /// The operations of a PatchOp body.
    public static func operations(_ body: JSON) throws(SCIMError) -> [PatchOperation] {
        guard case .object = body else { throw .badRequest(.invalidSyntax, "a PATCH body must be a JSON object") }
        if let schemas = body.member("schemas")?.arrayValue,
            !schemas.contains(where: { $0.stringValue?.equalsIgnoringCase(SchemaURN.patchOp) == true })
        {
            throw .badRequest(.invalidSyntax, "a PATCH body must list the schema '\(SchemaURN.patchOp)'")
        }
        guard let list = body.member("Operations")?.arrayValue else {
            throw .badRequest(.invalidSyntax, "a PATCH body needs an 'Operations' array")
        }
        var operations: [PatchOperation] = []
        for (index, item) in list.enumerated() {
            guard case .object = item else { throw .badRequest(.invalidSyntax, "operation \(index + 1) is not an object") }
            guard let opText = item.member("op")?.stringValue, let op = PatchOperation.Op(rawValue: opText.lowercased()) else {
                throw .badRequest(.invalidSyntax, "operation \(index + 1): 'op' must be add, replace or remove")
            }
            var path: AttributePath?
            if let pathText = item.member("path")?.stringValue, !pathText.isEmpty {
                do {
                    path = try AttributePath.parse(pathText)
                } catch {
                    throw .badRequest(.invalidPath, "operation \(index + 1): invalid path '\(pathText)': \(error.message)")
                }
            }
            let value = item.member("value")
            if op != .remove, value == nil {
                throw .badRequest(.invalidValue, "operation \(index + 1): '\(op.rawValue)' needs a value")
            }
            if op == .remove, path == nil {
                throw .badRequest(.noTarget, "operation \(index + 1): 'remove' needs a path")
            }
            operations.append(PatchOperation(op: op, path: path, value: value))
        }
        return operations
    }

    /// `resource` with `operations` applied in order; all or nothing.
    public static func apply(_ operations: [PatchOperation], to resource: JSON, definition: ResourceDefinition) throws(SCIMError) -> JSON {
        var members = resource.objectValue ?? []
        for operation in operations {
            try apply(operation, to: &members, definition: definition)
        }
        return .object(members)
    }

    static let ignored = ["id", "meta", "schemas"]

    static func apply(_ operation: PatchOperation, to members: inout [(String, JSON)], definition: ResourceDefinition) throws(SCIMError) {
        guard let rawPath = operation.path else {
            // Path-less add or replace: each key is an attribute, an extension, or (Entra) a path.
            guard case .object(let entries)? = operation.value else {
                throw .badRequest(.invalidValue, "an '\(operation.op.rawValue)' without path needs an object value")
            }
            for (key, value) in entries {
                if ignored.contains(where: { key.equalsIgnoringCase($0) }) { continue }
                if let ext = definition.extension(key), case .object(let inner) = value {
                    for (name, member) in inner {
                        let path = AttributePath(schema: ext.id, name: name)
                        try apply(PatchOperation(op: operation.op, path: path, value: member), to: &members, definition: definition)
                    }
                    continue
                }
                let path: AttributePath
                do { path = try AttributePath.parse(key) } catch {
                    throw .badRequest(.invalidPath, "invalid attribute '\(key)' in the value: \(error.message)")
                }
                try apply(PatchOperation(op: operation.op, path: path, value: value), to: &members, definition: definition)
            }
            return
        }
        if let ext = definition.wholeExtension(rawPath) {
            // The whole extension: each member of the value, or all of it removed.
            if operation.op == .remove {
                members.removeMember(ext.id)
                return
            }
            guard case .object(let inner)? = operation.value else {
                throw .badRequest(.invalidValue, "the value of '\(ext.id)' must be an object of its attributes")
            }
            if operation.op == .replace { members.removeMember(ext.id) }
            for (name, member) in inner where !name.equalsIgnoringCase("schemas") {
                try apply(PatchOperation(op: operation.op, path: AttributePath(schema: ext.id, name: name), value: member), to: &members, definition: definition)
            }
            return
        }
        let path = definition.resolve(rawPath)
        if path.schema == nil, ignored.contains(where: { path.name.equalsIgnoringCase($0) }) { return }
        let definitionEntry = definition.attribute(at: path)
        if let attribute = definitionEntry?.attribute, attribute.mutability == .readOnly { return }

        // The container: the resource, or the extension object.
        if let schema = path.schema {
            let key = members.first { $0.0.equalsIgnoringCase(schema) }?.0 ?? schema
            var inner = members.member(key)?.objectValue ?? []
            try apply(operation, path: path, attribute: definitionEntry?.attribute, to: &inner, definition: definition)
            if inner.isEmpty { members.removeMember(key) } else { members.put(key, .object(inner)) }
        } else {
            try apply(operation, path: path, attribute: definitionEntry?.attribute, to: &members, definition: definition)
        }
    }

    /// Applies to the attribute `path.name` inside `container`.
    static func apply(
        _ operation: PatchOperation, path: AttributePath, attribute: Schema.Attribute?, to container: inout [(String, JSON)],
        definition: ResourceDefinition
    ) throws(SCIMError) {
        let name = container.first { $0.0.equalsIgnoringCase(path.name) }?.0 ?? path.name
        let current = container.member(name)
        var value = operation.value.map { v in attribute.map { definition.coerce(v, as: $0) } ?? v }
        // Entra sends the single-valued manager as an array of one reference.
        if let attribute, !attribute.multiValued, attribute.type == .complex, path.subAttribute == nil, path.filter == nil,
            case .array(let elements)? = value
        {
            value = elements.first
        }
        if let attribute, attribute.type == .complex, !attribute.multiValued, path.subAttribute == nil, case .string(let text)? = value {
            value = .object([("value", .string(text))])
        }

        switch operation.op {
        case .remove:
            guard let current else { return }
            if let filter = path.filter {
                var elements = current.arrayValue ?? [current]
                if let sub = path.subAttribute {
                    elements = elements.map { element in
                        guard Resource.matches(filter, element), case .object(var inner) = element else { return element }
                        inner.removeMember(sub)
                        return .object(inner)
                    }
                } else {
                    elements.removeAll { Resource.matches(filter, $0) }
                }
                set(name, elements.isEmpty ? nil : .array(elements), in: &container)
            } else if let sub = path.subAttribute {
                if case .array(let elements) = current {
                    set(name, .array(elements.map { element in
                        guard case .object(var inner) = element else { return element }
                        inner.removeMember(sub)
                        return .object(inner)
                    }), in: &container)
                } else if case .object(var inner) = current {
                    inner.removeMember(sub)
                    set(name, inner.isEmpty ? nil : .object(inner), in: &container)
                }
            } else if case .array(let removals)? = value, case .array(let elements) = current {
                // Entra's legacy member removal: {"op":"Remove","path":"members","value":[{"value":"id"}]}.
                let ids = Set(removals.compactMap { $0.member("value")?.comparableText })
                let kept = elements.filter { element in !ids.contains(element.member("value")?.comparableText ?? "\u{0}") }
                set(name, kept.isEmpty ? nil : .array(kept), in: &container)
            } else {
                if attribute?.required == true {
                    throw .badRequest(.mutability, "'\(path)' is required and cannot be removed")
                }
                set(name, nil, in: &container)
            }

        case .add, .replace:
            guard let value else { return }
            if let filter = path.filter {
                var elements = current?.arrayValue ?? (current.map { [$0] } ?? [])
                let matching = elements.indices.filter { Resource.matches(filter, elements[$0]) }
                let subAttribute = path.subAttribute.flatMap { attribute?.subAttribute($0) }
                let coerced = subAttribute.map { definition.coerce(value, as: $0) } ?? value
                if matching.isEmpty {
                    // Entra: replacing emails[type eq "work"].value creates the work email.
                    var element = equalities(in: filter, attribute: attribute)
                    if let sub = path.subAttribute {
                        element.put(sub, coerced)
                    } else if case .object(let fields) = value {
                        for (key, field) in fields { element.put(key, field) }
                    } else {
                        throw .badRequest(.noTarget, "no element of '\(path.name)' matches the filter [\(filter)]")
                    }
                    elements.append(.object(element))
                } else {
                    for index in matching {
                        guard case .object(var element) = elements[index] else { continue }
                        if let sub = path.subAttribute {
                            element.put(sub, coerced)
                        } else if case .object(let fields) = value {
                            if operation.op == .replace { element = [] }
                            for (key, field) in fields { element.put(key, field) }
                        }
                        elements[index] = .object(element)
                    }
                }
                set(name, .array(elements), in: &container)
            } else if let sub = path.subAttribute {
                if case .array(let elements)? = current {
                    set(name, .array(elements.map { element in
                        guard case .object(var inner) = element else { return element }
                        inner.put(sub, value)
                        return .object(inner)
                    }), in: &container)
                } else {
                    var inner = current?.objectValue ?? []
                    inner.put(sub, value)
                    set(name, .object(inner), in: &container)
                }
            } else if attribute?.multiValued == true || (attribute == nil && current?.arrayValue != nil) {
                let incoming = value.arrayValue ?? [value]
                if operation.op == .replace {
                    set(name, .array(incoming), in: &container)
                } else {
                    var elements = current?.arrayValue ?? (current.map { [$0] } ?? [])
                    for element in incoming.map(withoutNullMembers) {
                        // An element with the same `value` is the same element (a member added twice).
                        if let key = element.member("value"), let index = elements.firstIndex(where: { $0.member("value") == key }) {
                            if case .object(var existing) = elements[index], case .object(let fields) = element {
                                for (field, fieldValue) in fields { existing.put(field, fieldValue) }
                                elements[index] = .object(existing)
                            }
                        } else if !elements.contains(element) {
                            elements.append(element)
                        }
                    }
                    set(name, .array(elements), in: &container)
                }
            } else if operation.op == .add, case .object(let fields) = value, case .object(var inner)? = current {
                for (key, field) in fields { inner.put(key, field) }
                set(name, .object(inner), in: &container)
            } else if value == .null {
                if attribute?.required == true { throw .badRequest(.mutability, "'\(path)' is required and cannot be removed") }
                set(name, nil, in: &container)
            } else {
                set(name, value, in: &container)
            }
        }
    }

    /// What a new element created by a filtered path carries: the filter's `attr eq value` pairs.
    static func equalities(in filter: Filter, attribute: Schema.Attribute?) -> [(String, JSON)] {
        switch filter {
        case .compare(let path, .eq, let value):
            let sub = attribute?.subAttribute(path.name)
            let stored: JSON = sub?.type == .boolean ? (value.comparableText?.lowercased() == "true" ? .bool(true) : .bool(false)) : value
            return [(path.name, stored)]
        case .and(let lhs, let rhs): return equalities(in: lhs, attribute: attribute) + equalities(in: rhs, attribute: attribute)
        default: return []
        }
    }

    /// An element without its null members (`"$ref": null` in Entra's member additions).
    static func withoutNullMembers(_ element: JSON) -> JSON {
        guard case .object(let members) = element else { return element }
        return .object(members.filter { $0.1 != .null })
    }

    static func set(_ key: String, _ value: JSON?, in members: inout [(String, JSON)]) {
        if let value { members.put(key, value) } else { members.removeMember(key) }
    }
}
