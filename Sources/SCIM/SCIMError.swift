public import JSONValues

/// A SCIM error (RFC 7644 §3.12): an HTTP status, an optional `scimType` and a detail, written as
/// the SCIM error body `{"schemas": [...Error], "status": "400", "scimType": …, "detail": …}`.
public struct SCIMError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int
    public var scimType: ScimType?
    public var detail: String
    /// For a 503: in how many seconds the client may try again (the `Retry-After` header).
    public var retryAfter: Int?

    /// The `scimType` values of RFC 7644 §3.12.
    public enum ScimType: String, Sendable, Hashable {
        case invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue, invalidVers, sensitive
    }

    /// An error with its HTTP status, an optional `scimType` and a sentence for people.
    public init(status: Int, scimType: ScimType? = nil, _ detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// 400 with a `scimType`.
    public static func badRequest(_ scimType: ScimType, _ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: scimType, detail)
    }

    /// 404.
    public static func notFound(_ detail: String) -> SCIMError { SCIMError(status: 404, detail) }

    /// 409 with `scimType` `uniqueness`: another resource already holds the value.
    public static func conflict(_ detail: String) -> SCIMError { SCIMError(status: 409, scimType: .uniqueness, detail) }

    public var body: JSON {
        var members: [(String, JSON)] = [("schemas", .array([.string(SchemaURN.error)])), ("status", .string(String(status)))]
        if let scimType { members.append(("scimType", .string(scimType.rawValue))) }
        members.append(("detail", .string(detail)))
        return .object(members)
    }

    public var description: String { "\(status)\(scimType.map { " \($0.rawValue)" } ?? ""): \(detail)" }
}
