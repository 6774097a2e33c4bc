/// An expression checked and compiled once, evaluated many times.
///
/// A compiled expression is immutable and `Sendable`: evaluate it from any number of threads.
///
/// ```swift
/// let expression = try CompiledExpression("ToUpper(Word([userPrincipalName], 1, \"@\"), )")
/// let value = try expression.evaluate(attributes: ["userPrincipalName": "alice@contoso.com"])
/// // value == .string("ALICE")
/// ```
public struct CompiledExpression: Sendable {
    public let source: SourceFile
    public let syntax: Expr
    public let options: CompileOptions
    /// Warnings found while compiling (errors prevent compilation).
    public let warnings: [Diagnostic]
    /// Whether the expression calls `Redact`: its values are secrets and reports hide them.
    public let isSecret: Bool
    /// The attributes the expression reads.
    public let attributeNames: [String]
    let root: any EvaluationNode

    /// Compiles `text`; throws ``CompilationError`` with every diagnostic when there is an error.
    public init(_ text: String, name: String = "<expression>", options: CompileOptions = CompileOptions()) throws(CompilationError) {
        try self.init(source: SourceFile(name: name, text: text), options: options)
    }

    /// Compiles `source`; throws the errors found, with their diagnostics.
    public init(source: SourceFile, options: CompileOptions = CompileOptions()) throws(CompilationError) {
        let result = CompiledExpression.compile(source, options: options)
        guard let expression = result.expression else { throw CompilationError(source: source, diagnostics: result.diagnostics) }
        self = expression
    }

    private init(source: SourceFile, syntax: Expr, options: CompileOptions, warnings: [Diagnostic], isSecret: Bool, root: any EvaluationNode) {
        self.source = source
        self.syntax = syntax
        self.options = options
        self.warnings = warnings
        self.isSecret = isSecret
        self.attributeNames = syntax.attributeNames
        self.root = root
    }

    /// Parses, checks and compiles `source`: the compiled expression when there is no error, and
    /// every diagnostic in source order.
    public static func compile(_ source: SourceFile, options: CompileOptions = CompileOptions()) -> (
        expression: CompiledExpression?, diagnostics: [Diagnostic]
    ) {
        let parsed = Parser.parse(source)
        var compiler = Compiler(options: options, source: source)
        let root = compiler.compile(parsed.root, at: Compiler.Position(function: nil, argument: 0, isTopLevel: true))
        var diagnostics = parsed.diagnostics + compiler.diagnostics
        diagnostics = stableSorted(diagnostics)
        guard !diagnostics.containsErrors else { return (nil, diagnostics) }
        let expression = CompiledExpression(
            source: source, syntax: parsed.root, options: options, warnings: diagnostics, isSecret: compiler.usesRedact, root: root)
        return (expression, diagnostics)
    }

    private static func stableSorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            a.element.range.lowerBound != b.element.range.lowerBound
                ? a.element.range.lowerBound < b.element.range.lowerBound : a.offset < b.offset
        }.map(\.element)
    }

    /// Every diagnostic of `text` without compiling it for use: what `attrmap check` reports.
    public static func check(_ source: SourceFile, options: CompileOptions = CompileOptions()) -> [Diagnostic] {
        compile(source, options: options).diagnostics
    }

    /// Evaluates the expression against a source object.
    public func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        try root.evaluate(context)
    }

    /// Evaluates the expression against `attributes` with the system clock and GUIDs.
    public func evaluate(attributes: [String: Value]) throws(EvaluationError) -> Value {
        try root.evaluate(EvaluationContext(attributes: attributes))
    }
}

/// An expression that does not compile, with every diagnostic.
public struct CompilationError: Error, Sendable, CustomStringConvertible {
    public let source: SourceFile
    public let diagnostics: [Diagnostic]

    public var description: String {
        DiagnosticRenderer(style: .plain).render(diagnostics, in: source)
    }
}
