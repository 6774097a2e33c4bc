/// The URNs of the SCIM schemas and messages that Entra's requests use.
public enum SchemaURN {
    public static let coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let coreGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"
    /// Microsoft's ECMA Connector Host extension: every connector attribute lives under it.
    public static let ecma2HostUser = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    /// The schema of a connector's object type `name` under the ECMA2Host namespace: for users the
    /// extension above, for a type other than users and groups (`Device`) its core schema, whose
    /// attributes are the connector's.
    public static func ecma2Host(_ name: String) -> String { "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:\(name)" }
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

    /// Whether `urn` names the core User or Group schema (compared without case).
    public static func isCore(_ urn: String) -> Bool {
        urn.equalsIgnoringCase(coreUser) || urn.equalsIgnoringCase(coreGroup)
    }
}

extension String {
    /// Equality without ASCII case, without allocating: SCIM names and URNs are ASCII.
    public func equalsIgnoringCase(_ other: String) -> Bool {
        if self == other { return true }
        var lhs = utf8.makeIterator()
        var rhs = other.utf8.makeIterator()
        while true {
            switch (lhs.next(), rhs.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a == b { continue }
                let foldedA = a >= 0x41 && a <= 0x5A ? a | 0x20 : a
                let foldedB = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                if foldedA != foldedB { return false }
            default: return false
            }
        }
    }
}
