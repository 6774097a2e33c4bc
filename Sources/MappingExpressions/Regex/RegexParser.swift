/// An error in a regular expression pattern: what is wrong and where (a UTF-16 offset).
struct RegexSyntaxError: Error, Hashable {
    var message: String
    var offset: Int
}

/// Reads a .NET regular expression into a ``RegexNode`` tree.
///
/// Supported: literals and escapes (`\t \n \r \f \v \e \a \0oo \xhh \uhhhh \cX`), `.`, classes
/// with ranges, negation, `\d \w \s \D \W \S`, `\p{…} \P{…}` general categories and .NET
/// subtraction (`[a-z-[aeiou]]`); anchors `^ $ \A \z \Z \b \B \G`; groups `(…)`, `(?:…)`,
/// `(?<name>…)`, `(?'name'…)`, `(?=…) (?!…) (?<=…) (?<!…)`, `(?>…)`, `(?#…)`; options
/// `(?imnsx-imnsx)` and `(?imnsx-imnsx:…)`; quantifiers `* + ? {n} {n,} {n,m}` and their lazy
/// forms; backreferences `\1`, `\k<name>`. Balancing groups and conditionals are reported as
/// unsupported.
struct RegexParser {
    private let pattern: [UInt16]
    private var position = 0
    private var unnamedCount = 0
    private(set) var names: [String] = []
    private(set) var explicitNumbers: [Int] = []

    struct Options {
        var ignoreCase = false
        var multiline = false
        var singleline = false
        var explicitCapture = false
        var ignoreWhitespace = false
    }

    init(_ pattern: String) {
        self.pattern = Array(pattern.utf16)
    }

    static func parse(_ pattern: String, options: Options = Options()) throws(RegexSyntaxError) -> (
        node: RegexNode, unnamedCount: Int, names: [String], numbers: [Int]
    ) {
        var parser = RegexParser(pattern)
        var options = options
        let node = try parser.parseAlternation(&options, depth: 0)
        if parser.position < parser.pattern.count {
            throw RegexSyntaxError(message: "too many ')'", offset: parser.position)
        }
        return (node, parser.unnamedCount, parser.names, parser.explicitNumbers)
    }

    private func peek(_ offset: Int = 0) -> UInt16? {
        let index = position + offset
        return index < pattern.count ? pattern[index] : nil
    }

    private func error(_ message: String) -> RegexSyntaxError { RegexSyntaxError(message: message, offset: position) }

    private mutating func parseAlternation(_ options: inout Options, depth: Int) throws(RegexSyntaxError) -> RegexNode {
        guard depth < 200 else { throw error("pattern is nested too deeply") }
        var branches: [RegexNode] = []
        var current: [RegexNode] = []
        while let unit = peek() {
            if unit == 0x29 { break }  // )
            if unit == 0x7C {  // |
                position += 1
                branches.append(.sequence(current))
                current = []
                continue
            }
            if options.ignoreWhitespace {
                if unit == 0x20 || unit == 0x09 || unit == 0x0A || unit == 0x0D || unit == 0x0C {
                    position += 1
                    continue
                }
                if unit == 0x23 {  // # comment to end of line
                    while let next = peek(), next != 0x0A { position += 1 }
                    continue
                }
            }
            guard var atom = try parseAtom(&options, depth: depth) else { continue }
            atom = try parseQuantifiers(atom, options)
            current.append(atom)
        }
        if branches.isEmpty { return current.count == 1 ? current[0] : .sequence(current) }
        branches.append(.sequence(current))
        return .alternation(branches)
    }

    private mutating func parseQuantifiers(_ atom: RegexNode, _ options: Options) throws(RegexSyntaxError) -> RegexNode {
        var node = atom
        while let unit = peek() {
            var minimum = 0
            var maximum: Int?
            let start = position
            switch unit {
            case 0x2A: position += 1  // *
            case 0x2B: minimum = 1; position += 1  // +
            case 0x3F: maximum = 1; position += 1  // ?
            case 0x7B:  // {
                guard let (low, high) = scanBraces() else { return node }
                minimum = low
                maximum = high
            default:
                return node
            }
            if case .quantified = node, !(start > 0 && pattern[start - 1] == 0x29) {
                throw RegexSyntaxError(message: "nested quantifier '\(String(decoding: [unit], as: UTF16.self))'", offset: start)
            }
            if case .assertion = node {
                // .NET allows quantified anchors; they match as themselves.
            }
            var lazy = false
            if peek() == 0x3F {
                lazy = true
                position += 1
            }
            if let maximum, maximum < minimum {
                throw RegexSyntaxError(message: "illegal {x,y} with x > y", offset: start)
            }
            node = .quantified(node, minimum: minimum, maximum: maximum, lazy: lazy)
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`; nil (and no input consumed) when the brace is a literal.
    private mutating func scanBraces() -> (Int, Int?)? {
        let start = position
        position += 1
        func number() -> Int? {
            var value = 0
            var digits = 0
            while let unit = peek(), unit >= 0x30, unit <= 0x39 {
                value = min(value * 10 + Int(unit - 0x30), 1_000_000)
                digits += 1
                position += 1
            }
            return digits > 0 ? value : nil
        }
        guard let low = number() else {
            position = start
            return nil
        }
        var high: Int? = low
        if peek() == 0x2C {
            position += 1
            high = number()
        }
        guard peek() == 0x7D else {
            position = start
            return nil
        }
        position += 1
        return (low, high)
    }

    private mutating func parseAtom(_ options: inout Options, depth: Int) throws(RegexSyntaxError) -> RegexNode? {
        let unit = pattern[position]
        switch unit {
        case 0x28:  // (
            return try parseGroup(&options, depth: depth)
        case 0x5B:  // [
            position += 1
            var set = try parseClass(options)
            set.finalize()
            return .set(set)
        case 0x2E:  // .
            position += 1
            return .any(includesNewline: options.singleline)
        case 0x5E:  // ^
            position += 1
            return .assertion(options.multiline ? .startOfLine : .startOfInput)
        case 0x24:  // $
            position += 1
            return .assertion(options.multiline ? .endOfLine : .endOfInputOrNewline)
        case 0x5C:  // \
            return try parseEscape(options)
        case 0x2A, 0x2B, 0x3F:
            throw error("quantifier '\(String(decoding: [unit], as: UTF16.self))' following nothing")
        default:
            position += 1
            return literal(unit, options)
        }
    }

    private func literal(_ unit: UInt16, _ options: Options) -> RegexNode {
        if options.ignoreCase {
            let lower = RegexCase.fold(unit)
            let upper = RegexCase.upper(unit)
            if lower != upper {
                var set = CharacterSet16()
                set.ranges = [lower...lower, upper...upper]
                if unit != lower && unit != upper { set.ranges.append(unit...unit) }
                set.finalize()
                return .set(set)
            }
        }
        return .character(unit)
    }

    private mutating func parseGroup(_ options: inout Options, depth: Int) throws(RegexSyntaxError) -> RegexNode? {
        let start = position
        position += 1
        var inner = options
        var capture: CaptureName?
        var kind = 0  // 0 group, 1 lookahead, 2 neg lookahead, 3 lookbehind, 4 neg lookbehind, 5 atomic
        if peek() == 0x3F {  // ?
            position += 1
            guard let next = peek() else { throw error("unterminated group") }
            switch next {
            case 0x3A: position += 1  // (?:
            case 0x3D: position += 1; kind = 1  // (?=
            case 0x21: position += 1; kind = 2  // (?!
            case 0x3E: position += 1; kind = 5  // (?>
            case 0x23:  // (?# comment )
                while let unit = peek(), unit != 0x29 { position += 1 }
                guard peek() == 0x29 else { throw error("unterminated (?#...) comment") }
                position += 1
                return nil
            case 0x3C, 0x27:  // (?< or (?'
                if next == 0x3C, peek(1) == 0x3D {
                    position += 2
                    kind = 3
                } else if next == 0x3C, peek(1) == 0x21 {
                    position += 2
                    kind = 4
                } else {
                    position += 1
                    let close: UInt16 = next == 0x3C ? 0x3E : 0x27
                    let nameStart = position
                    while let unit = peek(), unit != close {
                        if unit == 0x2D { throw error("balancing groups are not supported") }
                        position += 1
                    }
                    guard peek() == close else { throw error("unterminated group name") }
                    let name = String(decoding: pattern[nameStart..<position], as: UTF16.self)
                    position += 1
                    guard !name.isEmpty, name.utf16.allSatisfy({ $0 < 128 && (UInt8($0).isIdentifierContinue) }) else {
                        throw RegexSyntaxError(message: "invalid group name '\(name)'", offset: nameStart)
                    }
                    if let number = Int(name) {
                        capture = .number(number)
                        if !explicitNumbers.contains(number) { explicitNumbers.append(number) }
                    } else {
                        capture = .named(name)
                        if !names.contains(name) { names.append(name) }
                    }
                }
            case 0x28:
                throw error("conditional groups are not supported")
            default:
                // Inline options: (?imnsx-imnsx) or (?imnsx-imnsx:...)
                var enable = true
                var scoped = false
                while let unit = peek() {
                    position += 1
                    switch unit {
                    case 0x2D: enable = false
                    case 0x69: inner.ignoreCase = enable
                    case 0x6D: inner.multiline = enable
                    case 0x73: inner.singleline = enable
                    case 0x6E: inner.explicitCapture = enable
                    case 0x78: inner.ignoreWhitespace = enable
                    case 0x29:
                        options = inner
                        return nil
                    case 0x3A:
                        scoped = true
                    default:
                        throw RegexSyntaxError(message: "unrecognized grouping construct", offset: start)
                    }
                    if scoped { break }
                }
                if !scoped { throw error("unterminated group") }
            }
        } else if !options.explicitCapture {
            unnamedCount += 1
            capture = .unnamed(unnamedCount)
        }
        let body = try parseAlternation(&inner, depth: depth + 1)
        guard peek() == 0x29 else { throw RegexSyntaxError(message: "not enough ')'", offset: start) }
        position += 1
        switch kind {
        case 1: return .lookaround(body, ahead: true, negated: false)
        case 2: return .lookaround(body, ahead: true, negated: true)
        case 3: return .lookaround(body, ahead: false, negated: false)
        case 4: return .lookaround(body, ahead: false, negated: true)
        case 5: return .atomic(body)
        default: return .group(body, capture: capture)
        }
    }

    /// After `\` outside a class.
    private mutating func parseEscape(_ options: Options) throws(RegexSyntaxError) -> RegexNode {
        position += 1
        guard let unit = peek() else { throw error("illegal \\ at end of pattern") }
        switch unit {
        case 0x41: position += 1; return .assertion(.startOfInput)  // A
        case 0x7A: position += 1; return .assertion(.endOfInput)  // z
        case 0x5A: position += 1; return .assertion(.endOfInputOrNewline)  // Z
        case 0x62: position += 1; return .assertion(.wordBoundary)  // b
        case 0x42: position += 1; return .assertion(.notWordBoundary)  // B
        case 0x47: position += 1; return .assertion(.previousMatchEnd)  // G
        case 0x6B:  // k<name>
            position += 1
            guard let open = peek(), open == 0x3C || open == 0x27 else { throw error("malformed \\k<...> named back reference") }
            let close: UInt16 = open == 0x3C ? 0x3E : 0x27
            position += 1
            let start = position
            while let next = peek(), next != close { position += 1 }
            guard peek() == close else { throw error("malformed \\k<...> named back reference") }
            let name = String(decoding: pattern[start..<position], as: UTF16.self)
            position += 1
            if let number = Int(name) { return .backreference(.number(number), ignoreCase: options.ignoreCase) }
            return .backreference(.named(name), ignoreCase: options.ignoreCase)
        case 0x31...0x39:
            var number = 0
            while let digit = peek(), digit >= 0x30, digit <= 0x39 {
                number = number * 10 + Int(digit - 0x30)
                position += 1
            }
            return .backreference(.number(number), ignoreCase: options.ignoreCase)
        default:
            if let set = try classEscape() {
                var set = set
                set.finalize()
                return .set(set)
            }
            let value = try characterEscape()
            return literal(value, options)
        }
    }

    /// `\d \w \s \D \W \S \p{…} \P{…}` at the current position (after `\`); nil otherwise.
    private mutating func classEscape() throws(RegexSyntaxError) -> CharacterSet16? {
        guard let unit = peek() else { return nil }
        var set = CharacterSet16()
        switch unit {
        case 0x64: set.classes = [(.digit, false)]
        case 0x44: set.classes = [(.digit, true)]
        case 0x77: set.classes = [(.word, false)]
        case 0x57: set.classes = [(.word, true)]
        case 0x73: set.classes = [(.space, false)]
        case 0x53: set.classes = [(.space, true)]
        case 0x70, 0x50:
            position += 1
            guard peek() == 0x7B else { throw error("incomplete \\p{X} character escape") }
            position += 1
            let start = position
            while let next = peek(), next != 0x7D { position += 1 }
            guard peek() == 0x7D else { throw error("incomplete \\p{X} character escape") }
            let name = String(decoding: pattern[start..<position], as: UTF16.self)
            guard let categories = RegexParser.categories(named: name) else {
                throw RegexSyntaxError(message: "unknown property '\(name)'", offset: start)
            }
            position += 1
            set.classes = [(.categories(categories), unit == 0x50)]
            return set
        default:
            return nil
        }
        position += 1
        return set
    }

    /// A single-character escape at the current position (after `\`).
    private mutating func characterEscape() throws(RegexSyntaxError) -> UInt16 {
        let unit = pattern[position]
        position += 1
        switch unit {
        case 0x74: return 0x09  // t
        case 0x6E: return 0x0A  // n
        case 0x72: return 0x0D  // r
        case 0x66: return 0x0C  // f
        case 0x76: return 0x0B  // v
        case 0x65: return 0x1B  // e
        case 0x61: return 0x07  // a
        case 0x30:  // \0 octal, up to two more digits
            var value: UInt16 = 0
            var count = 0
            while count < 2, let digit = peek(), digit >= 0x30, digit <= 0x37 {
                value = value * 8 + (digit - 0x30)
                position += 1
                count += 1
            }
            return value
        case 0x78: return try hex(digits: 2)  // x
        case 0x75: return try hex(digits: 4)  // u
        case 0x63:  // cX
            guard let letter = peek() else { throw error("missing control character") }
            position += 1
            return (letter | 0x20) &- 0x60
        default:
            if unit < 128, UInt8(unit).isIdentifierContinue {
                throw RegexSyntaxError(
                    message: "unrecognized escape sequence '\\\(String(decoding: [unit], as: UTF16.self))'", offset: position - 2)
            }
            return unit
        }
    }

    private mutating func hex(digits: Int) throws(RegexSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<digits {
            guard let unit = peek(), unit < 128, UInt8(unit).isHexDigit else { throw error("insufficient hexadecimal digits") }
            value = value * 16 + UInt16(UInt8(unit).hexValue)
            position += 1
        }
        return value
    }

    /// After `[`: the class up to its `]`.
    private mutating func parseClass(_ options: Options) throws(RegexSyntaxError) -> CharacterSet16 {
        var set = CharacterSet16()
        set.ignoreCase = options.ignoreCase
        if peek() == 0x5E {
            set.negated = true
            position += 1
        }
        var first = true
        while true {
            guard let unit = peek() else { throw error("unterminated [] set") }
            if unit == 0x5D, !first {  // ]
                position += 1
                return set
            }
            first = false
            // Subtraction: -[...] right before the closing bracket.
            if unit == 0x2D, peek(1) == 0x5B {
                position += 2
                set.subtracting.append(try parseClass(options))
                guard peek() == 0x5D else { throw error("a subtraction must be the last element in a character class") }
                position += 1
                return set
            }
            var low: UInt16
            if unit == 0x5C {
                position += 1
                guard peek() != nil else { throw error("illegal \\ at end of pattern") }
                if let escaped = try classEscape() {
                    set.classes.append(contentsOf: escaped.classes)
                    continue
                }
                if peek() == 0x62 {  // \b is backspace inside a class
                    position += 1
                    low = 0x08
                } else {
                    low = try characterEscape()
                }
            } else {
                position += 1
                low = unit
            }
            // A range a-z, unless '-' is the last character or starts a subtraction.
            if peek() == 0x2D, let after = peek(1), after != 0x5D, after != 0x5B {
                position += 1
                var high: UInt16
                if after == 0x5C {
                    position += 1
                    guard peek() != nil else { throw error("illegal \\ at end of pattern") }
                    if peek() == 0x62 {
                        position += 1
                        high = 0x08
                    } else {
                        high = try characterEscape()
                    }
                } else {
                    position += 1
                    high = after
                }
                guard low <= high else { throw error("[x-y] range in reverse order") }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
    }

    static func categories(named name: String) -> Set<Unicode.GeneralCategory>? {
        let table: [String: [Unicode.GeneralCategory]] = [
            "Lu": [.uppercaseLetter], "Ll": [.lowercaseLetter], "Lt": [.titlecaseLetter], "Lm": [.modifierLetter],
            "Lo": [.otherLetter], "Mn": [.nonspacingMark], "Mc": [.spacingMark], "Me": [.enclosingMark],
            "Nd": [.decimalNumber], "Nl": [.letterNumber], "No": [.otherNumber], "Pc": [.connectorPunctuation],
            "Pd": [.dashPunctuation], "Ps": [.openPunctuation], "Pe": [.closePunctuation],
            "Pi": [.initialPunctuation], "Pf": [.finalPunctuation], "Po": [.otherPunctuation], "Sm": [.mathSymbol],
            "Sc": [.currencySymbol], "Sk": [.modifierSymbol], "So": [.otherSymbol], "Zs": [.spaceSeparator],
            "Zl": [.lineSeparator], "Zp": [.paragraphSeparator], "Cc": [.control], "Cf": [.format],
            "Cs": [.surrogate], "Co": [.privateUse], "Cn": [.unassigned],
        ]
        if let single = table[name] { return Set(single) }
        let groups = ["L", "M", "N", "P", "S", "Z", "C"]
        if groups.contains(name) {
            return Set(table.filter { $0.key.hasPrefix(name) }.flatMap(\.value))
        }
        if name == "IsBasicLatin" { return nil }
        return nil
    }
}
