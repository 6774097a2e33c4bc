/// CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now, NumFromDate.
///
/// Dates are UTC instants (``DateTime``). Interval codes follow Visual Basic: `yyyy` year, `q`
/// quarter, `m` month, `y` day of year, `d` day, `w` weekday, `ww` week, `h` hour, `n` minute,
/// `s` second.
enum DateFunctions {
    enum Interval: String, CaseIterable {
        case year = "yyyy", quarter = "q", month = "m", dayOfYear = "y", day = "d", weekday = "w",
            week = "ww", hour = "h", minute = "n", second = "s"

        init?(code: String) {
            guard let interval = Interval(rawValue: code.lowercased()) else { return nil }
            self = interval
        }

        static let list = "yyyy, q, m, y, d, w, ww, h, n or s"
    }

    private static func interval(_ value: Value, _ function: String) throws(FunctionError) -> Interval {
        let code = try Conversion.string(value, "'interval' of '\(function)'")
        guard let interval = Interval(code: code) else {
            throw FunctionError(.evalInvalidArgument, "'\(code)' is no interval of '\(function)'; use \(Interval.list)")
        }
        return interval
    }

    private static func validateInterval(_ b: CallBuilder, _ function: String) throws(Diagnostic) {
        if let constant = b.constant(0), let code = constant.text, Interval(code: code) == nil {
            throw b.error(.checkInvalidArgument, "'\(code)' is no interval of '\(function)'; use \(Interval.list)", argument: 0)
        }
    }

    static func cDate(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in .dateTime(try Conversion.date(value, "'CDate'")) }
    }

    static func now(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call0(b) { context throws(FunctionError) in .dateTime(context.clock().truncatedToSeconds) }
    }

    /// `DateAdd(interval, value, dateTime)`, as Visual Basic's `DateAdd`: months and years clamp
    /// the day to the end of a short month.
    static func dateAdd(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        try validateInterval(b, "DateAdd")
        return Builders.call3(b) { code, amount, date throws(FunctionError) in
            let unit = try interval(code, "DateAdd")
            let start = try Conversion.date(date, "'dateTime' of 'DateAdd'")
            let count = try Conversion.integer(amount, "'value' of 'DateAdd'")
            let result: DateTime?
            switch unit {
            case .year: result = start.adding(months: count.multipliedReportingOverflow(by: 12).partialValue)
            case .quarter: result = start.adding(months: count.multipliedReportingOverflow(by: 3).partialValue)
            case .month: result = start.adding(months: count)
            case .day, .dayOfYear, .weekday: result = multiply(count, DateTime.ticksPerDay).flatMap(start.adding(ticks:))
            case .week: result = multiply(count, 7 * DateTime.ticksPerDay).flatMap(start.adding(ticks:))
            case .hour: result = multiply(count, DateTime.ticksPerHour).flatMap(start.adding(ticks:))
            case .minute: result = multiply(count, DateTime.ticksPerMinute).flatMap(start.adding(ticks:))
            case .second: result = multiply(count, DateTime.ticksPerSecond).flatMap(start.adding(ticks:))
            }
            guard let result else {
                throw FunctionError(.evalInvalidArgument, "'DateAdd' leaves the range of dates (years 1 to 9999)")
            }
            return .dateTime(result)
        }
    }

    private static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    /// `DateDiff(interval, date1, date2)`, as Visual Basic's `DateDiff`: calendar differences for
    /// years, quarters and months, week boundaries (weeks starting on Sunday) for `ww`, and the
    /// elapsed time truncated toward zero for days, hours, minutes and seconds.
    static func dateDiff(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        try validateInterval(b, "DateDiff")
        return Builders.call3(b) { code, first, second throws(FunctionError) in
            let unit = try interval(code, "DateDiff")
            let date1 = try Conversion.date(first, "'date1' of 'DateDiff'")
            let date2 = try Conversion.date(second, "'date2' of 'DateDiff'")
            return .number(difference(unit, from: date1, to: date2))
        }
    }

    static func difference(_ unit: Interval, from date1: DateTime, to date2: DateTime) -> Int64 {
        let elapsed = date2.ticks - date1.ticks
        switch unit {
        case .year:
            return Int64(date2.components.year - date1.components.year)
        case .quarter:
            let a = date1.components
            let c = date2.components
            return Int64((c.year * 4 + (c.month - 1) / 3) - (a.year * 4 + (a.month - 1) / 3))
        case .month:
            let a = date1.components
            let c = date2.components
            return Int64((c.year * 12 + c.month) - (a.year * 12 + a.month))
        case .day, .dayOfYear: return elapsed / DateTime.ticksPerDay
        case .weekday: return elapsed / (7 * DateTime.ticksPerDay)
        case .week:
            let start1 = date1.ticks - Int64(date1.components.dayOfWeek) * DateTime.ticksPerDay
            let start2 = date2.ticks - Int64(date2.components.dayOfWeek) * DateTime.ticksPerDay
            return (start2 - start1) / (7 * DateTime.ticksPerDay)
        case .hour: return elapsed / DateTime.ticksPerHour
        case .minute: return elapsed / DateTime.ticksPerMinute
        case .second: return elapsed / DateTime.ticksPerSecond
        }
    }

    /// `DateFromNum(value)`: a Windows FILETIME (Active Directory large integer) as a date.
    static func dateFromNum(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            if value.isNull { return .null }
            let number = try Conversion.integer(value, "'value' of 'DateFromNum'")
            guard let date = DateTime(fileTime: number) else {
                throw FunctionError(.evalInvalidArgument, "\(number) is outside the range of FILETIME dates")
            }
            return .dateTime(date)
        }
    }

    /// `NumFromDate(value)`: a date as Windows FILETIME ticks, the format of `accountExpires`.
    static func numFromDate(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            let date = try Conversion.date(value, "'value' of 'NumFromDate'")
            guard let fileTime = date.fileTime else {
                throw FunctionError(.evalInvalidArgument, "dates before 1601 have no FILETIME value")
            }
            return .number(fileTime)
        }
    }

    /// `FormatDateTime(source, dateTimeStyles?, inputFormat, outputFormat)`; with three arguments
    /// `(source, inputFormat, outputFormat)`. Parses `source` exactly with the .NET format
    /// `inputFormat` and formats the date with `outputFormat`. NULL stays NULL.
    static func formatDateTime(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        let threeArguments = b.count == 3
        let stylesIndex: Int? = threeArguments ? nil : 1
        let inputIndex = threeArguments ? 1 : 2
        let outputIndex = threeArguments ? 2 : 3
        if threeArguments, b.dialect == .provisioning {
            b.warnings.append(
                .warning(.checkFormatDateTimeThreeArguments,
                         "'FormatDateTime' with three arguments is read as (source, inputFormat, outputFormat)",
                         at: b.range,
                         notes: [Diagnostic.Note("the documented form is FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat); leave the second slot empty: FormatDateTime(source, , inputFormat, outputFormat)")],
                         fixIts: [.insert(" ,", at: b.argumentRange(0).upperBound + 1, "insert an empty 'dateTimeStyles' slot")]))
        }
        // Formats and styles compiled once when they are constants (they nearly always are).
        var constantStyles: DateTimeStyles? = .default
        if let stylesIndex, b.isSupplied(stylesIndex) {
            if let constant = b.constant(stylesIndex), let text = constant.text {
                guard let styles = DateTimeStyles(parsing: text) else {
                    throw b.error(.checkInvalidArgument, "'\(text)' is no DateTimeStyles value", argument: stylesIndex)
                }
                constantStyles = text.isEmpty ? .default : styles
            } else {
                constantStyles = nil
            }
        }
        var constantInput: DateFormat?
        if let text = b.constant(inputIndex)?.text {
            guard let format = DateFormat(text) else {
                throw b.error(.checkInvalidArgument, "'\(text)' is no date and time format", argument: inputIndex)
            }
            constantInput = format
        }
        var constantOutput: DateFormat?
        if let text = b.constant(outputIndex)?.text {
            guard let format = DateFormat(text) else {
                throw b.error(.checkInvalidArgument, "'\(text)' is no date and time format", argument: outputIndex)
            }
            constantOutput = format
        }
        return FormatDateTimeNode(
            range: b.range, source: b.node(0), styles: stylesIndex.map { b.node($0) }, input: b.node(inputIndex),
            output: b.node(outputIndex), constantStyles: constantStyles, constantInput: constantInput,
            constantOutput: constantOutput)
    }
}

struct FormatDateTimeNode: EvaluationNode {
    let range: SourceRange
    let source: any EvaluationNode
    let styles: (any EvaluationNode)?
    let input: any EvaluationNode
    let output: any EvaluationNode
    let constantStyles: DateTimeStyles?
    let constantInput: DateFormat?
    let constantOutput: DateFormat?

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let value = try source.evaluate(context)
        if value.isFlowDirective || value.isNull { return value }
        do throws(FunctionError) {
            let text = try Conversion.string(value, "'source' of 'FormatDateTime'")
            var parseStyles = DateTimeStyles.default
            if let constantStyles {
                parseStyles = constantStyles
            } else if let styles {
                let styleText = try Conversion.string(try evaluated(styles, context), "'dateTimeStyles'")
                guard let parsed = DateTimeStyles(parsing: styleText) else {
                    throw FunctionError(.evalInvalidArgument, "'\(styleText)' is no DateTimeStyles value")
                }
                parseStyles = styleText.isEmpty ? .default : parsed
            }
            let inputFormat: DateFormat
            if let constantInput { inputFormat = constantInput } else { inputFormat = try format(try evaluated(input, context)) }
            let outputFormat: DateFormat
            if let constantOutput { outputFormat = constantOutput } else { outputFormat = try format(try evaluated(output, context)) }
            guard let date = inputFormat.parse(text, styles: parseStyles) else {
                throw FunctionError(
                    .evalArgumentNotDate,
                    "'source' of 'FormatDateTime' (\(Conversion.describe(value))) does not match the input format '\(inputFormat.pattern)'")
            }
            return .string(outputFormat.format(date))
        } catch {
            throw error.located(range)
        }
    }

    private func evaluated(_ node: any EvaluationNode, _ context: EvaluationContext) throws(FunctionError) -> Value {
        do { return try node.evaluate(context) } catch { throw FunctionError(error.id, error.message, at: error.range) }
    }

    private func format(_ value: Value) throws(FunctionError) -> DateFormat {
        let text = try Conversion.string(value, "format of 'FormatDateTime'")
        guard let format = DateFormat(text) else {
            throw FunctionError(.evalInvalidArgument, "'\(text)' is no date and time format")
        }
        return format
    }
}
