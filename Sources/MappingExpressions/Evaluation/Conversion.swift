/// Conversions between the value kinds, with the errors that functions report.
enum Conversion {
    /// The text of a single value; NULL is empty. A multi-valued value is an error.
    @inline(__always)
    static func string(_ value: Value, _ parameter: @autoclosure () -> String) throws(FunctionError) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        case .multiple(let values):
            throw FunctionError(
                .evalMultiValuedArgument,
                "\(parameter()) expects a single value but received a multi-valued value with \(values.count) values")
        default:
            return value.text ?? ""
        }
    }

    /// The value as an integer when it is exactly one (a number, or text of an integer).
    static func exactInteger(_ value: Value) -> Int64? {
        switch value {
        case .number(let number): return number
        case .string(let text): return parseInteger(text)
        default: return nil
        }
    }

    /// Parses an integer with optional surrounding white space and sign; hexadecimal `&H…` too.
    static func parseInteger(_ text: String) -> Int64? {
        if let value = Int64(text) { return value }
        let trimmed = text.trimmingCharacters(in: " \t")
        if let value = Int64(trimmed) { return value }
        if trimmed.hasPrefix("+"), let value = Int64(trimmed.dropFirst()) { return value }
        if trimmed.count > 2, trimmed.hasPrefix("&H") || trimmed.hasPrefix("&h") {
            return UInt64(trimmed.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) }
        }
        return nil
    }

    /// An integer argument: a number, or text holding an integer (`"1"` works like `1`).
    static func integer(_ value: Value, _ parameter: @autoclosure () -> String) throws(FunctionError) -> Int64 {
        if let number = exactInteger(value) { return number }
        if case .string(let text) = value, let double = Double(text.trimmingCharacters(in: " \t")), double.isFinite,
           abs(double) < 9.2e18
        {
            // .NET rounds a fractional number to the nearest integer, halves to even.
            return Int64(double.rounded(.toNearestOrEven))
        }
        throw FunctionError(.evalArgumentNotNumeric, "\(parameter()) expects a number but received \(describe(value))")
    }

    /// A boolean: `True`/`False` in any case, a number (non-zero is true), a boolean. NULL and the
    /// empty string are false.
    static func boolean(_ value: Value, _ parameter: @autoclosure () -> String) throws(FunctionError) -> Bool {
        switch value {
        case .boolean(let flag): return flag
        case .null: return false
        case .number(let number): return number != 0
        case .string(let text):
            if text == "True" || text.caseInsensitiveEquals("true") { return true }
            if text == "False" || text.caseInsensitiveEquals("false") || text.isEmpty { return false }
            if let number = parseInteger(text) { return number != 0 }
            throw FunctionError(.evalArgumentNotBoolean, "\(parameter()) expects True or False but received \(describe(value))")
        default:
            throw FunctionError(.evalArgumentNotBoolean, "\(parameter()) expects True or False but received \(describe(value))")
        }
    }

    /// A date: a DateTime, or text in one of the shapes `CDate` accepts.
    static func date(_ value: Value, _ parameter: @autoclosure () -> String) throws(FunctionError) -> DateTime {
        switch value {
        case .dateTime(let date): return date
        case .string(let text):
            if let date = DateTime.parse(text) { return date }
            throw FunctionError(.evalArgumentNotDate, "\(parameter()) cannot read \(describe(value)) as a date")
        default:
            throw FunctionError(.evalArgumentNotDate, "\(parameter()) expects a date but received \(describe(value))")
        }
    }

    /// How a value is named in an error message.
    static func describe(_ value: Value) -> String {
        switch value {
        case .null: "NULL"
        case .string(let text): text.isEmpty ? "an empty string" : "'\(text.count > 60 ? String(text.prefix(57)) + "..." : text)'"
        case .multiple(let values): "a multi-valued value with \(values.count) values"
        case .boolean(let flag): flag ? "True" : "False"
        case .number(let number): "\(number)"
        case .dateTime(let date): "the date '\(date)'"
        case .ignoreFlow: "IgnoreAttributeFlow"
        case .ignoreObjectFlow: "IgnoreObjectFlow"
        }
    }
}

extension String {
    /// ASCII case-insensitive equality.
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = x >= 0x41 && x <= 0x5A ? x + 32 : x
            let ly = y >= 0x41 && y <= 0x5A ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}
