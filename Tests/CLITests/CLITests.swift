import Foundation
import AttrmapTesting
import Testing

/// Runs the built `attrmap` binary, as users do.
struct CLITests {
    static let packageRoot = AttrmapBinary.packageRoot
    static let binary = AttrmapBinary.url
    typealias Output = AttrmapBinary.Output

    func run(_ arguments: [String], input: String? = nil) throws -> Output {
        try AttrmapBinary.run(arguments, input: input.map { Array($0.utf8) })
    }

    func run(_ arguments: [String], inputBytes input: [UInt8]?) throws -> Output {
        try AttrmapBinary.run(arguments, input: input)
    }

    @Test func evalPrintsTheValue() throws {
        let output = try run(["eval", #"ToUpper(Word([userPrincipalName], 1, "@"), )"#, "--set", "userPrincipalName=zoë.van-der-berg@contoso.com"])
        #expect(output.status == 0)
        #expect(output.stdout == "ZOË.VAN-DER-BERG\n")
    }

    @Test func evalReadsAUserFromStandardInputAndPrintsJSON() throws {
        let output = try run(
            ["eval", #"Split([proxy], ",")"#, "--user", "-", "--format", "json"], input: #"{"proxy": "a,b"}"#)
        #expect(output.status == 0)
        #expect(output.stdout == #"{"value":["a","b"],"type":"multiValued"}"# + "\n")
    }

    @Test func evalReportsNullAndFlowDirectives() throws {
        let null = try run(["eval", "[missing]", "--format", "json"])
        #expect(null.stdout == #"{"value":null,"type":"null"}"# + "\n")
        let ignore = try run(["eval", "IgnoreFlowIfNullOrEmpty([missing])", "--format", "json"])
        #expect(ignore.stdout == #"{"value":{"ignoreFlow":true},"type":"ignoreFlow"}"# + "\n")
        let text = try run(["eval", "[missing]"])
        #expect(text.status == 0)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.contains("NULL"))
    }

    @Test func evalFreezesNow() throws {
        let output = try run(["eval", #"DateDiff("d", Now(), CDate([hire]))"#, "--set", "hire=2026-12-01", "--now", "2026-11-23T00:00:00Z"])
        #expect(output.stdout == "8\n")
    }

    @Test func evalHidesRedactedValues() throws {
        #expect(try run(["eval", #"Redact("Pass@w0rd1")"#]).stdout == "[Redact]\n")
        #expect(try run(["eval", #"Redact("Pass@w0rd1")"#, "--show-secrets"]).stdout == "Pass@w0rd1\n")
    }

    @Test func invalidExpressionsExitWith65AndShowTheCaret() throws {
        let output = try run(["eval", #"Join(" ", [a], [b]"#])
        #expect(output.status == 65)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("error[parse.expectedClosingParen]"))
        #expect(output.stderr.contains("1 | Join(\" \", [a], [b]\n  |                   ^"))
    }

    @Test(arguments: [
        #"Join("", "abc)"#,
        "Frobnicate([a])",
        #"Left("abc")"#,
        #"Join("", [a]) [b]"#,
        String(repeating: "ToUpper(", count: 5_000) + "[a]" + String(repeating: ")", count: 5_000),
        "Join(\"\", " + String(repeating: "\"0123456789\", ", count: 8_000) + "\"x\")",
    ])
    func malformedExpressionsNeverCrash(expression: String) throws {
        let output = try run(["eval", expression])
        #expect(output.status == 65)
        #expect(output.stderr.contains("error["))
    }

    @Test func evaluationErrorsExitWith1() throws {
        let output = try run(["eval", "Item([p], 3)", "--set", #"p=["a"]"#])
        #expect(output.status == 1)
        #expect(output.stderr.contains("error[eval.indexOutOfRange]"))
    }

    @Test func badUserFileIsALocatedError() throws {
        let output = try run(["eval", "[a]", "--user", "-"], input: "{\"a\": \"x\",\n \"b\": }")
        #expect(output.status == 65)
        #expect(output.stderr.contains("<stdin>:2:7"))
    }

    @Test func checkReportsEveryProblemAndExitsWith1() throws {
        let output = try run(["check", "iif([a]=\"x\", Toupper([b]), \"c\")", "Join(\"\", [a])"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("unknown function 'iif'"))
        #expect(output.stdout.contains("unknown function 'Toupper'"))
        #expect(output.stderr.contains("2 expressions checked: 2 errors, 0 warnings"))
    }

    @Test func checkFixRewritesAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-check-\(UUID().uuidString).txt")
        try "# mappings\niif([a]=\"x\", \"y\", \"z\")\nLeft([a], 2\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try run(["check", "--file", file.path, "--fix", "--format", "oneline"])
        #expect(output.status == 0)
        #expect(try String(contentsOf: file, encoding: .utf8) == "# mappings\nIIF([a]=\"x\", \"y\", \"z\")\nLeft([a], 2)\n")
    }

    @Test func checkPointsIntoTheFile() throws {
        let output = try run(["check", "--file", "-", "--format", "oneline"], input: "[a]\n\nJoin(\"\", Trim([a]))\n")
        #expect(output.stdout == "<stdin>:3:10: error: 'Trim' exists only in the cloud-sync dialect [check.functionDialect]\n")
    }

    @Test func testRunsTheConformanceFixture() throws {
        let output = try run(["test", "Fixtures/entra-expressions.json"])
        #expect(output.status == 0)
        let last = output.stdout.split(separator: "\n").last.map(String.init)
        #expect(last == "233 passed, 0 failed, 2 skipped")
    }

    @Test func testReportsFailuresAndJSON() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-cases-\(UUID().uuidString).json")
        try """
            [{"id": "good", "expression": "ToLower([a])", "attributes": {"a": "X"}, "expected": "x"},
             {"id": "bad", "expression": "ToLower([a])", "attributes": {"a": "X"}, "expected": "X"},
             {"id": "unsupported", "expression": "[a]", "expected": {"unspecified": true}}]
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let text = try run(["test", file.path])
        #expect(text.status == 1)
        #expect(text.stdout.contains("FAIL bad"))
        #expect(text.stdout.contains("expected:   \"X\""))
        #expect(text.stdout.contains("actual:     x"))
        #expect(text.stdout.hasSuffix("1 passed, 1 failed, 1 skipped\n"))
        let json = try run(["test", file.path, "--format", "json"])
        let lines = json.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"id":"good","status":"pass","actual":"x"}"#,
            #"{"id":"bad","status":"fail","actual":"x","message":"expected \"X\", got x"}"#,
            #"{"id":"unsupported","status":"skip","actual":null,"message":"Microsoft documents this construct as unsupported"}"#,
        ])
    }

    @Test func usageErrorsExitWith64() throws {
        #expect(try run(["eval", "[a]", "--now", "yesterday"]).status == 64)
        #expect(try run(["check"]).status == 64)
    }
}
