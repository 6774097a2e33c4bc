import AttrmapTesting
import Foundation
import JSONValues
import LocalSlapd
import Spawning
import Testing

/// `attrmap serve` with the LDAP connector into a real slapd over StartTLS, configured by
/// Examples/ldap/serve.yaml: Microsoft's OpenLDAP tutorial as Entra runs it (the requests made by
/// `attrmap transform` from the tutorial's mappings), inetOrgPerson then POSIX accounts, groups,
/// and the errors users meet; every result read back with ldapsearch.
@Suite(.serialized) struct LDAPServeTests {
    static let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    static let token = "ldap-host-token-0123456789"
    static let example = AttrmapBinary.packageRoot.appendingPathComponent("Examples/ldap")

    /// The requests `attrmap transform` makes for the example's users with `mapping`.
    static func requests(_ mapping: String) throws -> [(method: String, path: String, body: String?)] {
        let output = try AttrmapBinary.run([
            "transform", "--no-steps", "--mapping", example.appendingPathComponent(mapping).path, example.appendingPathComponent("users.json").path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        return try output.stdout.split(separator: "\n").flatMap { line in
            try (JSON.parse(String(line))["requests"]?.arrayValue ?? []).map { request in
                (request["method"]?.stringValue ?? "", request["path"]?.stringValue ?? "", request["body"].map(\.serialized))
            }
        }
    }

    static func encoded(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?&="))) ?? path
    }

    /// A path with its query's filter percent-encoded, as Entra sends it.
    static func target(_ path: String) -> String {
        guard let mark = path.firstIndex(of: "?") else { return path }
        let query = path[path.index(after: mark)...]
        guard query.hasPrefix("filter=") else { return path }
        return String(path[..<mark]) + "?filter=" + String(query.dropFirst(7)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    /// `attrmap serve --config Examples/ldap/serve.yaml` against `directory`, its local copy in `cache`.
    static func server(_ directory: SlapdServer, authority: TestCertificateAuthority, cache: String) throws -> ServeCommandTests.Server {
        try ServeCommandTests.Server(
            data: "", token: nil, logLevel: "info", connector: "LDAP",
            arguments: ["--config", example.appendingPathComponent("serve.yaml").path, "--cache", cache],
            environment: [
                "LDAP_HOST": "127.0.0.1", "LDAP_PORT": "\(directory.port)", "LDAP_CA_FILE": authority.file.path, "LDAP_PASSWORD": directory.rootPassword,
                "ATTRMAP_LDAP_TOKEN": token,
            ])
    }

    /// With `anchor: entryUUID` the directory gives the id, which stays when a PATCH of `-dn-`
    /// moves the entry (a ModifyDN) and through another host's import.
    @Test func anEntryUUIDIdStaysThroughARename() async throws {
        let folder = try TemporaryFolder("serve-ldap-uuid")
        defer { folder.remove() }
        let directory = try SlapdServer()
        defer { directory.stop() }
        try directory.add("dn: ou=Leavers,dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: Leavers\n")
        try """
            connectors:
              - name: LDAP
                token: ${ATTRMAP_LDAP_TOKEN}
                ldap:
                  host: 127.0.0.1
                  port: \(directory.port)
                  security: none
                  allowCleartextBind: true
                  bind: {dn: "\(directory.rootDN)", password: "${LDAP_PASSWORD}"}
                  objectTypes:
                    - {name: User, objectClass: inetOrgPerson, container: "dc=contoso,dc=lab", anchor: entryUUID, attributes: [cn, sn, mail]}
            """.write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        func serve(_ cache: String) throws -> ServeCommandTests.Server {
            try ServeCommandTests.Server(
                data: "", token: nil, connector: "LDAP", arguments: ["--config", folder.path("serve.yaml"), "--cache", folder.path(cache)],
                environment: ["LDAP_PASSWORD": directory.rootPassword, "ATTRMAP_LDAP_TOKEN": Self.token])
        }
        let server = try serve("cache")
        defer { server.stop() }
        let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"ann@contoso.com","\#(Self.ext)":{"-dn-":"uid=ann,ou=People,dc=contoso,dc=lab","cn":"Ann Lee","sn":"Lee"}}"#
        let (created, createdText) = try await server.send("POST", "/Users", token: Self.token, body: user)
        #expect(created == 201, "\(createdText)")
        let id = try #require(try JSON.parse(createdText)["id"]?.stringValue)
        #expect(try directory.search("(uid=ann)", attributes: ["entryUUID"]).contains("entryUUID: \(id)"), "the id is the entryUUID: \(id)")
        let move = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"\#(Self.ext):-dn-","value":"uid=ann,ou=Leavers,dc=contoso,dc=lab"}]}"#
        let (moved, movedText) = try await server.send("PATCH", "/Users/\(id)", token: Self.token, body: move)
        #expect(moved == 200, "\(movedText)")
        #expect(try directory.search("(uid=ann)").contains("dn: uid=ann,ou=Leavers,dc=contoso,dc=lab"))
        let restarted = try serve("cache-2")
        defer { restarted.stop() }
        let (read, readText) = try await restarted.send("GET", "/Users/\(id)", token: Self.token)
        #expect(read == 200 && readText.contains("uid=ann,ou=leavers,dc=contoso,dc=lab"), "\(readText)")
        let (deleted, _) = try await restarted.send("DELETE", "/Users/\(id)", token: Self.token)
        #expect(deleted == 204)
        #expect(try directory.search("(uid=ann)").isEmpty)
    }

    /// The example's configuration is valid; each mistake in an `ldap:` entry is named at its place
    /// in the file by `serve --check`, before anything is opened.
    @Test(arguments: [
        ("security: none\n      bind: {dn: \"cn=admin,dc=contoso,dc=lab\", password: \"${PW}\"}",
         "serve.yaml:7:13: a simple bind over a connection without TLS sends the password in clear"),
        ("bind: {dn: \"cn=admin,dc=contoso,dc=lab\", password: \"secret\"}",
         "serve.yaml:6:58: the bind password is a reference, ${VARIABLE}: a password does not belong in a file"),
        ("bind: external", "serve.yaml:6:13: bind: external authenticates with a client certificate: set certificateFile and keyFile"),
        ("security: ldap", "serve.yaml:6:17: 'security' is ldaps, startTLS or none, not 'ldap'"),
        ("pageSize: 0", "serve.yaml:6:17: 'pageSize' is a number from 1 to 100000"),
        ("hosts: x", "serve.yaml:6:14: unknown key 'hosts'"),
    ])
    func configurationMistakesAreLocated(line: String, message: String) throws {
        let folder = try TemporaryFolder("serve-ldap-check")
        defer { folder.remove() }
        let objectTypes = #"objectTypes: [{name: User, objectClass: inetOrgPerson, container: "dc=contoso,dc=lab"}]"#
        try """
            connectors:
              - name: LDAP
                token: ldap-token-0123456789
                ldap:
                  host: 127.0.0.1
                  \(line)
                  \(objectTypes)
            """.write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        let check = try AttrmapBinary.run(["serve", "--config", folder.path("serve.yaml"), "--check"], environment: ["PW": "secret"])
        #expect(check.status == 65, "\(check.stderr)")
        // `FILE:LINE:COLUMN (connector 1, 'ldap.KEY'): reason`
        let (place, reason) = (String(message.prefix { $0 != " " }.dropLast()), String(message.drop { $0 != " " }.dropFirst()))
        #expect(check.stderr.contains(place + " (connector 1, 'ldap."), "\(check.stderr)")
        #expect(check.stderr.contains("): " + reason), "\(check.stderr)")
    }

    /// `discover ldap` shows what the wizard's pages show: the server's offers, each type's
    /// classes and served attributes, and a class's MUST and MAY on request.
    @Test func discoverShowsTheDirectoryAsTheWizardDoes() throws {
        let folder = try TemporaryFolder("discover-ldap")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url)
        let (certificate, key) = try authority.issue("127.0.0.1")
        let directory = try SlapdServer(tls: .init(certificate: certificate, key: key, authority: authority.file.path))
        defer { directory.stop() }
        let environment = [
            "LDAP_HOST": "127.0.0.1", "LDAP_PORT": "\(directory.port)", "LDAP_CA_FILE": authority.file.path, "LDAP_PASSWORD": directory.rootPassword,
            "ATTRMAP_LDAP_TOKEN": Self.token,
        ]
        let config = Self.example.appendingPathComponent("serve.yaml").path
        let output = try AttrmapBinary.run(["discover", "ldap", "--config", config, "--object-class", "posixAccount", "--object-class", "nothing"], environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
        let text = output.stdout
        #expect(text.contains("directory 127.0.0.1:\(directory.port) (startTLS), bound as cn=admin,dc=contoso,dc=lab"), "\(text)")
        #expect(text.contains("paged results (1.2.840.113556.1.4.319): yes"), "\(text)")
        #expect(text.contains("Password Modify (1.3.6.1.4.1.4203.1.11.1): yes"), "\(text)")
        #expect(text.contains("User: inetOrgPerson, posixAccount, shadowAccount below dc=contoso,dc=lab"), "\(text)")
        #expect(text.range(of: #"\n  sn\* +string +single \(treated as\); MUST"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.range(of: #"\n  uidNumber +integer +single-valued; MUST with posixAccount\n"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.range(of: #"\n  userPassword +string +multi-valued; written, never read"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.range(of: #"\n  displayName \(cn\)\* +string +multi-valued; MUST"#, options: .regularExpression) != nil, "groups serve cn as displayName: \(text)")
        #expect(text.range(of: #"\n  members \(member\)\* +reference +multi-valued; MUST"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.contains("posixAccount (auxiliary, 1.3.6.1.1.1.2.0, below top)\n  MUST: objectClass, cn, uid, uidNumber, gidNumber, homeDirectory"), "\(text)")
        #expect(text.contains("nothing: the directory's schema has no such object class"), "\(text)")

        // A wrong password: the directory's refusal, located at the connector.
        var wrong = environment
        wrong["LDAP_PASSWORD"] = "not-it"
        let refused = try AttrmapBinary.run(["discover", "ldap", "--config", config], environment: wrong)
        #expect(refused.status == 1 && refused.stderr.contains("LDAP: search the root DSE: the directory refused the bind with invalidCredentials (49)"), "\(refused.stderr)")
    }

    @Test func theExampleConfigurationIsValid() throws {
        let folder = try TemporaryFolder("serve-ldap-example")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url)
        var environment = ["ATTRMAP_LDAP_TOKEN": Self.token, "LDAP_HOST": "127.0.0.1", "LDAP_PORT": "389", "LDAP_PASSWORD": "x", "LDAP_CA_FILE": authority.file.path]
        let check = try AttrmapBinary.run(["serve", "--config", Self.example.appendingPathComponent("serve.yaml").path, "--check"], environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("LDAP: ldap connector, at /ecma2host_LDAP/scim"), "\(check.stdout)")
        environment["LDAP_PASSWORD"] = nil
        let missing = try AttrmapBinary.run(["serve", "--config", Self.example.appendingPathComponent("serve.yaml").path, "--check"], environment: environment)
        #expect(missing.status == 65 && missing.stderr.contains("the environment variable LDAP_PASSWORD is not set"), "\(missing.stderr)")
    }

    @Test func runsMicrosoftsTutorialThroughTheHost() async throws {
        let folder = try TemporaryFolder("serve-ldap")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url.appendingPathComponent("ca"))
        let (certificate, key) = try authority.issue("127.0.0.1")
        let directory = try SlapdServer(tls: .init(certificate: certificate, key: key, authority: authority.file.path))
        defer { directory.stop() }
        try directory.add("dn: ou=Groups,dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: Groups\n")
        let server = try Self.server(directory, authority: authority, cache: folder.path("cache"))
        defer { server.stop() }

        // The first part: inetOrgPerson entries, each matched by mail (none yet), then created.
        for request in try Self.requests("mapping.yaml") {
            let (status, text) = try await server.send(request.method, Self.target(request.path), token: Self.token, body: request.body)
            if request.method == "GET" {
                #expect(status == 200, "\(request.path): \(text)")
                #expect(try JSON.parse(text)["totalResults"] == .number("0"), "\(text)")
            } else {
                #expect(status == 201, "\(request.path): \(text)")
            }
        }
        var ldif = try directory.search("(objectClass=inetOrgPerson)", base: "dc=contoso,dc=lab")
        #expect(ldif.lowercased().contains("dn: cn=bsimon,dc=contoso,dc=lab"), "\(ldif)")
        #expect(ldif.contains("cn: Britta Simon"), "\(ldif)")
        #expect(ldif.contains("sn: Simon"), "\(ldif)")
        #expect(ldif.contains("mail: bsimon@contoso.com"), "\(ldif)")
        #expect(!ldif.contains("posixAccount"), "\(ldif)")

        // Entra's next cycle matches by mail and reads the user back.
        // Its id is its DN as the directory compares names: what every later import gives it.
        let id = "cn=bsimon,dc=contoso,dc=lab"
        let filter = "\(Self.ext):mail eq \"bsimon@contoso.com\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (found, foundText) = try await server.send("GET", "/Users?filter=\(filter)", token: Self.token)
        #expect(found == 200)
        let match = try JSON.parse(foundText)["Resources"]?.arrayValue?.first
        #expect(match?["id"] == .string(id), "\(foundText)")
        #expect(match?[Self.ext]?["cn"] == .string("Britta Simon"), "treated as single, the value written: \(foundText)")

        // A change of the display name: cn keeps the DN's value beside it (no namingViolation).
        let rename = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"\#(Self.ext):cn","value":"Britta Simon-Lee"}]}"#
        let (renamed, renamedText) = try await server.send("PATCH", "/Users/\(Self.encoded(id))", token: Self.token, body: rename)
        #expect(renamed == 200, "\(renamedText)")
        ldif = try directory.search("(mail=bsimon@contoso.com)", attributes: ["cn"])
        #expect(ldif.contains("cn: Britta Simon-Lee") && ldif.contains("cn: bsimon") && !ldif.contains("cn: Britta Simon\n"), "\(ldif)")

        // Deprovisioning deletes, as the tutorial's flows do.
        for user in ["cn=bsimon,dc=contoso,dc=lab", "cn=alee,dc=contoso,dc=lab"] {
            let (deleted, deletedText) = try await server.send("DELETE", "/Users/\(Self.encoded(user))", token: Self.token)
            #expect(deleted == 204, "\(deletedText)")
        }
        #expect(try directory.search("(objectClass=inetOrgPerson)", base: "dc=contoso,dc=lab").isEmpty)

        // The second part: POSIX accounts, with the table's ten mappings.
        for request in try Self.requests("mapping-posix.yaml") where request.method == "POST" {
            let (status, text) = try await server.send(request.method, request.path, token: Self.token, body: request.body)
            #expect(status == 201, "\(text)")
            #expect(!text.contains("Initial-Pass-1"), "the initial password is not returned: \(text)")
        }
        ldif = try directory.search("(uid=alee)", attributes: ["objectClass", "uidNumber", "gidNumber", "homeDirectory", "uid"])
        #expect(ldif.contains("objectClass: posixAccount") && ldif.contains("objectClass: shadowAccount"), "\(ldif)")
        #expect(ldif.contains("uidNumber: 10012") && ldif.contains("gidNumber: 10000") && ldif.contains("homeDirectory: /home/alee"), "\(ldif)")
        // The tutorial's userPassword mapping: stored as given, as the ECMA host stores it; a
        // bind with it works.
        let passwordFile = folder.path("alee.password")
        try "Initial-Pass-1".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let bind = try ChildProcess.run(
            "/usr/bin/ldapwhoami", ["-x", "-H", directory.url, "-D", "CN=alee,DC=Contoso,DC=lab", "-y", passwordFile],
            environment: ["PATH": "/usr/bin:/bin", "LDAPCONF": "/dev/null"])
        #expect(bind.termination == .exited(0), "\(String(decoding: bind.error, as: UTF8.self))")
        let (read, readText) = try await server.send("GET", "/Users/\(Self.encoded("cn=alee,dc=contoso,dc=lab"))", token: Self.token)
        #expect(read == 200 && !readText.contains("userPassword") && !readText.contains("Initial-Pass-1"), "\(readText)")

        // The errors of the tutorial, each with its SCIM status and the directory's reason.
        func create(_ attributes: String) async throws -> (Int, String) {
            try await server.send("POST", "/Users", token: Self.token, body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"x@contoso.com","\#(Self.ext)":{\#(attributes)}}"#)
        }
        let posix = #""objectClass":["inetOrgPerson","posixAccount"],"cn":"X","sn":"X","uid":"x","gidNumber":"10000","homeDirectory":"/home/x""#
        let (missing, missingText) = try await create(#""-dn-":"CN=x,DC=Contoso,DC=lab",\#(posix)"#)
        #expect(missing == 400 && missingText.contains("'uidNumber' is required"), "\(missingText)")
        let (unknownClass, unknownText) = try await create(#""-dn-":"CN=x,DC=Contoso,DC=lab","objectClass":["posixUser"],"cn":"X","sn":"X""#)
        #expect(unknownClass == 400 && unknownText.contains("invalidAttributeSyntax (21)"), "\(unknownText)")
        let (noParent, noParentText) = try await create(#""-dn-":"CN=x,OU=London,DC=Contoso,DC=lab",\#(posix),"uidNumber":"1""#)
        #expect(noParent == 400 && noParentText.contains("the nearest entry that exists is 'dc=contoso,dc=lab'"), "\(noParentText)")
        let (notAllowed, notAllowedText) = try await create(#""-dn-":"CN=y,DC=Contoso,DC=lab","objectClass":["inetOrgPerson"],"cn":"Y","sn":"Y","uidNumber":"7""#)
        #expect(notAllowed == 400 && notAllowedText.contains("'uidNumber' is not allowed in an entry of inetOrgPerson"), "\(notAllowedText)")
        let (taken, takenText) = try await create(#""-dn-":"CN=alee,DC=Contoso,DC=lab",\#(posix),"uidNumber":"1""#)
        #expect(taken == 409, "\(takenText)")
        // A directory that is read-only for a while refuses writes with unwillingToPerform (53):
        // 503 with Retry-After, so that the client tries again later.
        try directory.setReadOnly(true)
        let (busy, busyText, busyHeaders) = try await server.sendWithHeaders(
            "POST", "/Users", token: Self.token,
            body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(Self.ext)"],"userName":"z@contoso.com","\#(Self.ext)":{"-dn-":"CN=z,DC=Contoso,DC=lab","objectClass":["inetOrgPerson"],"cn":"Z","sn":"Z"}}"#)
        #expect(busy == 503 && busyText.contains("unwillingToPerform (53)"), "\(busyText)")
        #expect(busyHeaders.first { $0.key.lowercased() == "retry-after" }?.value == "5", "\(busyHeaders)")
        try directory.setReadOnly(false)

        // Entra's password, set after the add by Password Modify: hashed by the server.
        let password = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"Changed-Pass-2"}]}"#
        let (changed, changedText) = try await server.send("PATCH", "/Users/\(Self.encoded("cn=alee,dc=contoso,dc=lab"))", token: Self.token, body: password)
        #expect(changed == 200, "\(changedText)")
        try "Changed-Pass-2".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let rebind = try ChildProcess.run(
            "/usr/bin/ldapwhoami", ["-x", "-H", directory.url, "-D", "CN=alee,DC=Contoso,DC=lab", "-y", passwordFile],
            environment: ["PATH": "/usr/bin:/bin", "LDAPCONF": "/dev/null"])
        #expect(rebind.termination == .exited(0), "\(String(decoding: rebind.error, as: UTF8.self))")
        #expect(!(try directory.search("(uid=alee)", attributes: ["userPassword"])).contains("Changed-Pass-2"), "stored hashed")

        // A group, created by its display name (Entra sends no DN), then its members by PATCH.
        let group = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Finance"}"#
        let (createdGroup, groupText) = try await server.send("POST", "/Groups", token: Self.token, body: group)
        #expect(createdGroup == 201, "\(groupText)")
        let groupID = try #require(try JSON.parse(groupText)["id"]?.stringValue)
        #expect(groupID == "cn=finance,ou=groups,dc=contoso,dc=lab")
        let members = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"cn=alee,dc=contoso,dc=lab"},{"value":"cn=bsimon,dc=contoso,dc=lab"}]}]}"#
        let (added, addedText) = try await server.send("PATCH", "/Groups/\(Self.encoded(groupID))", token: Self.token, body: members)
        #expect(added == 200 || added == 204, "\(addedText)")
        ldif = try directory.search("(cn=Finance)", base: "ou=Groups,dc=contoso,dc=lab", attributes: ["member"])
        #expect(ldif.contains("member: cn=alee,dc=contoso,dc=lab") && ldif.contains("member: cn=bsimon,dc=contoso,dc=lab"), "\(ldif)")
        #expect(!ldif.contains("member: \n") && !ldif.hasSuffix("member:\n"), "no empty member once there are members: \(ldif)")
        #expect(ldif.contains("dn: cn=Finance,ou=Groups,dc=contoso,dc=lab"), "the DN written with the display name as given: \(ldif)")
        let remove = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members[value eq \"cn=alee,dc=contoso,dc=lab\"]"},{"op":"Remove","path":"members[value eq \"cn=bsimon,dc=contoso,dc=lab\"]"}]}"#
        let (removed, removedText) = try await server.send("PATCH", "/Groups/\(Self.encoded(groupID))", token: Self.token, body: remove)
        #expect(removed == 200 || removed == 204, "\(removedText)")
        let (emptied, emptiedText) = try await server.send("GET", "/Groups/\(Self.encoded(groupID))", token: Self.token)
        let emptiedMembers = try JSON.parse(emptiedText)["members"]?.arrayValue ?? []
        #expect(emptied == 200 && emptiedMembers.isEmpty, "\(emptiedText)")
        let log = server.stopAndReadLog()
        #expect(!log.contains(directory.rootPassword) && !log.contains("Changed-Pass-2"), "no secret in the log")

        // Another host's first import gives every entry the id the creates gave it.
        let restarted = try Self.server(directory, authority: authority, cache: folder.path("cache-2"))
        defer { restarted.stop() }
        for path in ["/Users/\(Self.encoded("cn=alee,dc=contoso,dc=lab"))", "/Users/\(Self.encoded("cn=bsimon,dc=contoso,dc=lab"))", "/Groups/\(Self.encoded(groupID))"] {
            let (status, text) = try await restarted.send("GET", path, token: Self.token)
            #expect(status == 200, "\(path): \(text)")
        }
    }
}
