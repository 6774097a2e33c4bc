import MappingExpressions
import Testing

struct ParserTests {
    @Test func omittedArgumentsAreDistinctFromEmptyStrings() throws {
        let parsed = Parser.parse(#"Replace([x], , "a", , "", , )"#)
        #expect(parsed.diagnostics.isEmpty)
        let call = try #require(parsed.root.call)
        #expect(call.name == "Replace")
        #expect(call.arguments.count == 7)
        #expect(call.arguments.map { $0.expression == nil } == [false, true, false, true, false, true, true])
        #expect(call.arguments[4].expression?.kind == .string(""))
    }

    @Test(arguments: [
        ("[userPrincipalName]", Expr.Kind.attribute("userPrincipalName")),
        ("[urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode]",
         .attribute("urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode")),
        ("[msDS-UserAccountDisabled]", .attribute("msDS-UserAccountDisabled")),
        (#""a\\b""#, .string(#"a\b"#)),
        (#""say \"hi\"""#, .string(#"say "hi""#)),
        (#""\+49""#, .string(#"\+49"#)),
        ("-10", .number(-10)),
        ("9223372036854775807", .number(Int64.max)),
        ("&HF7", .hexNumber(0xF7)),
        ("vbTextCompare", .identifier("vbTextCompare")),
    ])
    func primaries(text: String, kind: Expr.Kind) {
        let parsed = Parser.parse(text)
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.root.kind == kind)
    }

    @Test func whitespaceBeforeTheArgumentList() throws {
        let parsed = Parser.parse("SelectUniqueValue (\n  [a],\n  [b]\n)")
        #expect(parsed.diagnostics.isEmpty)
        #expect(try #require(parsed.root.call).arguments.count == 2)
    }

    @Test func missingClosingParenIsReportedWithAFixIt() throws {
        let parsed = Parser.parse(#"Join(" ", [a], [b]"#)
        let diagnostic = try #require(parsed.diagnostics.first)
        #expect(diagnostic.id == .parseExpectedClosingParen)
        #expect(diagnostic.message == "expected ')' to close the argument list of 'Join'")
        #expect(Diagnostic.applyingFixIts(parsed.diagnostics, to: #"Join(" ", [a], [b]"#) == #"Join(" ", [a], [b])"#)
        // The tree is still complete enough to check.
        #expect(parsed.root.call?.arguments.count == 3)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let parsed = Parser.parse(#"IIF([a]=, "x" "y", Mid([b], 1, 2"#)
        let ids = parsed.diagnostics.map(\.id)
        #expect(ids.contains(.parseExpectedExpression))
        #expect(ids.contains(.parseExpectedSeparator))
        #expect(ids.contains(.parseExpectedClosingParen))
    }

    @Test func unterminatedStringAndAttribute() {
        #expect(Parser.parse(#"Join("", "abc)"#).diagnostics.map(\.id).contains(.lexUnterminatedString))
        #expect(Parser.parse("Join(\"\", [abc").diagnostics.map(\.id).contains(.lexUnterminatedAttribute))
    }

    @Test func strayTokensAfterTheExpression() throws {
        let parsed = Parser.parse(#"Join("", [a])) [b]"#)
        #expect(parsed.diagnostics.map(\.id) == [.parseUnexpectedText, .parseUnexpectedText])
    }

    @Test func deepNestingIsADiagnosticNotACrash() {
        let depth = 10_000
        let text = String(repeating: "ToUpper(", count: depth) + "[a]" + String(repeating: ")", count: depth)
        let parsed = Parser.parse(text)
        #expect(parsed.diagnostics.map(\.id).contains(.parseNestingTooDeep))
        #expect(parsed.diagnostics.map(\.id).contains(.parseExpressionTooLong))
    }

    @Test func unbalancedDeepNestingDoesNotHang() {
        let text = String(repeating: "(((Join(", count: 30_000)
        let parsed = Parser.parse(text)
        #expect(parsed.hasErrors)
    }

    @Test func expressionsLongerThanTheLimitAreErrors() {
        let text = "Join(\"\", " + String(repeating: "\"abcdefghij\", ", count: 10_000) + "\"x\")"
        #expect(text.utf8.count > 100_000)
        let parsed = Parser.parse(text)
        #expect(parsed.diagnostics.map(\.id) == [.parseExpressionTooLong])
    }

    @Test func typographicQuotesAreRepaired() {
        let text = "Join(“-”, [a], [b])"
        let parsed = Parser.parse(text)
        #expect(parsed.diagnostics.map(\.id) == [.lexTypographicQuote])
        #expect(Diagnostic.applyingFixIts(parsed.diagnostics, to: text) == #"Join("-", [a], [b])"#)
    }

    @Test(arguments: [
        #"Replace([x], , "(?<id>.*)@", , "${id}", , )"#,
        #"IIF([a] >= -14, "y", IgnoreAttributeFlow)"#,
        #"Switch([IsSoftDeleted], , "False", "9999-12-31", "True", "1990-01-01")"#,
        #"BitAnd(&HF, &HF7)"#,
        #""t-" & [alias]"#,
        #"Join("", "C:\\temp", "\"q\"", "\d")"#,
    ])
    func printedTextParsesToTheSameTree(text: String) {
        let first = Parser.parse(text)
        let printed = Printer.print(first.root)
        let second = Parser.parse(printed)
        #expect(second.diagnostics.isEmpty)
        #expect(Printer.print(second.root) == printed)
        #expect(strip(first.root) == strip(second.root))
    }

    /// The tree without ranges, for comparing trees of different texts.
    func strip(_ expr: Expr) -> String {
        Printer.print(expr)
    }
}
