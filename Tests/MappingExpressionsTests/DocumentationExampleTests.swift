import MappingExpressions
import Testing

/// The examples of the MappingExpressions module's documentation (MappingExpressions.docc and the
/// README's Library section), run as written.
struct DocumentationExampleTests {
    @Test func compileOnceEvaluate() throws {
        let expression = try CompiledExpression(#"ToUpper(Word([userPrincipalName], 1, "@"), )"#)
        let value = try expression.evaluate(attributes: ["userPrincipalName": "alice@contoso.com"])
        #expect(value == .string("ALICE"))
    }

    @Test func checkAndRender() {
        let source = SourceFile(name: "mapping.txt", text: "Left([a])")
        let diagnostics = CompiledExpression.check(source, options: CompileOptions(schema: ["a"]))
        let text = DiagnosticRenderer().render(diagnostics, in: source)
        #expect(diagnostics.contains { $0.id == .checkArgumentCount })
        #expect(text.contains("mapping.txt:1:1"))
    }
}
