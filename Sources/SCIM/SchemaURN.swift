/// The URNs of the SCIM schemas and messages that Entra's requests use.
public enum SchemaURN {
    public static let coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let coreGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"
    /// Microsoft's ECMA Connector Host extension: every connector attribute lives under it.
    public static let ecma2HostUser = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

    /// Whether `urn` names the core User or Group schema (compared without case).
    public static func isCore(_ urn: String) -> Bool {
        let lowered = urn.lowercased()
        return lowered == coreUser.lowercased() || lowered == coreGroup.lowercased()
    }
}
