/// IIF, Switch, Coalesce, IgnoreFlowIfNullOrEmpty, Error and the flow keywords. `IIF`, `Switch`
/// and `Coalesce` evaluate only what they need, left to right.
enum FlowFunctions {
    static func iif(_ b: inout CallBuilder) -> any EvaluationNode {
        IIFNode(range: b.range, condition: b.node(0), whenTrue: b.node(1), whenFalse: b.node(2))
    }

    static func switchFunction(_ b: inout CallBuilder) -> any EvaluationNode {
        var keys: [any EvaluationNode] = []
        var values: [any EvaluationNode] = []
        var index = 2
        while index + 1 < b.count {
            keys.append(b.node(index))
            values.append(b.node(index + 1))
            index += 2
        }
        var table: [String: Int]?
        let constantKeys = keys.compactMap { ($0 as? ConstantNode)?.value.text }
        if constantKeys.count == keys.count {
            var lookup: [String: Int] = [:]
            for (position, key) in constantKeys.enumerated() where lookup[key] == nil { lookup[key] = position }
            table = lookup
        }
        return SwitchNode(
            range: b.range, source: b.node(0), defaultValue: b.isSupplied(1) ? b.node(1) : nil, keys: keys,
            values: values, table: table)
    }

    static func coalesce(_ b: inout CallBuilder) -> any EvaluationNode {
        CoalesceNode(range: b.range, arguments: (0..<b.count).compactMap { b.arguments[$0] })
    }

    static func ignoreFlowIfNullOrEmpty(_ b: inout CallBuilder) -> any EvaluationNode {
        IgnoreFlowNode(range: b.range, argument: b.node(0))
    }

    /// Cloud Sync `Error(message)`: fails the evaluation with the message.
    static func error(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { message throws(FunctionError) in
            throw FunctionError(.evalCustomError, (try? Conversion.string(message, "message")) ?? "error")
        }
    }
}

struct IIFNode: EvaluationNode {
    let range: SourceRange
    let condition: any EvaluationNode
    let whenTrue: any EvaluationNode
    let whenFalse: any EvaluationNode

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let test = try condition.evaluate(context)
        if test.isFlowDirective { return test }
        let flag: Bool
        do { flag = try Conversion.boolean(test, "the condition of 'IIF'") } catch { throw error.located(condition.range) }
        return try (flag ? whenTrue : whenFalse).evaluate(context)
    }
}

/// `Switch(source, defaultValue, key1, value1, …)`: ordinal, case-sensitive comparison of the
/// source's text with each key; NULL compares equal to `""`. Constant keys are looked up in a
/// table built at compile time.
struct SwitchNode: EvaluationNode {
    let range: SourceRange
    let source: any EvaluationNode
    let defaultValue: (any EvaluationNode)?
    let keys: [any EvaluationNode]
    let values: [any EvaluationNode]
    let table: [String: Int]?

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let value = try source.evaluate(context)
        if value.isFlowDirective { return value }
        let text: String
        do { text = try Conversion.string(value, "the source of 'Switch'") } catch { throw error.located(source.range) }
        if let table {
            if let index = table[text] { return try values[index].evaluate(context) }
        } else {
            for (index, key) in keys.enumerated() {
                let keyValue = try key.evaluate(context)
                if keyValue.isFlowDirective { return keyValue }
                let keyText: String
                do { keyText = try Conversion.string(keyValue, "a key of 'Switch'") } catch { throw error.located(key.range) }
                if keyText == text { return try values[index].evaluate(context) }
            }
        }
        return try defaultValue?.evaluate(context) ?? .null
    }
}

struct CoalesceNode: EvaluationNode {
    let range: SourceRange
    let arguments: [any EvaluationNode]

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        for argument in arguments {
            let value = try argument.evaluate(context)
            if !value.isNull { return value }
        }
        return .null
    }
}

struct IgnoreFlowNode: EvaluationNode {
    let range: SourceRange
    let argument: any EvaluationNode

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let value = try argument.evaluate(context)
        return value.isNullOrEmpty ? .ignoreFlow : value
    }
}
