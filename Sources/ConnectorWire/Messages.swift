public import JSONValues

/// The messages of the process connector protocol (Documentation/process-connector-protocol.md):
/// what `attrmap serve` and a connector process write to each other, one JSON object a line.
public enum ConnectorWire {
    /// The protocol versions this module speaks.
    public static let protocols = [1]
}

/// An object of the application: its anchor, its attributes, and where it stands on its own in
/// a request (`create`, `replace`), its type. In a delta import's page, a deleted object is its
/// anchor with ``deleted``.
public struct WireObject: Codable, Sendable, Hashable {
    public var objectType: String?
    public var anchor: String
    public var attributes: [String: JSON]
    /// The rest of the SCIM resource, for a connector that keeps it.
    public var document: JSON?
    public var deleted: Bool?

    private enum CodingKeys: String, CodingKey {
        case objectType, anchor, attributes, document, deleted
    }

    public init(objectType: String? = nil, anchor: String, attributes: [String: JSON] = [:], document: JSON? = nil, deleted: Bool? = nil) {
        self.objectType = objectType
        self.anchor = anchor
        self.attributes = attributes
        self.document = document
        self.deleted = deleted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        objectType = try container.decodeIfPresent(String.self, forKey: .objectType)
        anchor = try container.decode(String.self, forKey: .anchor)
        attributes = try container.decodeIfPresent([String: JSON].self, forKey: .attributes) ?? [:]
        document = try container.decodeIfPresent(JSON.self, forKey: .document)
        deleted = try container.decodeIfPresent(Bool.self, forKey: .deleted)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(objectType, forKey: .objectType)
        try container.encode(anchor, forKey: .anchor)
        if !attributes.isEmpty || deleted != true { try container.encode(attributes, forKey: .attributes) }
        try container.encodeIfPresent(document, forKey: .document)
        try container.encodeIfPresent(deleted, forKey: .deleted)
    }
}

/// A change to one attribute in an attribute-level `update`: new values (`replace`), no value
/// (`delete`), or values added and removed in a multi-valued attribute.
public struct WireChange: Codable, Sendable, Hashable {
    public var attribute: String
    public var replace: [JSON]?
    public var delete: Bool?
    public var add: [JSON]?
    public var remove: [JSON]?

    public init(attribute: String, replace: [JSON]? = nil, delete: Bool? = nil, add: [JSON]? = nil, remove: [JSON]? = nil) {
        self.attribute = attribute
        self.replace = replace
        self.delete = delete
        self.add = add
        self.remove = remove
    }
}

/// What a connector serves: its object types and their attributes.
public struct WireObjectType: Codable, Sendable, Hashable {
    public struct Attribute: Codable, Sendable, Hashable {
        public var name: String
        /// `string`, `boolean`, `integer`, `dateTime`, `reference` or `binary`; `string` when absent.
        public var type: String?
        public var multiValued: Bool?
        public var required: Bool?

        public init(name: String, type: String? = nil, multiValued: Bool? = nil, required: Bool? = nil) {
            self.name = name
            self.type = type
            self.multiValued = multiValued
            self.required = required
        }
    }

    public var name: String
    public var anchor: String
    public var keepsDocument: Bool?
    public var attributes: [Attribute]

    public init(name: String, anchor: String, keepsDocument: Bool? = nil, attributes: [Attribute]) {
        self.name = name
        self.anchor = anchor
        self.keepsDocument = keepsDocument
        self.attributes = attributes
    }
}

/// What a connector says it can do, in its answer to `hello`.
public struct WireCapabilities: Codable, Sendable, Hashable {
    /// The requests it answers, by their `op`.
    public var operations: [String]
    /// `replace` (the whole object, the default) or `update` (attribute-level changes).
    public var export: String?
    public var passwordWithCreate: Bool?
    /// How many requests it takes in flight at once; 1 when absent.
    public var concurrency: Int?
    public var partitions: [String]?

    public init(operations: [String], export: String? = nil, passwordWithCreate: Bool? = nil, concurrency: Int? = nil, partitions: [String]? = nil) {
        self.operations = operations
        self.export = export
        self.passwordWithCreate = passwordWithCreate
        self.concurrency = concurrency
        self.partitions = partitions
    }
}

/// A failure, as a connector reports it: a code of the protocol's table and the reason.
public struct WireError: Error, Codable, Sendable, Hashable {
    public var code: String
    public var message: String
    /// Seconds after which the application said to try again.
    public var retryAfter: Int?

    public init(code: String, message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The codes of the protocol.
    public static let codes = [
        "notFound", "alreadyExists", "invalidValue", "invalidPassword", "permissionDenied", "unavailable", "timedOut", "applicationFailed", "failed",
    ]
}

/// A request of the host, with its id.
public struct WireRequest: Codable, Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        /// The protocol versions the host speaks, its name, the connector's name in the
        /// configuration, and the entry's `settings`.
        case hello(protocols: [Int], host: String, connector: String, settings: JSON)
        case test
        case schema
        case importObjects(objectType: String)
        case watermark(objectType: String)
        case deltaImport(objectType: String, watermark: String)
        case get(objectType: String, anchor: String)
        case create(WireObject, password: String?)
        case replace(WireObject)
        case update(objectType: String, anchor: String, changes: [WireChange])
        case delete(objectType: String, anchor: String)
        case setPassword(objectType: String, anchor: String, password: String)
        case shutdown

        /// Its `op` on the wire.
        public var name: String {
            switch self {
            case .hello: "hello"
            case .test: "test"
            case .schema: "schema"
            case .importObjects: "import"
            case .watermark: "watermark"
            case .deltaImport: "deltaImport"
            case .get: "get"
            case .create: "create"
            case .replace: "replace"
            case .update: "update"
            case .delete: "delete"
            case .setPassword: "setPassword"
            case .shutdown: "shutdown"
            }
        }

        /// Every operation's `op`, as a connector lists those it answers in its capabilities.
        public static let names: Set<String> = [
            "hello", "test", "schema", "import", "watermark", "deltaImport", "get", "create", "replace", "update", "delete", "setPassword", "shutdown",
        ]

        /// Whether it carries a password (and so is never logged whole).
        public var carriesPassword: Bool {
            switch self {
            case .create(_, let password): password != nil
            case .setPassword, .hello: true
            default: false
            }
        }
    }

    public var id: Int
    public var operation: Operation

    public init(id: Int, _ operation: Operation) {
        self.id = id
        self.operation = operation
    }

    private enum CodingKeys: String, CodingKey {
        case id, op, protocols, host, connector, settings, objectType, anchor, watermark, object, password, changes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        let op = try container.decode(String.self, forKey: .op)
        func string(_ key: CodingKeys) throws -> String { try container.decode(String.self, forKey: key) }
        switch op {
        case "hello":
            operation = .hello(
                protocols: try container.decode([Int].self, forKey: .protocols), host: try container.decodeIfPresent(String.self, forKey: .host) ?? "",
                connector: try container.decodeIfPresent(String.self, forKey: .connector) ?? "",
                settings: try container.decodeIfPresent(JSON.self, forKey: .settings) ?? .object([]))
        case "test": operation = .test
        case "schema": operation = .schema
        case "import": operation = .importObjects(objectType: try string(.objectType))
        case "watermark": operation = .watermark(objectType: try string(.objectType))
        case "deltaImport": operation = .deltaImport(objectType: try string(.objectType), watermark: try string(.watermark))
        case "get": operation = .get(objectType: try string(.objectType), anchor: try string(.anchor))
        case "create":
            operation = .create(try container.decode(WireObject.self, forKey: .object), password: try container.decodeIfPresent(String.self, forKey: .password))
        case "replace": operation = .replace(try container.decode(WireObject.self, forKey: .object))
        case "update":
            operation = .update(objectType: try string(.objectType), anchor: try string(.anchor), changes: try container.decode([WireChange].self, forKey: .changes))
        case "delete": operation = .delete(objectType: try string(.objectType), anchor: try string(.anchor))
        case "setPassword": operation = .setPassword(objectType: try string(.objectType), anchor: try string(.anchor), password: try string(.password))
        case "shutdown": operation = .shutdown
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: container, debugDescription: "unknown op '\(op)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(operation.name, forKey: .op)
        switch operation {
        case .hello(let protocols, let host, let connector, let settings):
            try container.encode(protocols, forKey: .protocols)
            try container.encode(host, forKey: .host)
            try container.encode(connector, forKey: .connector)
            try container.encode(settings, forKey: .settings)
        case .test, .schema, .shutdown: break
        case .importObjects(let objectType), .watermark(let objectType):
            try container.encode(objectType, forKey: .objectType)
        case .deltaImport(let objectType, let watermark):
            try container.encode(objectType, forKey: .objectType)
            try container.encode(watermark, forKey: .watermark)
        case .get(let objectType, let anchor), .delete(let objectType, let anchor):
            try container.encode(objectType, forKey: .objectType)
            try container.encode(anchor, forKey: .anchor)
        case .create(let object, let password):
            try container.encode(object, forKey: .object)
            try container.encodeIfPresent(password, forKey: .password)
        case .replace(let object):
            try container.encode(object, forKey: .object)
        case .update(let objectType, let anchor, let changes):
            try container.encode(objectType, forKey: .objectType)
            try container.encode(anchor, forKey: .anchor)
            try container.encode(changes, forKey: .changes)
        case .setPassword(let objectType, let anchor, let password):
            try container.encode(objectType, forKey: .objectType)
            try container.encode(anchor, forKey: .anchor)
            try container.encode(password, forKey: .password)
        }
    }
}

/// A connector's answer to a request: its result (`ok`), a page of an import, or an error.
public struct WireResponse: Codable, Sendable, Hashable {
    /// The members of an `ok`; which are there depends on the request.
    public struct Result: Codable, Sendable, Hashable {
        /// `hello`: the version chosen, the connector's name and version, what it can do.
        public var `protocol`: Int?
        public var name: String?
        public var version: String?
        public var capabilities: WireCapabilities?
        /// `schema`.
        public var objectTypes: [WireObjectType]?
        /// `get`: the object, absent or null when there is none.
        public var object: WireObject?
        /// `watermark` and `deltaImport`: where the next delta starts.
        public var watermark: String?

        public init(
            protocol: Int? = nil, name: String? = nil, version: String? = nil, capabilities: WireCapabilities? = nil, objectTypes: [WireObjectType]? = nil,
            object: WireObject? = nil, watermark: String? = nil
        ) {
            self.protocol = `protocol`
            self.name = name
            self.version = version
            self.capabilities = capabilities
            self.objectTypes = objectTypes
            self.object = object
            self.watermark = watermark
        }
    }

    public enum Body: Sendable, Hashable {
        case ok(Result)
        case page([WireObject])
        case error(WireError)
    }

    public var id: Int
    public var body: Body

    public init(id: Int, _ body: Body) {
        self.id = id
        self.body = body
    }

    private enum CodingKeys: String, CodingKey {
        case id, ok, page, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        if let result = try container.decodeIfPresent(Result.self, forKey: .ok) {
            body = .ok(result)
        } else if let page = try container.decodeIfPresent([WireObject].self, forKey: .page) {
            body = .page(page)
        } else if let error = try container.decodeIfPresent(WireError.self, forKey: .error) {
            body = .error(error)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a response needs 'ok', 'page' or 'error'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        switch body {
        case .ok(let result): try container.encode(result, forKey: .ok)
        case .page(let objects): try container.encode(objects, forKey: .page)
        case .error(let error): try container.encode(error, forKey: .error)
        }
    }
}
