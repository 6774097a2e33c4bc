import Foundation

// attrmap's benchmarks, one command each:
//
//     swift run -c release attrmap-benchmark expressions [SUITE.json] [--seconds 0.5]
//     swift run -c release attrmap-benchmark transform [--users 100000,1000000] [--jobs N]
//     swift run -c release attrmap-benchmark corpus USERS FILE   (the transform's corpus, to try by hand)
//     ./Scripts/load-benchmark.sh   (attrmap-benchmark scim-load: attrmap serve against scim2-server)
//     ./Scripts/host-scale-benchmark.sh   (attrmap-benchmark host-scale: stores of 10,000 to 1,000,000 users)
//     ./Scripts/web-services-benchmark.sh   (attrmap-benchmark webservice: the host in front of the sample HR application)
//     ./Scripts/process-connector-benchmark.sh   (attrmap-benchmark process: creates into the process connector examples)
//     ./Scripts/ldap-benchmark.sh   (attrmap-benchmark ldap: creates into slapd beside ldapadd, a full import of 100,000 entries)
//
// With no suite named, `expressions` runs.

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// A benchmark's `--name value` options over `defaults`; anything else left over is a usage error.
func benchmarkOptions(_ arguments: [String], defaults: [String: String], usage: String) -> [String: String] {
    var options = defaults
    var index = 0
    while index + 1 < arguments.count, arguments[index].hasPrefix("--") {
        options[String(arguments[index].dropFirst(2))] = arguments[index + 1]
        index += 2
    }
    if index != arguments.count { fail(usage) }
    return options
}

var arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "transform":
    TransformBenchmark.main(Array(arguments.dropFirst()))
case "corpus":
    guard arguments.count == 3, let users = Int(arguments[1]) else { fail("usage: attrmap-benchmark corpus USERS FILE") }
    print("\(Corpus.write(users: users, to: arguments[2])) bytes written to \(arguments[2])")
case TransformBenchmark.childCommand:
    TransformBenchmark.child(Array(arguments.dropFirst()))
case "scim-load":
    await LoadBenchmark.main(Array(arguments.dropFirst()))
case "host-scale":
    await HostScaleBenchmark.main(Array(arguments.dropFirst()))
case "webservice":
    await WebServiceBenchmark.main(Array(arguments.dropFirst()))
case "process":
    await ProcessConnectorBenchmark.main(Array(arguments.dropFirst()))
case "ldap":
    await LDAPBenchmark.main(Array(arguments.dropFirst()))
case "expressions":
    ExpressionBenchmark.main(Array(arguments.dropFirst()))
default:
    ExpressionBenchmark.main(arguments)
}
