public import JSONValues

/// One SCIM request as a value (RFC 7644 §3): what is asked of which resource type, with a typed
/// filter, typed PATCH operations and the projection of the answer.
///
/// Deciding a request and executing it are separate: the provisioner makes these values, the
/// transform writes them, the host decodes HTTP into them and executes them against a connector.
/// ``init(method:path:query:body:types:)`` decodes HTTP and ``http`` encodes it, both here, once.
public struct SCIMRequest: Hashable, Sendable {
    /// What is asked.
    public enum Operation: Hashable, Sendable {
        /// `GET /Users?filter=…`, `POST /Users/.search`, or, without a resource type, `POST /.search`.
        case search(Search)
        case get(id: String)
        /// `POST /Users` with the resource.
        case create(JSON)
        /// `PUT /Users/{id}`: the whole resource.
        case replace(id: String, JSON)
        case patch(id: String, PatchRequest)
        case delete(id: String)
        /// `GET /ServiceProviderConfig`.
        case serviceProviderConfig
        /// `GET /ResourceTypes`, or one of them by name.
        case resourceTypes(name: String?)
        /// `GET /Schemas`, or one of them by URN.
        case schemas(id: String?)
    }

    /// The resource type addressed; nil for the discovery endpoints and a search of all types.
    public var resourceType: ResourceType?
    public var operation: Operation
    /// `attributes`: only these (and `id`, `schemas`) are returned; empty for all.
    public var attributes: [AttributePath]
    /// `excludedAttributes`: these are not returned.
    public var excludedAttributes: [AttributePath]

    public init(
        _ resourceType: ResourceType?, _ operation: Operation, attributes: [AttributePath] = [], excludedAttributes: [AttributePath] = []
    ) {
        self.resourceType = resourceType
        self.operation = operation
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
    }

    /// The parameters of a query (RFC 7644 §3.4.2).
    public struct Search: Hashable, Sendable {
        public var filter: Filter?
        /// 1-based; nil is 1.
        public var startIndex: Int?
        /// nil lets the server choose.
        public var count: Int?
        /// Sent as `POST …/.search` with the parameters in the body, rather than `GET` with them in the query.
        public var usesPost: Bool

        /// A query; every parameter is optional.
        public init(filter: Filter? = nil, startIndex: Int? = nil, count: Int? = nil, usesPost: Bool = false) {
            self.filter = filter
            self.startIndex = startIndex
            self.count = count
            self.usesPost = usesPost
        }
    }

    /// The operations of a `PATCH` (a PatchOp message), in order.
    public struct PatchRequest: Hashable, Sendable {
        public var operations: [PatchOperation]
        /// How `op` is spelt on the wire: RFC 7644's `add`, or `Add` as Entra's legacy client sends it.
        public var opSpelling: OpSpelling

        public enum OpSpelling: Hashable, Sendable {
            case lowercase
            case capitalized
        }

        /// The operations, applied in order, all or nothing.
        public init(_ operations: [PatchOperation], opSpelling: OpSpelling = .lowercase) {
            self.operations = operations
            self.opSpelling = opSpelling
        }
    }
}

extension SCIMRequest {
    /// `GET /Users?filter=…` (or the endpoint of `type`).
    public static func search(_ type: ResourceType, filter: Filter?, startIndex: Int? = nil, count: Int? = nil) -> SCIMRequest {
        SCIMRequest(type, .search(Search(filter: filter, startIndex: startIndex, count: count)))
    }

    /// `GET /Users/{id}`.
    public static func get(_ type: ResourceType, id: String) -> SCIMRequest { SCIMRequest(type, .get(id: id)) }

    /// `POST /Users` with `resource`.
    public static func create(_ type: ResourceType, _ resource: JSON) -> SCIMRequest { SCIMRequest(type, .create(resource)) }

    /// `PUT /Users/{id}` with the whole `resource`.
    public static func replace(_ type: ResourceType, id: String, _ resource: JSON) -> SCIMRequest {
        SCIMRequest(type, .replace(id: id, resource))
    }

    /// `PATCH /Users/{id}` with `patch`'s operations.
    public static func patch(_ type: ResourceType, id: String, _ patch: PatchRequest) -> SCIMRequest {
        SCIMRequest(type, .patch(id: id, patch))
    }

    /// `DELETE /Users/{id}`.
    public static func delete(_ type: ResourceType, id: String) -> SCIMRequest { SCIMRequest(type, .delete(id: id)) }
}
