/// Prints a syntax tree in canonical form: one space after each comma, single spaces around
/// operators, omitted arguments as empty slots (`Replace([x], , "a", , "b", , )`).
///
/// Parsing the printed text gives the same tree, up to source ranges.
public enum Printer {
    /// The canonical text of `expr`.
    public static func print(_ expr: Expr) -> String {
        var output = ""
        write(expr, to: &output)
        return output
    }

    private static func write(_ expr: Expr, to output: inout String) {
        switch expr.kind {
        case .attribute(let name):
            output += "[\(name)]"
        case .string(let value):
            output += quoted(value)
        case .number(let value):
            output += String(value)
        case .hexNumber(let value):
            output += "&H" + String(UInt64(bitPattern: value), radix: 16, uppercase: true)
        case .identifier(let name):
            output += name
        case .missing:
            output += "<missing>"
        case .parenthesized(let inner):
            output += "("
            write(inner, to: &output)
            output += ")"
        case .comparison(let op, let lhs, let rhs, _):
            write(lhs, to: &output)
            output += " \(op.rawValue) "
            write(rhs, to: &output)
        case .concatenation(let parts):
            for (index, part) in parts.enumerated() {
                if index > 0 { output += " & " }
                write(part, to: &output)
            }
        case .call(let call):
            output += call.name + "("
            for (index, argument) in call.arguments.enumerated() {
                if index > 0 { output += argument.expression == nil ? ", " : ", " }
                if let expr = argument.expression { write(expr, to: &output) }
            }
            // A trailing omitted slot prints as `, )` so the slot count survives.
            output += ")"
        }
    }

    /// A string literal for `value`: `"` and `\` escaped.
    ///
    /// NB: a backslash is escaped only where leaving it alone would change the meaning (before `"`
    /// or `\`, or at the end); other backslashes stay single, as administrators write regexes.
    public static func quoted(_ value: String) -> String {
        var result = "\""
        let scalars = Array(value.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\"" {
                result += "\\\""
            } else if scalar == "\\" {
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                if next == nil || next == "\\" || next == "\"" { result += "\\\\" } else { result += "\\" }
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
