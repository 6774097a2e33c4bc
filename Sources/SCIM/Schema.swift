public import JSONValues

/// A SCIM schema (RFC 7643 §7): the attributes of a resource type or an extension.
public struct Schema: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [Attribute]

    /// A schema by its URN, with its attributes.
    public init(id: String, name: String, description: String, attributes: [Attribute]) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
    }

    /// One attribute definition.
    public struct Attribute: Sendable, Hashable {
        /// An attribute's type (RFC 7643 §2.3).
        public enum DataType: String, Sendable {
            case string, boolean, decimal, integer, dateTime, reference, complex, binary
        }

        /// Whether and when an attribute can be written (RFC 7643 §7).
        public enum Mutability: String, Sendable {
            case readOnly, readWrite, immutable, writeOnly
        }

        /// When an attribute is returned (RFC 7643 §7).
        public enum Returned: String, Sendable {
            case always, never, `default`, request
        }

        /// How an attribute's values must be unique (RFC 7643 §7).
        public enum Uniqueness: String, Sendable {
            case none, server, global
        }

        public var name: String
        public var type: DataType
        public var multiValued: Bool
        public var required: Bool
        public var caseExact: Bool
        public var mutability: Mutability
        public var returned: Returned
        public var uniqueness: Uniqueness
        public var subAttributes: [Attribute]
        public var referenceTypes: [String]
        public var canonicalValues: [String]
        public var description: String

        public init(
            _ name: String, _ type: DataType = .string, multiValued: Bool = false, required: Bool = false, caseExact: Bool = false,
            mutability: Mutability = .readWrite, returned: Returned = .default, uniqueness: Uniqueness = .none,
            subAttributes: [Attribute] = [], referenceTypes: [String] = [], canonicalValues: [String] = [], description: String = ""
        ) {
            self.name = name
            self.type = type
            self.multiValued = multiValued
            self.required = required
            self.caseExact = caseExact
            self.mutability = mutability
            self.returned = returned
            self.uniqueness = uniqueness
            self.subAttributes = subAttributes
            self.referenceTypes = referenceTypes
            self.canonicalValues = canonicalValues
            self.description = description
        }

        /// The sub-attribute named `name`, compared without case.
        public func subAttribute(_ name: String) -> Attribute? {
            subAttributes.first { $0.name.equalsIgnoringCase(name) }
        }

        public var json: JSON {
            var members: [(String, JSON)] = [
                ("name", .string(name)), ("type", .string(type.rawValue)), ("multiValued", .bool(multiValued)),
                ("description", .string(description.isEmpty ? name : description)), ("required", .bool(required)),
            ]
            if type == .string || type == .reference || type == .binary { members.append(("caseExact", .bool(caseExact))) }
            if !canonicalValues.isEmpty { members.append(("canonicalValues", .array(canonicalValues.map(JSON.string)))) }
            members.append(("mutability", .string(mutability.rawValue)))
            members.append(("returned", .string(returned.rawValue)))
            if type != .complex, type != .boolean { members.append(("uniqueness", .string(uniqueness.rawValue))) }
            if !referenceTypes.isEmpty { members.append(("referenceTypes", .array(referenceTypes.map(JSON.string)))) }
            if !subAttributes.isEmpty { members.append(("subAttributes", .array(subAttributes.map(\.json)))) }
            return .object(members)
        }
    }

    /// The attribute named `name`, compared without case.
    public func attribute(_ name: String) -> Attribute? {
        attributes.first { $0.name.equalsIgnoringCase(name) }
    }

    /// The Schema resource as `/Schemas` returns it.
    public func json(location: String) -> JSON {
        .object([
            ("schemas", .array([.string("urn:ietf:params:scim:schemas:core:2.0:Schema")])),
            ("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
            ("attributes", .array(attributes.map(\.json))),
            ("meta", .object([("resourceType", .string("Schema")), ("location", .string(location))])),
        ])
    }
}

extension Schema {
    private typealias A = Attribute

    private static func multiValuedComplex(_ name: String, value: Attribute = A("value"), types: [String] = [], extra: [Attribute] = []) -> Attribute {
        A(name, .complex, multiValued: true, subAttributes: [
            value, A("display"), A("type", canonicalValues: types), A("primary", .boolean),
        ] + extra)
    }

    /// The core User schema (RFC 7643 §4.1).
    public static let user = Schema(
        id: SchemaURN.coreUser, name: "User", description: "User Account",
        attributes: [
            A("userName", required: true, uniqueness: .server),
            A("name", .complex, subAttributes: [
                A("formatted"), A("familyName"), A("givenName"), A("middleName"), A("honorificPrefix"), A("honorificSuffix"),
            ]),
            A("displayName"), A("nickName"), A("profileUrl", .reference, referenceTypes: ["external"]), A("title"), A("userType"),
            A("preferredLanguage"), A("locale"), A("timezone"), A("active", .boolean),
            A("password", mutability: .writeOnly, returned: .never),
            multiValuedComplex("emails", types: ["work", "home", "other"]),
            multiValuedComplex("phoneNumbers", types: ["work", "home", "mobile", "fax", "pager", "other"]),
            multiValuedComplex("ims", types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
            multiValuedComplex("photos", value: A("value", .reference, referenceTypes: ["external"]), types: ["photo", "thumbnail"]),
            A("addresses", .complex, multiValued: true, subAttributes: [
                A("formatted"), A("streetAddress"), A("locality"), A("region"), A("postalCode"), A("country"),
                A("type", canonicalValues: ["work", "home", "other"]), A("primary", .boolean),
            ]),
            A("groups", .complex, multiValued: true, mutability: .readOnly, subAttributes: [
                A("value", mutability: .readOnly), A("$ref", .reference, mutability: .readOnly, referenceTypes: ["User", "Group"]),
                A("display", mutability: .readOnly), A("type", mutability: .readOnly, canonicalValues: ["direct", "indirect"]),
            ]),
            multiValuedComplex("entitlements"),
            multiValuedComplex("roles"),
            multiValuedComplex("x509Certificates", value: A("value", .binary)),
        ])

    /// The core Group schema (RFC 7643 §4.2).
    public static let group = Schema(
        id: SchemaURN.coreGroup, name: "Group", description: "Group",
        attributes: [
            A("displayName", required: true),
            A("members", .complex, multiValued: true, subAttributes: [
                A("value", mutability: .immutable), A("$ref", .reference, mutability: .immutable, referenceTypes: ["User", "Group"]),
                A("display", mutability: .readOnly), A("type", mutability: .immutable, canonicalValues: ["User", "Group"]),
            ]),
        ])

    /// The enterprise User extension (RFC 7643 §4.3).
    public static let enterpriseUser = Schema(
        id: SchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            A("employeeNumber"), A("costCenter"), A("organization"), A("division"), A("department"),
            A("manager", .complex, subAttributes: [
                A("value"), A("$ref", .reference, referenceTypes: ["User"]), A("displayName", mutability: .readOnly),
            ]),
        ])

    /// The ECMA Connector Host extension: the connector's attributes under their exact names.
    public static func ecma2Host(_ attributes: [Attribute]) -> Schema {
        Schema(id: SchemaURN.ecma2HostUser, name: "ECMA2Host", description: "The connector's attributes", attributes: attributes)
    }
}
