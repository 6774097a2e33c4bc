import Foundation
import JSONValues
import AttrmapTesting
import Testing

/// What users feed attrmap, as they get it: Entra's users exported the usual ways, and text that
/// is not UTF-8, which must be a located error that loses nothing else.
struct InputTests {
    let cli = CLITests()
    static let mapping = "Examples/quick-start/mapping.yaml"

    /// A folder of its own holding `files` (name → bytes).
    func folder(_ files: [String: [UInt8]]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        return directory.path
    }

    func lines(_ text: String) throws -> [JSON] {
        try text.split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    // MARK: Exports of Entra users

    /// An HR export as CSV (a byte order mark, CRLF line ends, RFC 4180 quoting with commas, quotes
    /// and a line break inside fields, an empty field, a multi-valued column) gives the requests
    /// the same users give as JSON; a row with a field too many is reported at its line, the
    /// others are processed.
    @Test func csvRowsAreUsers() throws {
        let rows = [
            "objectId,userPrincipalName,givenName,surname,city,accountEnabled,appRoleAssignments",
            "6f1c3a52-8e0b-4a51-9d3c-1b2e4f6a7c01,alice.martin@contoso.com,Alice,Martin,\"Seattle, WA\",true,Employee; Sales Lead",
            "0b9d4e27-3f6a-4c18-8a2e-5d7c9e1f2a02,jose.nunez@contoso.com,José,Núñez,,true,Employee",
            "91e7b2d5-4c3a-4e86-a1f9-2b5d8c7e0a04,sam.okafor@contoso.com,\"Sam \"\"S.\"\"\",Okafor,\"Lagos\nNigeria\",false,",
        ]
        let csv = [0xEF, 0xBB, 0xBF] + Array((rows.joined(separator: "\r\n") + "\r\n").utf8)
        let json = """
            [{"objectId": "6f1c3a52-8e0b-4a51-9d3c-1b2e4f6a7c01", "userPrincipalName": "alice.martin@contoso.com", "givenName": "Alice", "surname": "Martin", "city": "Seattle, WA", "accountEnabled": true, "appRoleAssignments": ["Employee", "Sales Lead"]},
             {"objectId": "0b9d4e27-3f6a-4c18-8a2e-5d7c9e1f2a02", "userPrincipalName": "jose.nunez@contoso.com", "givenName": "José", "surname": "Núñez", "accountEnabled": true, "appRoleAssignments": ["Employee"]},
             {"objectId": "91e7b2d5-4c3a-4e86-a1f9-2b5d8c7e0a04", "userPrincipalName": "sam.okafor@contoso.com", "givenName": "Sam \\"S.\\"", "surname": "Okafor", "city": "Lagos\\nNigeria", "accountEnabled": false}]
            """
        let directory = try folder(["users.csv": csv, "users.json": Array(json.utf8)])
        let fromCSV = try cli.run(["transform", "-m", Self.mapping, directory + "/users.csv", "--multi-valued", "appRoleAssignments", "--no-steps", "--now", "2026-11-23T00:00:00Z"])
        let fromJSON = try cli.run(["transform", "-m", Self.mapping, directory + "/users.json", "--no-steps", "--now", "2026-11-23T00:00:00Z"])
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        #expect(fromJSON.status == 0, "\(fromJSON.stderr)")
        let csvResults = try lines(fromCSV.stdout)
        let jsonResults = try lines(fromJSON.stdout)
        #expect(csvResults.count == 3)
        #expect(csvResults.map { $0["requests"] } == jsonResults.map { $0["requests"] })
        #expect(csvResults.map { $0["action"] } == jsonResults.map { $0["action"] })
        #expect(csvResults.map { $0["source"]?["line"] } == [.number("2"), .number("3"), .number("4")], "each user at its row's line")
        #expect(fromCSV.stdout.contains("Seattle, WA"))

        // A field too many: that row is an error at its line, the next still read.
        let broken = try folder(["users.csv": Array("userPrincipalName,city\na@contoso.com,Oslo,extra\nb@contoso.com,Rome\n".utf8)])
        let partly = try cli.run(["transform", "-m", Self.mapping, broken + "/users.csv", "--no-steps"])
        #expect(partly.status == 1, "\(partly.stderr)")
        let results = try lines(partly.stdout)
        #expect(results.map { $0["action"] } == [.string("error"), .string("create")])
        #expect(results.first?["errors"]?.arrayValue?.first?.serialized.contains("the row has 3 fields and the header 2") == true, "\(partly.stdout)")
        #expect(results.first?["source"]?["line"] == .number("2"))
    }

    /// Graph Explorer's or curl's `GET /users`, saved page by page: each page is its users.
    @Test func graphCollectionPagesAreReadAsTheirUsers() throws {
        let output = try cli.run(["transform", "-m", Self.mapping, "Fixtures/exports/graph-pages", "--no-steps", "--now", "2026-11-23T00:00:00Z"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("5 users in "))
        #expect(output.stderr.contains("4 create, 1 skip"))
        let results = try lines(output.stdout)
        #expect(results.map { $0["source"]?["id"]?.stringValue } == [
            "6f1c3a52-8e0b-4a51-9d3c-1b2e4f6a7c01", "0b9d4e27-3f6a-4c18-8a2e-5d7c9e1f2a02", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e05",
            "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f06", "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a07",
        ])
        // Each user is placed in its page: index from 0 in its file, the line where it starts.
        #expect(results.map { $0["source"]?["index"] } == [.number("0"), .number("1"), .number("2"), .number("0"), .number("1")])
        #expect(results.map { $0["source"]?["line"] } == [.number("5"), .number("13"), .number("21"), .number("1"), .number("1")])
        #expect(results[2]["action"] == .string("skip"))
        #expect(results[3]["requests"]?.serialized.contains(#""userName":"YAMADA.TARO""#) == true)
    }

    /// Several pages saved into one file, one after another, and a page as an NDJSON line.
    @Test func pagesConcatenatedOrOnePerLineAreReadToo() throws {
        let page1 = try Data(contentsOf: CLITests.packageRoot.appendingPathComponent("Fixtures/exports/graph-pages/page-1.json"))
        let page2 = try Data(contentsOf: CLITests.packageRoot.appendingPathComponent("Fixtures/exports/graph-pages/page-2.json"))
        let directory = try folder(["all.json": Array(page1) + Array(page2), "pages.ndjson": Array(page2)])
        let output = try cli.run(["transform", "-m", Self.mapping, directory, "--no-steps"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("7 users in "))
        let indexes = try lines(output.stdout).map { $0["source"]?["index"] }
        #expect(indexes == [0, 1, 2, 3, 4, 0, 1].map { JSON.number(String($0)) })
    }

    /// A Graph user read on its own (`GET /users/{id}`) carries `@odata.context` too: still one user.
    @Test func aSingleGraphEntityIsOneUser() throws {
        let entity = #"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", "id": "x1", "userPrincipalName": "ann@contoso.com"}"#
        let output = try cli.run(["transform", "-m", Self.mapping, try folder(["one.json": Array(entity.utf8)]), "--no-steps"])
        #expect(output.status == 0)
        #expect(try lines(output.stdout).map { $0["action"] } == [.string("create")])
    }

    /// `Get-MgUser | ConvertTo-Json` writes PascalCase names: said once per file, with the fix.
    @Test func powerShellExportsAreExplainedAndReadOnRequest() throws {
        let plain = try cli.run(["transform", "-m", Self.mapping, "Fixtures/exports/powershell-get-mguser.json", "--no-steps"])
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("2 skip"))
        let warnings: [String] = plain.stderr.split(separator: "\n").filter { $0.hasPrefix("warning:") }.map(String.init)
        let expected: String = """
            warning: Fixtures/exports/powershell-get-mguser.json spells 4 attribute names in another case than the mapping reads them: \
            'AccountEnabled' for [accountEnabled], 'City' for [city], 'Id' for [id], 'UserPrincipalName' for [userPrincipalName]. \
            Attribute names are case-sensitive, so they read NULL. Exports of Microsoft Graph PowerShell (Get-MgUser | ConvertTo-Json) \
            spell names in PascalCase: pass --ignore-attribute-case to read them, or rename the keys
            """
        #expect(warnings == [expected])

        let read = try cli.run(["transform", "-m", Self.mapping, "Fixtures/exports/powershell-get-mguser.json", "--no-steps", "--ignore-attribute-case"])
        #expect(read.status == 0)
        #expect(!read.stderr.contains("warning"))
        let results = try lines(read.stdout)
        #expect(results.map { $0["action"] } == [.string("create"), .string("skip")])
        #expect(results.map { $0["source"]?["id"]?.stringValue } == ["6f1c3a52-8e0b-4a51-9d3c-1b2e4f6a7c01", "d3a8f1c4-6b2e-4f97-b5a0-7e9c2d4f6b03"])
        #expect(results[0]["requests"]?.serialized.contains(#""city":"Seattle""#) == true)
    }

    @Test func evalExplainsAndReadsPowerShellNames() throws {
        let user = try folder(["user.json": Array(#"{"UserPrincipalName": "ann@contoso.com", "City": "Oslo"}"#.utf8)]) + "/user.json"
        let plain = try cli.run(["eval", "Join(\" \", [userPrincipalName], [city])", "--user", user])
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("spells 2 attribute names in another case than the expression reads them: 'City' for [city], 'UserPrincipalName' for [userPrincipalName]"))
        #expect(plain.stderr.contains("pass --ignore-attribute-case to read them"))
        let read = try cli.run(["eval", "Join(\" \", [userPrincipalName], [city])", "--user", user, "--ignore-attribute-case"])
        #expect(read.stdout == "ann@contoso.com Oslo\n")
        #expect(read.stderr.isEmpty)
    }

    @Test func evalAndTheREPLTakeTheFirstUserOfACollection() throws {
        let output = try cli.run(["eval", "[givenName]", "--user", "Fixtures/exports/graph-pages/page-1.json"])
        #expect(output.status == 0)
        #expect(output.stdout == "Alice\n")
        #expect(output.stderr.contains("holds a Microsoft Graph collection of 3 users; the first is used"))
        let repl = try cli.run(["repl", "--history", "/dev/null"], input: ":user Fixtures/exports/powershell-get-mguser.json\n[userPrincipalName]\n:case ignore\n[userPrincipalName]\n")
        #expect(repl.stdout.contains("holds an array of 2 users; the first is used"))
        #expect(repl.stdout.contains("warning: the current user spells an attribute name in another case than the expression reads it: 'UserPrincipalName' for [userPrincipalName]"))
        #expect(repl.stdout.contains("type ':case ignore' to read them"))
        #expect(repl.stdout.hasSuffix("alice.martin@contoso.com\n"))
    }

    // MARK: Text that is not UTF-8

    /// One user among good ones holds bytes that are not UTF-8: that user is an error at the bad
    /// byte, and every other user is processed.
    @Test func aUserFileWithBadBytesLosesOnlyThatUser() throws {
        let good = Array(#"{"id": "1", "userPrincipalName": "ann@contoso.com"}"#.utf8)
        let bad = Array(#"{"id": "2", "userPrincipalName": "b"#.utf8) + [0xFF, 0xFE] + Array(#"@contoso.com"}"#.utf8)
        let other = Array(#"{"id": "3", "userPrincipalName": "cy@contoso.com"}"#.utf8)
        let json = Array("[\n  ".utf8) + good + Array(",\n  ".utf8) + bad + Array(",\n  ".utf8) + other + Array("\n]\n".utf8)
        let directory = try folder(["users.json": json, "users.ndjson": good + [0x0A] + bad + [0x0A] + other + [0x0A]])
        let output = try cli.run(["transform", "-m", Self.mapping, directory, "--no-steps"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("6 users in "))
        #expect(output.stderr.contains("4 create, 2 error"))
        let errors = try lines(output.stdout).filter { $0["action"] == .string("error") }
        #expect(errors.map { $0["errors"]?.arrayValue?.first?["location"]?.stringValue } == ["\(directory)/users.json:3:38", "\(directory)/users.ndjson:2:36"])
        #expect(errors.allSatisfy {
            $0["errors"]?.arrayValue?.first?["message"]?.stringValue == "invalid JSON: invalid UTF-8 in a string: the bytes FF FE are not a character; the text must be UTF-8"
        })
    }

    @Test func aMappingFileWithBadBytesIsALocatedError() throws {
        let text = Array("mappings:\n  - source: Join(\" \", [givenName], \"".utf8) + [0xE9] + Array("\")\n    target: displayName\n".utf8)
        let mapping = try folder(["mapping.yaml": text]) + "/mapping.yaml"
        for arguments in [["check", "--mapping", mapping], ["transform", "-m", mapping, "Examples/quick-start/users.json"]] {
            let output = try cli.run(arguments)
            #expect(output.status == 65)
            #expect(output.stderr.contains("\(mapping):2:37: invalid UTF-8: the byte E9 is not a character; the text must be UTF-8"), "\(output.stderr)")
        }
    }

    @Test func userAndTargetFilesWithBadBytesAreLocatedErrors() throws {
        let directory = try folder([
            "user.json": Array(#"{"givenName": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            "target.json": Array("[\n{\"userName\": \"".utf8) + [0xFF] + Array("\"}]".utf8),
        ])
        let eval = try cli.run(["eval", "[givenName]", "--user", directory + "/user.json"])
        #expect(eval.status == 65)
        #expect(eval.stderr.contains("user.json:1:16: invalid UTF-8: the byte C3 is not a character"), "\(eval.stderr)")
        let piped = try cli.run(["eval", "[givenName]", "--user", "-"], inputBytes: Array(#"{"givenName": "x"#.utf8) + [0xFF] + Array(#""}"#.utf8))
        #expect(piped.status == 65)
        #expect(piped.stderr.contains("<stdin>:1:17: invalid UTF-8"), "\(piped.stderr)")
        let transform = try cli.run(["transform", "-m", Self.mapping, "--target-state", directory + "/target.json", "Examples/quick-start/users.json"])
        #expect(transform.status == 65)
        #expect(transform.stderr.contains("target.json:2:15: invalid UTF-8: the byte FF is not a character"), "\(transform.stderr)")
        let repl = try cli.run(["repl", "--history", "/dev/null", "--user", directory + "/user.json"])
        #expect(repl.status == 65)
        #expect(repl.stderr.contains("user.json:1:16: invalid UTF-8"), "\(repl.stderr)")
    }
}
