import Foundation

/// The cost of the process boundary: creates through `attrmap serve` into the Python example
/// connector (a CSV file) and into the Swift one (a journal, eight requests in flight), beside
/// the host on its embedded SQLite store, the same creates at the same number of clients.
enum ProcessConnectorBenchmark {
    static let token = "benchmark-token-\(UInt32.random(in: 0...UInt32.max))"

    enum Store: CaseIterable {
        case sqlite, python, swift

        var name: String {
            switch self {
            case .sqlite: "host, embedded SQLite store"
            case .python: "host → Python example (CSV)"
            case .swift: "host → Swift example (journal)"
            }
        }
    }

    static func main(_ arguments: [String]) async {
        let usage = "usage: attrmap-benchmark process --attrmap PATH --swift-connector PATH [--writes 5000] [--python-writes 1000] [--clients 8]"
        let options = benchmarkOptions(arguments, defaults: ["writes": "5000", "clients": "8", "python-writes": "1000"], usage: usage)
        guard let attrmap = options["attrmap"], let given = options["swift-connector"],
            let writes = Int(options["writes"]!), let pythonWrites = Int(options["python-writes"]!), let clients = Int(options["clients"]!)
        else {
            fail(usage)
        }
        // The program's path as the host resolves it: from the configuration's folder.
        let swiftConnector = URL(fileURLWithPath: given).standardizedFileURL.path
        say("attrmap serve and process connectors — creates at \(clients) clients\n")
        say(pad("", 34) + pad("creates", 9) + pad("users/s", 10) + pad("p50 ms", 9) + pad("p99 ms", 9) + pad("host CPU µs", 13) + pad("program CPU µs", 15))
        var rates: [Store: Double] = [:]
        do {
            for store in Store.allCases {
                // The CSV example rewrites its whole file per create: fewer creates keep its run short.
                let count = store == .python ? pythonWrites : writes
                let run = try await creates(store, attrmap: attrmap, swiftConnector: swiftConnector, writes: count, clients: clients)
                if run.phase.errors > 0 { fail("\(run.phase.errors) creates into \(store.name) were answered with an error status") }
                rates[store] = run.phase.rate
                say(pad(store.name, 34) + pad(String(count), 9) + pad(String(format: "%.0f", run.phase.rate), 10)
                    + pad(String(format: "%.2f", run.phase.percentile(0.5) * 1000), 9) + pad(String(format: "%.2f", run.phase.percentile(0.99) * 1000), 9)
                    + pad(String(format: "%.0f", run.hostCPU * 1e6 / Double(count)), 13)
                    + pad(run.programCPU.map { String(format: "%.0f", $0 * 1e6 / Double(count)) } ?? "", 15))
            }
        } catch {
            fail("\(error)")
        }
        let sqlite = max(rates[.sqlite] ?? 0, 0.001)
        say("\nthe Swift connector's create rate is \(String(format: "%.0f", (rates[.swift] ?? 0) / sqlite * 100)) % of the SQLite store's; the Python one's \(String(format: "%.0f", (rates[.python] ?? 0) / sqlite * 100)) %")
    }

    /// `writes` creates through a host serving `store`: the phase's figures and the processor time
    /// of the host and of the connector's program.
    static func creates(
        _ store: Store, attrmap: String, swiftConnector: String, writes: Int, clients: Int
    ) async throws -> (phase: LoadBenchmark.PhaseResult, hostCPU: Double, programCPU: Double?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-process-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let host: LoadBenchmark.Target
        switch store {
        case .sqlite:
            host = try LoadBenchmark.startAttrmap(attrmap, arguments: ["--data", folder, "--token", token], token: token)
        case .python, .swift:
            let command =
                store == .python
                ? "[python3, \(packageRoot.appendingPathComponent("Examples/process-connectors/csv-users/connector.py").path)]"
                : "[\(swiftConnector)]"
            let settings = store == .python ? "{file: users.csv}" : "{journal: users.ndjson}"
            let config = (folder as NSString).appendingPathComponent("serve.yaml")
            try """
                connectors:
                  - name: APP1
                    token: \(token)
                    process: {command: \(command), settings: \(settings)}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            host = try LoadBenchmark.startAttrmap(attrmap, arguments: ["--config", config], token: token)
        }
        defer {
            host.process.terminate()
            host.process.waitUntilExit()
        }
        try await WebServiceBenchmark.waitForReady(host)
        let connections = try (0..<clients).map { _ in try HTTPConnection(url: host.base) }
        let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
        let program = children(of: host.process.processIdentifier).first
        let hostBefore = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier)
        let programBefore = program.map(HostScaleBenchmark.cpuSeconds)
        let phase = LoadBenchmark.phase("POST", writes, connections) { connection, i in
            let attributes =
                store == .sqlite
                ? #"{"userName":"NEW\#(i)","email":"new\#(i)@contoso.com","city":"Oslo"}"#
                : #"{"login":"new\#(i)","displayName":"New User \#(i)","city":"Oslo","roles":["Employee"]}"#
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(ext)"],"userName":"new\#(i)@contoso.com","active":true,"displayName":"New User \#(i)","\#(ext)":\#(attributes)}"#
            let (status, _) = try LoadBenchmark.send(connection, host, "POST", "/Users", body: body)
            return status == 201
        }
        let hostCPU = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier) - hostBefore
        let programCPU = program.map { HostScaleBenchmark.cpuSeconds($0) - (programBefore ?? 0) }
        return (phase, hostCPU, programCPU)
    }

    /// The processes whose parent is `pid` (the connector's program, a child of the host).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }
}
