package import JSONValues
package import SCIM

/// `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`.
package enum Discovery {
    /// The most resources one page returns when the client does not say.
    package static let maxResults = 1000

    package static func serviceProviderConfig(base: String) -> JSON {
        func supported(_ flag: Bool) -> JSON { .object([("supported", .bool(flag))]) }
        return .object([
            ("schemas", .array([.string("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")])),
            ("patch", supported(true)),
            ("bulk", .object([("supported", .bool(false)), ("maxOperations", .number("0")), ("maxPayloadSize", .number("0"))])),
            ("filter", .object([("supported", .bool(true)), ("maxResults", .number(String(maxResults)))])),
            ("changePassword", supported(true)),
            ("sort", supported(false)),
            ("etag", supported(false)),
            ("authenticationSchemes", .array([.object([
                ("type", .string("oauthbearertoken")), ("name", .string("Secret token")),
                ("description", .string("The connector's secret token, sent as 'Authorization: Bearer <token>'")),
                ("primary", .bool(true)),
            ])])),
            ("meta", .object([("resourceType", .string("ServiceProviderConfig")), ("location", .string("\(base)/ServiceProviderConfig"))])),
        ])
    }

    package static func resourceType(_ definition: ResourceDefinition, base: String) -> JSON {
        .object([
            ("schemas", .array([.string("urn:ietf:params:scim:schemas:core:2.0:ResourceType")])),
            ("id", .string(definition.name)), ("name", .string(definition.name)), ("endpoint", .string(definition.endpoint)),
            ("description", .string(definition.name == "User" ? "User Account" : definition.name == "Group" ? "Group" : definition.schema.description)),
            ("schema", .string(definition.schema.id)),
            ("schemaExtensions", .array(definition.extensions.map { .object([("schema", .string($0.id)), ("required", .bool(false))]) })),
            ("meta", .object([("resourceType", .string("ResourceType")), ("location", .string("\(base)/ResourceTypes/\(definition.name)"))])),
        ])
    }

    package static func schemas(_ definitions: [ResourceDefinition]) -> [Schema] {
        var seen: Set<String> = []
        var result: [Schema] = []
        for definition in definitions {
            for schema in [definition.schema] + definition.extensions where seen.insert(schema.id).inserted { result.append(schema) }
        }
        return result
    }
}
