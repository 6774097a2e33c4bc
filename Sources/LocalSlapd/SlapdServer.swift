package import Foundation
import Spawning

/// A real OpenLDAP server (Debian's `slapd`), configured from nothing in a temporary folder and
/// started on loopback for the duration of a test or a benchmark: `cn=config` with the core,
/// cosine, inetorgperson and nis schemas, an mdb database for `dc=contoso,dc=lab` with the
/// accesslog overlay writing to `cn=accesslog`, and, when a certificate is given, LDAPS on a
/// second port and StartTLS on the first. `ldapadd`, `ldapmodify` and `ldapsearch` (from
/// `ldap-utils`) are its independent clients.
package final class SlapdServer: @unchecked Sendable {
    package let folder: String
    package private(set) var port: Int
    /// The LDAPS port, when TLS is configured.
    package private(set) var securePort: Int?
    package let suffix = "dc=contoso,dc=lab"
    package let rootDN = "cn=admin,dc=contoso,dc=lab"
    /// The root DN's password, also in the file ``passwordFile`` for the command-line tools.
    package let rootPassword = "slapd-" + UUID().uuidString.prefix(12)
    private var process: ChildProcess?
    private let tls: TLS?

    /// A server certificate and key (PEM) and the authority that issued them.
    package struct TLS: Sendable {
        package var certificate: String
        package var key: String
        package var authority: String

        package init(certificate: String, key: String, authority: String) {
            self.certificate = certificate
            self.key = key
            self.authority = authority
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// Configures and starts a server; with `base`, the suffix entry and `ou=People` are added.
    package init(tls: TLS? = nil, base: Bool = true, sizeLimit: Int? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/slapd"), FileManager.default.isExecutableFile(atPath: "/usr/bin/ldapadd") else {
            throw Failure("slapd and ldap-utils are not installed (Debian: apt-get install slapd ldap-utils; .ci/run does it)")
        }
        self.tls = tls
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-slapd-\(UUID().uuidString)").path
        port = Int.random(in: 30000...39999)
        for part in ["slapd.d", "data", "accesslog"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + part, withIntermediateDirectories: true)
        }
        try rootPassword.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try configuration(sizeLimit: sizeLimit).write(toFile: folder + "/config.ldif", atomically: true, encoding: .utf8)
        try run("/usr/sbin/slapd", ["-Tadd", "-n0", "-F", folder + "/slapd.d", "-l", folder + "/config.ldif"])
        var attempt = 0
        while true {
            if tls != nil { securePort = Int.random(in: 40000...49999) }
            do {
                try start()
                break
            } catch {
                attempt += 1
                if attempt == 5 { throw error }
                port = Int.random(in: 30000...39999)
            }
        }
        if base {
            try add("""
                dn: \(suffix)
                objectClass: dcObject
                objectClass: organization
                o: Contoso
                dc: contoso

                dn: ou=People,\(suffix)
                objectClass: organizationalUnit
                ou: People
                """)
        }
    }

    package var passwordFile: String { folder + "/root.password" }

    /// The running slapd's process id.
    package var processIdentifier: Int32? { process?.id }

    /// `ldap://127.0.0.1:PORT`.
    package var url: String { "ldap://127.0.0.1:\(port)" }

    private func configuration(sizeLimit: Int?) -> String {
        let tlsLines = tls.map { tls in
            """
            olcTLSCertificateFile: \(tls.certificate)
            olcTLSCertificateKeyFile: \(tls.key)
            olcTLSCACertificateFile: \(tls.authority)
            olcTLSVerifyClient: try
            olcAuthzRegexp: {0}"^cn=([^,]+)$" "uid=$1,ou=People,\(suffix)"

            """
        } ?? ""
        return """
            dn: cn=config
            objectClass: olcGlobal
            cn: config
            olcPidFile: \(folder)/slapd.pid
            \(sizeLimit.map { "olcSizeLimit: \($0)\n" } ?? "")\(tlsLines)
            dn: cn=module{0},cn=config
            objectClass: olcModuleList
            cn: module{0}
            olcModulePath: /usr/lib/ldap
            olcModuleLoad: back_mdb
            olcModuleLoad: accesslog

            dn: cn=schema,cn=config
            objectClass: olcSchemaConfig
            cn: schema

            include: file:///etc/ldap/schema/core.ldif
            include: file:///etc/ldap/schema/cosine.ldif
            include: file:///etc/ldap/schema/inetorgperson.ldif
            include: file:///etc/ldap/schema/nis.ldif

            dn: olcDatabase={0}config,cn=config
            objectClass: olcDatabaseConfig
            olcDatabase: {0}config
            olcRootDN: cn=config
            olcRootPW: \(rootPassword)

            dn: olcDatabase={1}mdb,cn=config
            objectClass: olcDatabaseConfig
            objectClass: olcMdbConfig
            olcDatabase: {1}mdb
            olcSuffix: cn=accesslog
            olcRootDN: \(rootDN)
            olcDbDirectory: \(folder)/accesslog
            olcDbIndex: reqStart eq
            olcDbMaxSize: 1073741824
            olcSizeLimit: unlimited

            dn: olcDatabase={2}mdb,cn=config
            objectClass: olcDatabaseConfig
            objectClass: olcMdbConfig
            olcDatabase: {2}mdb
            olcSuffix: \(suffix)
            olcRootDN: \(rootDN)
            olcRootPW: \(rootPassword)
            olcDbDirectory: \(folder)/data
            olcDbIndex: objectClass eq
            olcDbIndex: uid,mail,cn,entryUUID eq
            olcDbMaxSize: 4294967296
            olcAccess: {0}to attrs=userPassword by dn.exact="\(rootDN)" manage by anonymous auth by self write by * none
            olcAccess: {1}to * by dn.exact="\(rootDN)" manage by dn.exact="uid=provisioner,ou=People,\(suffix)" write by users read by * none

            dn: olcOverlay={0}accesslog,olcDatabase={2}mdb,cn=config
            objectClass: olcOverlayConfig
            objectClass: olcAccessLogConfig
            olcOverlay: {0}accesslog
            olcAccessLogDB: cn=accesslog
            olcAccessLogOps: writes
            olcAccessLogSuccess: TRUE
            olcAccessLogPurge: 07+00:00 01+00:00

            """
    }

    /// Starts slapd in the foreground and waits until it answers (`ldapwhoami`), up to 10 s.
    private func start() throws {
        var urls = "ldap://127.0.0.1:\(port)/"
        if let securePort { urls += " ldaps://127.0.0.1:\(securePort)/" }
        let child = try ChildProcess(
            "/usr/sbin/slapd", ["-F", folder + "/slapd.d", "-h", urls, "-d", "0"], output: .file(folder + "/slapd.log"), error: .standardOutput)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !child.isRunning {
                let log = (try? String(contentsOfFile: folder + "/slapd.log", encoding: .utf8)) ?? ""
                throw Failure("slapd stopped at start: \(log.suffix(2000))")
            }
            if (try? tool("/usr/bin/ldapwhoami", [])) != nil {
                process = child
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        _ = child.stop(grace: 1)
        throw Failure("slapd did not answer within 10 s")
    }

    /// Stops the server (it can be started again with ``resume()``).
    package func pause() {
        _ = process?.stop(grace: 5)
        process = nil
    }

    /// Starts it again on the same ports, with its data.
    package func resume() throws { try start() }

    /// Stops the server and removes its folder.
    package func stop() {
        pause()
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit {
        _ = process?.stop(grace: 1)
    }

    // MARK: The independent clients

    /// `ldapadd` of an LDIF text, bound as the root DN.
    package func add(_ ldif: String) throws {
        try tool("/usr/bin/ldapadd", ["-f", try file(ldif)])
    }

    /// `ldapmodify` of an LDIF text, bound as the root DN.
    package func modify(_ ldif: String) throws {
        try tool("/usr/bin/ldapmodify", ["-f", try file(ldif)])
    }

    /// The LDIF in a file of its own, which the tool reads while its output is read: a large one
    /// on its standard input would wait for its output to be read, and the output for the input.
    private func file(_ ldif: String) throws -> String {
        let path = folder + "/input-\(UUID().uuidString).ldif"
        try ldif.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// `ldapsearch -LLL` below `base` (the suffix when nil): the LDIF it prints, lines unwrapped.
    package func search(_ filter: String, base: String? = nil, attributes: [String] = []) throws -> String {
        try tool("/usr/bin/ldapsearch", ["-LLL", "-o", "ldif-wrap=no", "-b", base ?? suffix, filter] + attributes)
    }

    /// Makes the directory's database read-only, or writable again, through `cn=config` at run
    /// time: writes are then refused with unwillingToPerform (53).
    package func setReadOnly(_ readOnly: Bool) throws {
        let ldif = "dn: olcDatabase={2}mdb,cn=config\nchangetype: modify\nreplace: olcReadOnly\nolcReadOnly: \(readOnly ? "TRUE" : "FALSE")\n"
        try tool("/usr/bin/ldapmodify", ["-f", try file(ldif)], bindDN: "cn=config")
    }

    /// Runs an ldap-utils tool against the server, bound as the root DN (its password from a
    /// file, never on the command line); its standard output.
    @discardableResult
    package func tool(_ path: String, _ arguments: [String], input: String? = nil, bindDN: String? = nil) throws -> String {
        let bound = ["-x", "-H", url, "-D", bindDN ?? rootDN, "-y", passwordFile]
        // LDAPNOINIT would make the tools ignore the LDAPTLS_* settings; none of the user's ldap.conf applies.
        let environment = ["PATH": "/usr/bin:/bin", "LDAPCONF": "/dev/null", "LDAPRC": "/dev/null", "HOME": folder]
        let (termination, output, error) = try ChildProcess.run(path, bound + arguments, environment: environment, input: input.map { Array($0.utf8) })
        guard termination == .exited(0) else {
            throw Failure("\((path as NSString).lastPathComponent) failed (\(termination)): \(String(decoding: error, as: UTF8.self))\(String(decoding: output, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func run(_ path: String, _ arguments: [String]) throws {
        let (termination, output, error) = try ChildProcess.run(path, arguments)
        guard termination == .exited(0) else {
            throw Failure("\(path) failed (\(termination)): \(String(decoding: error + output, as: UTF8.self))")
        }
    }
}
