public import JSONValues

/// The answer to a ``SCIMRequest``: an HTTP status, the JSON body when there is one, and the
/// `Location` of a created resource. Errors are answers too (``init(error:)``), with the SCIM
/// error body (RFC 7644 §3.12).
public struct SCIMResponse: Hashable, Sendable {
    public var status: Int
    public var body: JSON?
    /// The `Location` header: the URL of the resource a `POST` created.
    public var location: String?
    /// The `Retry-After` header of a 503, in seconds.
    public var retryAfter: Int?

    /// A response: its HTTP status, a body, and for a created resource its `Location`.
    public init(status: Int, body: JSON? = nil, location: String? = nil) {
        self.status = status
        self.body = body
        self.location = location
    }

    /// `200 OK` with `body`.
    public static func ok(_ body: JSON) -> SCIMResponse { SCIMResponse(status: 200, body: body) }

    /// `204 No Content`.
    public static let noContent = SCIMResponse(status: 204)

    /// The error's status and SCIM error body.
    public init(error: SCIMError) {
        self.init(status: error.status, body: error.body)
        retryAfter = error.status == 503 ? error.retryAfter ?? 5 : nil
    }
}
