import Foundation
import Testing

/// `attrmap repl`, through the built binary: scripted on a pipe, and once in a real
/// pseudo-terminal where libedit does the line editing, completion and history.
struct ReplCommandTests {
    let cli = CLITests()

    @Test func scriptedSessionsReadStandardInput() throws {
        let script = """
            :set givenName=Zoë
            Join(" ", [givenName],
              ToUpper("van der berg"))
            IIF([a]="x", "y"

            :tree [a]
            :quit
            [never evaluated]
            """
        let output = try cli.run(["repl", "--history", "/dev/null"], input: script)
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Zoë VAN DER BERG")
        #expect(output.stdout.contains("error[check.argumentCount]: 'IIF' takes 3 arguments but 2 were given"))
        #expect(output.stdout.contains("attribute a  1:1"))
        #expect(!output.stdout.contains("never evaluated"))
    }

    @Test func startsWithAUserAndAMappingSet() throws {
        let output = try cli.run(
            ["repl", "--user", "Examples/quick-start/alice.json", "--mapping", "Examples/quick-start/mapping.yaml", "--now", "2026-11-23T00:00:00Z"],
            input: ":run\n[city]\n")
        #expect(output.status == 0)
        #expect(output.stdout.contains("current user #0 (00aa00aa-bb11-cc22-dd33-44ee44ee44ee): create"))
        #expect(output.stdout.hasSuffix("Rotterdam\n"))
        #expect(try cli.run(["repl", "--user", "missing.json"], input: "").status == 65)
    }

    @Test func editsCompletesAndRemembersInAPseudoTerminal() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-history-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: history) }
        let command = "'\(CLITests.binary.path)' repl --history '\(history)' --user Examples/quick-start/alice.json --color never"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // -q quiet, -f flush, -e child's exit code, -c command; the typescript goes nowhere.
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = CLITests.packageRoot
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Typed as a person would: Tab completes a function and an attribute; a call spans two lines.
        for keys in ["ToUpp\t\"x\")\n", "[giv\t\n", "Join(\"-\",\n", "\"a\", \"b\")\n", ":quit\n"] {
            input.fileHandleForWriting.write(Data(keys.utf8))
            Thread.sleep(forTimeInterval: 0.3)
        }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let screen = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        #expect(process.terminationStatus == 0)
        #expect(screen.contains("attrmap> "))
        #expect(screen.contains("\nX\n"))
        #expect(screen.contains("\nZoë\n"))
        #expect(screen.contains("   ...> "))
        #expect(screen.contains("\na-b\n"))
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved.contains("ToUpper(\"x\")"))
        #expect(saved.contains("[givenName]"))
    }
}
