import Foundation
import JSONValues

/// The web services connector: `attrmap serve` in front of the sample HR application
/// (Examples/web-services/hr-app) and the sample SAP user service (Examples/web-services/sap-app),
/// each really started on loopback.
///
/// 1. Creates through the host, beside the host on its embedded SQLite store: the same SCIM
///    POSTs at the same clients, so that the difference is the call to the application. Run with
///    all processes sharing the cores, then with the host on a core of its own (``Affinity``).
/// 2. The host's first full import of an application that already holds `--import` employees:
///    from list pages holding whole records, and from a list of logins with one detail call per
///    employee (16 in parallel, the template's connection limit raised to match); the time from
///    the host's start to `/ready`, and the host's peak resident memory.
/// 3. With `--sap-app`, the same first import from the SAP service over SOAP, through the shipped
///    template: keyset pages of 200 user names and a `BAPI_USER_GET_DETAIL` call each, 16 at a
///    time (its connection limit of 4 raised to match).
///
///     swift run -c release attrmap-benchmark webservice --attrmap .build/release/attrmap --hr-app .build/release/sample-hr-app [--sap-app .build/release/sample-sap-app] [--writes 5000] [--clients 8] [--import 100000]
enum WebServiceBenchmark {
    static let apiKey = "benchmark-key-\(UInt32.random(in: 0...UInt32.max))"
    static let token = "benchmark-token-\(UInt32.random(in: 0...UInt32.max))"
    static let sapPassword = "benchmark-sap-\(UInt32.random(in: 0...UInt32.max))"

    /// The application a host imports from.
    enum Application {
        /// The HR application, its import as whole records or as logins and a detail call each.
        case hr(binary: String, detail: Bool)
        case sap(binary: String)
    }

    static func main(_ arguments: [String]) async {
        let usage = "usage: attrmap-benchmark webservice --attrmap PATH --hr-app PATH [--sap-app PATH] [--writes 5000] [--clients 8] [--import 100000] [--only creates,import,detail,soap]"
        let options = benchmarkOptions(arguments, defaults: ["writes": "5000", "clients": "8", "import": "100000", "only": "creates,import,detail,soap"], usage: usage)
        guard let attrmap = options["attrmap"], let hrApp = options["hr-app"],
            let writes = Int(options["writes"]!), let clients = Int(options["clients"]!), let imported = Int(options["import"]!)
        else {
            fail(usage)
        }
        let only = Set(options["only"]!.split(separator: ",").map(String.init))
        say("attrmap serve and the web services connector — the sample HR application on loopback, \(clients) clients\n")
        do {
          if only.contains("creates") {
            // Twice: everything sharing the machine's cores, where the sample's own processor
            // time slows the host; then, with two cores or more, the host on a core of its own and
            // the sample and the clients on the others, as if the application ran elsewhere, so
            // that the rate measures what the call to it costs the host.
            let cores = Affinity.cores
            for hostCore in cores.count >= 2 ? [nil, cores[0]] : [nil] {
                let others = cores.filter { $0 != hostCore }
                let layout = hostCore.map { core in (host: [core], others: others) }
                let sqlite = try await creates(attrmap: attrmap, hrApp: nil, writes: writes, clients: clients, layout: layout)
                let rest = try await creates(attrmap: attrmap, hrApp: hrApp, writes: writes, clients: clients, layout: layout)
                say(
                    hostCore == nil
                        ? "creates, all sharing \(cores.count) cores"
                        : "creates, the host alone on core \(hostCore!), the sample and the clients on \(others.count == 1 ? "core \(others[0])" : "cores \(others.map(String.init).joined(separator: ","))")")
                say(pad("", 34) + pad("users/s", 10) + pad("p50 ms", 9) + pad("p99 ms", 9) + pad("host CPU µs", 13) + pad("app CPU µs", 11))
                for (name, run) in [("host, embedded SQLite store", sqlite), ("host → REST sample (webservice)", rest)] {
                    let phase = run.phase
                    say(pad(name, 34) + pad(String(format: "%.0f", phase.rate), 10) + pad(String(format: "%.2f", phase.percentile(0.5) * 1000), 9)
                        + pad(String(format: "%.2f", phase.percentile(0.99) * 1000), 9) + pad(String(format: "%.0f", run.hostCPU * 1e6 / Double(writes)), 13)
                        + pad(run.appCPU.map { String(format: "%.0f", $0 * 1e6 / Double(writes)) } ?? "", 11))
                }
                say("the web service's create rate is \(String(format: "%.0f", rest.phase.rate / max(sqlite.phase.rate, 0.001) * 100)) % of the SQLite store's\n")
                if sqlite.phase.errors + rest.phase.errors > 0 { fail("\(sqlite.phase.errors + rest.phase.errors) creates were answered with an error status") }
            }
          }

            say(pad("full import at start", 34) + pad("users", 9) + pad("seconds", 9) + pad("users/s", 10) + pad("calls", 9) + pad("peak MB", 9) + pad("host CPU s", 12) + pad("app CPU s", 10))
            var runs: [(String, Application)] = []
            if only.contains("import") { runs.append(("list pages of whole records", .hr(binary: hrApp, detail: false))) }
            if only.contains("detail") { runs.append(("list of logins + detail calls", .hr(binary: hrApp, detail: true))) }
            if let sapApp = options["sap-app"], only.contains("soap") { runs.append(("SOAP: keyset pages + detail calls", .sap(binary: sapApp))) }
            for (name, application) in runs {
                let figures = try await fullImport(attrmap: attrmap, application, users: imported)
                say(pad(name, 34) + pad(String(imported), 9)
                    + pad(String(format: "%.1f", figures.seconds), 9) + pad(String(format: "%.0f", Double(imported) / figures.seconds), 10)
                    + pad(String(figures.calls), 9) + pad(String(format: "%.0f", figures.peakMB), 9)
                    + pad(String(format: "%.1f", figures.hostCPU), 12) + pad(String(format: "%.1f", figures.appCPU), 10))
            }
        } catch {
            fail("\(error)")
        }
    }

    /// The host's template for the sample, its import as whole records or as logins and a detail call each.
    static func template(detail: Bool) throws -> String {
        var text = try String(contentsOf: packageRoot.appendingPathComponent("Examples/web-services/templates/hr-app.yaml"), encoding: .utf8)
        if detail {
            let list = """
                        records: /data
                        paging: {style: cursor, cursor: /next_cursor, size: 200}
                """
            guard text.contains(list) else { throw LoadBenchmark.Failure("the example template's import is not the one this benchmark knows") }
            text = text.replacingOccurrences(of: #"query: {limit: "[page.size]", cursor: "[page.cursor]"}"#, with: #"query: {fields: '"login"', limit: "[page.size]", cursor: "[page.cursor]"}"#)
            text = text.replacingOccurrences(of: list, with: list.replacingOccurrences(of: "size: 200}", with: "size: 500}") + """

                        detail: [{GET: "/employees/{[item.login]}"}]
                        concurrency: \(detailConcurrency)
                """)
            text = try withConnectionConcurrency(text, from: 8)
        } else {
            text = text.replacingOccurrences(of: "size: 200}", with: "size: 500}")
        }
        return text
    }

    /// The detail calls in flight during an import with a call per user. The connection's own
    /// limit caps them, so it is raised to match: more calls in flight also cost each side less
    /// processor time per call (fewer wake-ups per response).
    static let detailConcurrency = 16

    /// A template with its connection's `concurrency` raised from `from` to ``detailConcurrency``.
    static func withConnectionConcurrency(_ text: String, from: Int) throws -> String {
        let line = "\n  concurrency: \(from)\n"
        guard text.contains(line) else { throw LoadBenchmark.Failure("the example template's connection concurrency is not the \(from) this benchmark knows") }
        return text.replacingOccurrences(of: line, with: "\n  concurrency: \(detailConcurrency)\n")
    }

    /// The SAP template with `detailConcurrency` detail calls in flight, written into `folder`.
    static func sapTemplate(folder: String) throws -> String {
        var text = try String(contentsOf: packageRoot.appendingPathComponent("Examples/web-services/templates/sap-app.yaml"), encoding: .utf8)
        let detail = "\n        concurrency: 4   # at most the connection's concurrency (the reader refuses more)\n"
        guard text.contains(detail) else { throw LoadBenchmark.Failure("the example SAP template's detail concurrency is not the one this benchmark knows") }
        text = try withConnectionConcurrency(text.replacingOccurrences(of: detail, with: "\n        concurrency: \(detailConcurrency)\n"), from: 4)
        let path = (folder as NSString).appendingPathComponent("sap-app.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func startHR(_ binary: String, folder: String, seed: Int) throws -> (process: Process, url: String) {
        try start(binary, arguments: ["--database", (folder as NSString).appendingPathComponent("hr.sqlite"), "--seed", String(seed)],
            environment: ["HR_API_KEY": apiKey], listening: #"http://127\.0\.0\.1:\d+/api/v1"#)
    }

    static func startSAP(_ binary: String, folder: String, seed: Int) throws -> (process: Process, url: String) {
        try start(binary, arguments: ["--database", (folder as NSString).appendingPathComponent("sap.sqlite"), "--seed", String(seed)],
            environment: ["SAP_USER": "RFC_USER", "SAP_PASSWORD": sapPassword], listening: #"http://127\.0\.0\.1:\d+/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding"#)
    }

    /// Starts a sample application on a free port; the URL its first line says it listens on.
    static func start(_ binary: String, arguments: [String], environment extra: [String: String], listening pattern: String) throws -> (process: Process, url: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw LoadBenchmark.Failure("\(binary) did not start: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: pattern, options: .regularExpression) { return (process, String(seen[range])) }
        }
    }

    /// A host on an empty store: the SQLite store, or the HR application through its template.
    static func startHost(attrmap: String, folder: String, hrURL: String?, detail: Bool = false) throws -> LoadBenchmark.Target {
        guard let hrURL else { return try LoadBenchmark.startAttrmap(attrmap, arguments: ["--data", folder, "--token", token], token: token) }
        let templatePath = (folder as NSString).appendingPathComponent("hr-app.yaml")
        try template(detail: detail).write(toFile: templatePath, atomically: true, encoding: .utf8)
        setenv("HR_API_KEY", apiKey, 1)
        return try startHost(attrmap: attrmap, folder: folder, template: templatePath, variables: #"{HR_URL: "\#(hrURL)"}"#)
    }

    /// A host serving one connector, APP1, through `template`.
    static func startHost(attrmap: String, folder: String, template: String, variables: String) throws -> LoadBenchmark.Target {
        let config = (folder as NSString).appendingPathComponent("serve.yaml")
        try """
            connectors:
              - name: APP1
                token: \(token)
                webservice: \(template)
                variables: \(variables)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return try LoadBenchmark.startAttrmap(attrmap, arguments: ["--config", config], token: token)
    }

    /// Creates through the host: the phase's figures, and the processor time the host and the
    /// application spent on it (per create, beside the rate, since the two share the machine).
    /// Creates at `clients` connections; with a layout, the host's threads on its cores and the
    /// sample's and this process's on the others, for the run.
    static func creates(
        attrmap: String, hrApp: String?, writes: Int, clients: Int, layout: (host: [Int], others: [Int])?
    ) async throws -> (phase: LoadBenchmark.PhaseResult, hostCPU: Double, appCPU: Double?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-ws-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hr = try hrApp.map { try startHR($0, folder: folder, seed: 0) }
        defer { hr?.process.terminate() }
        let host = try startHost(attrmap: attrmap, folder: folder, hrURL: hr?.url)
        defer {
            host.process.terminate()
            host.process.waitUntilExit()
        }
        try await waitForReady(host)
        if let layout {
            try Affinity.pin(host.process.processIdentifier, to: layout.host)
            if let hr { try Affinity.pin(hr.process.processIdentifier, to: layout.others) }
            try Affinity.pin(getpid(), to: layout.others)
        }
        defer { if layout != nil { try? Affinity.pin(getpid(), to: Affinity.cores) } }
        let connections = try (0..<clients).map { _ in try HTTPConnection(url: host.base) }
        let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
        let hostBefore = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier)
        let appBefore = hr.map { HostScaleBenchmark.cpuSeconds($0.process.processIdentifier) }
        let phase = LoadBenchmark.phase("POST", writes, connections) { connection, i in
            let login = "new\(i)"
            let attributes =
                hr == nil
                ? #"{"userName":"NEW\#(i)","email":"\#(login)@contoso.com","city":"Oslo"}"#
                : #"{"login":"\#(login)","givenName":"New","familyName":"User \#(i)","email":"\#(login)@contoso.com","department":"Sales","active":true,"roles":["Employee"]}"#
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\#(ext)"],"userName":"\#(login)@contoso.com","active":true,"displayName":"New User \#(i)","\#(ext)":\#(attributes)}"#
            let (status, _) = try LoadBenchmark.send(connection, host, "POST", "/Users", body: body)
            return status == 201
        }
        let hostCPU = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier) - hostBefore
        let appCPU = hr.map { HostScaleBenchmark.cpuSeconds($0.process.processIdentifier) - (appBefore ?? 0) }
        return (phase, hostCPU, appCPU)
    }

    static func fullImport(attrmap: String, _ application: Application, users: Int) async throws -> (seconds: Double, calls: Int, peakMB: Double, hostCPU: Double, appCPU: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-ws-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileHandle.standardError.write(Data("seeding \(users) users…\n".utf8))
        let app: (process: Process, url: String)
        let calls: Int
        switch application {
        case .hr(let binary, let detail):
            app = try startHR(binary, folder: folder, seed: users)
            calls = (users + 499) / 500 + 1 + (detail ? users : 0)
        case .sap(let binary):
            app = try startSAP(binary, folder: folder, seed: users)
            calls = (users + 199) / 200 + 1 + users
        }
        defer { app.process.terminate() }
        // The seeded file goes to the disk now, not in the kernel's writeback during the import
        // (which then ran up to a fifth slower, on the machine's two cores).
        sync()
        // The application's processor time from here on is the import's: seeding is done.
        let appCPUBefore = HostScaleBenchmark.cpuSeconds(app.process.processIdentifier)
        let started = ContinuousClock.now
        let host: LoadBenchmark.Target
        switch application {
        case .hr(_, let detail):
            host = try startHost(attrmap: attrmap, folder: folder, hrURL: app.url, detail: detail)
        case .sap:
            setenv("SAP_USER", "RFC_USER", 1)
            setenv("SAP_PASSWORD", sapPassword, 1)
            host = try startHost(attrmap: attrmap, folder: folder, template: try sapTemplate(folder: folder), variables: #"{SAP_URL: "\#(app.url)"}"#)
        }
        defer {
            host.process.terminate()
            host.process.waitUntilExit()
        }
        try await waitForReady(host)
        let seconds = HostScaleBenchmark.seconds(started.duration(to: .now))
        let peak = HostScaleBenchmark.peakResidentMB(host.process.processIdentifier)
        let hostCPU = HostScaleBenchmark.cpuSeconds(host.process.processIdentifier)
        let appCPU = HostScaleBenchmark.cpuSeconds(app.process.processIdentifier) - appCPUBefore
        let probe = try HTTPConnection(url: host.base)
        let (status, body) = try LoadBenchmark.send(probe, host, "GET", "/Users?count=1")
        guard status == 200, let total = (try? JSON.parse(body))?["totalResults"], total == .number(String(users)) else {
            throw LoadBenchmark.Failure("the host holds \(String(decoding: body, as: UTF8.self).prefix(200)), not \(users) users")
        }
        return (seconds, calls, peak, hostCPU, appCPU)
    }

    /// Until the host's `/ready` says every connector has imported.
    static func waitForReady(_ host: LoadBenchmark.Target) async throws {
        guard let url = URL(string: host.base), let scheme = url.scheme, let authority = url.host, let port = url.port else { return }
        let probe = try HTTPConnection(url: "\(scheme)://\(authority):\(port)")
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            if let (status, _) = try? probe.send("GET", "/ready", headers: [], body: nil), status == 200 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LoadBenchmark.Failure("the host was not ready within 10 minutes")
    }
}

/// Which cores a process's threads run on (Linux, through util-linux's `taskset`): every thread
/// of it is moved, and threads it starts later inherit the set from the thread that starts them.
enum Affinity {
    /// The machine's cores.
    static let cores: [Int] = Array(0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Tried again when it fails: a thread that ends while taskset goes through them fails it.
    static func pin(_ pid: Int32, to cores: [Int]) throws {
        var reason = ""
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["--all-tasks", "--pid", "--cpu-list", cores.map(String.init).joined(separator: ","), String(pid)]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            do { try process.run() } catch { throw Failure(description: "cannot run taskset to move process \(pid) to cores \(cores): \(error)") }
            let text = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 { return }
            reason = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw Failure(description: "taskset could not move process \(pid) to cores \(cores): \(reason)")
    }
}
