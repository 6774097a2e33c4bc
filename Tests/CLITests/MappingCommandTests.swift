import Foundation
import AttrmapTesting
import Testing

/// `attrmap transform` and `attrmap check --mapping`, through the built binary.
struct MappingCommandTests {
    let cli = CLITests()

    func golden(_ name: String) throws -> String {
        try String(contentsOf: CLITests.packageRoot.appendingPathComponent("Examples/quick-start/expected/\(name)"), encoding: .utf8)
    }

    func temporaryFile(_ text: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func transformOfTheQuickStartMatchesItsGoldenFile() throws {
        let output = try cli.run([
            "transform", "--mapping", "Examples/quick-start/mapping.yaml", "Examples/quick-start/users.json", "--now", "2026-11-23T00:00:00Z",
        ])
        #expect(output.status == 0)
        #expect(output.stdout == (try golden("transform.ndjson")))
        #expect(output.stderr.hasPrefix("5 users in "))
        #expect(output.stderr.contains("3 create, 2 skip"))
    }

    @Test func transformAgainstTargetStateMatchesItsGoldenFile() throws {
        let output = try cli.run([
            "transform", "-m", "Examples/quick-start/mapping.yaml", "--target-state", "Examples/quick-start/target.json",
            "Examples/quick-start/users.json", "--now", "2026-11-23T00:00:00Z",
        ])
        #expect(output.status == 0)
        #expect(output.stdout == (try golden("transform-update.ndjson")))
        #expect(output.stderr.contains("1 create, 1 update, 1 disable, 2 skip"))
    }

    @Test func transformShowsSecretsOnlyWhenAsked() throws {
        let args = ["transform", "-m", "Examples/quick-start/mapping.yaml", "Examples/quick-start/users.json", "--no-steps"]
        let masked = try cli.run(args)
        #expect(masked.stdout.contains(#""export_password":"[Redact]""#))
        #expect(!masked.stdout.contains("Pass@w0rd1"))
        let shown = try cli.run(args + ["--show-secrets"])
        #expect(shown.stdout.contains(#""export_password":"Pass@w0rd1""#))
        #expect(!shown.stdout.contains(#""steps":[{"#))
    }

    @Test func transformReadsFoldersAndNDJSONAndReportsBadUsers() throws {
        let ndjson = try temporaryFile(
            #"{"objectId": "1", "userPrincipalName": "a@contoso.com", "city": "Oslo"}"# + "\nnot json\n"
                + #"{"objectId": "3", "userPrincipalName": "c@contoso.com"}"# + "\n", name: "b.ndjson")
        let folder = (ndjson as NSString).deletingLastPathComponent
        try #"[{"objectId": "0", "userPrincipalName": "z@contoso.com"}]"#.write(toFile: folder + "/a.json", atomically: true, encoding: .utf8)
        let output = try cli.run(["transform", "-m", "Examples/quick-start/mapping.yaml", folder, "--no-steps"])
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].contains(#""file":"\#(folder)/a.json","index":0"#))
        #expect(lines[2].contains(#""action":"error""#))
        #expect(lines[2].contains(#""location":"\#(ndjson):2:1""#))
        #expect(lines[3].contains(#""id":"3""#))
        #expect(output.stderr.contains("3 create, 1 error"))
    }

    @Test func transformWritesTextReportsToAFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-\(UUID().uuidString).txt").path
        let output = try cli.run([
            "transform", "-m", "Examples/quick-start/mapping.yaml", "Examples/quick-start/users.json", "--format", "text", "--output", out,
            "--profile", "compliant",
        ])
        #expect(output.status == 0)
        #expect(output.stdout.isEmpty)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("Examples/quick-start/users.json #0 (6f1c3a52-8e0b-4a51-9d3c-1b2e4f6a7c01): create"))
        #expect(text.contains(#"  GET /Users?filter=urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:userName eq "ALICE.MARTIN""#))
        #expect(text.contains("skip — the user has no value for any matching attribute (ImportSkipped)"))
    }

    @Test func transformRefusesAnInvalidMappingFile() throws {
        let mapping = try temporaryFile("mappings:\n  - source: Lenght([x])\n    target: userName\n    matchingPrecedence: 1\n", name: "m.yaml")
        let output = try cli.run(["transform", "-m", mapping, "Examples/quick-start/users.json"])
        #expect(output.status == 65)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("\(mapping):2:13"))
        #expect(output.stderr.contains("error: the mapping file '\(mapping)' has 1 error"))
        #expect(try cli.run(["transform", "-m", "missing.yaml", "Examples/quick-start/users.json"]).status == 65)
        #expect(try cli.run(["transform", "-m", "Examples/quick-start/mapping.yaml", "missing.json"]).status == 65)
        #expect(try cli.run(["transform", "-m", "Examples/quick-start/mapping.yaml"]).status == 64)
    }

    @Test func checkMappingReportsEachProblemInTheMappingFile() throws {
        let good = try cli.run(["check", "--mapping", "Examples/quick-start/mapping.yaml"])
        #expect(good.status == 0)
        #expect(good.stderr == "Examples/quick-start/mapping.yaml: 4 mappings, 0 errors, 0 warnings\n")
        let mapping = try temporaryFile("""
            mappings:
              - source: ToUpper(Word([userPrincipalName], 1, "@")
                target: userName
                matchingPrecedence: 1
              - source: "[mail]"
                target: userName
            """, name: "bad.yaml")
        let bad = try cli.run(["check", "--mapping", mapping, "--format", "oneline"])
        #expect(bad.status == 1)
        #expect(bad.stdout.split(separator: "\n") == [
            "\(mapping):2:54: error: expected ')' to close the argument list of 'ToUpper' [parse.expectedClosingParen]",
            "\(mapping):6:13: error: 'userName' is the target of two mappings [mapping.duplicateTarget]",
        ])
        let json = try cli.run(["check", "--mapping", mapping, "--format", "json"])
        #expect(json.stdout.contains(#""errors" : 2"#) || json.stdout.contains(#""errors": 2"#))
        let graph = try cli.run(["check", "-m", "Fixtures/graph-export.json"])
        #expect(graph.status == 0)
        #expect(graph.stderr.contains("9 mappings, 0 errors"))
    }

    @Test func checkMappingReadsTheSchemaOfAnExportedConfiguration() throws {
        let export = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("Fixtures/graph-export.json"), encoding: .utf8)
        let broken = try temporaryFile(export.replacingOccurrences(of: #""expression": "[surname]""#, with: #""expression": "[surnme]""#), name: "export.json")
        let line = export.components(separatedBy: "\n").firstIndex { $0.contains(#""expression": "[surname]""#) }.map { $0 + 1 } ?? 0
        let output = try cli.run(["check", "-m", broken, "--schema", "Fixtures/graph-export.json", "--format", "oneline"])
        #expect(output.status == 1)
        #expect(output.stdout.hasPrefix("\(broken):\(line):"))
        #expect(output.stdout.contains("unknown attribute 'surnme'; the source schema has no such attribute [check.unknownAttribute]"))
    }
}
