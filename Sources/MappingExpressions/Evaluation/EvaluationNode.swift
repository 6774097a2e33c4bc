/// A node of a compiled expression. Nodes are immutable; evaluation reads the context only.
protocol EvaluationNode: Sendable {
    var range: SourceRange { get }
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value
}

/// A literal, or the folded result of a pure call with constant arguments.
struct ConstantNode: EvaluationNode {
    let value: Value
    let range: SourceRange
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value { value }
}

/// `[name]`
struct AttributeNode: EvaluationNode {
    let name: String
    let range: SourceRange
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        context.attributes[name] ?? .null
    }
}

/// A call with no arguments.
struct Call0Node: EvaluationNode {
    let range: SourceRange
    let body: @Sendable (EvaluationContext) throws(FunctionError) -> Value
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        do { return try body(context) } catch { throw error.located(range) }
    }
}

/// A call of one argument, evaluated eagerly. A flow directive in the argument is the result.
struct Call1Node: EvaluationNode {
    let range: SourceRange
    let a: any EvaluationNode
    let body: @Sendable (Value) throws(FunctionError) -> Value
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let x = try a.evaluate(context)
        if x.isFlowDirective { return x }
        do { return try body(x) } catch { throw error.located(range) }
    }
}

/// A call of two arguments, evaluated eagerly.
struct Call2Node: EvaluationNode {
    let range: SourceRange
    let a: any EvaluationNode
    let b: any EvaluationNode
    let body: @Sendable (Value, Value) throws(FunctionError) -> Value
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let x = try a.evaluate(context)
        if x.isFlowDirective { return x }
        let y = try b.evaluate(context)
        if y.isFlowDirective { return y }
        do { return try body(x, y) } catch { throw error.located(range) }
    }
}

/// A call of three arguments, evaluated eagerly.
struct Call3Node: EvaluationNode {
    let range: SourceRange
    let a: any EvaluationNode
    let b: any EvaluationNode
    let c: any EvaluationNode
    let body: @Sendable (Value, Value, Value) throws(FunctionError) -> Value
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let x = try a.evaluate(context)
        if x.isFlowDirective { return x }
        let y = try b.evaluate(context)
        if y.isFlowDirective { return y }
        let z = try c.evaluate(context)
        if z.isFlowDirective { return z }
        do { return try body(x, y, z) } catch { throw error.located(range) }
    }
}

/// A call of any number of arguments, evaluated eagerly.
struct CallNNode: EvaluationNode {
    let range: SourceRange
    let arguments: [any EvaluationNode]
    let body: @Sendable ([Value], EvaluationContext) throws(FunctionError) -> Value
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        var values: [Value] = []
        values.reserveCapacity(arguments.count)
        for argument in arguments {
            let value = try argument.evaluate(context)
            if value.isFlowDirective { return value }
            values.append(value)
        }
        do { return try body(values, context) } catch { throw error.located(range) }
    }
}

/// `lhs op rhs`: numeric when both sides are integers, otherwise ordinal and case-sensitive.
struct ComparisonNode: EvaluationNode {
    let range: SourceRange
    let op: ComparisonOperator
    let lhs: any EvaluationNode
    let rhs: any EvaluationNode

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let left = try lhs.evaluate(context)
        if left.isFlowDirective { return left }
        let right = try rhs.evaluate(context)
        if right.isFlowDirective { return right }
        do { return .boolean(try ComparisonNode.compare(left, op, right)) } catch { throw error.located(range) }
    }

    static func compare(_ left: Value, _ op: ComparisonOperator, _ right: Value) throws(FunctionError) -> Bool {
        let order: Int
        if let a = Conversion.exactInteger(left), let b = Conversion.exactInteger(right) {
            order = a < b ? -1 : (a == b ? 0 : 1)
        } else if case .dateTime(let a) = left, case .dateTime(let b) = right {
            order = a < b ? -1 : (a == b ? 0 : 1)
        } else {
            let a = try Conversion.string(left, "comparison")
            let b = try Conversion.string(right, "comparison")
            if a == b {
                order = 0
            } else {
                // Ordinal comparison on UTF-16 code units, as .NET's string.CompareOrdinal.
                order = a.utf16.lexicographicallyPrecedes(b.utf16) ? -1 : 1
            }
        }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }
}

/// `a & b & c` (cloud-sync): the texts joined; NULL is empty.
struct ConcatenationNode: EvaluationNode {
    let range: SourceRange
    let parts: [any EvaluationNode]
    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        var result = ""
        for part in parts {
            let value = try part.evaluate(context)
            if value.isFlowDirective { return value }
            do { result += try Conversion.string(value, "'&'") } catch { throw error.located(part.range) }
        }
        return .string(result)
    }
}
