package import JSONValues
package import ServiceLifecycle

/// A connector to an application's store, in the spirit of ConnId and of the ECMA2 connectors
/// Microsoft's ECMA Connector Host runs: test the connection, discover the schema, import
/// everything, read one object, export an add, a replace or a delete, set a password.
///
/// Objects carry the connector's own attribute names (the columns of a SQL table, say); the host
/// exposes them under the ECMA2Host extension. The rest of a SCIM resource (core attributes,
/// other extensions) travels as the object's `document`, which a connector may keep (a JSON
/// column) or drop, as the real ECMA host does.
///
/// A connector is a swift-service-lifecycle `Service`: its `run()` does its background work (a
/// connection pool, checkpoints) for as long as it serves, and returns once a graceful shutdown
/// has let it finish; a connector with no such work waits for the shutdown
/// (`try? await gracefulShutdown()`). The host runs it in its service group, before the servers
/// that use it and stopped after them.
package protocol Connector: Service, Sendable {
    /// Checks that the store is reachable and usable.
    func testConnection() async throws(ConnectorError)

    /// The object types the connector serves and their attributes.
    func schema() async throws(ConnectorError) -> ConnectorSchema

    /// Every object of a type, for the host's cache.
    func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject]

    /// Every object of a type, handed over a page at a time as the store gives them, so that a
    /// large store is never held whole. The default hands over ``fullImport(objectType:)`` as one page.
    func fullImport(objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void) async throws(ConnectorError)

    /// One object by anchor, or nil.
    func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject?

    /// Exports an add. Fails with ``ConnectorError/Kind/alreadyExists`` when the anchor (or another
    /// unique attribute) is taken.
    func create(_ object: ConnectorObject) async throws(ConnectorError)

    /// Whether the application takes an object's initial password with the add (ECMA's
    /// ExportPasswordInFirstPass, SAP's `BAPI_USER_CREATE1`): the host then calls
    /// ``create(_:password:)`` instead of a create and a ``setPassword(objectType:anchor:password:)``.
    /// The default is no.
    func sendsPasswordWithCreate(objectType: String) -> Bool

    /// The anchor a new object gets, when the connector makes its anchors: an LDAP DN in the form
    /// the directory compares names in (which is what its imports give), from the DN given or,
    /// for a group Entra creates by its display name, from the naming attribute and the
    /// container. Nil when the host takes the anchor the object carries or makes one. The
    /// default is nil.
    func anchor(ofNew object: ConnectorObject) throws(ConnectorError) -> String?

    /// Exports an add, with its initial password in the same call when the application takes it
    /// so (else nil is passed and the host sets it after), and returns the anchor the object has
    /// in the application: the one it carries, unless the application gives new objects anchors of
    /// its own (an LDAP directory's `entryUUID`). The default calls ``create(_:password:)`` and
    /// returns the object's anchor.
    func createReturningAnchor(_ object: ConnectorObject, password: String?) async throws(ConnectorError) -> String

    /// Exports an add with its initial password. The default exports the add, then sets the
    /// password as a second step, as the ECMA host does.
    func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError)

    /// Exports a replace: the whole object, as ECMA's ObjectReplace export type does.
    func replace(_ object: ConnectorObject) async throws(ConnectorError)

    /// Exports an update of `previous` into `object`: what the host calls when it knows the
    /// object as it was, so that a connector can send only what changed. The default is
    /// ``replace(_:)``.
    func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError)

    /// Exports a delete.
    func delete(objectType: String, anchor: String) async throws(ConnectorError)

    /// Sets a password, as a separate step after the create, as the ECMA host does.
    func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError)
}

extension Connector {
    package func fullImport(
        objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) {
        try await deliver(try await fullImport(objectType: objectType))
    }

    package func sendsPasswordWithCreate(objectType: String) -> Bool { false }

    package func anchor(ofNew object: ConnectorObject) throws(ConnectorError) -> String? { nil }

    package func createReturningAnchor(_ object: ConnectorObject, password: String?) async throws(ConnectorError) -> String {
        try await create(object, password: password)
        return object.anchor
    }

    package func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError) {
        try await create(object)
        if let password { try await setPassword(objectType: object.objectType, anchor: object.anchor, password: password) }
    }

    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        try await replace(object)
    }
}

/// One object of the application: its type, its anchor and its attributes.
package struct ConnectorObject: Sendable, Hashable {
    package var objectType: String
    package var anchor: String
    /// Connector attribute name → value (a string, number, boolean, or an array for a
    /// multi-valued attribute). Absent means no value.
    package var attributes: [String: JSON]
    /// The SCIM resource's other attributes, when the connector keeps them.
    package var document: JSON?

    package init(objectType: String, anchor: String, attributes: [String: JSON] = [:], document: JSON? = nil) {
        self.objectType = objectType
        self.anchor = anchor
        self.attributes = attributes
        self.document = document
    }
}

/// What a connector serves.
package struct ConnectorSchema: Sendable, Hashable {
    package var objectTypes: [ObjectType]

    package init(objectTypes: [ObjectType]) {
        self.objectTypes = objectTypes
    }

    package func objectType(_ name: String) -> ObjectType? {
        objectTypes.first { $0.name.lowercased() == name.lowercased() }
    }

    package struct ObjectType: Sendable, Hashable {
        /// `User` or `Group`: the SCIM resource type it is exposed as.
        package var name: String
        /// The attribute whose value is the anchor (and the SCIM `id`). When it is not one of
        /// ``attributes``, the host generates the anchor of a new object.
        package var anchor: String
        package var attributes: [Attribute]
        /// Whether the connector keeps the rest of a SCIM resource.
        package var keepsDocument: Bool

        package init(name: String, anchor: String, attributes: [Attribute], keepsDocument: Bool) {
            self.name = name
            self.anchor = anchor
            self.attributes = attributes
            self.keepsDocument = keepsDocument
        }

        package func attribute(_ name: String) -> Attribute? {
            attributes.first { $0.name == name } ?? attributes.first { $0.name.lowercased() == name.lowercased() }
        }
    }

    package struct Attribute: Sendable, Hashable {
        package enum DataType: String, Sendable {
            case string, boolean, integer, dateTime, reference, binary
        }

        package var name: String
        package var type: DataType
        package var multiValued: Bool
        package var required: Bool
        /// Written, never read back (a directory's `userPassword`): the host returns it to no one.
        package var writeOnly: Bool

        package init(name: String, type: DataType = .string, multiValued: Bool = false, required: Bool = false, writeOnly: Bool = false) {
            self.name = name
            self.type = type
            self.multiValued = multiValued
            self.required = required
            self.writeOnly = writeOnly
        }
    }
}

/// Why a connector operation failed.
package struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// No such object.
        case notFound
        /// The anchor or another unique value is taken.
        case alreadyExists
        /// A value the store does not accept (a missing required column, a wrong type).
        case invalidValue
        /// A password the application does not accept (too short, reused).
        case invalidPassword
        /// The application refuses the operation to the connector's identity.
        case permissionDenied
        /// The application does not accept the connector's own credentials (a wrong bind password).
        case unauthenticated
        /// The store cannot be reached, or asks to be tried again later: a client may retry.
        case unavailable
        /// The application did not answer in time.
        case timedOut
        /// The application answered with an error of its own that retrying will not mend.
        case applicationFailed
        /// The connector itself failed.
        case failed
    }

    package var kind: Kind
    package var message: String
    /// When the application says when to try again (an HTTP `Retry-After`), in seconds.
    package var retryAfter: Int?

    package init(_ kind: Kind, _ message: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    package var description: String { message }
}

/// What an async throwing call gave, as a value: for a connector that must keep its typed
/// `ConnectorError` across calls that throw anything (typed throws and `catch let … as` together
/// do not suit every compiler).
package func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// A connector that can start its work afresh on request: a process connector's program, which
/// `attrmap serve` restarts on SIGHUP without stopping the others or losing a call in flight.
package protocol RestartableConnector: Connector {
    func restart()
}

/// A connector in front of another (a local cache), which names the one behind it.
package protocol ConnectorWrapper: Connector {
    var source: any Connector { get }
}

extension Connector {
    /// This connector, or the one behind its wrappers, when it can be restarted.
    package var restartable: (any RestartableConnector)? {
        if let restartable = self as? any RestartableConnector { return restartable }
        return (self as? any ConnectorWrapper)?.source.restartable
    }
}
