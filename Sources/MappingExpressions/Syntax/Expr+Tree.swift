extension Expr {
    /// The syntax tree drawn one node per line, with each node's position, for the REPL's `:tree`:
    ///
    /// ```
    /// call Join  1:1
    /// ├─ string " "  1:6
    /// └─ attribute givenName  1:11
    /// ```
    public func treeDescription(in source: SourceFile) -> String {
        var lines: [String] = []
        appendTree(to: &lines, prefix: "", childPrefix: "", source: source)
        return lines.joined(separator: "\n")
    }

    private func appendTree(to lines: inout [String], prefix: String, childPrefix: String, source: SourceFile) {
        let location = source.location(of: range.lowerBound)
        var children: [(label: String?, node: Expr?)] = []
        let label: String
        switch kind {
        case .attribute(let name): label = "attribute \(name)"
        case .comparison(let op, let lhs, let rhs, _):
            label = "comparison \(op.rawValue)"
            children = [(nil, lhs), (nil, rhs)]
        case .concatenation(let parts):
            label = "concatenation &"
            children = parts.map { (nil, $0) }
        case .call(let call):
            label = "call \(call.name)\(call.closeParen == nil ? " (unclosed)" : "")"
            children = call.arguments.map { argument in
                switch argument {
                case .expression(let expr): (nil, expr)
                case .omitted: ("omitted", nil)
                }
            }
        case .hexNumber(let value): label = "hex number \(value)"
        case .identifier(let name): label = "identifier \(name)"
        case .missing: label = "missing"
        case .number(let value): label = "number \(value)"
        case .parenthesized(let inner):
            label = "parentheses"
            children = [(nil, inner)]
        case .string(let value): label = "string \(Printer.quoted(value))"
        }
        lines.append("\(prefix)\(label)  \(location.line):\(location.column)")
        for (index, child) in children.enumerated() {
            let last = index == children.count - 1
            let branch = childPrefix + (last ? "└─ " : "├─ ")
            let nextPrefix = childPrefix + (last ? "   " : "│  ")
            if let node = child.node {
                node.appendTree(to: &lines, prefix: branch, childPrefix: nextPrefix, source: source)
            } else {
                lines.append(branch + (child.label ?? ""))
            }
        }
    }
}
