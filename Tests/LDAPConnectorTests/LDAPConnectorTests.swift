import AttrmapTesting
import Connectors
import Foundation
import JSONValues
import LDAPConnector
import LDAPMessages
import LocalSlapd
import Logging
import NIOSSL
import Spawning
import Testing

/// The LDAP connector against a real slapd on loopback, started for each test: the connector
/// contract, paged imports, the accesslog's deltas, the errors users meet with Microsoft's
/// OpenLDAP tutorial, TLS both ways, and ldapsearch reading back what was written.
@Suite(.serialized) struct LDAPConnectorTests {
    /// Anchors are DNs in the form the directory compares them: lower case.
    static let people = "ou=people,dc=contoso,dc=lab"

    static let person = LDAPConnector.ObjectTypeSettings(
        name: "User", objectClass: "inetOrgPerson", container: people, attributes: ["cn", "sn", "displayName", "mail", "description"],
        singleValued: ["cn", "sn"])

    static func connector(
        _ server: SlapdServer, types: [LDAPConnector.ObjectTypeSettings] = [person], pageSize: Int = 100, endpoint: LDAPEndpoint? = nil,
        bind: LDAPBind? = nil
    ) -> LDAPConnector {
        LDAPConnector(
            settings: LDAPConnector.Settings(
                endpoint: endpoint ?? LDAPEndpoint(host: "127.0.0.1", port: server.port, security: .none),
                bind: bind ?? .simple(dn: server.rootDN, password: server.rootPassword), objectTypes: types, pageSize: pageSize,
                timeout: .seconds(10), accessLog: "cn=accesslog", overlap: .seconds(2)),
            logger: Logger(label: "test"))
    }

    static func user(_ uid: String, cn: String? = nil, _ extra: [String: JSON] = [:]) -> ConnectorObject {
        var attributes: [String: JSON] = [
            LDAPConnector.dnAttribute: .string("uid=\(uid),\(people)"), "cn": .string(cn ?? "User \(uid)"), "sn": .string("Sample"),
        ]
        for (key, value) in extra { attributes[key] = value }
        return ConnectorObject(objectType: "User", anchor: "uid=\(uid),\(people)", attributes: attributes)
    }

    @Test func meetsTheConnectorContract() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        let connector = Self.connector(server)
        try await ConnectorConformance.check(.init(
            connector: connector, sample: Self.user("sample", cn: "Sample Person"), anchorAttribute: LDAPConnector.dnAttribute,
            textAttribute: "displayName", multiValuedAttribute: "description", setsPasswords: true,
            reopen: { Self.connector(server) },
            outage: (goAway: { server.pause() }, comeBack: { try server.resume() }),
            anchorForm: { "uid=\($0),\(Self.people)" }))
    }

    /// What the connector wrote, read by ldapsearch; a password set by Password Modify, hashed by
    /// the server and good for a bind.
    @Test func writesWhatLdapsearchReadsBack() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        let connector = Self.connector(server)
        try await connector.create(Self.user("ann", cn: "Ann Lee", ["mail": .array([.string("ann@contoso.com"), .string("a.lee@contoso.com")])]))
        let ldif = try server.search("(uid=ann)")
        #expect(ldif.contains("dn: uid=ann,ou=People,dc=contoso,dc=lab"), "\(ldif)")
        #expect(ldif.contains("cn: Ann Lee"), "\(ldif)")
        #expect(ldif.contains("mail: ann@contoso.com\nmail: a.lee@contoso.com"), "\(ldif)")
        #expect(ldif.contains("objectClass: inetOrgPerson"), "\(ldif)")

        try await connector.setPassword(objectType: "User", anchor: "uid=ann,\(Self.people)", password: "Correct-Horse-1")
        let stored = try server.search("(uid=ann)", attributes: ["userPassword"])
        #expect(stored.contains("userPassword:: "), "the server keeps a hash, base64 in LDIF: \(stored)")
        #expect(!stored.contains("Correct-Horse-1"))
        let passwordFile = server.folder + "/ann.password"
        try "Correct-Horse-1".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let (termination, output, _) = try ChildProcess.runTool(
            "/usr/bin/ldapwhoami", ["-x", "-H", server.url, "-D", "uid=ann,\(Self.people)", "-y", passwordFile])
        #expect(termination == 0, "a bind with the new password: \(output)")
        #expect(output.contains("dn:uid=ann,ou=People,dc=contoso,dc=lab"), "\(output)")
    }

    /// More entries than a page: every one imported once, in pages of the configured size.
    @Test func importsInPages() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        var ldif = ""
        for index in 0..<23 { ldif += "dn: uid=p\(index),\(Self.people)\nobjectClass: inetOrgPerson\ncn: Person \(index)\nsn: P\n\n" }
        try server.add(ldif)
        let connector = Self.connector(server, pageSize: 5)
        var pages: [Int] = []
        var anchors: [String] = []
        try await connector.fullImport(objectType: "User") { page throws(ConnectorError) in
            pages.append(page.count)
            anchors += page.map(\.anchor)
        }
        #expect(pages == [5, 5, 5, 5, 3])
        #expect(Set(anchors).count == 23)
        #expect(anchors.allSatisfy { $0.hasSuffix(",ou=people,dc=contoso,dc=lab") })
    }

    /// The accesslog's changes since a watermark: adds and modifies read as the entries now are,
    /// deletes by their DN, changes outside the container left out.
    @Test func importsChangesFromTheAccesslog() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        let connector = Self.connector(server)
        try await connector.create(Self.user("old"))
        try await connector.create(Self.user("gone"))
        try await Task.sleep(for: .seconds(3))
        let watermark = try await connector.watermark(objectType: "User")
        try await Task.sleep(for: .milliseconds(1100))
        try await connector.create(Self.user("new", cn: "New Person"))
        try server.modify("dn: uid=old,\(Self.people)\nchangetype: modify\nreplace: description\ndescription: changed by hand\n")
        try await connector.delete(objectType: "User", anchor: "uid=gone,\(Self.people)")
        try server.add("dn: ou=Elsewhere,dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: Elsewhere\n")
        let delta = try await connector.deltaImport(objectType: "User", since: watermark)
        #expect(Set(delta.changed.map(\.anchor)) == ["uid=new,\(Self.people)", "uid=old,\(Self.people)"], "\(delta)")
        #expect(delta.changed.first { $0.anchor.hasPrefix("uid=old") }?.attributes["description"] == .array([.string("changed by hand")]))
        #expect(delta.deleted == ["uid=gone,\(Self.people)"])
        #expect(delta.watermark > watermark)
    }

    /// The errors of Microsoft's OpenLDAP tutorial, each a clear refusal of the kind the host
    /// turns into the right SCIM status, with the directory's reason.
    @Test func refusesWithTheDirectorysReasons() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        let posix = LDAPConnector.ObjectTypeSettings(
            name: "User", objectClass: "inetOrgPerson", auxiliaryClasses: ["posixAccount", "shadowAccount"], container: Self.people,
            attributes: ["cn", "sn", "mail", "uid", "uidNumber", "gidNumber", "homeDirectory", "objectClass"], singleValued: ["cn", "mail", "sn", "uid"])
        let connector = Self.connector(server, types: [posix])
        func refusal(_ object: ConnectorObject) async -> ConnectorError? {
            do {
                try await connector.create(object)
                return nil
            } catch {
                return error
            }
        }
        let complete: [String: JSON] = ["uid": .string("x"), "uidNumber": .number("10011"), "gidNumber": .number("10000"), "homeDirectory": .string("/home/x")]

        // A MUST attribute missing: refused before it is sent, naming it.
        var missing = complete
        missing["uidNumber"] = nil
        let noUidNumber = await refusal(Self.user("a", missing))
        #expect(noUidNumber?.kind == .invalidValue)
        #expect(noUidNumber?.message.contains("'uidNumber' is required") == true, "\(String(describing: noUidNumber))")
        // A second value of a single-valued attribute.
        let twoMails = await refusal(Self.user("b", complete.merging(["mail": .array([.string("a@x"), .string("b@x")])]) { $1 }))
        #expect(twoMails?.kind == .invalidValue)
        #expect(twoMails?.message.contains("'mail' holds one value; 2 were given") == true, "\(String(describing: twoMails))")
        // An object class the server does not know (21).
        let unknownClass = await refusal(Self.user("c", complete.merging(["objectClass": .array([.string("inetOrgPerson"), .string("posixUser")])]) { $1 }))
        #expect(unknownClass?.kind == .invalidValue)
        #expect(unknownClass?.message.contains("invalidAttributeSyntax (21)") == true, "\(String(describing: unknownClass))")
        // Below a container that does not exist (32): the parent named.
        var london = Self.user("d", complete)
        london.attributes[LDAPConnector.dnAttribute] = .string("uid=d,ou=London,\(Self.people)")
        london.anchor = "uid=d,ou=London,\(Self.people)"
        let noParent = await refusal(london)
        #expect(noParent?.kind == .invalidValue)
        #expect(noParent?.message.contains("the parent entry does not exist; the nearest entry that exists is 'ou=People,dc=contoso,dc=lab'") == true, "\(String(describing: noParent))")
        // An existing DN (68).
        try await connector.create(Self.user("e", complete))
        let again = await refusal(Self.user("e", complete))
        #expect(again?.kind == .alreadyExists)
        #expect(again?.message.contains("entryAlreadyExists (68)") == true, "\(String(describing: again))")

        // Microsoft's mappings name the entry by cn and map cn from the display name: a later
        // change of it keeps the DN's value (else the server refuses with namingViolation, 64).
        let named = ConnectorObject(objectType: "User", anchor: "cn=bsimon,\(Self.people)", attributes: [
            LDAPConnector.dnAttribute: .string("cn=bsimon,\(Self.people)"), "cn": .string("Britta Simon"), "sn": .string("Simon"),
            "uid": .string("bsimon"), "uidNumber": .number("10012"), "gidNumber": .number("10000"), "homeDirectory": .string("/home/bsimon"),
        ])
        let multiValuedCN = LDAPConnector.ObjectTypeSettings(
            name: "User", objectClass: "inetOrgPerson", auxiliaryClasses: ["posixAccount", "shadowAccount"], container: Self.people,
            attributes: ["cn", "sn", "uid", "uidNumber", "gidNumber", "homeDirectory"])
        let tutorial = Self.connector(server, types: [multiValuedCN])
        try await tutorial.create(named)
        var renamed = named
        renamed.attributes["cn"] = .array([.string("Britta Simon-Lee")])
        var previous = try #require(try await tutorial.get(objectType: "User", anchor: named.anchor))
        try await tutorial.update(renamed, from: previous)
        previous = try #require(try await tutorial.get(objectType: "User", anchor: named.anchor))
        #expect(Set(previous.attributes["cn"]?.arrayValue ?? []) == [.string("Britta Simon-Lee"), .string("bsimon")], "\(previous)")

        // Treated as single, cn shows the value written, not the one the server adds for the DN.
        let single = Self.connector(server, types: [posix])
        var read = try #require(try await single.get(objectType: "User", anchor: named.anchor))
        #expect(read.attributes["cn"] == .string("Britta Simon-Lee"), "\(read)")
        var changedAgain = read
        changedAgain.attributes["cn"] = .string("Britta Lee")
        try await single.update(changedAgain, from: read)
        read = try #require(try await single.get(objectType: "User", anchor: named.anchor))
        #expect(read.attributes["cn"] == .string("Britta Lee"), "\(read)")
        #expect(try server.search("(uid=bsimon)", attributes: ["cn"]).contains("cn: bsimon"), "the DN's value stays")

        // An identity that may read and not write (50): permission denied, the server's reason.
        try server.add("dn: uid=reader,\(Self.people)\nobjectClass: inetOrgPerson\ncn: reader\nsn: Reader\nuserPassword: Reader-Pass-1\n")
        let reader = Self.connector(server, bind: .simple(dn: "uid=reader,\(Self.people)", password: "Reader-Pass-1"))
        #expect(try await reader.fullImport(objectType: "User").contains { $0.anchor == "uid=reader,\(Self.people)" })
        let denied = await #expect(throws: ConnectorError.self) { try await reader.create(Self.user("f")) }
        #expect(denied?.kind == .permissionDenied)
        #expect(denied?.message.contains("insufficientAccessRights (50)") == true, "\(String(describing: denied))")

        // A wrong bind password (49).
        let wrong = Self.connector(server, bind: .simple(dn: server.rootDN, password: "not-it"))
        let refused = await #expect(throws: ConnectorError.self) { try await wrong.testConnection() }
        #expect(refused?.kind == .unauthenticated)
        #expect(refused?.message.contains("invalidCredentials (49)") == true, "\(String(describing: refused))")
    }

    /// LDAPS and StartTLS with the test authority's certificate; a bind by client certificate
    /// (SASL EXTERNAL) mapped by the server to an entry; a certificate nobody trusts refused.
    @Test func connectsOverTLSBothWays() async throws {
        let folder = try TemporaryFolder("slapd-tls")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url)
        let (certificate, key) = try authority.issue("127.0.0.1")
        let server = try SlapdServer(tls: .init(certificate: certificate, key: key, authority: authority.file.path))
        defer { server.stop() }
        try server.add("dn: uid=provisioner,\(Self.people)\nobjectClass: inetOrgPerson\ncn: provisioner\nsn: Service\n")

        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority.file.path))
        let trusted = try NIOSSLContext(configuration: trusting)
        let ldaps = Self.connector(server, endpoint: LDAPEndpoint(host: "127.0.0.1", port: try #require(server.securePort), security: .ldaps, tls: trusted))
        try await ldaps.testConnection()
        #expect(try await ldaps.fullImport(objectType: "User").count == 1)
        let startTLS = Self.connector(server, endpoint: LDAPEndpoint(host: "127.0.0.1", port: server.port, security: .startTLS, tls: trusted))
        try await startTLS.create(Self.user("tls"))
        #expect(try server.search("(uid=tls)").contains("dn: uid=tls,"))

        // A client certificate for cn=provisioner: the server maps it to uid=provisioner,ou=People.
        let (clientCertificate, clientKey) = try authority.issue("provisioner", client: true)
        var withCertificate = trusting
        withCertificate.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate).map { .certificate($0) }
        withCertificate.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
        let external = Self.connector(
            server, endpoint: LDAPEndpoint(host: "127.0.0.1", port: server.port, security: .startTLS, tls: try NIOSSLContext(configuration: withCertificate)),
            bind: .external)
        #expect(try await external.fullImport(objectType: "User").count == 2, "the mapped identity reads")

        // The system's trust store does not know the test authority: no connection.
        let untrusted = Self.connector(
            server, endpoint: LDAPEndpoint(
                host: "127.0.0.1", port: try #require(server.securePort), security: .ldaps,
                tls: try NIOSSLContext(configuration: .makeClientConfiguration())))
        let refused = await #expect(throws: ConnectorError.self) { try await untrusted.testConnection() }
        #expect(refused?.kind == .unavailable, "\(String(describing: refused))")
        #expect(refused?.message.contains("cannot connect") == true || refused?.message.contains("TLS") == true, "\(String(describing: refused))")
    }
}

extension ChildProcess {
    /// Runs a tool to its end: its exit status and what it printed.
    static func runTool(_ path: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let (termination, output, error) = try run(path, arguments, environment: ["PATH": "/usr/bin:/bin", "LDAPCONF": "/dev/null"])
        return (termination.status, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}

/// Anchored on entryUUID: the directory gives the anchor, which stays through a rename (a
/// ModifyDN, here a move to another container too), a delete is found in the accesslog by it.
@Suite(.serialized) struct LDAPEntryUUIDTests {
    @Test func anEntryUUIDAnchorSurvivesARename() async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        try server.add("dn: ou=Leavers,dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: Leavers\n")
        var stable = LDAPConnectorTests.person
        stable.anchor = "entryUUID"
        stable.container = "dc=contoso,dc=lab"
        let connector = LDAPConnectorTests.connector(server, types: [stable])
        let schema = try await connector.schema()
        #expect(schema.objectType("User")?.anchor == "entryUUID")
        #expect(schema.objectType("User")?.attribute("entryUUID") == nil, "the directory's to give, not the client's")

        var object = LDAPConnectorTests.user("ann", cn: "Ann Lee")
        object.anchor = ""
        let anchor = try await connector.createReturningAnchor(object, password: nil)
        #expect(anchor.count == 36 && anchor.filter { $0 == "-" }.count == 4, "a UUID: \(anchor)")
        #expect(try server.search("(uid=ann)", attributes: ["entryUUID"]).contains("entryUUID: \(anchor)"))
        let read = try #require(try await connector.get(objectType: "User", anchor: anchor))
        #expect(read.anchor == anchor)
        #expect(read.attributes[LDAPConnector.dnAttribute] == .string("uid=ann,ou=people,dc=contoso,dc=lab"))

        let watermark = try await connector.watermark(objectType: "User")
        try await Task.sleep(for: .milliseconds(1100))
        // A move, and a change at once: a ModifyDN, then the modify at the new DN.
        var moved = read
        moved.attributes[LDAPConnector.dnAttribute] = .string("uid=ann,ou=Leavers,dc=contoso,dc=lab")
        moved.attributes["description"] = .array([.string("left in December")])
        try await connector.update(moved, from: read)
        let ldif = try server.search("(uid=ann)", attributes: ["entryUUID", "description"])
        #expect(ldif.contains("dn: uid=ann,ou=Leavers,dc=contoso,dc=lab") && ldif.contains("entryUUID: \(anchor)"), "\(ldif)")
        #expect(ldif.contains("description: left in December"), "\(ldif)")
        #expect(try await connector.get(objectType: "User", anchor: anchor)?.attributes[LDAPConnector.dnAttribute] == .string("uid=ann,ou=leavers,dc=contoso,dc=lab"))
        let renamed = try await connector.deltaImport(objectType: "User", since: watermark)
        #expect(renamed.changed.map(\.anchor) == [anchor], "\(renamed)")
        #expect(renamed.deleted.isEmpty, "a rename is no delete: \(renamed)")

        try await connector.setPassword(objectType: "User", anchor: anchor, password: "Correct-Horse-1")
        try await connector.delete(objectType: "User", anchor: anchor)
        #expect(try server.search("(uid=ann)").isEmpty)
        let gone = try await connector.deltaImport(objectType: "User", since: watermark)
        #expect(gone.deleted == [anchor], "\(gone)")
        let missing = await #expect(throws: ConnectorError.self) { try await connector.delete(objectType: "User", anchor: anchor) }
        #expect(missing?.kind == .notFound)
    }
}

/// Groups by DN, which Microsoft's connector does not do: `groupOfNames` and `groupOfUniqueNames`,
/// a new group's DN made from its display name, members added and removed as their own changes,
/// the empty DN kept while a group has no member.
@Suite(.serialized) struct LDAPGroupTests {
    @Test(arguments: ["groupOfNames", "groupOfUniqueNames"])
    func groupsKeepTheirMembersByDN(objectClass: String) async throws {
        let server = try SlapdServer()
        defer { server.stop() }
        try server.add("dn: ou=Groups,dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: Groups\n")
        let groups = LDAPConnector.ObjectTypeSettings(name: "Group", objectClass: objectClass, container: "ou=Groups,dc=contoso,dc=lab")
        let connector = LDAPConnectorTests.connector(server, types: [LDAPConnectorTests.person, groups])
        let memberAttribute = objectClass == "groupOfNames" ? "member" : "uniqueMember"
        let type = try #require(try await connector.schema().objectType("Group"))
        #expect(type.attribute("displayName") != nil && type.attribute("members")?.multiValued == true, "\(type)")
        #expect(type.attribute("members")?.type == .reference)

        // Entra creates a group by its display name, then adds members.
        var group = ConnectorObject(objectType: "Group", anchor: "", attributes: ["displayName": .array([.string("Finance")])])
        let anchor = try #require(try connector.anchor(ofNew: group))
        #expect(anchor == "cn=finance,ou=groups,dc=contoso,dc=lab")
        group.anchor = anchor
        try await connector.create(group)
        var ldif = try server.search("(cn=Finance)", attributes: [memberAttribute])
        #expect(ldif.contains("dn: cn=Finance,ou=Groups,dc=contoso,dc=lab") && ldif.contains("\(memberAttribute):"), "the empty DN as member: \(ldif)")
        #expect(try await connector.get(objectType: "Group", anchor: anchor)?.attributes["members"] == nil, "no member is shown")

        var withMembers = group
        withMembers.attributes["members"] = .array([.string("uid=ann,ou=people,dc=contoso,dc=lab"), .string("uid=bob,ou=people,dc=contoso,dc=lab")])
        try await connector.update(withMembers, from: group)
        var oneLeft = withMembers
        oneLeft.attributes["members"] = .array([.string("uid=bob,ou=people,dc=contoso,dc=lab")])
        try await connector.update(oneLeft, from: withMembers)
        ldif = try server.search("(cn=Finance)", attributes: [memberAttribute])
        #expect(ldif.contains("\(memberAttribute): uid=bob,ou=people,dc=contoso,dc=lab") && !ldif.contains("uid=ann"), "\(ldif)")
        #expect(try await connector.get(objectType: "Group", anchor: anchor)?.attributes["members"] == .array([.string("uid=bob,ou=people,dc=contoso,dc=lab")]))
        var none = oneLeft
        none.attributes["members"] = nil
        try await connector.update(none, from: oneLeft)
        #expect(try await connector.get(objectType: "Group", anchor: anchor)?.attributes["members"] == nil)
        try await connector.delete(objectType: "Group", anchor: anchor)
        #expect(try server.search("(cn=Finance)").isEmpty)
    }
}
