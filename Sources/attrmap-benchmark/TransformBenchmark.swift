import Foundation
import JSONValues
import MappingExpressions
import Provisioning

/// The streaming transform benchmark: generate a deterministic synthetic corpus (realistic
/// attributes, 5 % edge cases: missing values, disabled users, diacritics, B2B guests), then run
/// the quick-start mapping set over it end to end (read, evaluate, write NDJSON) on every core, in
/// a fresh process per size so that each peak memory figure is that size's own.
///
///     swift run -c release attrmap-benchmark transform [--users 100000,1000000] [--jobs N]
enum TransformBenchmark {
    static let childCommand = "transform-run"

    static func main(_ arguments: [String]) {
        var sizes = [100_000, 1_000_000]
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--users" where index + 1 < arguments.count:
                sizes = arguments[index + 1].split(separator: ",").compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
                index += 2
            case "--jobs" where index + 1 < arguments.count:
                jobs = Int(arguments[index + 1]) ?? jobs
                index += 2
            default:
                fail("unknown argument '\(arguments[index])'; usage: attrmap-benchmark transform [--users 100000,1000000] [--jobs N]")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-benchmark-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mapping = packageRoot.appendingPathComponent("Examples/quick-start/mapping.yaml").path

        print("attrmap transform benchmark — mapping set \(mapping)")
        print("\(jobs) worker thread\(jobs == 1 ? "" : "s"), corpus: JSON array, output: NDJSON with the step trace\n")
        print(pad("users", 10) + pad("corpus MB", 11) + pad("seconds", 9) + pad("users/s", 10) + pad("peak MB", 9) + pad("output MB", 11) + "  actions")
        for size in sizes {
            let corpus = directory.appendingPathComponent("users-\(size).json").path
            let output = directory.appendingPathComponent("out-\(size).ndjson").path
            let corpusBytes = Corpus.write(users: size, to: corpus)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = [childCommand, mapping, corpus, output, String(jobs)]
            let pipe = Pipe()
            process.standardOutput = pipe
            do { try process.run() } catch { fail("cannot start the measuring process: \(error)") }
            let report = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let json = try? JSON.parse(String(decoding: report, as: UTF8.self)) else {
                fail("the measuring process failed (status \(process.terminationStatus))")
            }
            let seconds = Double(json["seconds"]?.comparableNumber ?? "0") ?? 0
            let users = Int(json["users"]?.comparableNumber ?? "0") ?? 0
            let peak = Double(json["peakKilobytes"]?.comparableNumber ?? "0") ?? 0
            let outputBytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            guard users == size else { fail("expected \(size) results, got \(users)") }
            print(pad(String(size), 10) + pad(String(format: "%.0f", Double(corpusBytes) / 1e6), 11) + pad(String(format: "%.2f", seconds), 9)
                + pad(String(format: "%.0f", Double(users) / seconds), 10) + pad(String(format: "%.0f", peak / 1024), 9)
                + pad(String(format: "%.0f", Double(outputBytes) / 1e6), 11) + "  " + (json["actions"]?.stringValue ?? ""))
            try? FileManager.default.removeItem(atPath: corpus)
            try? FileManager.default.removeItem(atPath: output)
        }
    }

    /// Runs one transform in this process and prints its figures as JSON.
    static func child(_ arguments: [String]) {
        guard arguments.count == 4, let jobs = Int(arguments[3]) else { fail("usage: \(childCommand) MAPPING CORPUS OUTPUT JOBS") }
        let loaded: MappingSetLoader.Result
        do { loaded = try MappingSetLoader().load(path: arguments[0]) } catch { fail(error.message) }
        guard let set = loaded.mappingSet else { fail("the mapping set has errors") }
        let provisioner = Provisioner(mappingSet: set, options: .init(now: DateTime.parse("2026-11-23T00:00:00Z")))
        let transform = BatchTransform(provisioner: provisioner, workers: jobs)
        guard FileManager.default.createFile(atPath: arguments[2], contents: nil), let handle = FileHandle(forWritingAtPath: arguments[2]) else {
            fail("cannot write \(arguments[2])")
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        let summary: BatchTransform.Summary
        do {
            summary = try transform.run(files: [arguments[1]]) { line in
                buffer.append(contentsOf: line)
                if buffer.count >= 1 << 20 {
                    handle.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            fail(error.message)
        }
        handle.write(Data(buffer))
        try? handle.close()
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let actions = [Outcome.Action.create, .update, .disable, .skip, .error].compactMap { action in
            summary.counts[action].map { "\($0) \(action.rawValue)" }
        }.joined(separator: ", ")
        print(JSON.object([
            ("users", .number(String(summary.users))), ("seconds", .number(String(seconds))),
            ("peakKilobytes", .number(String(usage.ru_maxrss))), ("actions", .string(actions)),
        ]).serialized)
    }
}

extension JSON {
    var comparableNumber: String? {
        switch self {
        case .number(let text), .string(let text): text
        default: nil
        }
    }
}

/// A deterministic synthetic population of Entra users.
enum Corpus {
    static let givenNames = ["Alice", "Bruno", "Chloé", "Dmitri", "Émilie", "Fatima", "Gustav", "Hana", "Ingrid", "José", "Kwame", "Léa",
                             "Mateo", "Nguyễn", "Olga", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Uma", "Viktor", "Wei", "Yusuf", "Zoë"]
    static let surnames = ["Martin", "Okafor", "Núñez", "Schäfer", "Kowalski", "Tanaka", "Dubois", "Andersson", "Rossi", "García", "Müller",
                           "Novák", "Silva", "Ødegaard", "Smith", "Johansson", "Haddad", "Ivanova", "Kim", "Lefèvre"]
    static let cities = ["Seattle", "Lisbon", "Lagos", "São Paulo", "Zürich", "Kraków", "Oslo", "Montréal", "Tokyo", "Nairobi", "Berlin", "Austin"]
    static let departments = ["Sales", "Engineering", "Finance", "Marketing", "Support", "Legal", "Operations", "HR"]
    static let titles = ["Engineer", "Account Executive", "Analyst", "Manager", "Director", "Specialist", "Consultant"]

    /// SplitMix64: the same corpus on every machine.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ values: [T]) -> T { values[Int(next() % UInt64(values.count))] }
    }

    /// Writes `users` users as a JSON array, one per line; returns the file's size.
    static func write(users: Int, to path: String) -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            fail("cannot write \(path)")
        }
        var generator = Generator(state: 20261123)
        var buffer = "[\n"
        var total = 0
        for index in 0..<users {
            buffer += user(index, &generator)
            buffer += index + 1 < users ? ",\n" : "\n"
            if buffer.utf8.count > 1 << 20 {
                total += buffer.utf8.count
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        buffer += "]\n"
        total += buffer.utf8.count
        handle.write(Data(buffer.utf8))
        try? handle.close()
        return total
    }

    static func user(_ index: Int, _ generator: inout Generator) -> String {
        let given = generator.pick(givenNames)
        let surname = generator.pick(surnames)
        let alias = "\(given).\(surname).\(index)".lowercased()
        let id = String(format: "%08x-%04x-4%03x-a%03x-%012llx", UInt32(truncatingIfNeeded: generator.next()), index & 0xFFFF,
                        index % 0xFFF, (index / 7) % 0xFFF, generator.next() & 0xFFFF_FFFF_FFFF)
        var upn: String? = "\(alias)@contoso.com"
        var city: String? = generator.pick(cities)
        var enabled = true
        // 5 % edge cases, in turn: missing values, disabled, B2B guest, missing city, no UPN at all.
        let edge = generator.next() % 100
        switch edge {
        case 0: city = nil
        case 1: enabled = false
        case 2: upn = "\(alias)_fabrikam.com#EXT#@contoso.onmicrosoft.com"
        case 3: upn = nil
        case 4: city = ""
        default: break
        }
        var fields = ["\"objectId\": \"\(id)\""]
        if let upn { fields.append("\"userPrincipalName\": \"\(upn)\"") }
        fields.append("\"givenName\": \"\(given)\"")
        fields.append("\"surname\": \"\(surname)\"")
        fields.append("\"displayName\": \"\(given) \(surname)\"")
        fields.append("\"mail\": \"\(alias)@contoso.com\"")
        if let city { fields.append("\"city\": \"\(city)\"") }
        fields.append("\"department\": \"\(generator.pick(departments))\"")
        fields.append("\"jobTitle\": \"\(generator.pick(titles))\"")
        fields.append("\"employeeId\": \"\(100000 + index)\"")
        fields.append("\"accountEnabled\": \(enabled)")
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
