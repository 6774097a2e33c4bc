package import Connectors
import Foundation
import JSONValues
import LDAPMessages
package import Logging
import ServiceLifecycle
import Synchronization

/// The generic LDAP connector, as Microsoft's for the ECMA Connector Host: each object type is a
/// structural object class below a container (`inetOrgPerson` below `ou=People,dc=contoso,dc=lab`),
/// anchored on its DN (`-dn-`, the ECMA default for OpenLDAP); the attributes are those the
/// directory's schema gives the classes, typed by their syntax, with MUST ones required and
/// SINGLE-VALUE ones (or those the configuration treats as single) holding one value. Values are
/// checked against the schema before they are sent, so a missing MUST attribute or a second value
/// of a single-valued one is a clear refusal naming it, not an opaque LDAP code.
///
/// Imports are paged searches (RFC 2696) when the server offers paging, delta imports read the
/// accesslog overlay; an update is a modify of what changed, attribute by attribute, keeping the
/// relative name's value in its naming attribute (else the server refuses with namingViolation);
/// a password is set after the add through the Password Modify extended operation when the
/// server offers it, else as a replace of `userPassword`.
package final class LDAPConnector: DeltaImportingConnector {
    package struct ObjectTypeSettings: Sendable, Hashable {
        /// The SCIM side's name: `User`, `Group`.
        package var name: String
        /// The structural class (`inetOrgPerson`).
        package var objectClass: String
        /// Classes added to a new entry when its `objectClass` is not mapped (`posixAccount`).
        package var auxiliaryClasses: [String]
        /// Where the entries are (a search base, and the parent of new ones).
        package var container: String
        /// Attributes served; empty for every MUST and MAY of the classes.
        package var attributes: [String]
        /// Multi-valued attributes served as single-valued ("treat as single value").
        package var singleValued: [String]
        /// Directory attribute → the name it is served under (`cn: displayName`, `member: members`
        /// for groups, so that a SCIM group's display name and members reach them).
        package var names: [String: String]
        /// The naming attribute of entries whose DN the connector makes (`cn` for groups: a group
        /// Entra creates has a display name and no DN): `cn=Finance,<container>`.
        package var rdnAttribute: String?
        /// What anchors an entry: its DN (`-dn-`, Microsoft's default for OpenLDAP), or an
        /// attribute the directory gives each entry and keeps through renames (`entryUUID` in
        /// OpenLDAP, `nsUniqueId` in 389 DS, `GUID` in eDirectory, `objectGUID` in AD LDS).
        package var anchor: String

        /// Whether the anchor is the DN.
        package var anchoredOnDN: Bool { anchor == LDAPConnector.dnAttribute }

        package init(
            name: String, objectClass: String, auxiliaryClasses: [String] = [], container: String, attributes: [String] = [],
            singleValued: [String] = [], names: [String: String]? = nil, rdnAttribute: String? = nil, anchor: String = LDAPConnector.dnAttribute
        ) {
            self.anchor = anchor
            self.name = name
            self.objectClass = objectClass
            self.auxiliaryClasses = auxiliaryClasses
            self.container = container
            self.attributes = attributes
            self.singleValued = singleValued
            let isGroup = name.lowercased() == "group"
            let members = objectClass.lowercased() == "groupofuniquenames" ? "uniqueMember" : "member"
            self.names = names ?? (isGroup ? ["cn": "displayName", members: "members"] : [:])
            self.rdnAttribute = rdnAttribute ?? (isGroup ? "cn" : nil)
        }
    }

    package struct Settings: Sendable {
        package var endpoint: LDAPEndpoint
        package var bind: LDAPBind
        package var objectTypes: [ObjectTypeSettings]
        package var pageSize: Int
        package var timeout: Duration
        package var connections: Int
        /// Where the changes are read from for delta imports: `cn=accesslog`, or nil for none.
        package var accessLog: String?
        /// How far before the last watermark a delta reads again, for clocks that disagree.
        package var overlap: Duration

        package init(
            endpoint: LDAPEndpoint, bind: LDAPBind, objectTypes: [ObjectTypeSettings], pageSize: Int = 500, timeout: Duration = .seconds(30),
            connections: Int = 4, accessLog: String? = nil, overlap: Duration = .seconds(60)
        ) {
            self.endpoint = endpoint
            self.bind = bind
            self.objectTypes = objectTypes
            self.pageSize = pageSize
            self.timeout = timeout
            self.connections = connections
            self.accessLog = accessLog
            self.overlap = overlap
        }
    }

    /// The DN, as an attribute: Microsoft's name for it.
    package static let dnAttribute = "-dn-"

    package let settings: Settings
    let directory: any LDAPDirectory
    private let logger: Logger

    /// What the server told of itself and its schema, read once.
    struct Discovered: Sendable {
        var schema: DirectorySchema
        var pagedResults: Bool
        var passwordModify: Bool
        var types: [String: TypeMapping]
        /// The root DSE as read.
        var root: LDAPEntry
    }

    /// An attribute as it is served.
    struct Served: Sendable {
        /// As served: `displayName`.
        var name: String
        /// In the directory: `cn`.
        var ldapName: String
        /// Served with one value: SINGLE-VALUE in the schema, or treated as single.
        var single: Bool
        /// SINGLE-VALUE in the schema: the directory holds one value at most.
        var schemaSingle: Bool
        var syntax: String?
        var required: Bool
        /// The auxiliary classes whose entries must have it.
        var requiredWith: [String] = []

        /// The type a connector attribute has.
        var dataType: ConnectorSchema.Attribute.DataType { LDAPConnector.isWriteOnly(self) ? .string : LDAPConnector.dataType(syntax) }
    }

    /// An object type as the directory's schema makes it.
    struct TypeMapping: Sendable {
        var settings: ObjectTypeSettings
        var classes: [String]
        var attributes: [Served]

        func attribute(_ name: String) -> Served? {
            attributes.first { $0.name.lowercased() == name.lowercased() }
        }

        /// The attributes a search asks for: all but the write-only password, and the anchor when
        /// it is an operational attribute (which a search returns only when named).
        var readable: [String] {
            attributes.filter { !LDAPConnector.isWriteOnly($0) }.map(\.ldapName) + (settings.anchoredOnDN ? [] : [settings.anchor])
        }
    }

    private let discovered = Mutex<Discovered?>(nil)

    package init(settings: Settings, directory: (any LDAPDirectory)? = nil, logger: Logger) {
        self.settings = settings
        self.directory = directory ?? LDAPClient(endpoint: settings.endpoint, bind: settings.bind, connections: settings.connections, timeout: settings.timeout)
        self.logger = logger
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await directory.close()
    }

    /// Lets the connections go, for a connector used outside a service group (a command).
    package func close() async {
        await directory.close()
    }

    // MARK: Discovery

    /// The root DSE and the subschema entry, read once (and again by ``schema()``).
    func discover(refresh: Bool = false) async throws(ConnectorError) -> Discovered {
        if !refresh, let known = discovered.withLock({ $0 }) { return known }
        let dse = try await rootDSE()
        let subschema = dse.strings("subschemaSubentry").first ?? "cn=Subschema"
        let entry = try await search(SearchRequest(
            base: subschema, scope: .baseObject, filter: .equal("objectClass", "subschema"), attributes: ["objectClasses", "attributeTypes"]))
        guard let schemaEntry = entry.entries.first else { throw ConnectorError(.failed, "the directory's subschema entry '\(subschema)' cannot be read") }
        let schema = DirectorySchema(objectClasses: schemaEntry.strings("objectClasses"), attributeTypes: schemaEntry.strings("attributeTypes"))
        var types: [String: TypeMapping] = [:]
        for type in settings.objectTypes {
            types[type.name.lowercased()] = try Self.mapping(type, schema: schema)
        }
        let result = Discovered(
            schema: schema, pagedResults: dse.strings("supportedControl").contains(LDAPControl.pagedResultsOID),
            passwordModify: dse.strings("supportedExtension").contains(ExtendedOperation.passwordModify), types: types, root: dse)
        discovered.withLock { $0 = result }
        return result
    }

    /// The root DSE: what the server offers, and where its schema is.
    func rootDSE() async throws(ConnectorError) -> LDAPEntry {
        let root = try await search(SearchRequest(
            base: "", scope: .baseObject, filter: .everything,
            attributes: [
                "subschemaSubentry", "supportedControl", "supportedExtension", "supportedFeatures", "namingContexts", "supportedSASLMechanisms",
                "vendorName", "vendorVersion",
            ]))
        guard let dse = root.entries.first else { throw ConnectorError(.failed, "the directory has no root DSE to read") }
        return dse
    }

    /// The attributes of an object type from the classes' MUST and MAY.
    static func mapping(_ type: ObjectTypeSettings, schema: DirectorySchema) throws(ConnectorError) -> TypeMapping {
        guard let structural = schema.objectClass(type.objectClass) else {
            throw ConnectorError(.invalidValue, "the directory's schema has no object class '\(type.objectClass)' (for \(type.name))")
        }
        for auxiliary in type.auxiliaryClasses where schema.objectClass(auxiliary) == nil {
            throw ConnectorError(.invalidValue, "the directory's schema has no object class '\(auxiliary)' (an auxiliary class of \(type.name))")
        }
        let classes = [structural.name] + type.auxiliaryClasses
        let (must, may) = schema.attributes(of: classes)
        // Required of every entry: what the structural class must have. An auxiliary class's
        // MUST binds only the entries that have that class (checked per entry on create).
        let structuralMust = schema.attributes(of: [structural.name]).must
        let auxiliaryMusts = type.auxiliaryClasses.map { ($0, schema.attributes(of: [$0]).must) }
        var names = must + may
        if !type.attributes.isEmpty {
            for name in type.attributes where name != dnAttribute && !names.contains(where: { $0.lowercased() == name.lowercased() }) {
                throw ConnectorError(.invalidValue, "'\(name)' is not an attribute of \(classes.joined(separator: ", ")) in the directory's schema (for \(type.name))")
            }
            names = type.attributes.filter { $0 != dnAttribute }.map { name in names.first { $0.lowercased() == name.lowercased() } ?? name }
            // A MUST attribute is always served: an entry cannot be made without it.
            names += must.filter { required in required.lowercased() != "objectclass" && !names.contains { $0.lowercased() == required.lowercased() } }
        }
        let attributes = names.map { name in
            let definition = schema.attributeType(name)
            let single = definition?.singleValue == true || type.singleValued.contains { $0.lowercased() == name.lowercased() }
            let required = structuralMust.contains { $0.lowercased() == name.lowercased() } && name.lowercased() != "objectclass"
            let auxiliaryMust = auxiliaryMusts.filter { $0.1.contains { $0.lowercased() == name.lowercased() } }.map(\.0)
            let ldapName = definition?.name ?? name
            let served = type.names.first { $0.key.lowercased() == ldapName.lowercased() }?.value ?? ldapName
            return Served(
                name: served, ldapName: ldapName, single: single, schemaSingle: definition?.singleValue == true, syntax: schema.syntax(of: name),
                required: required, requiredWith: required ? [] : auxiliaryMust)
        }
        return TypeMapping(settings: type, classes: classes, attributes: attributes)
    }

    private func type(_ name: String) async throws(ConnectorError) -> TypeMapping {
        guard let mapping = try await discover().types[name.lowercased()] else {
            throw ConnectorError(.invalidValue, "this connector has no object type '\(name)'")
        }
        return mapping
    }

    // MARK: What the wizard shows

    /// The directory as the ECMA wizard's Global, Object Types and Select Attributes pages show
    /// it: what the server offers, and per object type its classes and the attributes served,
    /// with their types, MUST (`*`), SINGLE-VALUE or treated as single. With `objectClasses`,
    /// each of those classes' MUST and MAY attributes too, as the wizard lists them to choose from.
    package func describe(objectClasses: [String] = []) async throws(ConnectorError) -> String {
        let discovered = try await discover(refresh: true)
        let root = discovered.root
        let endpoint = settings.endpoint
        var lines: [String] = []
        let bind: String
        switch settings.bind {
        case .anonymous: bind = "anonymously"
        case .simple(let dn, _): bind = "as \(dn)"
        case .external: bind = "by client certificate (SASL EXTERNAL)"
        }
        lines.append("directory \(endpoint.host):\(endpoint.port) (\(endpoint.security.rawValue)), bound \(bind)")
        if let vendor = root.strings("vendorName").first { lines.append("  vendor: \(vendor) \(root.strings("vendorVersion").first ?? "")") }
        lines.append("  naming contexts: \(root.strings("namingContexts").joined(separator: ", "))")
        lines.append("  paged results (\(LDAPControl.pagedResultsOID)): \(discovered.pagedResults ? "yes" : "no: imports are one search")")
        lines.append("  Password Modify (\(ExtendedOperation.passwordModify)): \(discovered.passwordModify ? "yes" : "no: passwords replace userPassword, stored as given")")
        let features = root.strings("supportedFeatures")
        lines.append("  absolute true and false filters (1.3.6.1.4.1.4203.1.5.3): \(features.contains("1.3.6.1.4.1.4203.1.5.3") ? "yes" : "no")")
        let mechanisms = root.strings("supportedSASLMechanisms")
        if !mechanisms.isEmpty { lines.append("  SASL mechanisms: \(mechanisms.joined(separator: ", "))") }
        lines.append("  delta imports: \(settings.accessLog.map { "from the accesslog at \($0)" } ?? "none (no accessLog configured): each autosync is a full import")")
        for type in settings.objectTypes {
            guard let mapping = discovered.types[type.name.lowercased()] else { continue }
            lines.append("")
            lines.append("\(type.name): \(mapping.classes.joined(separator: ", ")) below \(type.container)")
            lines.append("  " + pad("-dn-", 22) + pad("DN", 10) + "the anchor: the entry's DN")
            for attribute in mapping.attributes {
                let name = attribute.name == attribute.ldapName ? attribute.name : "\(attribute.name) (\(attribute.ldapName))"
                let values = attribute.schemaSingle ? "single-valued" : attribute.single ? "single (treated as)" : "multi-valued"
                let notes = [
                    attribute.required ? "MUST" : nil, attribute.requiredWith.isEmpty ? nil : "MUST with \(attribute.requiredWith.joined(separator: ", "))",
                    Self.isWriteOnly(attribute) ? "written, never read" : nil,
                ].compactMap { $0 }
                lines.append("  " + pad(name + (attribute.required ? "*" : ""), 22) + pad(attribute.dataType.rawValue, 10) + values
                    + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))
            }
        }
        for name in objectClasses {
            lines.append("")
            guard let objectClass = discovered.schema.objectClass(name) else {
                lines.append("\(name): the directory's schema has no such object class")
                continue
            }
            let (must, may) = discovered.schema.attributes(of: [objectClass.name])
            lines.append("\(objectClass.name) (\(objectClass.kind.rawValue.lowercased()), \(objectClass.oid)\(objectClass.superclasses.isEmpty ? "" : ", below \(objectClass.superclasses.joined(separator: ", "))"))")
            lines.append("  MUST: \(must.joined(separator: ", "))")
            lines.append("  MAY:  \(may.joined(separator: ", "))")
        }
        if !discovered.schema.problems.isEmpty {
            lines.append("")
            lines.append("\(discovered.schema.problems.count) schema descriptions could not be read; the first: \(discovered.schema.problems[0])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    // MARK: Connector

    /// A bind and a read of the root DSE; the schema is read by ``schema()``, which the host asks
    /// for next.
    package func testConnection() async throws(ConnectorError) {
        _ = try await rootDSE()
    }

    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        let discovered = try await discover(refresh: true)
        return ConnectorSchema(objectTypes: settings.objectTypes.compactMap { type in
            guard let mapping = discovered.types[type.name.lowercased()] else { return nil }
            let attributes = [ConnectorSchema.Attribute(name: Self.dnAttribute, type: .string, required: true)]
                + mapping.attributes.map { attribute in
                    ConnectorSchema.Attribute(
                        name: attribute.name, type: attribute.dataType, multiValued: !attribute.single,
                        required: attribute.required, writeOnly: Self.isWriteOnly(attribute))
                }
            return ConnectorSchema.ObjectType(name: type.name, anchor: type.anchor, attributes: attributes, keepsDocument: false)
        })
    }

    static func dataType(_ syntax: String?) -> ConnectorSchema.Attribute.DataType {
        switch syntax {
        case Syntax.boolean: .boolean
        case Syntax.integer: .integer
        case Syntax.generalizedTime: .dateTime
        case Syntax.distinguishedName, Syntax.nameAndOptionalUID: .reference
        case Syntax.octetString, Syntax.jpeg, Syntax.certificate, Syntax.binary: .binary
        default: .string
        }
    }

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        var all: [ConnectorObject] = []
        try await fullImport(objectType: objectType) { page throws(ConnectorError) in all += page }
        return all
    }

    /// A paged search of the container, a page at a time; one search when the server has no paging.
    package func fullImport(
        objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) {
        let mapping = try await type(objectType)
        let request = SearchRequest(
            base: mapping.settings.container, scope: .wholeSubtree, filter: .equal("objectClass", mapping.settings.objectClass),
            attributes: mapping.readable)
        guard try await discover().pagedResults else {
            try await deliver(try await search(request).entries.map { object(from: $0, mapping) })
            return
        }
        // The host's failure to take a page ends the search with it.
        var delivered: ConnectorError?
        do {
            try await directory.pagedSearch(request, pageSize: settings.pageSize) { entries throws(LDAPFailure) in
                do throws(ConnectorError) {
                    try await deliver(entries.map { object(from: $0, mapping) })
                } catch {
                    delivered = error
                    throw LDAPFailure.closed("the import was given up")
                }
            }
        } catch {
            throw delivered ?? Self.error(error, "search \(mapping.settings.container)")
        }
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        let mapping = try await type(objectType)
        return try await entry(anchor, mapping).map { object(from: $0, mapping) }
    }

    /// The entry of an anchor: a read of the DN, or a search of the container for the anchor
    /// attribute's value; nil when there is none.
    func entry(_ anchor: String, _ mapping: TypeMapping) async throws(ConnectorError) -> LDAPEntry? {
        if mapping.settings.anchoredOnDN { return try await entry(at: try Self.name(anchor), mapping) }
        let filter = LDAPFilter.and([.equal("objectClass", mapping.settings.objectClass), .equal(mapping.settings.anchor, anchor)])
        return try await first(SearchRequest(base: mapping.settings.container, scope: .wholeSubtree, filter: filter, attributes: mapping.readable, sizeLimit: 2))
    }

    /// The entry at a DN, if it is one of the type's; nil when there is none.
    func entry(at dn: DistinguishedName, _ mapping: TypeMapping) async throws(ConnectorError) -> LDAPEntry? {
        try await first(SearchRequest(
            base: dn.description, scope: .baseObject, filter: .equal("objectClass", mapping.settings.objectClass), attributes: mapping.readable))
    }

    /// The first entry a search finds; nil when its base does not exist either.
    private func first(_ request: SearchRequest) async throws(ConnectorError) -> LDAPEntry? {
        do throws(ConnectorError) {
            return try await search(request).entries.first
        } catch where error.kind == .notFound {
            return nil
        }
    }

    /// The DN of the entry an anchor names: the anchor itself, or the DN the search finds.
    func dn(ofAnchor anchor: String, _ mapping: TypeMapping) async throws(ConnectorError) -> DistinguishedName {
        if mapping.settings.anchoredOnDN { return try Self.name(anchor) }
        guard let found = try await entry(anchor, mapping) else {
            throw ConnectorError(.notFound, "no \(mapping.settings.objectClass) entry below \(mapping.settings.container) has \(mapping.settings.anchor) \(anchor)")
        }
        return try Self.name(found.dn)
    }

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        _ = try await createReturningAnchor(object, password: nil)
    }

    /// An add; the anchor is the DN in the form names compare in, or the anchor attribute's value
    /// the directory gave the new entry, read back after the add.
    package func createReturningAnchor(_ object: ConnectorObject, password: String?) async throws(ConnectorError) -> String {
        let mapping = try await type(object.objectType)
        let dn = try self.dn(of: object, mapping)
        guard dn.isWithin(try Self.name(mapping.settings.container)) else {
            throw ConnectorError(.invalidValue, "the DN '\(dn)' is not below the container '\(mapping.settings.container)' of \(object.objectType)")
        }
        var attributes: [LDAPAttribute] = []
        let classes = values(object.attributes["objectClass"]) ?? mapping.classes
        attributes.append(LDAPAttribute("objectClass", classes))
        // What this entry's classes ask for and allow (a plain inetOrgPerson takes no uidNumber);
        // a class the schema does not know is left for the server to refuse.
        let schema = try await discover().schema
        let known = classes.allSatisfy { schema.objectClass($0) != nil }
        let (must, may) = schema.attributes(of: classes)
        func among(_ names: [String], _ attribute: Served) -> Bool { names.contains { $0.lowercased() == attribute.ldapName.lowercased() } }
        for attribute in mapping.attributes where attribute.ldapName.lowercased() != "objectclass" {
            // Classes the schema does not know: the server says what is wrong with them.
            let required = known && among(must, attribute)
            guard let given = try values(of: object, attribute), !given.isEmpty else {
                if required, Self.holdsNames(attribute) {
                    // A group with no member yet (Entra adds them after the create): the empty DN.
                    attributes.append(LDAPAttribute(attribute.ldapName, [""]))
                } else if required, dn.rdnValue(attribute.ldapName) == nil {
                    throw ConnectorError(.invalidValue, "'\(attribute.name)' is required: \(classes.joined(separator: ", ")) must have it")
                }
                continue
            }
            if known, !required, !among(may, attribute) {
                throw ConnectorError(.invalidValue, "'\(attribute.name)' is not allowed in an entry of \(classes.joined(separator: ", "))")
            }
            attributes.append(LDAPAttribute(attribute.ldapName, values: Self.encoded(given, attribute)))
        }
        try checkUnknown(object, mapping)
        try await perform("add \(dn)") { () async throws(LDAPFailure) in try await directory.add(dn: dn.description, attributes: attributes) }
        var anchor = dn.normalized
        if !mapping.settings.anchoredOnDN {
            let read = try await search(SearchRequest(
                base: dn.description, scope: .baseObject, filter: .everything, attributes: [mapping.settings.anchor]))
            guard let value = read.entries.first.flatMap({ Self.anchorValue($0, mapping) }) else {
                throw ConnectorError(.failed, "the entry \(dn) was added, and has no \(mapping.settings.anchor) to anchor it")
            }
            anchor = value
        }
        if let password { try await setPassword(objectType: object.objectType, anchor: anchor, password: password) }
        return anchor
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        guard let current = try await get(objectType: object.objectType, anchor: object.anchor) else {
            throw ConnectorError(.notFound, "no entry '\(object.anchor)'")
        }
        try await update(object, from: current)
    }

    /// A modify of what changed between `previous` and `object`: a replace of each changed
    /// single-valued attribute, adds and deletes of the values of a multi-valued one, a delete of
    /// one that lost its values; the relative name's value stays in its naming attribute.
    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        let mapping = try await type(object.objectType)
        var dn = try await dn(ofAnchor: object.anchor, mapping)
        if let given = object.attributes[Self.dnAttribute]?.stringValue, !given.isEmpty, let target = try? Self.name(given), !target.matches(dn) {
            guard !mapping.settings.anchoredOnDN else {
                throw ConnectorError(.invalidValue, "the DN is the anchor ('\(object.anchor)'): it cannot become '\(given)'; map -dn- on create only, or anchor on entryUUID")
            }
            try await rename(dn, to: target)
            dn = target
        }
        try checkUnknown(object, mapping)
        var changes: [Modification] = []
        for attribute in mapping.attributes where attribute.ldapName.lowercased() != "objectclass" {
            var new = try values(of: object, attribute) ?? []
            var old = try values(of: previous, attribute) ?? []
            if let rdnValue = dn.rdnValue(attribute.ldapName), !new.contains(where: { DistinguishedName.folded($0) == DistinguishedName.folded(rdnValue) }) {
                // A naming attribute keeps the value the DN names, beside the one given.
                if attribute.schemaSingle, !new.isEmpty {
                    throw ConnectorError(.invalidValue, "'\(attribute.name)' names the entry ('\(dn.rdn.map { "\($0.type)=\($0.value)" }.joined(separator: "+"))') and holds one value: it cannot become '\(new[0])'")
                }
                new.append(rdnValue)
                if !old.contains(where: { DistinguishedName.folded($0) == DistinguishedName.folded(rdnValue) }) { old.append(rdnValue) }
            }
            guard new != old else { continue }
            if new.isEmpty, attribute.required, Self.holdsNames(attribute) {
                // The last member gone: the empty DN keeps the group valid.
                changes.append(Modification(.replace, LDAPAttribute(attribute.ldapName, [""])))
            } else if attribute.single || old.isEmpty || new.isEmpty {
                changes.append(Modification(new.isEmpty ? .delete : .replace, LDAPAttribute(attribute.ldapName, values: Self.encoded(new, attribute))))
            } else {
                let added = new.filter { !old.contains($0) }
                let removed = old.filter { !new.contains($0) }
                if !removed.isEmpty { changes.append(Modification(.delete, LDAPAttribute(attribute.ldapName, values: Self.encoded(removed, attribute)))) }
                if !added.isEmpty { changes.append(Modification(.add, LDAPAttribute(attribute.ldapName, values: Self.encoded(added, attribute)))) }
            }
        }
        guard !changes.isEmpty else { return }
        try await perform("modify \(dn)") { () async throws(LDAPFailure) in try await directory.modify(dn: dn.description, changes: changes) }
    }

    /// A ModifyDN: a new relative name (the old value dropped), below a new parent if it moved.
    func rename(_ dn: DistinguishedName, to target: DistinguishedName) async throws(ConnectorError) {
        let rdn = DistinguishedName(rdns: [target.rdn]).description
        let superior = target.parent.matches(dn.parent) ? nil : target.parent.description
        try await perform("rename \(dn) to \(target)") { () async throws(LDAPFailure) in
            try await directory.modifyDN(dn: dn.description, newRDN: rdn, deleteOldRDN: true, newSuperior: superior)
        }
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let dn = try await dn(ofAnchor: anchor, try await type(objectType))
        try await perform("delete \(dn)") { () async throws(LDAPFailure) in try await directory.delete(dn: dn.description) }
    }

    /// The Password Modify extended operation when the server offers it (the server hashes the
    /// password as its policy says), else a replace of `userPassword`, stored as given.
    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let dn = try await dn(ofAnchor: anchor, try await type(objectType))
        if try await discover().passwordModify {
            let value = ExtendedOperation.passwordModifyValue(user: dn.description, newPassword: Array(password.utf8))
            try await perform("set the password of \(dn)") { () async throws(LDAPFailure) in
                _ = try await directory.extended(name: ExtendedOperation.passwordModify, value: value)
            }
        } else {
            logger.warning("the directory offers no Password Modify operation: userPassword is replaced, and stored as given", metadata: ["dn": "\(dn)"])
            try await perform("set the password of \(dn)") { () async throws(LDAPFailure) in
                try await directory.modify(dn: dn.description, changes: [Modification(.replace, LDAPAttribute("userPassword", [password]))])
            }
        }
    }

    // MARK: Delta import (the accesslog overlay)

    package func importsChanges(objectType: String) -> Bool { settings.accessLog != nil }

    package func watermark(objectType: String) async throws(ConnectorError) -> String {
        Self.generalizedTime(Date())
    }

    /// The entries written since `watermark` (less the overlap), from the accesslog: each changed
    /// one read as it now is, each deleted one reported by its DN.
    package func deltaImport(objectType: String, since watermark: String) async throws(ConnectorError) -> ConnectorDelta {
        guard let accessLog = settings.accessLog else { throw ConnectorError(.failed, "no accesslog is configured") }
        let mapping = try await type(objectType)
        let container = try Self.name(mapping.settings.container)
        let since = Self.date(watermark).map { Self.generalizedTime($0.addingTimeInterval(-Double(settings.overlap.components.seconds))) } ?? watermark
        let next = Self.generalizedTime(Date())
        let log = try await search(SearchRequest(
            base: accessLog, scope: .singleLevel,
            filter: .and([.equal("objectClass", "auditWriteObject"), .greaterOrEqual("reqStart", Array(since.utf8)), .equal("reqResult", "0")]),
            attributes: ["reqDN", "reqType", "reqStart", "reqNewRDN", "reqNewSuperior", "reqEntryUUID"]))
        var touched: [String: DistinguishedName] = [:]
        var deleted: [String: String] = [:]
        for entry in log.entries.sorted(by: { $0.strings("reqStart").first ?? "" < $1.strings("reqStart").first ?? "" }) {
            guard let text = entry.strings("reqDN").first, let dn = try? Self.name(text), dn.isWithin(container) else { continue }
            switch entry.strings("reqType").first {
            case "delete":
                touched[dn.normalized] = nil
                // An entryUUID anchor is in the log's record of the delete.
                deleted[dn.normalized] = mapping.settings.anchoredOnDN ? dn.normalized : entry.strings("reqEntryUUID").first
            case "modrdn":
                touched[dn.normalized] = nil
                // A rename keeps an attribute anchor: the entry is only read again at its new DN.
                if mapping.settings.anchoredOnDN { deleted[dn.normalized] = dn.normalized }
                if let rdn = entry.strings("reqNewRDN").first, let newRDN = try? Self.name(rdn) {
                    let parent = entry.strings("reqNewSuperior").first.flatMap { try? Self.name($0) } ?? dn.parent
                    let renamed = parent.child(newRDN.rdn)
                    touched[renamed.normalized] = renamed
                    deleted[renamed.normalized] = nil
                }
            default:
                touched[dn.normalized] = dn
                deleted[dn.normalized] = nil
            }
        }
        var changed: [ConnectorObject] = []
        for dn in touched.values {
            // One gone again since has its delete in the log too.
            if let entry = try await entry(at: dn, mapping) { changed.append(object(from: entry, mapping)) }
        }
        return ConnectorDelta(changed: changed, deleted: Array(deleted.values), watermark: next)
    }

    static func generalizedTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    static func date(_ text: String) -> Date? {
        let digits = text.prefix(14)
        guard digits.count == 14, digits.allSatisfy(\.isNumber) else { return nil }
        var parts = DateComponents()
        let numbers = [0, 4, 6, 8, 10, 12, 14].map { digits.index(digits.startIndex, offsetBy: $0) }
        let values = (0..<6).map { Int(digits[numbers[$0]..<numbers[$0 + 1]])! }
        (parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second) = (values[0], values[1], values[2], values[3], values[4], values[5])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: parts)
    }

    // MARK: Objects and entries

    func object(from entry: LDAPEntry, _ mapping: TypeMapping) -> ConnectorObject {
        // The DN is the anchor, in the one form that compares (see anchor(ofNew:)).
        var attributes: [String: JSON] = [Self.dnAttribute: .string(Self.anchor(entry.dn))]
        for attribute in mapping.attributes where !Self.isWriteOnly(attribute) {
            guard let found = entry.attributes.first(where: { $0.type.lowercased() == attribute.ldapName.lowercased() }) else { continue }
            // The empty DN of a group without members is no member.
            let kept = Self.holdsNames(attribute) ? found.values.filter { !$0.isEmpty } : found.values
            guard !kept.isEmpty else { continue }
            var values = kept.map { Self.json($0, syntax: attribute.syntax) }
            // Treated as single: the value written, not the one slapd adds for the DN's name.
            if attribute.single, values.count > 1, let rdnValue = DistinguishedName.rdnValue(entry.dn, attribute.ldapName) {
                let written = values.filter { $0.stringValue.map(DistinguishedName.folded) != DistinguishedName.folded(rdnValue) }
                if !written.isEmpty { values = written }
            }
            attributes[attribute.name] = attribute.single ? values[0] : .array(values)
        }
        let anchor = mapping.settings.anchoredOnDN ? Self.anchor(entry.dn) : Self.anchorValue(entry, mapping) ?? Self.anchor(entry.dn)
        return ConnectorObject(objectType: mapping.settings.name, anchor: anchor, attributes: attributes)
    }

    static func json(_ value: [UInt8], syntax: String?) -> JSON {
        let text = String(decoding: value, as: UTF8.self)
        switch syntax {
        case Syntax.integer: return Int64(text) != nil ? .number(text) : .string(text)
        case Syntax.boolean: return text == "TRUE" ? .bool(true) : text == "FALSE" ? .bool(false) : .string(text)
        case Syntax.octetString, Syntax.jpeg, Syntax.certificate, Syntax.binary: return .string(Data(value).base64EncodedString())
        default: return .string(text)
        }
    }

    /// An attribute's values as the directory takes them: text, `TRUE`/`FALSE`, decimal
    /// integers; one at most where the attribute holds one.
    func values(of object: ConnectorObject, _ attribute: Served) throws(ConnectorError) -> [String]? {
        guard let value = object.attributes.first(where: { $0.key.lowercased() == attribute.name.lowercased() })?.value, value != .null else { return nil }
        let items = (value.arrayValue ?? [value]).filter { $0 != .null && $0 != .string("") }
        if attribute.single, items.count > 1 {
            throw ConnectorError(.invalidValue, "'\(attribute.name)' holds one value; \(items.count) were given")
        }
        return try items.map { item throws(ConnectorError) in
            switch (attribute.syntax, item) {
            case (Syntax.boolean, .bool(let flag)): return flag ? "TRUE" : "FALSE"
            case (Syntax.boolean, .string(let text)):
                switch text.lowercased() {
                case "true": return "TRUE"
                case "false": return "FALSE"
                default: throw ConnectorError(.invalidValue, "'\(attribute.name)' is a boolean, not '\(text)'")
                }
            case (Syntax.integer, .number(let text)), (Syntax.integer, .string(let text)):
                guard Int64(text) != nil else { throw ConnectorError(.invalidValue, "'\(attribute.name)' is an integer, not '\(text)'") }
                return text
            case (_, .string(let text)): return text
            case (_, .number(let text)): return text
            case (_, .bool(let flag)): return flag ? "TRUE" : "FALSE"
            default: throw ConnectorError(.invalidValue, "'\(attribute.name)' takes text, not \(item.serialized)")
            }
        }
    }

    func values(_ value: JSON?) -> [String]? {
        guard let value, value != .null else { return nil }
        let items = (value.arrayValue ?? [value]).compactMap(\.stringValue)
        return items.isEmpty ? nil : items
    }

    /// `userPassword`: written as given (Microsoft's tutorial maps an initial value to it), never
    /// read back, so a password never reaches a SCIM client.
    static func isWriteOnly(_ attribute: Served) -> Bool { attribute.ldapName.lowercased() == "userpassword" }

    /// The values of a binary attribute (a photo, a certificate) travel as base64 in SCIM and as
    /// bytes in LDAP; any other as text.
    static func encoded(_ values: [String], _ attribute: Served) -> [[UInt8]] {
        let binary = dataType(attribute.syntax) == .binary && !isWriteOnly(attribute)
        return values.map { value in binary ? Data(base64Encoded: value).map(Array.init) ?? Array(value.utf8) : Array(value.utf8) }
    }

    /// Whether an attribute's values are DNs (a group's members).
    static func holdsNames(_ attribute: Served) -> Bool {
        attribute.syntax == Syntax.distinguishedName || attribute.syntax == Syntax.nameAndOptionalUID
    }

    /// The anchor of a new entry: its DN normalised (types and values in lower case, spaces
    /// folded), the form ``object(from:_:)`` gives each entry an import reads, since the directory
    /// may store a DN otherwise than it was sent (slapd keeps `cn=bsimon,dc=contoso,dc=lab` of a
    /// `CN=bsimon,DC=Contoso,DC=lab`). The DN is the one given, or, for a type whose DNs the
    /// connector makes (groups), the naming attribute's value below the container.
    package func anchor(ofNew object: ConnectorObject) throws(ConnectorError) -> String? {
        guard let mapping = discovered.withLock({ $0?.types[object.objectType.lowercased()] }) else { return nil }
        // An anchor the directory gives: known once the entry is added.
        guard mapping.settings.anchoredOnDN else { return nil }
        if let given = object.attributes[Self.dnAttribute]?.stringValue, !given.isEmpty { return try Self.name(given).normalized }
        guard let rdn = mapping.settings.rdnAttribute else { return nil }
        guard let made = try madeDN(object, mapping) else {
            let served = mapping.attributes.first { $0.ldapName.lowercased() == rdn.lowercased() }?.name ?? rdn
            throw ConnectorError(.invalidValue, "a new \(object.objectType) needs '\(served)': its DN is \(rdn)=<\(served)>,\(mapping.settings.container)")
        }
        return made.normalized
    }

    /// An attribute the object carries that its classes do not allow: refused before it is sent.
    func checkUnknown(_ object: ConnectorObject, _ mapping: TypeMapping) throws(ConnectorError) {
        for (name, value) in object.attributes where value != .null && name != Self.dnAttribute && name.lowercased() != "objectclass" {
            guard mapping.attribute(name) != nil else {
                throw ConnectorError(.invalidValue, "'\(name)' is not an attribute of \(mapping.classes.joined(separator: ", ")) as this connector serves them")
            }
        }
    }

    /// The DN of a new entry: its `-dn-` attribute, or the one the connector makes; written with
    /// the naming value as given (`cn=Finance`, not the anchor's `cn=finance`).
    func dn(of object: ConnectorObject, _ mapping: TypeMapping) throws(ConnectorError) -> DistinguishedName {
        let made = try madeDN(object, mapping)
        let given = object.attributes[Self.dnAttribute]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? (mapping.settings.anchoredOnDN ? object.anchor : nil)
        guard let given, case let dn = try Self.name(given), !dn.rdns.isEmpty else {
            if let made { return made }
            throw ConnectorError(.invalidValue, "the DN ('\(Self.dnAttribute)') of a new \(object.objectType) is required")
        }
        if let made, made.matches(dn) { return made }
        return dn
    }

    /// For a type whose DNs the connector makes (`rdnAttribute`), the naming attribute's value below
    /// the container: `cn=Finance,ou=Groups,dc=contoso,dc=lab`; nil without one.
    func madeDN(_ object: ConnectorObject, _ mapping: TypeMapping) throws(ConnectorError) -> DistinguishedName? {
        guard let rdn = mapping.settings.rdnAttribute else { return nil }
        let served = mapping.attributes.first { $0.ldapName.lowercased() == rdn.lowercased() }?.name ?? rdn
        guard let value = object.attributes.first(where: { $0.key.lowercased() == served.lowercased() })?.value,
            let text = (value.arrayValue?.first ?? value).stringValue, !text.isEmpty
        else { return nil }
        return try Self.name(mapping.settings.container).child([.init(rdn, text)])
    }

    /// The value of the anchor attribute of an entry: text as it is, 16 bytes (an `objectGUID`)
    /// as a GUID's hexadecimal form.
    static func anchorValue(_ entry: LDAPEntry, _ mapping: TypeMapping) -> String? {
        guard let value = entry.attributes.first(where: { $0.type.lowercased() == mapping.settings.anchor.lowercased() })?.values.first else { return nil }
        if let text = String(validating: value, as: UTF8.self), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return text }
        return value.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The anchor of an entry: its DN normalised (see ``anchor(ofNew:)``); text that is no DN as it is.
    static func anchor(_ dn: String) -> String {
        (try? DistinguishedName(parsing: dn))?.normalized ?? dn
    }

    static func name(_ text: String) throws(ConnectorError) -> DistinguishedName {
        do {
            return try DistinguishedName(parsing: text)
        } catch {
            throw ConnectorError(.invalidValue, "'\(text)' is not a DN: \(error)")
        }
    }

    // MARK: Calls

    private func search(_ request: SearchRequest, controls: [LDAPControl] = []) async throws(ConnectorError) -> LDAPSearchResult {
        try await perform("search \(request.base.isEmpty ? "the root DSE" : request.base)") { () async throws(LDAPFailure) in
            try await directory.search(request, controls: controls)
        }
    }

    /// A call, with its failure as the connector error it is.
    private func perform<T>(_ what: String, _ body: () async throws(LDAPFailure) -> T) async throws(ConnectorError) -> T {
        do {
            return try await body()
        } catch {
            throw Self.error(error, what)
        }
    }

    /// The connector error of an LDAP failure, with the server's diagnostic message: the SCIM
    /// status the host answers follows from its kind.
    static func error(_ failure: LDAPFailure, _ what: String) -> ConnectorError {
        switch failure {
        case .result(let result, _):
            let reason = "\(what): \(failure)"
            switch result.code {
            case .entryAlreadyExists: return ConnectorError(.alreadyExists, reason)
            case .noSuchObject:
                if what.hasPrefix("add ") {
                    let parent = result.matchedDN.isEmpty ? "" : "; the nearest entry that exists is '\(result.matchedDN)'"
                    return ConnectorError(.invalidValue, "\(what): the parent entry does not exist\(parent) (this connector creates no containers)")
                }
                return ConnectorError(.notFound, reason)
            case .objectClassViolation, .invalidAttributeSyntax, .constraintViolation, .undefinedAttributeType, .namingViolation,
                .attributeOrValueExists, .noSuchAttribute, .invalidDNSyntax, .notAllowedOnRDN, .objectClassModsProhibited, .inappropriateMatching,
                .notAllowedOnNonLeaf:
                return ConnectorError(.invalidValue, reason)
            case .invalidCredentials, .inappropriateAuthentication: return ConnectorError(.unauthenticated, reason)
            case .insufficientAccessRights, .strongerAuthRequired, .confidentialityRequired: return ConnectorError(.permissionDenied, reason)
            case .busy, .unavailable, .unwillingToPerform, .adminLimitExceeded, .timeLimitExceeded:
                return ConnectorError(.unavailable, reason, retryAfter: 5)
            default: return ConnectorError(.applicationFailed, reason)
            }
        case .connect, .closed: return ConnectorError(.unavailable, "\(what): \(failure)", retryAfter: 5)
        case .timedOut: return ConnectorError(.timedOut, "\(what): \(failure)")
        case .protocolError: return ConnectorError(.failed, "\(what): \(failure)")
        }
    }
}
