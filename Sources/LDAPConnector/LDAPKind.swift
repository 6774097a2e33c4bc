package import Connectors
import Foundation
package import Logging
import NIOSSL

/// `ldap: {…}` in a connector's entry: the generic LDAP connector.
///
/// ```yaml
/// ldap:
///   host: ldap.contoso.lab
///   port: 389                          # 636 with security: ldaps
///   security: startTLS                 # ldaps, startTLS (the default), or none
///   caFile: contoso-ca.pem             # the authority the server's certificate is checked against; else the system's
///   bind: {dn: "cn=admin,dc=contoso,dc=lab", password: "${LDAP_PASSWORD}"}   # or: external (a client certificate), anonymous
///   objectTypes:
///     - name: User                     # the SCIM resource type it is served as
///       objectClass: inetOrgPerson     # the structural class
///       auxiliaryClasses: [posixAccount, shadowAccount]
///       container: "ou=People,dc=contoso,dc=lab"
///       attributes: [cn, sn, mail, uid, uidNumber, gidNumber, homeDirectory, userPassword]
///       singleValued: [cn, mail, sn, uid]   # "treat as single value"
///       anchor: entryUUID              # or -dn- (the default): an attribute the directory keeps through renames
///     - name: Group                    # served under /Groups: cn as displayName, member as members
///       objectClass: groupOfNames
///       container: "ou=Groups,dc=contoso,dc=lab"   # a new group's DN: cn=<displayName>,<container>
///   accessLog: cn=accesslog            # delta imports from slapd's accesslog overlay
/// ```
package struct LDAPKind: ConnectorKind {
    package init() {}

    package var name: String { "ldap" }

    package var keys: [String] { [] }

    package struct Configuration: ConnectorConfiguration {
        package var settings: LDAPConnector.Settings

        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector {
            LDAPConnector(settings: settings, logger: logger)
        }
    }

    static let known = [
        "host", "port", "security", "caFile", "certificateFile", "keyFile", "insecure", "bind", "allowCleartextBind", "timeout", "connectTimeout",
        "connections", "pageSize", "accessLog", "overlap", "objectTypes",
    ]

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        guard let ldap = entry["ldap"], let members = ldap.mapping else {
            throw entry.problem("'ldap' is a map: host, port, security, bind, objectTypes, …")
        }
        for (key, value) in members where !Self.known.contains(key) {
            throw value.problem("unknown key '\(key)'; 'ldap' takes \(Self.known.map { "'\($0)'" }.joined(separator: ", "))")
        }
        guard let hostValue = ldap["host"], let host = try hostValue.expanded(), !host.isEmpty else { throw ldap.problem("'host' names the directory server") }
        var security = LDAPEndpoint.Security.startTLS
        if let given = ldap["security"] {
            guard let text = given.string, let value = LDAPEndpoint.Security(rawValue: text) else {
                throw given.problem("'security' is ldaps, startTLS or none, not '\(given.string ?? "")'")
            }
            security = value
        }
        var port = security == .ldaps ? 636 : 389
        if let given = ldap["port"] {
            guard let number = try given.expanded().flatMap({ Int($0) }), (1...65535).contains(number) else {
                throw given.problem("'port' is a number from 1 to 65535")
            }
            port = number
        }
        /// A file named by the entry, `${VARIABLE}` read, relative to the configuration's folder.
        func path(_ key: String) throws(ConnectorSettings.Problem) -> String? {
            guard let given = ldap[key], let text = try given.expanded(), !text.isEmpty else { return nil }
            return text.hasPrefix("/") || ldap.folder.isEmpty ? text : ldap.folder + "/" + text
        }
        let tls: NIOSSLContext?
        if security != .none {
            var configuration = TLSConfiguration.makeClientConfiguration()
            do {
                if let ca = try path("caFile") { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
                if let certificate = try path("certificateFile") {
                    guard let key = try path("keyFile") else { throw ldap["certificateFile"]!.problem("a 'certificateFile' needs its 'keyFile'") }
                    configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                    configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
                if ldap["insecure"]?.bool == true { configuration.certificateVerification = .none }
                tls = try NIOSSLContext(configuration: configuration)
            } catch let problem as ConnectorSettings.Problem {
                throw problem
            } catch {
                throw (ldap["caFile"] ?? ldap["certificateFile"] ?? ldap).problem("the TLS files cannot be read: \(error)")
            }
        } else {
            for key in ["caFile", "certificateFile", "keyFile"] {
                if let given = ldap[key] { throw given.problem("'\(key)' is for TLS, and 'security' is none") }
            }
            tls = nil
        }
        let bind = try Self.bind(ldap["bind"], in: ldap)
        if security == .none, case .simple = bind, ldap["allowCleartextBind"]?.bool != true {
            throw (ldap["bind"] ?? ldap).problem(
                "a simple bind over a connection without TLS sends the password in clear; use security: ldaps or startTLS, or set allowCleartextBind: true")
        }
        if case .external = bind, ldap["certificateFile"] == nil {
            throw ldap["bind"]!.problem("bind: external authenticates with a client certificate: set certificateFile and keyFile")
        }
        func seconds(_ key: String, _ fallback: Double) throws(ConnectorSettings.Problem) -> Duration {
            guard let given = ldap[key] else { return .milliseconds(Int(fallback * 1000)) }
            guard let value = given.string.flatMap(Double.init), value > 0 else { throw given.problem("'\(key)' is a number of seconds above 0") }
            return .milliseconds(Int(value * 1000))
        }
        func count(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(ConnectorSettings.Problem) -> Int {
            guard let given = ldap[key] else { return fallback }
            guard let value = given.int, range.contains(value) else { throw given.problem("'\(key)' is a number from \(range.lowerBound) to \(range.upperBound)") }
            return value
        }
        guard let types = ldap["objectTypes"]?.sequence, !types.isEmpty else {
            throw (ldap["objectTypes"] ?? ldap).problem("'objectTypes' lists what is served: [{name: User, objectClass: inetOrgPerson, container: …}]")
        }
        let objectTypes = try types.map { item throws(ConnectorSettings.Problem) in try Self.objectType(item) }
        var names: Set<String> = []
        for (item, type) in zip(types, objectTypes) where !names.insert(type.name.lowercased()).inserted {
            throw item.problem("the object type '\(type.name)' is listed twice")
        }
        let endpoint = LDAPEndpoint(host: host, port: port, security: security, tls: tls, connectTimeout: try seconds("connectTimeout", 10))
        return Configuration(settings: LDAPConnector.Settings(
            endpoint: endpoint, bind: bind, objectTypes: objectTypes, pageSize: try count("pageSize", 500, 1...100_000),
            timeout: try seconds("timeout", 30), connections: try count("connections", 4, 1...64), accessLog: ldap["accessLog"]?.string,
            overlap: try seconds("overlap", 60)))
    }

    static func bind(_ value: ConnectorSettings?, in ldap: ConnectorSettings) throws(ConnectorSettings.Problem) -> LDAPBind {
        guard let value else { return .anonymous }
        if let word = value.string {
            switch word {
            case "anonymous": return .anonymous
            case "external": return .external
            default: throw value.problem("'bind' is anonymous, external, or {dn: …, password: ${VARIABLE}}")
            }
        }
        guard let members = value.mapping else { throw value.problem("'bind' is anonymous, external, or {dn: …, password: ${VARIABLE}}") }
        for (key, member) in members where key != "dn" && key != "password" {
            throw member.problem("unknown key '\(key)'; 'bind' takes 'dn' and 'password'")
        }
        guard let dn = try value["dn"]?.expanded(), !dn.isEmpty else { throw value.problem("'bind' needs the 'dn' to bind as") }
        guard let passwordValue = value["password"] else { throw value.problem("'bind' needs a 'password': ${VARIABLE}, never the password itself") }
        guard passwordValue.string?.hasPrefix("${") == true else {
            throw passwordValue.problem("the bind password is a reference, ${VARIABLE}: a password does not belong in a file")
        }
        guard let password = try passwordValue.expanded() else { throw passwordValue.problem("the password is a text") }
        return .simple(dn: dn, password: password)
    }

    static func objectType(_ item: ConnectorSettings) throws(ConnectorSettings.Problem) -> LDAPConnector.ObjectTypeSettings {
        guard let members = item.mapping else { throw item.problem("an object type is a map: name, objectClass, container, …") }
        let known = ["name", "objectClass", "auxiliaryClasses", "container", "attributes", "singleValued", "names", "rdnAttribute", "anchor"]
        for (key, value) in members where !known.contains(key) {
            throw value.problem("unknown key '\(key)'; an object type takes \(known.map { "'\($0)'" }.joined(separator: ", "))")
        }
        func text(_ key: String) throws(ConnectorSettings.Problem) -> String {
            guard let value = item[key]?.string, !value.isEmpty else { throw item.problem("an object type needs '\(key)'") }
            return value
        }
        func list(_ key: String) throws(ConnectorSettings.Problem) -> [String] {
            guard let given = item[key] else { return [] }
            guard let items = given.sequence else { throw given.problem("'\(key)' is a list") }
            return try items.map { element throws(ConnectorSettings.Problem) in
                guard let value = element.string else { throw element.problem("each of '\(key)' is a name") }
                return value
            }
        }
        let container = try text("container")
        do {
            _ = try LDAPConnector.name(container)
        } catch {
            throw item["container"]!.problem(error.message)
        }
        var names: [String: String]?
        if let given = item["names"] {
            guard let pairs = given.mapping else { throw given.problem("'names' maps directory attributes to the names they are served under: {cn: displayName}") }
            names = [:]
            for (key, value) in pairs {
                guard let served = value.string, !served.isEmpty else { throw value.problem("the name '\(key)' is served under is a text") }
                names?[key] = served
            }
        }
        return LDAPConnector.ObjectTypeSettings(
            name: try text("name"), objectClass: try text("objectClass"), auxiliaryClasses: try list("auxiliaryClasses"), container: container,
            attributes: try list("attributes"), singleValued: try list("singleValued"), names: names, rdnAttribute: item["rdnAttribute"]?.string,
            anchor: item["anchor"]?.string ?? LDAPConnector.dnAttribute)
    }
}
