import Foundation
import MappingExpressions
import REPL
import Testing

struct ReplSessionTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [
        ("Join(\" \", [a],", true), ("Join(\" \", [a], [b])", false), ("\"unterminated", true), ("[given", true),
        ("IIF([a]=\"(\", \"x\", \"y\")", false), (":set a=(", false), ("\"escaped \\\" quote", true), ("", false),
    ])
    func asksForMoreInputWhileSomethingIsOpen(text: String, expected: Bool) {
        #expect(ReplSession.needsMoreInput(text) == expected)
    }

    @Test func evaluatesForTheCurrentUser() {
        let session = ReplSession()
        #expect(session.handle(":set givenName=Zoë").output == "")
        #expect(session.handle(":set proxies=[\"a\",\"b\"]").output == "")
        #expect(session.handle(#"ToUpper([givenName])"#).output == "ZOË\n")
        #expect(session.handle(#"Join("|", [proxies])"#).output == "a|b\n")
        #expect(session.handle("[missing]").output == "NULL (the target attribute would not flow)\n")
        #expect(session.handle(":unset givenName").output == "")
        #expect(session.handle("[givenName]").output == "NULL (the target attribute would not flow)\n")
        #expect(session.handle(":type Split(\"a,b\", \",\")").output == "multiValued\n")
        #expect(session.handle(":set n=42").output == "")
        #expect(session.handle(":type [n]").output == "number\n")
    }

    @Test func showsTheCaretUnderTheTypedLine() {
        let output = ReplSession().handle("Lenght([x])").output
        #expect(output.contains("error[check.unknownFunction]"))
        #expect(output.contains("1 | Lenght([x])\n  | ^^^^^^"))
    }

    @Test func freezesNow() {
        let session = ReplSession()
        #expect(session.handle(":now 2026-11-23T09:30:00Z").output == "Now() is frozen at 11/23/2026 9:30:00 AM\n")
        #expect(session.handle(#"FormatDateTime(Now(), , "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd HH:mm")"#).output == "2026-11-23 09:30\n")
        #expect(session.handle(":now tomorrow").output.hasPrefix("error: expected an ISO 8601 instant"))
        #expect(session.handle(":now clear").output == "Now() follows the system clock\n")
        #expect(session.now == nil)
    }

    @Test func showsTheSyntaxTree() {
        #expect(ReplSession().handle(#":tree Join(" ", [a], , IIF([b]="x", "y", "z"))"#).output == """
            call Join  1:1
            ├─ string " "  1:6
            ├─ attribute a  1:11
            ├─ omitted
            └─ call IIF  1:18
               ├─ comparison =  1:22
               │  ├─ attribute b  1:22
               │  └─ string "x"  1:26
               ├─ string "y"  1:31
               └─ string "z"  1:36

            """)
    }

    @Test func loadsAUserAndAMappingSetAndRunsIt() {
        let session = ReplSession()
        let user = Self.packageRoot.appendingPathComponent("Examples/quick-start/alice.json").path
        let mapping = Self.packageRoot.appendingPathComponent("Examples/quick-start/mapping.yaml").path
        #expect(session.handle(":run").output == "no mapping set: :mapping FILE loads one\n")
        #expect(session.handle(":user \(user)").output.hasPrefix("loaded 11 attributes"))
        #expect(session.handle(":mapping \(mapping)").output.hasPrefix("loaded 4 mappings"))
        let run = session.handle(":run").output
        #expect(run.contains(": create"))
        #expect(run.contains(#"GET /Users?filter=urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:userName eq "ZOË.VAN-DER-BERG""#))
        #expect(run.contains(#""export_password": "[Redact]""#))
        _ = session.handle(":secrets on")
        #expect(session.handle(":run").output.contains(#""export_password": "Pass@w0rd1""#))
        #expect(session.handle(":user /no/such/file.json").output == "error: cannot read user file '/no/such/file.json': no such file\n")
    }

    @Test func completesFunctionsAttributesAndCommands() {
        let session = ReplSession()
        _ = session.handle(":set givenName=x")
        _ = session.handle(":set given2=y")
        #expect(session.completions(for: "ToUp", in: "ToUp") == ["ToUpper("])
        #expect(session.completions(for: "join", in: "IIF([a]=\"\", join") == ["Join("])
        #expect(session.completions(for: "giv", in: "Join(\" \", [giv") == ["given2]", "givenName]"])
        #expect(session.completions(for: "IsSoft", in: "[IsSoft") == ["IsSoftDeleted]"])
        #expect(session.completions(for: ":ma", in: ":ma") == ["mapping"])
        #expect(session.completions(for: "Ignore", in: "Ignore").contains("IgnoreAttributeFlow"))
    }

    @Test func unknownCommandsAndQuit() {
        let session = ReplSession()
        #expect(session.handle(":bogus").output == "unknown command ':bogus'; :help lists the commands\n")
        #expect(session.handle(":quit").quit)
        #expect(session.handle(":help").output.contains(":mapping FILE"))
    }
}
