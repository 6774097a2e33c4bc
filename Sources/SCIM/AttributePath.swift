/// A SCIM attribute path (RFC 7644 §3.10 and the PATCH `PATH` of §3.5.2), as Entra writes target
/// attributes: `userName`, `name.givenName`, `emails[type eq "work"].value`,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`, or an ECMA host
/// attribute such as `urn:…:ECMA2Host:2.0:User:-dn-`.
///
/// Names keep the case they were written in (SCIM compares them without case); ECMA attribute
/// names may start with `-` or `_`, which the RFC grammar does not allow but Entra sends.
public struct AttributePath: Hashable, Sendable, CustomStringConvertible {
    /// The schema URN for an attribute written with one (`urn:…:User`), else nil (core schema).
    public var schema: String?
    public var name: String
    /// A value filter selecting elements of a multi-valued attribute (`[type eq "work"]`).
    public var filter: Filter?
    public var subAttribute: String?

    /// A path such as `emails[type eq "work"].value`: an optional schema URN, the attribute, an
    /// optional value filter and an optional sub-attribute.
    public init(schema: String? = nil, name: String, filter: Filter? = nil, subAttribute: String? = nil) {
        self.schema = schema
        self.name = name
        self.filter = filter
        self.subAttribute = subAttribute
    }

    /// Parses a whole path. Throws with the offset of the first problem.
    public static func parse(_ text: String) throws(FilterSyntaxError) -> AttributePath {
        var parser = FilterParser(text)
        let path = try parser.readPath(allowingFilter: true)
        try parser.expectEnd()
        return path
    }

    /// Whether the path lives in an extension schema (not the core User or Group schema).
    public var isExtension: Bool {
        guard let schema else { return false }
        return !SchemaURN.isCore(schema)
    }

    /// The path without its schema URN when that URN is the core schema.
    public var withoutCoreSchema: AttributePath {
        var path = self
        if let schema, SchemaURN.isCore(schema) { path.schema = nil }
        return path
    }

    /// Canonical text: `urn:…:attr`, `name.sub`, `emails[type eq "work"].value`.
    public var description: String {
        var text = schema.map { "\($0):" } ?? ""
        text += name
        if let filter { text += "[\(filter)]" }
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }

    /// Compares names the SCIM way: schema and attribute names without case.
    public func matches(_ other: AttributePath) -> Bool {
        let lhs = withoutCoreSchema, rhs = other.withoutCoreSchema
        return lhs.schema?.lowercased() == rhs.schema?.lowercased() && lhs.name.lowercased() == rhs.name.lowercased()
            && lhs.subAttribute?.lowercased() == rhs.subAttribute?.lowercased() && lhs.filter == rhs.filter
    }
}

/// A syntax error in a SCIM filter or attribute path, with the UTF-8 offset where it was found.
public struct FilterSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    /// An error at `offset` characters into the text.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at offset \(offset))" }
}
