public import JSONValues

/// A resource type the host serves: its endpoint, core schema and extensions (RFC 7643 §6).
public struct ResourceDefinition: Sendable {
    /// `User`, `Group`, or a connector's own type (`Device`).
    public var name: String
    /// `/Users`, `/Groups`, `/Devices`.
    public var endpoint: String
    /// The core schema (`urn:ietf:params:scim:schemas:core:2.0:User` for users).
    public var schema: Schema
    /// The schema extensions, such as the enterprise user or a connector's own.
    public var extensions: [Schema]

    /// A resource type served at `endpoint` (such as `/Users`).
    public init(name: String, endpoint: String, schema: Schema, extensions: [Schema] = []) {
        self.name = name
        self.endpoint = endpoint
        self.schema = schema
        self.extensions = extensions
    }

    /// The resource type this defines.
    public var resourceType: ResourceType { ResourceType(name: name, endpoint: endpoint) }

    /// The extension whose URN is `urn`, compared without case.
    public func `extension`(_ urn: String) -> Schema? {
        extensions.first { $0.id.equalsIgnoringCase(urn) }
    }

    /// The extension a path names as a whole (`urn:…:enterprise:2.0:User`, which reads as the
    /// attribute `User` of a schema `urn:…:enterprise:2.0`).
    public func wholeExtension(_ path: AttributePath) -> Schema? {
        guard let schema = path.schema, path.filter == nil, path.subAttribute == nil else { return nil }
        return self.extension("\(schema):\(path.name)")
    }

    /// The path with its schema made explicit: a bare name that the core schema lacks but exactly
    /// one extension has (Entra's `manager`, an ECMA attribute such as `ContosoLogin` or
    /// `PLACEHOLDER`-style names) is placed in that extension; the core URN is dropped.
    public func resolve(_ path: AttributePath) -> AttributePath {
        var resolved = path.withoutCoreSchema
        if resolved.schema == nil, schema.attribute(resolved.name) == nil {
            let owners = extensions.filter { $0.attribute(resolved.name) != nil }
            if owners.count == 1 { resolved.schema = owners[0].id }
        }
        if let filter = resolved.filter { resolved.filter = resolve(filter, within: resolved) }
        return resolved
    }

    /// A filter with each of its paths resolved; inside a value filter, names are sub-attributes.
    public func resolve(_ filter: Filter, within parent: AttributePath? = nil) -> Filter {
        func path(_ p: AttributePath) -> AttributePath { parent == nil ? resolve(p) : p }
        switch filter {
        case .compare(let p, let comparison, let value): return .compare(path(p), comparison, value)
        case .present(let p): return .present(path(p))
        case .valuePath(let p): return .valuePath(path(p))
        case .and(let lhs, let rhs): return .and(resolve(lhs, within: parent), resolve(rhs, within: parent))
        case .or(let lhs, let rhs): return .or(resolve(lhs, within: parent), resolve(rhs, within: parent))
        case .not(let inner): return .not(resolve(inner, within: parent))
        }
    }

    /// The definition of the attribute at `path` (resolved), and of its sub-attribute when it names one.
    public func attribute(at path: AttributePath) -> (attribute: Schema.Attribute, sub: Schema.Attribute?)? {
        let owner: Schema? = path.schema.map { self.extension($0) } ?? schema
        guard let attribute = owner?.attribute(path.name) else { return nil }
        return (attribute, path.subAttribute.flatMap { attribute.subAttribute($0) })
    }

    /// `value` with strings made booleans where the schema says boolean (`"True"`, `"false"`), as
    /// Entra's legacy requests send them; recursively for complex values.
    public func coerce(_ value: JSON, as attribute: Schema.Attribute) -> JSON {
        switch (attribute.type, value) {
        case (.boolean, .string(let text)):
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return value
            }
        case (.complex, .object(let members)):
            return .object(members.map { key, member in
                (key, attribute.subAttribute(key).map { coerce(member, as: $0) } ?? member)
            })
        case (_, .array(let elements)) where attribute.multiValued:
            var single = attribute
            single.multiValued = false
            return .array(elements.map { coerce($0, as: single) })
        default:
            return value
        }
    }

    /// Coerces every attribute of a whole resource.
    public func coerce(resource: JSON) -> JSON {
        guard case .object(let members) = resource else { return resource }
        return .object(members.map { key, value in
            // A core attribute under its schema's spelling (`UserName` is `userName`): stores index it by that name.
            if let attribute = schema.attribute(key) { return (attribute.name, coerce(value, as: attribute)) }
            if let ext = self.extension(key), case .object(let inner) = value {
                return (key, .object(inner.map { name, member in (name, ext.attribute(name).map { coerce(member, as: $0) } ?? member) }))
            }
            return (key, value)
        })
    }
}
