import MappingExpressions
import Testing

struct DiagnosticsTests {
    func check(_ text: String, _ options: CompileOptions = CompileOptions()) -> [Diagnostic] {
        CompiledExpression.check(SourceFile(text: text), options: options)
    }

    @Test func rendersCompilerStyle() {
        let source = SourceFile(text: #"Join(" ", [a], [b]"#)
        let text = DiagnosticRenderer().render(CompiledExpression.check(source), in: source)
        #expect(text == """
            error[parse.expectedClosingParen]: expected ')' to close the argument list of 'Join'
             --> <expression>:1:19
              |
            1 | Join(" ", [a], [b]
              |                   ^
              = note: to match this opening '(' at 1:5
              = fix-it: insert ')'


            """)
    }

    @Test func oneLineFormAndEmbeddedOrigin() {
        let source = SourceFile(
            name: "mapping.yaml", text: "Toupper([a])", origin: SourceFile.Origin(start: SourceLocation(line: 7, column: 13)))
        let text = DiagnosticRenderer().renderOneLine(CompiledExpression.check(source), in: source)
        #expect(text == "mapping.yaml:7:13: error: unknown function 'Toupper'; function names are case-sensitive [check.functionCase]\n")
    }

    @Test(arguments: [
        ("iif([a]=\"x\", \"y\", \"z\")", "IIF([a]=\"x\", \"y\", \"z\")"),
        ("Toupper([a])", "ToUpper([a])"),
        ("Jion(\",\", [a], [b])", "Join(\",\", [a], [b])"),
        ("ToUpper(Now)", "ToUpper(Now())"),
        ("Left([a], 3", "Left([a], 3)"),
    ])
    func fixIts(text: String, fixed: String) {
        #expect(Diagnostic.applyingFixIts(check(text), to: text) == fixed)
    }

    @Test(arguments: [
        ("Left([a])", Diagnostic.ID.checkArgumentCount),
        ("Mid([a], 1)", .checkArgumentCount),
        ("Switch([a], \"d\")", .checkSwitchPairs),
        ("Switch([a], \"d\", \"k\", \"v\", \"k2\")", .checkSwitchPairs),
        ("Join(\"\", SelectUniqueValue([a], [b]))", .checkSelectUniqueValueNested),
        ("SelectUniqueValue([a])", .checkArgumentCount),
        ("Item([a], 0)", .checkItemIndexZero),
        ("Frobnicate([a])", .checkUnknownFunction),
        ("Trim([a])", .checkFunctionDialect),
        ("[a] & [b]", .checkConcatenationDialect),
        ("userPrincipalName", .checkUnknownIdentifier),
        ("Mid(, 1, 2)", .checkOmittedRequiredArgument),
        ("Replace([a], , , , \"x\", , )", .checkOmittedRequiredArgument),
        ("Replace([a], , \"(\", , \"x\", , )", .evalRegexInvalid),
        ("DateAdd(\"fortnight\", 1, Now())", .checkInvalidArgument),
        ("FormatDateTime([a], , \"\", \"yyyy\")", .checkInvalidArgument),
    ])
    func staticErrors(text: String, id: Diagnostic.ID) {
        let diagnostics = check(text)
        #expect(diagnostics.contains { $0.id == id && $0.severity == .error }, "\(diagnostics.map(\.id))")
    }

    @Test(arguments: [
        ("IIF(IsNullOrEmpty([country]), \"Other\", [country])", Diagnostic.ID.checkIIFNullCondition),
        ("IIF([country]=\"\", \"Other\", [country])", .checkIIFNullCondition),
        ("Switch(IsPresent([a]), \"d\", \"True\", [a])", .checkSwitchPresenceSource),
        ("FormatDateTime([d], \"yyyy-MM-dd\", \"yyyyMMdd\")", .checkFormatDateTimeThreeArguments),
        ("Item(Split(\"a,b\", \",\"), 5)", .checkConstantFoldingFailed),
    ])
    func warnings(text: String, id: Diagnostic.ID) throws {
        let diagnostics = check(text)
        #expect(!diagnostics.containsErrors)
        #expect(diagnostics.contains { $0.id == id && $0.severity == .warning })
    }

    @Test func unknownAttributeWithASchema() throws {
        let options = CompileOptions(schema: ["userPrincipalName", "mail"])
        let diagnostics = check("Join(\"\", [UserPrincipalName], [mail], [IsSoftDeleted], [city])", options)
        #expect(diagnostics.map(\.id) == [.checkUnknownAttribute, .checkUnknownAttribute])
        #expect(diagnostics[0].fixIts.first?.edits.first?.replacement == "[userPrincipalName]")
    }

    @Test func cloudSyncDialectAcceptsItsFunctions() {
        let options = CompileOptions(dialect: .cloudSync)
        #expect(check("Trim([a]) & DNComponent(CRef([dn]), 1)", options).isEmpty)
        #expect(check("FormatDateTime([d], \"yyyy\", \"yy\")", options).isEmpty)
    }
}
