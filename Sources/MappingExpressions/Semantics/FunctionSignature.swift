/// What the language knows about one function: its parameters, how many arguments it takes in
/// each dialect, whether it is pure, and how to compile a call of it.
public struct FunctionSignature: Sendable {
    public let name: String
    public let parameters: [Parameter]
    /// The fewest and most arguments (slots, omitted ones included); nil maximum is unbounded.
    public let arity: Arity
    /// Arity in the cloud-sync dialect when it differs.
    public let cloudSyncArity: Arity?
    public let dialects: Set<Dialect>
    /// A pure function with constant arguments is folded at compile time. `Now`, `Guid`,
    /// `RandomString`, `SelectUniqueValue` and `Error` are not pure.
    public let isPure: Bool
    /// One line describing the function, for `--help`, completion and the REPL.
    public let summary: String
    let build: @Sendable (inout CallBuilder) throws(Diagnostic) -> any EvaluationNode

    /// A parameter: its name, and whether it may be left out or repeated.
    public struct Parameter: Sendable, Hashable {
        public let name: String
        public let isOptional: Bool
        /// The last parameter repeats.
        public let isVariadic: Bool

        /// A parameter named `name`.
        public init(_ name: String, optional: Bool = false, variadic: Bool = false) {
            self.name = name
            self.isOptional = optional
            self.isVariadic = variadic
        }
    }

    /// How many arguments a call takes: at least `minimum`, at most `maximum` (nil: no limit).
    public struct Arity: Sendable, Hashable {
        public let minimum: Int
        public let maximum: Int?

        /// An arity from `minimum` to `maximum` arguments.
        public init(_ minimum: Int, _ maximum: Int?) {
            self.minimum = minimum
            self.maximum = maximum
        }

        func accepts(_ count: Int) -> Bool { count >= minimum && (maximum.map { count <= $0 } ?? true) }

        var description: String {
            guard let maximum else { return "at least \(minimum) argument\(minimum == 1 ? "" : "s")" }
            if minimum == maximum { return "\(minimum) argument\(minimum == 1 ? "" : "s")" }
            return "\(minimum) to \(maximum) arguments"
        }
    }

    init(
        _ name: String, _ parameters: [Parameter], arity: Arity? = nil, cloudSyncArity: Arity? = nil,
        dialects: Set<Dialect> = [.provisioning, .cloudSync], pure: Bool = true, summary: String,
        build: @escaping @Sendable (inout CallBuilder) throws(Diagnostic) -> any EvaluationNode
    ) {
        self.name = name
        self.parameters = parameters
        let required = parameters.prefix { !$0.isOptional && !$0.isVariadic }.count
        let variadic = parameters.last?.isVariadic ?? false
        self.arity = arity ?? Arity(variadic ? max(required, parameters.count) : required, variadic ? nil : parameters.count)
        self.cloudSyncArity = cloudSyncArity
        self.dialects = dialects
        self.isPure = pure
        self.summary = summary
        self.build = build
    }

    /// The arity in `dialect`: Entra Cloud Sync accepts other counts for some functions.
    public func arity(in dialect: Dialect) -> Arity { dialect == .cloudSync ? (cloudSyncArity ?? arity) : arity }

    /// `Name(a, b, c?)` as the documentation writes it.
    public var synopsis: String {
        let list = parameters.map { parameter in
            parameter.name + (parameter.isOptional ? "?" : "") + (parameter.isVariadic ? ", …" : "")
        }
        return "\(name)(\(list.joined(separator: ", ")))"
    }

    /// The parameter that argument slot `index` fills.
    func parameter(at index: Int) -> Parameter? {
        if index < parameters.count { return parameters[index] }
        if let last = parameters.last, last.isVariadic { return last }
        return nil
    }
}

/// What a function's builder sees of one call: the compiled arguments (nil for an omitted
/// slot), their syntax, and the range of the call.
struct CallBuilder {
    let name: String
    let range: SourceRange
    let arguments: [(any EvaluationNode)?]
    let syntax: [Expr.Argument]
    let dialect: Dialect
    var warnings: [Diagnostic] = []

    var count: Int { arguments.count }

    /// Argument `index`, or a NULL constant when it is omitted or absent.
    func node(_ index: Int) -> any EvaluationNode {
        if index < arguments.count, let node = arguments[index] { return node }
        return ConstantNode(value: .null, range: index < syntax.count ? syntax[index].range : .point(range.upperBound))
    }

    /// Whether slot `index` holds an argument (an explicit `""` counts).
    func isSupplied(_ index: Int) -> Bool { index < arguments.count && arguments[index] != nil }

    /// The value of argument `index` when it is a constant.
    func constant(_ index: Int) -> Value? {
        guard index < arguments.count, let node = arguments[index] as? ConstantNode else { return nil }
        return node.value
    }

    func argumentRange(_ index: Int) -> SourceRange { index < syntax.count ? syntax[index].range : .point(range.upperBound) }

    func error(_ id: Diagnostic.ID, _ message: String, argument index: Int) -> Diagnostic {
        .error(id, message, at: argumentRange(index))
    }
}
