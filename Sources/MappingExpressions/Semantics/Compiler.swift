/// Options for checking and compiling an expression.
public struct CompileOptions: Sendable, Hashable {
    public var dialect: Dialect
    /// The source attributes that exist. When set, any other `[name]` is an error.
    public var schema: Set<String>?
    /// Fold pure calls whose arguments are constants into constants.
    public var foldsConstants: Bool

    /// Options: the dialect, the attributes the source has (nil accepts any), and whether pure
    /// calls with constant arguments are folded at compile time.
    public init(dialect: Dialect = .provisioning, schema: Set<String>? = nil, foldsConstants: Bool = true) {
        self.dialect = dialect
        self.schema = schema
        self.foldsConstants = foldsConstants
    }

    /// Attributes Entra computes for every object, known with any schema.
    public static let computedAttributes: Set<String> = ["IsSoftDeleted", "appRoleAssignments"]
}

/// Checks a syntax tree and compiles it into evaluation nodes, collecting every diagnostic.
struct Compiler {
    let options: CompileOptions
    let source: SourceFile
    var diagnostics: [Diagnostic] = []
    var usesRedact = false

    init(options: CompileOptions, source: SourceFile) {
        self.options = options
        self.source = source
    }

    /// Where a node sits: the call it is an argument of, and which argument.
    struct Position {
        var function: String?
        var argument: Int
        var isTopLevel: Bool
    }

    mutating func compile(_ expr: Expr, at position: Position) -> any EvaluationNode {
        switch expr.kind {
        case .attribute(let name):
            checkAttribute(name, range: expr.range)
            return AttributeNode(name: name, range: expr.range)
        case .string(let value):
            // Cloud Sync documents a bare "" mapping as the way to flow NULL to the target.
            if value.isEmpty, position.isTopLevel, options.dialect == .cloudSync {
                return ConstantNode(value: .null, range: expr.range)
            }
            return ConstantNode(value: .string(value), range: expr.range)
        case .number(let value), .hexNumber(let value):
            return ConstantNode(value: .number(value), range: expr.range)
        case .missing:
            return ConstantNode(value: .null, range: expr.range)
        case .parenthesized(let inner):
            return compile(inner, at: position)
        case .identifier(let name):
            return compileIdentifier(name, range: expr.range, position: position)
        case .comparison(let op, let lhs, let rhs, _):
            let inner = Position(function: position.function, argument: position.argument, isTopLevel: false)
            let left = compile(lhs, at: inner)
            let right = compile(rhs, at: inner)
            let node = ComparisonNode(range: expr.range, op: op, lhs: left, rhs: right)
            return fold(node, pure: true, arguments: [left, right])
        case .concatenation(let parts):
            if options.dialect == .provisioning {
                let replacement = "Join(\"\", " + parts.map { source.text(in: $0.range) }.joined(separator: ", ") + ")"
                diagnostics.append(
                    .error(.checkConcatenationDialect, "the '&' operator exists only in the cloud-sync dialect",
                           at: expr.range,
                           notes: [Diagnostic.Note("app provisioning joins text with Join(\"\", a, b)")],
                           fixIts: [.replace(expr.range, with: replacement, "use Join(\"\", …)")]))
            }
            let inner = Position(function: position.function, argument: position.argument, isTopLevel: false)
            let nodes = parts.map { compile($0, at: inner) }
            return fold(ConcatenationNode(range: expr.range, parts: nodes), pure: true, arguments: nodes)
        case .call(let call):
            return compileCall(call, range: expr.range, position: position)
        }
    }

    // MARK: Attributes and identifiers

    private mutating func checkAttribute(_ name: String, range: SourceRange) {
        guard let schema = options.schema, !schema.contains(name), !CompileOptions.computedAttributes.contains(name) else {
            return
        }
        var notes: [Diagnostic.Note] = []
        var fixIts: [Diagnostic.FixIt] = []
        if let match = schema.first(where: { $0.lowercased() == name.lowercased() }) {
            notes.append(Diagnostic.Note("attribute names are case-sensitive; did you mean '\(match)'?"))
            fixIts.append(.replace(range, with: "[\(match)]", "replace with '[\(match)]'"))
        } else if let suggestion = Suggestions.closest(to: name, in: Array(schema)) {
            notes.append(Diagnostic.Note("did you mean '\(suggestion)'?"))
            fixIts.append(.replace(range, with: "[\(suggestion)]", "replace with '[\(suggestion)]'"))
        }
        diagnostics.append(
            .error(.checkUnknownAttribute, "unknown attribute '\(name)'; the source schema has no such attribute", at: range,
                   notes: notes, fixIts: fixIts))
    }

    private mutating func compileIdentifier(_ name: String, range: SourceRange, position: Position) -> any EvaluationNode {
        if let home = FunctionTable.keywords[name] {
            if !home.isEmpty, position.function != home {
                diagnostics.append(
                    .warning(.checkMisplacedKeyword, "'\(name)' is an argument of '\(home)' and means nothing here", at: range))
            }
            switch name {
            case "IgnoreAttributeFlow": return ConstantNode(value: .ignoreFlow, range: range)
            case "IgnoreObjectFlow": return ConstantNode(value: .ignoreObjectFlow, range: range)
            default: return ConstantNode(value: .string(name), range: range)
            }
        }
        if let function = FunctionTable.byName[name] ?? FunctionTable.byLowercasedName[name.lowercased()] {
            diagnostics.append(
                .error(.checkUnknownIdentifier, "'\(name)' is a function and needs an argument list", at: range,
                       fixIts: [.replace(range, with: function.name + "()", "call it: '\(function.name)()'")]))
        } else if name.lowercased() == "true" || name.lowercased() == "false" || name.lowercased() == "null" {
            let text = name.lowercased() == "null" ? "\"\"" : "\"\(name.prefix(1).uppercased() + name.dropFirst().lowercased())\""
            diagnostics.append(
                .error(.checkUnknownIdentifier, "'\(name)' is no value of the language; booleans are the strings \"True\" and \"False\"",
                       at: range, fixIts: [.replace(range, with: text, "write \(text)")]))
        } else {
            diagnostics.append(
                .error(.checkUnknownIdentifier, "unknown identifier '\(name)'", at: range,
                       notes: [Diagnostic.Note("attribute names are written in brackets, string literals in double quotes")],
                       fixIts: [.replace(range, with: "[\(name)]", "use the attribute '[\(name)]'")]))
        }
        return ConstantNode(value: .null, range: range)
    }

    // MARK: Calls

    private mutating func compileCall(_ call: Expr.Call, range: SourceRange, position: Position) -> any EvaluationNode {
        let arguments = call.arguments
        let signature = resolve(call)
        var compiled: [(any EvaluationNode)?] = []
        for (index, argument) in arguments.enumerated() {
            if let expr = argument.expression {
                compiled.append(compile(expr, at: Position(function: signature?.name ?? call.name, argument: index, isTopLevel: false)))
            } else {
                compiled.append(nil)
            }
        }
        guard let signature else { return ConstantNode(value: .null, range: range) }
        if signature.name == "Redact" { usesRedact = true }
        let valid = checkArity(signature, call, range: range) && checkSpecificRules(signature, call, range: range, position: position)
        guard valid else { return ConstantNode(value: .null, range: range) }
        var builder = CallBuilder(name: signature.name, range: range, arguments: compiled, syntax: arguments, dialect: options.dialect)
        do {
            let node = try signature.build(&builder)
            diagnostics.append(contentsOf: builder.warnings)
            return fold(node, pure: signature.isPure, arguments: compiled.compactMap { $0 })
        } catch {
            diagnostics.append(contentsOf: builder.warnings)
            diagnostics.append(error)
            return ConstantNode(value: .null, range: range)
        }
    }

    /// The signature of the called function, or nil after reporting why there is none.
    private mutating func resolve(_ call: Expr.Call) -> FunctionSignature? {
        if let signature = FunctionTable.byName[call.name] {
            if !signature.dialects.contains(options.dialect) {
                let other = signature.dialects.first.map(\.rawValue) ?? ""
                diagnostics.append(
                    .error(.checkFunctionDialect, "'\(call.name)' exists only in the \(other) dialect", at: call.nameRange,
                           notes: [Diagnostic.Note("choose the dialect with --dialect \(other)")]))
                return nil
            }
            return signature
        }
        if let signature = FunctionTable.byLowercasedName[call.name.lowercased()], signature.dialects.contains(options.dialect) {
            diagnostics.append(
                .error(.checkFunctionCase, "unknown function '\(call.name)'; function names are case-sensitive", at: call.nameRange,
                       notes: [Diagnostic.Note("did you mean '\(signature.name)'?")],
                       fixIts: [.replace(call.nameRange, with: signature.name, "replace with '\(signature.name)'")]))
            return signature
        }
        let names = FunctionTable.functions(in: options.dialect).map(\.name)
        if let suggestion = Suggestions.closest(to: call.name, in: names) {
            diagnostics.append(
                .error(.checkUnknownFunction, "unknown function '\(call.name)'", at: call.nameRange,
                       notes: [Diagnostic.Note("did you mean '\(suggestion)'?")],
                       fixIts: [.replace(call.nameRange, with: suggestion, "replace with '\(suggestion)'")]))
        } else if call.name == "AssertNotNull" {
            diagnostics.append(
                .error(.checkUnknownFunction, "unknown function 'AssertNotNull'; Entra has no such function", at: call.nameRange,
                       notes: [Diagnostic.Note("IgnoreFlowIfNullOrEmpty skips a NULL or empty value")]))
        } else {
            diagnostics.append(.error(.checkUnknownFunction, "unknown function '\(call.name)'", at: call.nameRange))
        }
        return nil
    }

    private mutating func checkArity(_ signature: FunctionSignature, _ call: Expr.Call, range: SourceRange) -> Bool {
        let count = call.arguments.count
        let arity = signature.arity(in: options.dialect)
        if signature.name == "Switch", count < 4 {
            diagnostics.append(
                .error(.checkSwitchPairs, "'Switch' needs a source, a default value and at least one key and value pair",
                       at: range, notes: [Diagnostic.Note(signature.synopsis)]))
            return false
        }
        if !arity.accepts(count) {
            let given = count == 1 ? "1 was given" : "\(count) were given"
            var at = range
            if let maximum = arity.maximum, count > maximum {
                at = call.arguments[maximum].range.union(call.arguments[count - 1].range)
                if at.isEmpty { at = range }
            }
            diagnostics.append(
                .error(.checkArgumentCount, "'\(signature.name)' takes \(arity.description) but \(given)", at: at,
                       notes: [Diagnostic.Note(signature.synopsis)]))
            return false
        }
        var valid = true
        let threeArgumentFormat = signature.name == "FormatDateTime" && count == 3
        for (index, argument) in call.arguments.enumerated() {
            guard case .omitted(let slot) = argument, let parameter = signature.parameter(at: index) else { continue }
            if parameter.isOptional && !threeArgumentFormat { continue }
            diagnostics.append(
                .error(.checkOmittedRequiredArgument, "missing value for '\(parameter.name)' of '\(signature.name)'", at: slot,
                       notes: [Diagnostic.Note(signature.synopsis)]))
            valid = false
        }
        return valid
    }

    private mutating func checkSpecificRules(
        _ signature: FunctionSignature, _ call: Expr.Call, range: SourceRange, position: Position
    ) -> Bool {
        let arguments = call.arguments
        switch signature.name {
        case "Switch":
            if arguments.count % 2 != 0 {
                diagnostics.append(
                    .error(.checkSwitchPairs, "'Switch' has a key without a value", at: arguments[arguments.count - 1].range,
                           notes: [Diagnostic.Note("after the source and the default, keys and values come in pairs")]))
                return false
            }
            if let source = arguments.first?.expression?.unparenthesized.call,
               ["IsPresent", "IsNull", "IsNullOrEmpty"].contains(source.name)
            {
                diagnostics.append(
                    .warning(.checkSwitchPresenceSource, "Entra advises against '\(source.name)' as the source of 'Switch'",
                             at: arguments[0].range,
                             notes: [Diagnostic.Note("switch on the attribute itself with an empty-string key: Switch([attribute], [attribute], \"\", \"default\")")]))
            }
        case "SelectUniqueValue":
            if !position.isTopLevel {
                diagnostics.append(
                    .error(.checkSelectUniqueValueNested, "'SelectUniqueValue' must be the outermost function of an expression",
                           at: call.nameRange))
                return false
            }
        case "IIF":
            if let condition = arguments.first?.expression, let reason = nullConditionReason(condition) {
                diagnostics.append(
                    .warning(.checkIIFNullCondition, "Entra documents IIF conditions on NULL or empty values as unsupported",
                             at: condition.range,
                             notes: [Diagnostic.Note(reason),
                                     Diagnostic.Note("Switch([attribute], [attribute], \"\", \"default\") handles a missing value reliably")]))
            }
        default:
            break
        }
        return true
    }

    private func nullConditionReason(_ condition: Expr) -> String? {
        let node = condition.unparenthesized
        if let call = node.call, ["IsPresent", "IsNull", "IsNullOrEmpty"].contains(call.name) {
            return "the condition tests '\(call.name)'"
        }
        if case .comparison(_, let lhs, let rhs, _) = node.kind {
            for side in [lhs, rhs] {
                if case .string(let text) = side.unparenthesized.kind, text.isEmpty { return "the condition compares with \"\"" }
            }
        }
        return nil
    }

    // MARK: Folding

    /// Replaces a pure call whose arguments are all constants with its value.
    private mutating func fold(_ node: any EvaluationNode, pure: Bool, arguments: [any EvaluationNode]) -> any EvaluationNode {
        guard options.foldsConstants, pure, arguments.allSatisfy({ $0 is ConstantNode }) else { return node }
        if node is ConstantNode { return node }
        do {
            let value = try node.evaluate(EvaluationContext.folding)
            return ConstantNode(value: value, range: node.range)
        } catch {
            diagnostics.append(
                .warning(.checkConstantFoldingFailed, "this call always fails: \(error.message)", at: error.range))
            return node
        }
    }
}

extension EvaluationContext {
    /// The context constant folding evaluates in: no attributes, and sources that must not be
    /// used (impure functions are never folded).
    static let folding = EvaluationContext(
        attributes: [:], clock: { DateTime(ticks: 0) }, guids: GUIDSource { "" }, random: RandomSource { 0 },
        isTaken: { _ in false })
}

/// Did-you-mean suggestions.
enum Suggestions {
    /// The candidate closest to `name` by edit distance (case-insensitive), when close enough.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased()))
            let limit = max(1, min(3, target.count / 3))
            if distance <= limit, best == nil || distance < best!.1 || (distance == best!.1 && candidate < best!.0) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// neighbours (`Jion` → `Join` is one edit).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
