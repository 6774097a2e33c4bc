import Foundation
import AttrmapTesting
import Testing

/// `attrmap repl`, through the built binary, scripted on a pipe (`ReplTerminalTests` types into
/// a real pseudo-terminal).
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
}
