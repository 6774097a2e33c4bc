import AttrmapTesting
import Foundation
import Testing

/// `attrmap connector test`: the conformance suite run against programs, as their authors run it.
/// The examples pass; a connector that breaks the protocol on purpose fails exactly the check in
/// which it commits its one planted defect, with the reason, and the checks after it pass.
@Suite(.serialized) struct ConnectorTestCommandTests {
    static let broken = AttrmapBinary.packageRoot.appendingPathComponent("Fixtures/broken-connector/connector.py").path
    static let csvExample = AttrmapBinary.packageRoot.appendingPathComponent("Examples/process-connectors/csv-users/connector.py").path

    static func test(_ command: [String], in folder: TemporaryFolder, options: [String] = []) async throws -> AttrmapBinary.Output {
        try await AttrmapBinary.runInBackground(
            ["connector", "test", "--working-directory", folder.url.path, "--timeout", "3"] + options + ["--"] + command)
    }

    /// The report's lines of checks: each `pass`, `FAIL` or `skip` line.
    static func checks(_ output: AttrmapBinary.Output) -> [Substring] {
        output.stdout.split(separator: "\n").filter { $0.hasPrefix("pass  ") || $0.hasPrefix("FAIL  ") || $0.hasPrefix("skip  ") }
    }

    static func expectAllPass(_ output: AttrmapBinary.Output, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)", sourceLocation: sourceLocation)
        let lines = checks(output)
        #expect(lines.count >= 10, "\(output.stdout)", sourceLocation: sourceLocation)
        #expect(!lines.contains { $0.hasPrefix("FAIL") }, "\(output.stdout)", sourceLocation: sourceLocation)
        for check in ["answers hello", "User: creates, reads, replaces and deletes", "User: imports many objects, in pages", "User: comes back after a crash"] {
            #expect(lines.contains { $0.hasPrefix("pass  \(check) (") }, "\(check): \(output.stdout)", sourceLocation: sourceLocation)
        }
        #expect(output.stdout.contains(" failed, "), sourceLocation: sourceLocation)
    }

    @Test func thePythonExamplePasses() async throws {
        let folder = try TemporaryFolder("connector-test-csv")
        defer { folder.remove() }
        let output = try await Self.test(["python3", Self.csvExample], in: folder, options: ["--settings", #"{"file": "users.csv"}"#])
        Self.expectAllPass(output)
        #expect(output.stdout.contains("pass  User: sets passwords as their own step"), "\(output.stdout)")
        #expect(output.stdout.contains("export update"), "\(output.stdout)")
    }

    @Test func theSwiftExamplePasses() async throws {
        let folder = try TemporaryFolder("connector-test-swift")
        defer { folder.remove() }
        let output = try await Self.test(
            [SampleApplication.url(of: "swift-users-connector").path], in: folder, options: ["--settings", #"{"journal": "users.ndjson"}"#])
        Self.expectAllPass(output)
        #expect(output.stdout.contains("concurrency 8"), "\(output.stdout)")
        // Its second object type is checked too; groups take no passwords.
        #expect(output.stdout.contains("pass  Group: creates, reads, replaces and deletes ("), "\(output.stdout)")
        #expect(output.stdout.contains("pass  Group: exports concurrently ("), "\(output.stdout)")
        #expect(output.stdout.contains("skip  Group: sets passwords as their own step"), "\(output.stdout)")
        // And its third, a type of its own.
        #expect(output.stdout.contains("pass  Role: creates, reads, replaces and deletes ("), "\(output.stdout)")
        #expect(output.stdout.contains("pass  Role: imports many objects, in pages ("), "\(output.stdout)")
    }

    /// `--type` checks only the types named; one the program does not declare is a failure that
    /// names those it does.
    @Test func typesCanBeChosen() async throws {
        let folder = try TemporaryFolder("connector-test-types")
        defer { folder.remove() }
        let program = SampleApplication.url(of: "swift-users-connector").path
        let groups = try await Self.test([program], in: folder, options: ["--settings", #"{"journal": "groups.ndjson"}"#, "--type", "Group"])
        #expect(groups.status == 0, "\(groups.stdout)")
        #expect(Self.checks(groups).allSatisfy { !$0.contains("User: ") }, "\(groups.stdout)")
        #expect(groups.stdout.contains("pass  Group: imports many objects, in pages ("), "\(groups.stdout)")
        let unknown = try await Self.test([program], in: folder, options: ["--settings", #"{"journal": "none.ndjson"}"#, "--type", "Device"])
        #expect(unknown.status == 1, "\(unknown.stdout)")
        #expect(unknown.stdout.contains("the connector serves no type 'Device'; it serves User, Group, Role"), "\(unknown.stdout)")
    }

    /// Without a defect the broken connector is a correct one: each failure below is its defect's.
    @Test func theBrokenConnectorWithoutItsDefectPasses() async throws {
        let folder = try TemporaryFolder("connector-test-clean")
        defer { folder.remove() }
        Self.expectAllPass(try await Self.test(["python3", Self.broken], in: folder))
    }

    @Test(arguments: [
        ("wrong-id", "create failed: the connector did not answer within 3.0 seconds (it did send an answer for id "),
        ("crash-mid-import", "import failed: the connector process ended (exit status 3)"),
        ("hang", "get failed: the connector did not answer within 3.0 seconds; its process is restarted"),
        ("malformed", "get failed: the connector broke the protocol: the line is not JSON"),
        ("non-utf8", "get failed: the connector broke the protocol: the line is not UTF-8"),
    ])
    func eachPlantedDefectFailsItsCheckWithTheReason(defect: String, reason: String) async throws {
        let folder = try TemporaryFolder("connector-test-\(defect)")
        defer { folder.remove() }
        let output = try await Self.test(["python3", Self.broken, "--defect", defect], in: folder)
        #expect(output.status == 1, "\(output.stdout)\n\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("defect-done")), "the defect was not committed")
        let failed = Self.checks(output).filter { $0.hasPrefix("FAIL") }
        // Each defect is committed in the first check that creates, gets and imports.
        #expect(failed.map { String($0.prefix { $0 != "(" }) } == ["FAIL  User: creates, reads, replaces and deletes "], "\(output.stdout)")
        let reasons = output.stdout.split(separator: "\n").filter { $0.hasPrefix("      - ") }
        #expect(reasons.contains { $0.contains(reason) }, "\(defect): \(output.stdout)")
        #expect(output.stdout.contains("1 failed"), "\(output.stdout)")
    }

    @Test func aCommandIsRequiredAndSecretsStayOffTheCommandLine() throws {
        let none = try AttrmapBinary.run(["connector", "test"])
        #expect(none.status == 64, "\(none.stderr)")
        #expect(none.stderr.contains("after --"), "\(none.stderr)")
        let value = try AttrmapBinary.run(["connector", "test", "--env", "TOKEN=secret", "--", "true"])
        #expect(value.status == 64, "\(value.stderr)")
        #expect(value.stderr.contains("takes a variable's name"), "\(value.stderr)")
        #expect(!value.stderr.contains("secret"), "\(value.stderr)")
    }
}
