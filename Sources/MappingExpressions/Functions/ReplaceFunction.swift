/// `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
/// replacementAttributeName, template)`.
///
/// Which slots are supplied (an explicit `""` counts) chooses the mode, once, at compile time:
///
/// | supplied | result |
/// | --- | --- |
/// | oldValue, replacementValue | every `oldValue` in `source` replaced (ordinal, case-sensitive) |
/// | oldValue, template | every `oldValue` in `template` replaced by `source` |
/// | regexPattern, replacementValue | .NET `Regex.Replace` with `$1`, `${name}`, `$$` substitutions |
/// | regexPattern, regexGroupName, replacementValue | in each match, only the group's text replaced |
/// | regexPattern, regexGroupName, replacementAttributeName | `source` when it has a value, else the group captured in the attribute's value |
///
/// A NULL `source` gives NULL in every mode but the last. A constant pattern is compiled once.
enum ReplaceFunction {
    enum Mode {
        case literal, template, regex, regexGroup, regexGroupFromAttribute
    }

    static func build(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        let hasOld = b.isSupplied(1)
        let hasPattern = b.isSupplied(2)
        let hasGroup = b.isSupplied(3)
        let hasReplacement = b.isSupplied(4)
        let hasAttribute = b.isSupplied(5)
        let hasTemplate = b.isSupplied(6)
        let mode: Mode
        if hasOld {
            if hasPattern {
                b.warnings.append(
                    .warning(.checkInvalidArgument, "'Replace' has both 'oldValue' and 'regexPattern'; 'oldValue' is used",
                             at: b.argumentRange(2)))
            }
            if hasTemplate {
                mode = .template
            } else if hasReplacement {
                mode = .literal
            } else {
                throw Diagnostic.error(
                    .checkOmittedRequiredArgument,
                    "'Replace' with 'oldValue' needs 'replacementValue' (5th argument) or 'template' (7th argument)", at: b.range)
            }
        } else if hasPattern {
            if hasGroup, hasAttribute {
                mode = .regexGroupFromAttribute
            } else if hasGroup, hasReplacement {
                mode = .regexGroup
            } else if hasReplacement {
                mode = .regex
            } else if hasGroup {
                throw Diagnostic.error(
                    .checkOmittedRequiredArgument,
                    "'Replace' with 'regexGroupName' needs 'replacementValue' (5th argument) or 'replacementAttributeName' (6th argument)",
                    at: b.range)
            } else {
                throw Diagnostic.error(
                    .checkOmittedRequiredArgument, "'Replace' with 'regexPattern' needs 'replacementValue' (5th argument)", at: b.range)
            }
        } else {
            throw Diagnostic.error(
                .checkOmittedRequiredArgument, "'Replace' needs 'oldValue' (2nd argument) or 'regexPattern' (3rd argument)",
                at: b.range)
        }
        var regex: Regex?
        if hasPattern, let pattern = b.constant(2)?.text {
            do {
                regex = try Regex(pattern)
            } catch {
                throw b.error(.evalRegexInvalid, "invalid regular expression: \(describe(error))", argument: 2)
            }
            if let regex, hasGroup, let group = b.constant(3)?.text, regex.groupNumbers[group] == nil, Int(group) == nil {
                throw b.error(.checkInvalidArgument, "the pattern has no group named '\(group)'", argument: 3)
            }
        }
        var template: Regex.Template?
        if mode == .regex, let regex, let text = b.constant(4)?.text {
            template = Regex.Template(text, for: regex)
        }
        return ReplaceNode(
            range: b.range, mode: mode, source: b.node(0), oldValue: b.node(1), pattern: b.node(2), group: b.node(3),
            replacement: b.node(4), attribute: b.node(5), template: b.node(6), regex: regex, compiledTemplate: template)
    }

    static func describe(_ error: RegexError) -> String {
        switch error {
        case .syntax(let message, let offset): "\(message) at offset \(offset)"
        case .timeout: "matching took too long"
        }
    }
}

struct ReplaceNode: EvaluationNode {
    let range: SourceRange
    let mode: ReplaceFunction.Mode
    let source: any EvaluationNode
    let oldValue: any EvaluationNode
    let pattern: any EvaluationNode
    let group: any EvaluationNode
    let replacement: any EvaluationNode
    let attribute: any EvaluationNode
    let template: any EvaluationNode
    let regex: Regex?
    let compiledTemplate: Regex.Template?

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let value = try source.evaluate(context)
        if value.isFlowDirective { return value }
        do throws(FunctionError) {
            switch mode {
            case .literal:
                if value.isNull { return .null }
                let text = try Conversion.string(value, "'source' of 'Replace'")
                let old = try string(oldValue, context, "'oldValue'")
                let new = try string(replacement, context, "'replacementValue'")
                return .string(ReplaceNode.replacingOrdinal(old, with: new, in: text))
            case .template:
                if value.isNull { return .null }
                let text = try Conversion.string(value, "'source' of 'Replace'")
                let old = try string(oldValue, context, "'oldValue'")
                let templateText = try string(template, context, "'template'")
                return .string(ReplaceNode.replacingOrdinal(old, with: text, in: templateText))
            case .regex:
                if value.isNull { return .null }
                let text = try Conversion.string(value, "'source' of 'Replace'")
                let expression = try compiled(context)
                let substitution: Regex.Template
                if let compiledTemplate {
                    substitution = compiledTemplate
                } else {
                    substitution = Regex.Template(try string(replacement, context, "'replacementValue'"), for: expression)
                }
                return .string(try run { () throws(RegexError) in try expression.replacing(in: text, with: substitution) })
            case .regexGroup:
                if value.isNull { return .null }
                let text = try Conversion.string(value, "'source' of 'Replace'")
                let expression = try compiled(context)
                let number = try groupNumber(expression, context)
                let new = try string(replacement, context, "'replacementValue'")
                return .string(try run { () throws(RegexError) in try expression.replacing(group: number, in: text, with: new) })
            case .regexGroupFromAttribute:
                if !value.isNullOrEmpty { return value }
                let other = try attribute.evaluateForFunction(context)
                if other.isNull { return .null }
                let text = try Conversion.string(other, "'replacementAttributeName' of 'Replace'")
                let expression = try compiled(context)
                let number = try groupNumber(expression, context)
                let captured = try run { () throws(RegexError) in try expression.firstCapture(group: number, in: text) }
                return captured.map(Value.string) ?? .null
            }
        } catch {
            throw error.located(range)
        }
    }

    private func string(_ node: any EvaluationNode, _ context: EvaluationContext, _ name: String) throws(FunctionError) -> String {
        try Conversion.string(try node.evaluateForFunction(context), "\(name) of 'Replace'")
    }

    private func compiled(_ context: EvaluationContext) throws(FunctionError) -> Regex {
        if let regex { return regex }
        let text = try string(pattern, context, "'regexPattern'")
        do {
            return try Regex(text)
        } catch {
            throw FunctionError(.evalRegexInvalid, "invalid regular expression: \(ReplaceFunction.describe(error))")
        }
    }

    private func groupNumber(_ expression: Regex, _ context: EvaluationContext) throws(FunctionError) -> Int {
        let name = try string(group, context, "'regexGroupName'")
        if let number = expression.groupNumbers[name] { return number }
        if let number = Int(name), number >= 0, number <= expression.groupCount { return number }
        throw FunctionError(.evalInvalidArgument, "the pattern has no group named '\(name)'")
    }

    private func run<T>(_ body: () throws(RegexError) -> T) throws(FunctionError) -> T {
        do {
            return try body()
        } catch {
            throw FunctionError(
                .evalRegexTimeout,
                "the regular expression backtracked more than \(Regex.defaultStepBudget) steps on this input and was stopped; simplify the pattern")
        }
    }

    /// Every occurrence of `old` in `text` replaced, comparing UTF-16 code units.
    static func replacingOrdinal(_ old: String, with new: String, in text: String) -> String {
        guard !old.isEmpty else { return text }
        let units = Array(text.utf16)
        let target = Array(old.utf16)
        let replacement = Array(new.utf16)
        var output: [UInt16] = []
        output.reserveCapacity(units.count)
        var index = 0
        var changed = false
        while index < units.count {
            if units[index] == target[0], index + target.count <= units.count,
               units[index..<(index + target.count)].elementsEqual(target)
            {
                output.append(contentsOf: replacement)
                index += target.count
                changed = true
            } else {
                output.append(units[index])
                index += 1
            }
        }
        return changed ? String(decoding: output, as: UTF16.self) : text
    }
}

extension EvaluationNode {
    /// Evaluates inside a function body, where errors are re-located to the enclosing call.
    func evaluateForFunction(_ context: EvaluationContext) throws(FunctionError) -> Value {
        do { return try evaluate(context) } catch { throw FunctionError(error.id, error.message, at: error.range) }
    }
}
