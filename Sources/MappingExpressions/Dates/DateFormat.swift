/// A .NET date and time format string (custom, or a one-letter standard format), compiled once
/// and used to format and to parse exactly (`DateTime.ParseExact`), with the invariant culture.
///
/// Supported specifiers: `d dd ddd dddd`, `f…fffffff`, `F…FFFFFFF`, `g gg`, `h hh H HH`, `K`,
/// `m mm`, `M MM MMM MMMM`, `s ss`, `t tt`, `y yy yyy yyyy yyyyy`, `z zz zzz`, `:` `/`, quoted
/// literals `'…'` and `"…"`, `\c` and `%c`. Any other character is a literal.
package struct DateFormat: Hashable, Sendable {
    package let pattern: String
    let elements: [Element]

    enum Element: Hashable, Sendable {
        case literal(String)
        case day(Int)          // d, dd: width 1–2; ddd, dddd: day names
        case fraction(Int, trimZeros: Bool)
        case era
        case hour12(Int)
        case hour24(Int)
        case kind              // K
        case minute(Int)
        case month(Int)
        case second(Int)
        case designator(Int)   // t, tt
        case year(Int)
        case offset(Int)       // z, zz, zzz
    }

    /// Compiles `pattern`; nil when it is empty or a one-letter format that is not a standard one.
    package init?(_ pattern: String) {
        self.pattern = pattern
        let characters = Array(pattern)
        if characters.count == 1 {
            guard let expansion = DateFormat.standardFormats[characters[0]] else { return nil }
            self.elements = DateFormat.compile(Array(expansion))
        } else if characters.isEmpty {
            return nil
        } else {
            self.elements = DateFormat.compile(characters)
        }
    }

    /// The invariant culture's standard formats.
    static let standardFormats: [Character: String] = [
        "d": "MM/dd/yyyy",
        "D": "dddd, dd MMMM yyyy",
        "f": "dddd, dd MMMM yyyy HH:mm",
        "F": "dddd, dd MMMM yyyy HH:mm:ss",
        "g": "MM/dd/yyyy HH:mm",
        "G": "MM/dd/yyyy HH:mm:ss",
        "M": "MMMM dd", "m": "MMMM dd",
        "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "t": "HH:mm",
        "T": "HH:mm:ss",
        "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "U": "dddd, dd MMMM yyyy HH:mm:ss",
        "Y": "yyyy MMMM", "y": "yyyy MMMM",
    ]

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    private static func compile(_ characters: [Character]) -> [Element] {
        var elements: [Element] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty {
                elements.append(.literal(literal))
                literal = ""
            }
        }
        var index = 0
        func run(of character: Character) -> Int {
            var count = 1
            while index + count < characters.count, characters[index + count] == character { count += 1 }
            return count
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "d", "f", "F", "g", "h", "H", "K", "m", "M", "s", "t", "y", "z":
                let count = run(of: character)
                flush()
                switch character {
                case "d": elements.append(.day(min(count, 4)))
                case "f": elements.append(.fraction(min(count, 7), trimZeros: false))
                case "F": elements.append(.fraction(min(count, 7), trimZeros: true))
                case "g": elements.append(.era)
                case "h": elements.append(.hour12(min(count, 2)))
                case "H": elements.append(.hour24(min(count, 2)))
                case "K": elements.append(.kind)
                case "m": elements.append(.minute(min(count, 2)))
                case "M": elements.append(.month(min(count, 4)))
                case "s": elements.append(.second(min(count, 2)))
                case "t": elements.append(.designator(min(count, 2)))
                case "y": elements.append(.year(count))
                default: elements.append(.offset(min(count, 3)))
                }
                index += count
            case "'", "\"":
                index += 1
                while index < characters.count, characters[index] != character {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                    }
                    literal.append(characters[index])
                    index += 1
                }
                index += 1
            case "\\":
                if index + 1 < characters.count { literal.append(characters[index + 1]) }
                index += 2
            case "%":
                // `%d` is the custom specifier d on its own.
                index += 1
            default:
                literal.append(character)
                index += 1
            }
        }
        flush()
        return elements
    }

    // MARK: Formatting

    /// Formats `date` (a UTC instant) with a pattern; an invalid pattern formats as its own text.
    package static func format(_ date: DateTime, pattern: String) -> String {
        guard let format = DateFormat(pattern) else { return pattern }
        return format.format(date)
    }

    package func format(_ date: DateTime) -> String {
        let c = date.components
        var output = ""
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        for element in elements {
            switch element {
            case .literal(let text): output += text
            case .day(let width):
                switch width {
                case 1, 2: output += padded(c.day, width)
                case 3: output += String(DateFormat.dayNames[c.dayOfWeek].prefix(3))
                default: output += DateFormat.dayNames[c.dayOfWeek]
                }
            case .fraction(let digits, let trimZeros):
                var text = padded(Int(c.fraction), 7).prefix(digits)
                if trimZeros {
                    while text.last == "0" { text = text.dropLast() }
                    // An empty F fraction also drops a '.' written just before it.
                    if text.isEmpty, output.last == "." { output.removeLast() }
                }
                output += text
            case .era: output += "A.D."
            case .hour12(let width): output += padded(c.hour % 12 == 0 ? 12 : c.hour % 12, width)
            case .hour24(let width): output += padded(c.hour, width)
            case .kind: output += "Z"
            case .minute(let width): output += padded(c.minute, width)
            case .month(let width):
                switch width {
                case 1, 2: output += padded(c.month, width)
                case 3: output += String(DateFormat.monthNames[c.month - 1].prefix(3))
                default: output += DateFormat.monthNames[c.month - 1]
                }
            case .second(let width): output += padded(c.second, width)
            case .designator(let width): output += width == 1 ? (c.hour < 12 ? "A" : "P") : (c.hour < 12 ? "AM" : "PM")
            case .year(let width):
                switch width {
                case 1: output += String(c.year % 100)
                case 2: output += padded(c.year % 100, 2)
                default: output += padded(c.year, width)
                }
            case .offset(let width):
                output += width == 3 ? "+00:00" : (width == 2 ? "+00" : "+0")
            }
        }
        return output
    }

    // MARK: Parsing

    /// Parses `text` exactly against this format (`DateTime.ParseExact`, invariant culture);
    /// leading and trailing white space is allowed when `styles` says so. An offset in the text
    /// converts the result to UTC. Nil when the text does not match.
    package func parse(_ text: String, styles: DateTimeStyles = .default) -> DateTime? {
        var input = Array(text.unicodeScalars)
        if styles.contains(.allowLeadingWhite) {
            while let first = input.first, first.properties.isWhitespace { input.removeFirst() }
        }
        if styles.contains(.allowTrailingWhite) {
            while let last = input.last, last.properties.isWhitespace { input.removeLast() }
        }
        var position = 0
        var year: Int?
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var fraction: Int64 = 0
        var pm: Bool?
        var offsetMinutes: Int?

        func digits(min minimum: Int, max maximum: Int) -> Int? {
            var value = 0
            var count = 0
            while count < maximum, position < input.count, let digit = input[position].properties.numericType == .decimal
                ? Int(input[position].properties.numericValue ?? -1) : nil, digit >= 0
            {
                value = value * 10 + digit
                count += 1
                position += 1
            }
            return count >= minimum ? value : nil
        }
        func match(_ literal: String) -> Bool {
            let scalars = Array(literal.unicodeScalars)
            guard position + scalars.count <= input.count else { return false }
            for (offset, scalar) in scalars.enumerated() {
                let actual = input[position + offset]
                if actual == scalar { continue }
                // A space in the format matches any white space in the text.
                if scalar == " ", actual.properties.isWhitespace { continue }
                return false
            }
            position += scalars.count
            return true
        }
        func matchName(_ names: [String], abbreviated: Bool) -> Int? {
            for (index, name) in names.enumerated() {
                let candidate = abbreviated ? String(name.prefix(3)) : name
                let scalars = Array(candidate.lowercased().unicodeScalars)
                guard position + scalars.count <= input.count else { continue }
                let slice = String(String.UnicodeScalarView(input[position..<(position + scalars.count)])).lowercased()
                if slice == candidate.lowercased() {
                    position += scalars.count
                    return index
                }
            }
            return nil
        }

        for (elementIndex, element) in elements.enumerated() {
            // A one- or two-digit field followed directly by another number field reads only
            // its fixed width; otherwise it reads up to two digits.
            let nextIsNumber: Bool = {
                guard elementIndex + 1 < elements.count else { return false }
                switch elements[elementIndex + 1] {
                case .literal: return false
                default: return true
                }
            }()
            switch element {
            case .literal(let literal):
                guard match(literal) else { return nil }
            case .day(let width):
                if width <= 2 {
                    guard let value = digits(min: width, max: width == 1 && !nextIsNumber ? 2 : 2) else { return nil }
                    day = value
                } else {
                    guard matchName(DateFormat.dayNames, abbreviated: width == 3) != nil else { return nil }
                }
            case .fraction(let count, let trimZeros):
                let start = position
                guard let value = digits(min: trimZeros ? 0 : count, max: count) else { return nil }
                let read = position - start
                var scaled = Int64(value)
                for _ in read..<7 { scaled *= 10 }
                fraction = read == 0 ? 0 : scaled
            case .era:
                _ = match("A.D.") || match("AD")
            case .hour12(let width):
                guard let value = digits(min: width, max: 2), (1...12).contains(value) else { return nil }
                hour = value
                if pm == nil { pm = false }
            case .hour24(let width):
                guard let value = digits(min: width, max: 2) else { return nil }
                hour = value
            case .kind:
                if match("Z") {
                    offsetMinutes = 0
                } else if let parsed = parseOffset(input, &position, requireMinutes: true) {
                    offsetMinutes = parsed
                }
            case .minute(let width):
                guard let value = digits(min: width, max: 2) else { return nil }
                minute = value
            case .month(let width):
                if width <= 2 {
                    guard let value = digits(min: width, max: 2) else { return nil }
                    month = value
                } else {
                    guard let index = matchName(DateFormat.monthNames, abbreviated: width == 3) else { return nil }
                    month = index + 1
                }
            case .second(let width):
                guard let value = digits(min: width, max: 2) else { return nil }
                second = value
            case .designator(let width):
                if width == 1 {
                    if match("A") || match("a") { pm = false } else if match("P") || match("p") { pm = true } else { return nil }
                } else {
                    if match("AM") || match("am") { pm = false } else if match("PM") || match("pm") { pm = true } else { return nil }
                }
            case .year(let width):
                if width <= 2 {
                    guard let value = digits(min: width, max: 2) else { return nil }
                    // Two-digit years: 30–99 are 19xx, 00–29 are 20xx (the invariant culture's window).
                    year = value < 30 ? 2000 + value : 1900 + value
                } else {
                    guard let value = digits(min: width, max: max(width, 4)) else { return nil }
                    year = value
                }
            case .offset(let width):
                guard let parsed = parseOffset(input, &position, requireMinutes: width == 3) else { return nil }
                offsetMinutes = parsed
            }
        }
        guard position == input.count else { return nil }
        if let pm {
            if hour == 12 { hour = pm ? 12 : 0 } else if pm { hour += 12 }
        }
        guard let date = DateTime(
            year: year ?? 1, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction)
        else { return nil }
        if let offsetMinutes {
            return date.adding(ticks: -Int64(offsetMinutes) * DateTime.ticksPerMinute)
        }
        return date
    }
}

/// Reads `+hh:mm`, `-hh:mm`, `+hhmm`, `+hh` or `+h` at `position`: the offset in minutes east
/// of UTC. `position` moves past it only on success.
func parseOffset(_ input: [Unicode.Scalar], _ position: inout Int, requireMinutes: Bool) -> Int? {
    guard position < input.count, input[position] == "+" || input[position] == "-" else { return nil }
    let sign = input[position] == "-" ? -1 : 1
    var index = position + 1
    func number(maximumDigits: Int) -> (value: Int, digits: Int) {
        var value = 0
        var count = 0
        while count < maximumDigits, index < input.count, let digit = input[index].asciiDigit {
            value = value * 10 + digit
            count += 1
            index += 1
        }
        return (value, count)
    }
    let hours = number(maximumDigits: 2)
    guard hours.digits > 0, hours.value <= 14 else { return nil }
    var minutes = 0
    if index < input.count, input[index] == ":" {
        index += 1
        let read = number(maximumDigits: 2)
        guard read.digits == 2, read.value < 60 else { return nil }
        minutes = read.value
    } else if hours.digits == 2, index < input.count, input[index].asciiDigit != nil {
        let read = number(maximumDigits: 2)
        guard read.digits == 2, read.value < 60 else { return nil }
        minutes = read.value
    }
    position = index
    return sign * (hours.value * 60 + minutes)
}

extension Unicode.Scalar {
    var asciiDigit: Int? { (0x30...0x39).contains(value) ? Int(value - 0x30) : nil }
}

/// The subset of .NET `DateTimeStyles` that matters for parsing UTC text.
package struct DateTimeStyles: OptionSet, Hashable, Sendable {
    package let rawValue: Int
    package init(rawValue: Int) { self.rawValue = rawValue }

    package static let allowLeadingWhite = DateTimeStyles(rawValue: 1)
    package static let allowTrailingWhite = DateTimeStyles(rawValue: 2)
    package static let allowInnerWhite = DateTimeStyles(rawValue: 4)
    package static let roundtripKind = DateTimeStyles(rawValue: 128)
    package static let adjustToUniversal = DateTimeStyles(rawValue: 16)
    package static let assumeUniversal = DateTimeStyles(rawValue: 64)
    package static let assumeLocal = DateTimeStyles(rawValue: 32)
    package static let noCurrentDateDefault = DateTimeStyles(rawValue: 8)
    package static let allowWhiteSpaces: DateTimeStyles = [.allowLeadingWhite, .allowTrailingWhite, .allowInnerWhite]

    /// What Entra uses when the `dateTimeStyles` slot of `FormatDateTime` is empty.
    package static let `default`: DateTimeStyles = [.roundtripKind, .allowLeadingWhite, .allowTrailingWhite]

    static let names: [String: DateTimeStyles] = [
        "none": [], "allowleadingwhite": .allowLeadingWhite, "allowtrailingwhite": .allowTrailingWhite,
        "allowinnerwhite": .allowInnerWhite, "allowwhitespaces": .allowWhiteSpaces,
        "nocurrentdatedefault": .noCurrentDateDefault, "adjusttouniversal": .adjustToUniversal,
        "assumelocal": .assumeLocal, "assumeuniversal": .assumeUniversal, "roundtripkind": .roundtripKind,
    ]

    /// Reads names such as `AdjustToUniversal, AllowWhiteSpaces` (separated by `,`, `|` or `+`)
    /// or a number. Nil for an unknown name.
    package init?(parsing text: String) {
        var result: DateTimeStyles = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == "|" || $0 == "+" }) {
            let name = part.trimmingCharacters(in: " \t").lowercased()
            if name.isEmpty { continue }
            if let number = Int(name) {
                result.insert(DateTimeStyles(rawValue: number))
            } else if let style = DateTimeStyles.names[name] {
                result.insert(style)
            } else {
                return nil
            }
        }
        self = result
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters of `set`.
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
