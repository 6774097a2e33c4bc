/// Helpers that turn a function body into a node, used by every function family.
enum Builders {
    static func call0(_ builder: CallBuilder, _ body: @escaping @Sendable (EvaluationContext) throws(FunctionError) -> Value)
        -> any EvaluationNode
    {
        Call0Node(range: builder.range, body: body)
    }

    static func call1(_ builder: CallBuilder, _ body: @escaping @Sendable (Value) throws(FunctionError) -> Value)
        -> any EvaluationNode
    {
        Call1Node(range: builder.range, a: builder.node(0), body: body)
    }

    static func call2(_ builder: CallBuilder, _ body: @escaping @Sendable (Value, Value) throws(FunctionError) -> Value)
        -> any EvaluationNode
    {
        Call2Node(range: builder.range, a: builder.node(0), b: builder.node(1), body: body)
    }

    static func call3(
        _ builder: CallBuilder, _ body: @escaping @Sendable (Value, Value, Value) throws(FunctionError) -> Value
    ) -> any EvaluationNode {
        Call3Node(range: builder.range, a: builder.node(0), b: builder.node(1), c: builder.node(2), body: body)
    }

    static func callN(
        _ builder: CallBuilder, _ body: @escaping @Sendable ([Value], EvaluationContext) throws(FunctionError) -> Value
    ) -> any EvaluationNode {
        CallNNode(range: builder.range, arguments: (0..<builder.count).map { builder.node($0) }, body: body)
    }

    /// A one-string transform, applied to each value of a multi-valued argument. NULL stays NULL.
    static func stringMap(_ builder: CallBuilder, _ transform: @escaping @Sendable (String) -> String) -> any EvaluationNode {
        Call1Node(range: builder.range, a: builder.node(0)) { value throws(FunctionError) in
            switch value {
            case .null: return .null
            case .string(let text): return .string(transform(text))
            case .multiple(let values): return .multiple(values.map(transform))
            default: return .string(transform(value.text ?? ""))
            }
        }
    }
}
