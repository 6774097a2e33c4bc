import Foundation
import JSONValues
import LocalSlapd

/// The LDAP connector against a real slapd: creates through `attrmap serve` beside slapd's own
/// rate for the same entries through `ldapadd` (one client, then as many as the host has), and
/// the host's first full import of a directory of 100,000 entries: its time and peak memory.
enum LDAPBenchmark {
    static let token = "benchmark-token-\(UInt32.random(in: 0...UInt32.max))"

    static func main(_ arguments: [String]) async {
        let usage = "usage: attrmap-benchmark ldap --attrmap PATH [--writes 5000] [--clients 8] [--import 100000]"
        let options = benchmarkOptions(arguments, defaults: ["writes": "5000", "clients": "8", "import": "100000"], usage: usage)
        guard let attrmap = options["attrmap"], let writes = Int(options["writes"]!), let clients = Int(options["clients"]!),
            let imported = Int(options["import"]!)
        else {
            fail(usage)
        }
        do {
            let directory = try SlapdServer()
            defer { directory.stop() }
            setenv("LDAP_PASSWORD", directory.rootPassword, 1)
            for container in ["Direct", "Parallel", "Host", "Import"] {
                try directory.add("dn: ou=\(container),dc=contoso,dc=lab\nobjectClass: organizationalUnit\nou: \(container)\n")
            }
            say("the LDAP connector and slapd — \(writes) creates, then a full import of \(imported) entries\n")
            say(pad("", 40) + pad("entries/s", 11) + pad("p50 ms", 9) + pad("p99 ms", 9) + pad("host CPU µs", 13) + pad("slapd CPU µs", 13))

            // slapd's own rate: ldapadd of the same entries, one client, then `clients` at once.
            let slapdBefore = directory.processIdentifier.map(HostScaleBenchmark.cpuSeconds) ?? 0
            let single = try timed { try directory.add(ldif("Direct", 0..<writes)) }
            let slapdSingle = (directory.processIdentifier.map(HostScaleBenchmark.cpuSeconds) ?? 0) - slapdBefore
            say(pad("ldapadd, one client", 40) + pad(String(format: "%.0f", Double(writes) / single), 11) + pad("", 9) + pad("", 9) + pad("", 13)
                + pad(String(format: "%.0f", slapdSingle * 1e6 / Double(writes)), 13))
            let parallel = try timed { try addInParallel(directory, "Parallel", writes, clients) }
            say(pad("ldapadd, \(clients) clients at once", 40) + pad(String(format: "%.0f", Double(writes) / parallel), 11))

            // The same entries through the host, at `clients` connections.
            let run = try await creates(attrmap: attrmap, directory: directory, writes: writes, clients: clients)
            if run.phase.errors > 0 { fail("\(run.phase.errors) creates through the host were answered with an error status") }
            say(pad("attrmap serve → LDAP connector → slapd", 40) + pad(String(format: "%.0f", run.phase.rate), 11)
                + pad(String(format: "%.2f", run.phase.percentile(0.5) * 1000), 9) + pad(String(format: "%.2f", run.phase.percentile(0.99) * 1000), 9)
                + pad(String(format: "%.0f", run.hostCPU * 1e6 / Double(writes)), 13) + pad(String(format: "%.0f", run.slapdCPU * 1e6 / Double(writes)), 13))
            // Beside: the host on its embedded SQLite store, the same number of creates.
            let sqlite = try await ProcessConnectorBenchmark.creates(.sqlite, attrmap: attrmap, swiftConnector: "", writes: writes, clients: clients)
            say(pad("attrmap serve, embedded SQLite store", 40) + pad(String(format: "%.0f", sqlite.phase.rate), 11)
                + pad(String(format: "%.2f", sqlite.phase.percentile(0.5) * 1000), 9) + pad(String(format: "%.2f", sqlite.phase.percentile(0.99) * 1000), 9)
                + pad(String(format: "%.0f", sqlite.hostCPU * 1e6 / Double(writes)), 13))
            say("\nthrough the host: \(String(format: "%.2f", run.phase.rate / (Double(writes) / single)))× ldapadd's rate with one client, "
                + "\(String(format: "%.2f", run.phase.rate / (Double(writes) / parallel)))× with \(clients); "
                + "\(String(format: "%.0f", run.phase.rate / max(sqlite.phase.rate, 0.001) * 100)) % of the host's rate on its SQLite store")

            // A directory of `imported` entries, the host's first import of it.
            FileHandle.standardError.write(Data("adding \(imported) entries…\n".utf8))
            _ = try timed { try addInParallel(directory, "Import", imported, clients) }
            let figures = try await fullImport(attrmap: attrmap, directory: directory, entries: imported)
            say("\nthe host's first full import of \(imported) entries (paged searches of 500, into its local copy): "
                + "\(String(format: "%.1f", figures.seconds)) s, peak resident memory \(String(format: "%.0f", figures.peakMB)) MB, "
                + "host CPU \(String(format: "%.1f", figures.hostCPU)) s")
        } catch {
            fail("\(error)")
        }
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let started = ContinuousClock.now
        try body()
        return HostScaleBenchmark.seconds(started.duration(to: .now))
    }

    /// The LDIF of entries `range` below `ou=CONTAINER`: what the host is sent too.
    static func ldif(_ container: String, _ range: Range<Int>) -> String {
        range.map { i in
            "dn: uid=bench\(i),ou=\(container),dc=contoso,dc=lab\nobjectClass: inetOrgPerson\ncn: Bench User \(i)\nsn: User\nmail: bench\(i)@contoso.com\n"
        }.joined(separator: "\n")
    }

    /// `count` entries added by `clients` ldapadd processes at once, each its share.
    static func addInParallel(_ directory: SlapdServer, _ container: String, _ count: Int, _ clients: Int) throws {
        let failures = LockedErrors()
        let share = (count + clients - 1) / clients
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            let range = min(count, client * share)..<min(count, (client + 1) * share)
            guard !range.isEmpty else { return }
            do { try directory.add(ldif(container, range)) } catch { failures.add(error) }
        }
        if let first = failures.first { throw first }
    }

    final class LockedErrors: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [any Error] = []
        func add(_ error: any Error) { lock.withLock { errors.append(error) } }
        var first: (any Error)? { lock.withLock { errors.first } }
    }

    /// A host serving the directory's `ou=CONTAINER` as its users.
    static func startHost(attrmap: String, directory: SlapdServer, container: String, folder: String) throws -> LoadBenchmark.Target {
        let config = (folder as NSString).appendingPathComponent("serve.yaml")
        try """
            connectors:
              - name: APP1
                token: \(token)
                ldap:
                  host: 127.0.0.1
                  port: \(directory.port)
                  security: none
                  allowCleartextBind: true
                  bind: {dn: "\(directory.rootDN)", password: "${LDAP_PASSWORD}"}
                  objectTypes:
                    - {name: User, objectClass: inetOrgPerson, container: "ou=\(container),dc=contoso,dc=lab", attributes: [cn, sn, mail]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return try LoadBenchmark.startAttrmap(attrmap, arguments: ["--config", config], token: token)
    }

    static func creates(
        attrmap: String, directory: SlapdServer, writes: Int, clients: Int
    ) async throws -> (phase: LoadBenchmark.PhaseResult, hostCPU: Double, slapdCPU: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-ldap-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let host = try startHost(attrmap: attrmap, directory: directory, container: "Host", folder: folder)
        defer {
            host.process.terminate()
            host.process.waitUntilExit()
        }
        try await WebServiceBenchmark.waitForReady(host)
        let connections = try (0..<clients).map { _ in try HTTPConnection(url: host.base) }
        let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
        let hostBefore = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier)
        let slapdBefore = directory.processIdentifier.map(HostScaleBenchmark.cpuSeconds) ?? 0
        let phase = LoadBenchmark.phase("POST", writes, connections) { connection, i in
            let attributes = #"{"-dn-":"uid=bench\#(i),ou=Host,dc=contoso,dc=lab","cn":"Bench User \#(i)","sn":"User","mail":"bench\#(i)@contoso.com"}"#
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(ext)"],"userName":"bench\#(i)@contoso.com","\#(ext)":\#(attributes)}"#
            let (status, _) = try LoadBenchmark.send(connection, host, "POST", "/Users", body: body)
            return status == 201
        }
        let hostCPU = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier) - hostBefore
        let slapdCPU = (directory.processIdentifier.map(HostScaleBenchmark.cpuSeconds) ?? 0) - slapdBefore
        return (phase, hostCPU, slapdCPU)
    }

    static func fullImport(attrmap: String, directory: SlapdServer, entries: Int) async throws -> (seconds: Double, peakMB: Double, hostCPU: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-ldap-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        sync()
        let started = ContinuousClock.now
        let host = try startHost(attrmap: attrmap, directory: directory, container: "Import", folder: folder)
        defer {
            host.process.terminate()
            host.process.waitUntilExit()
        }
        try await WebServiceBenchmark.waitForReady(host)
        let seconds = HostScaleBenchmark.seconds(started.duration(to: .now))
        let peak = HostScaleBenchmark.peakResidentMB(host.process.processIdentifier)
        let cpu = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier)
        let probe = try HTTPConnection(url: host.base)
        let (status, body) = try LoadBenchmark.send(probe, host, "GET", "/Users?count=1")
        guard status == 200, let total = (try? JSON.parse(body))?["totalResults"], total == .number(String(entries)) else {
            throw LoadBenchmark.Failure("the host holds \(String(decoding: body, as: UTF8.self).prefix(200)), not \(entries) entries")
        }
        return (seconds, peak, cpu)
    }
}
