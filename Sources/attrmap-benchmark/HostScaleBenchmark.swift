import Foundation
import GRDB
import JSONValues
import LocalPostgreSQL
import Logging
import SQLConnector

/// The host at scale: `attrmap serve` on an embedded SQLite store of 10,000, 100,000 and
/// 1,000,000 users. For each size it builds the store (the embedded default's tables and
/// indexes, users as the host writes them), starts the host on it, and measures what Entra
/// needs: the time from start to the first answer, the matching queries (`userName eq` and an
/// ECMA2Host attribute `eq`) at 8 clients, POST, PATCH and DELETE throughput, and the host's
/// resident memory at its peak.
///
/// With `--engine postgres` the store is the embedded default's tables on a PostgreSQL server
/// started on loopback (Debian's packages), filled on the server itself.
///
///     swift run -c release attrmap-benchmark host-scale --attrmap .build/release/attrmap [--users 10000,100000,1000000] [--engine sqlite|postgres] [--clients 8] [--lookups 20000] [--writes 5000]
enum HostScaleBenchmark {
    struct Figures {
        var users: Int
        var storeSeconds: Double
        var storeMB: Double
        var firstAnswer: Double
        var phases: [LoadBenchmark.PhaseResult]
        var peakMB: Double
    }

    static func main(_ arguments: [String]) async {
        let usage = "usage: attrmap-benchmark host-scale --attrmap PATH [--users 10000,100000,1000000] [--clients 8] [--lookups 20000] [--writes 5000]"
        let options = benchmarkOptions(arguments, defaults: ["users": "10000,100000,1000000", "clients": "8", "lookups": "20000", "writes": "5000", "engine": "sqlite"], usage: usage)
        let sizes = options["users"]!.split(separator: ",").compactMap { Int($0) }
        guard let attrmap = options["attrmap"], !sizes.isEmpty,
            let clients = Int(options["clients"]!), let lookups = Int(options["lookups"]!), let writes = Int(options["writes"]!),
            ["sqlite", "postgres"].contains(options["engine"]!)
        else {
            fail(usage)
        }
        let postgres = options["engine"] == "postgres"
        say("attrmap host at scale — \(postgres ? "PostgreSQL" : "embedded SQLite") store, \(clients) clients, \(lookups) lookups and \(writes) writes per phase, loopback\n")
        var all: [Figures] = []
        for users in sizes {
            do {
                all.append(try await measure(attrmap: attrmap, users: users, postgres: postgres, clients: clients, lookups: lookups, writes: writes))
            } catch {
                fail("\(users) users: \(error)")
            }
        }
        say(pad("users", 10) + pad("store s", 9) + pad("store MB", 10) + pad("first s", 9) + pad("peak MB", 9)
            + pad("userName/s", 11) + pad("p50/p99 ms", 12) + pad("ECMA2Host/s", 12) + pad("p50/p99 ms", 12)
            + pad("POST/s", 9) + pad("PATCH/s", 9) + pad("DELETE/s", 10))
        for figures in all {
            func phase(_ name: String) -> LoadBenchmark.PhaseResult? { figures.phases.first { $0.name == name } }
            say(pad(String(figures.users), 10) + pad(String(format: "%.1f", figures.storeSeconds), 9) + pad(String(format: "%.0f", figures.storeMB), 10)
                + pad(String(format: "%.2f", figures.firstAnswer), 9) + pad(String(format: "%.0f", figures.peakMB), 9)
                + lookupFigures(phase("userName")) + lookupFigures(phase("ECMA2Host"))
                + pad(String(format: "%.0f", phase("POST")?.rate ?? 0), 9) + pad(String(format: "%.0f", phase("PATCH")?.rate ?? 0), 9)
                + pad(String(format: "%.0f", phase("DELETE")?.rate ?? 0), 10))
        }
        if let smallest = all.first, all.count > 1 {
            say("\nwrite throughput against the \(smallest.users)-user store:")
            for figures in all.dropFirst() {
                let ratios = ["POST", "PATCH", "DELETE"].map { name -> String in
                    let mine = figures.phases.first { $0.name == name }?.rate ?? 0
                    let base = smallest.phases.first { $0.name == name }?.rate ?? 1
                    return "\(name) \(String(format: "%.0f", mine / base * 100)) %"
                }
                say("  \(figures.users) users: " + ratios.joined(separator: ", "))
            }
        }
        let errors = all.flatMap(\.phases).reduce(0) { $0 + $1.errors }
        if errors > 0 { fail("\(errors) requests were answered with an error status") }
    }

    static func measure(attrmap: String, users: Int, postgres: Bool, clients: Int, lookups: Int, writes: Int) async throws -> Figures {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-scale-\(getpid())-\(users)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let database = (data as NSString).appendingPathComponent("APP1.sqlite")
        FileHandle.standardError.write(Data("\(users) users: building the store…\n".utf8))
        let clock = ContinuousClock()
        let built = clock.now
        let token = "host-scale-token-\(UInt32.random(in: 0...UInt32.max))"
        let server = postgres ? try PostgresServer() : nil
        defer { server?.stop() }
        let serveArguments: [String]
        let storeMB: Double
        if let server {
            try await buildStore(on: server, users: users)
            storeMB = Double(folderSize(server.folder)) / 1e6
            let config = (data as NSString).appendingPathComponent("serve.yaml")
            try """
                connectors:
                  - name: APP1
                    token: \(token)
                    postgres: {host: 127.0.0.1, port: \(server.port), user: \(server.user), database: postgres}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            serveArguments = ["--config", config]
        } else {
            try buildStore(at: database, users: users)
            storeMB = Double((try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0) / 1e6
            serveArguments = ["--data", data, "--token", token]
        }
        let storeSeconds = seconds(built.duration(to: clock.now))

        let started = clock.now
        let target = try LoadBenchmark.startAttrmap(attrmap, arguments: serveArguments, token: token)
        defer {
            target.process.terminate()
            target.process.waitUntilExit()
        }
        // The first answer to a matching query, from the process's start.
        let probe = try HTTPConnection(url: target.base)
        var firstAnswer: Double?
        let deadline = clock.now + .seconds(600)
        while firstAnswer == nil, clock.now < deadline {
            if let (status, body) = try? LoadBenchmark.send(probe, target, "GET", "/Users?filter=userName%20eq%20%22\(upn(users / 2))%22"),
                status == 200, String(decoding: body, as: UTF8.self).contains(upn(users / 2))
            {
                firstAnswer = seconds(started.duration(to: clock.now))
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let firstAnswer else { throw LoadBenchmark.Failure("the host did not answer within 10 minutes") }

        let connections = try (0..<clients).map { _ in try HTTPConnection(url: target.base) }
        let lookups = min(lookups, users)
        // Users spread over the whole store, the same ones for every size's stride.
        let stride = max(1, users / lookups)
        var phases: [LoadBenchmark.PhaseResult] = []
        phases.append(LoadBenchmark.phase("userName", lookups, connections) { connection, i in
            let name = upn(i * stride)
            let (status, body) = try LoadBenchmark.send(connection, target, "GET", "/Users?filter=userName%20eq%20%22\(name)%22")
            return status == 200 && String(decoding: body, as: UTF8.self).contains(name)
        })
        phases.append(LoadBenchmark.phase("ECMA2Host", lookups, connections) { connection, i in
            let login = self.login(i * stride)
            let filter = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:userName%20eq%20%22\(login)%22"
            let (status, body) = try LoadBenchmark.send(connection, target, "GET", "/Users?filter=\(filter)")
            return status == 200 && String(decoding: body, as: UTF8.self).contains(login)
        })
        let ids = LoadBenchmark.IDs(count: writes)
        let run = UInt32.random(in: 0...UInt32.max)
        phases.append(LoadBenchmark.phase("POST", writes, connections) { connection, i in
            let name = "new-\(run)-\(i)@contoso.com"
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"],"userName":"\#(name)","externalId":"new-\#(i)","active":true,"displayName":"New User \#(i)","urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"userName":"NEW\#(run)\#(i)","email":"\#(name)","city":"Oslo"}}"#
            let (status, bytes) = try LoadBenchmark.send(connection, target, "POST", "/Users", body: body)
            if status == 201, let id = (try? JSON.parse(bytes))?["id"]?.stringValue { ids.set(i, id) }
            return status == 201
        })
        phases.append(LoadBenchmark.phase("PATCH", writes, connections) { connection, i in
            guard let id = ids.get(i) else { return false }
            let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Renamed \#(i)"},{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:city","value":"Bergen"}]}"#
            let (status, _) = try LoadBenchmark.send(connection, target, "PATCH", "/Users/\(id)", body: body)
            return status == 200 || status == 204
        })
        phases.append(LoadBenchmark.phase("DELETE", writes, connections) { connection, i in
            guard let id = ids.get(i) else { return false }
            let (status, _) = try LoadBenchmark.send(connection, target, "DELETE", "/Users/\(id)")
            return status == 204
        })
        return Figures(
            users: users, storeSeconds: storeSeconds, storeMB: storeMB, firstAnswer: firstAnswer, phases: phases,
            peakMB: peakResidentMB(target.process.processIdentifier))
    }

    /// A lookup phase's rate, and its median and 99th-percentile latency.
    static func lookupFigures(_ phase: LoadBenchmark.PhaseResult?) -> String {
        guard let phase else { return pad("-", 11) + pad("-", 12) }
        return pad(String(format: "%.0f", phase.rate), phase.name == "userName" ? 11 : 12)
            + pad(String(format: "%.2f/%.2f", phase.percentile(0.5) * 1000, phase.percentile(0.99) * 1000), 12)
    }

    static func upn(_ i: Int) -> String { "user\(i)@contoso.com" }
    static func login(_ i: Int) -> String { "USER\(i)" }

    /// The store as the host would have written it after `users` creates: the embedded default's
    /// tables, one row per user with its ECMA2Host columns and its SCIM document; the indexes are
    /// made after the rows, as a bulk load does.
    static func buildStore(at path: String, users: Int) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: SQLConfiguration.embeddedDefaultTableDefinitions)
        }
        let batch = 50_000
        for start in Swift.stride(from: 0, to: users, by: batch) {
            try queue.write { db in
                let insert = try db.makeStatement(sql: """
                    INSERT INTO users (id, "userName", "displayName", email, city, active, document) VALUES (?, ?, ?, ?, ?, 1, ?)
                    """)
                for i in start..<min(start + batch, users) {
                    let id = String(format: "%08x-0000-4000-8000-%012x", i, i)
                    let document = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(upn(i))","externalId":"ext-\#(i)","active":true,"displayName":"User \#(i)","name":{"givenName":"User","familyName":"Number \#(i)"},"emails":[{"primary":true,"type":"work","value":"\#(upn(i))"}],"meta":{"resourceType":"User","created":"2026-01-01T00:00:00.000Z","lastModified":"2026-01-01T00:00:00.000Z","version":"W/\"1\""}}"#
                    try insert.execute(arguments: [id, login(i), "User \(i)", upn(i), "Oslo", document])
                }
            }
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: SQLConfiguration.embeddedDefaultIndexes(.sqlite))
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// The same store on PostgreSQL, filled by the server itself (`generate_series`), a million
    /// rows a statement; the indexes after the rows.
    static func buildStore(on server: PostgresServer, users: Int) async throws {
        var logger = Logger(label: "host-scale")
        logger.logLevel = .critical
        let connector = PostgresConnector(
            endpoint: server.endpoint, configuration: .embeddedDefault, setUp: SQLConfiguration.embeddedDefaultTableDefinitions, logger: logger)
        let pool = Task { try await connector.run() }
        defer { pool.cancel() }
        try await connector.testConnection()
        let batch = 1_000_000
        for start in Swift.stride(from: 0, to: users, by: batch) {
            let end = min(start + batch, users) - 1
            let document = #"'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user' || i || '@contoso.com","externalId":"ext-' || i || '","active":true,"displayName":"User ' || i || '","name":{"givenName":"User","familyName":"Number ' || i || '"},"emails":[{"primary":true,"type":"work","value":"user' || i || '@contoso.com"}],"meta":{"resourceType":"User","created":"2026-01-01T00:00:00.000Z","lastModified":"2026-01-01T00:00:00.000Z","version":"W/\"1\""}}'"#
            try await connector.execute(script: """
                INSERT INTO users (id, "userName", "displayName", email, city, active, document)
                SELECT lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), 'USER' || i, 'User ' || i,
                       'user' || i || '@contoso.com', 'Oslo', true, \(document)
                FROM generate_series(\(start), \(end)) AS i
                """)
            FileHandle.standardError.write(Data("  \(end + 1) rows\n".utf8))
        }
        try await connector.execute(script: SQLConfiguration.embeddedDefaultIndexes(.postgres) + "; ANALYZE users")
    }

    /// The bytes of the files below `path`.
    static func folderSize(_ path: String) -> Int {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var total = 0
        while let file = enumerator?.nextObject() as? String {
            total += (try? FileManager.default.attributesOfItem(atPath: (path as NSString).appendingPathComponent(file))[.size] as? Int) ?? 0
        }
        return total
    }

    /// The largest resident set the process has had (`VmHWM`), in MB.
    static func peakResidentMB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// The processor time a process has used so far, user and system, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
