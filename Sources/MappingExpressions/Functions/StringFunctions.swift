import Foundation

/// Append, Join, Left, Mid, PCase, StripSpaces, ToLower, ToUpper, Trim, Word, InStr.
enum StringFunctions {
    static func append(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call2(b) { source, suffix throws(FunctionError) in
            .string(try Conversion.string(source, "'source' of 'Append'") + Conversion.string(suffix, "'suffix' of 'Append'"))
        }
    }

    static func join(_ b: inout CallBuilder) -> any EvaluationNode {
        JoinNode(range: b.range, separator: b.node(0), sources: (1..<max(1, b.count)).map { b.node($0) })
    }

    /// `Left(String, NumChars)`: NULL gives `""`; a negative count gives the whole string.
    static func left(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call2(b) { source, count throws(FunctionError) in
            let text = try Conversion.string(source, "'String' of 'Left'")
            let n = try Conversion.integer(count, "'NumChars' of 'Left'")
            if n < 0 { return .string(text) }
            return .string(UTF16Text.prefix(text, Int(clamping: n)))
        }
    }

    /// `Mid(source, start, length)`, 1-based in UTF-16 code units like .NET. A start before 1
    /// counts from 1; past the end, or a length of 0 or less, gives `""`; NULL gives `""`.
    static func mid(_ b: inout CallBuilder) -> any EvaluationNode {
        if b.count < 3 {
            return Builders.call2(b) { source, start throws(FunctionError) in
                let text = try Conversion.string(source, "'source' of 'Mid'")
                let from = try Conversion.integer(start, "'start' of 'Mid'")
                return .string(UTF16Text.substring(text, start: from, length: Int64.max))
            }
        }
        return Builders.call3(b) { source, start, length throws(FunctionError) in
            let text = try Conversion.string(source, "'source' of 'Mid'")
            let from = try Conversion.integer(start, "'start' of 'Mid'")
            let count = try Conversion.integer(length, "'length' of 'Mid'")
            return .string(UTF16Text.substring(text, start: from, length: count))
        }
    }

    static func stripSpaces(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.stringMap(b) { text in
            guard text.utf8.contains(0x20) else { return text }
            var result = ""
            result.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars where scalar != " " { result.unicodeScalars.append(scalar) }
            return result
        }
    }

    /// Cloud Sync `Trim(value)`: leading and trailing white space, per value when multi-valued.
    static func trim(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.stringMap(b) { text in
            var scalars = Substring(text).unicodeScalars[...]
            while let first = scalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
            while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    static func toLower(_ b: inout CallBuilder) -> any EvaluationNode { caseMapping(&b, upper: false) }
    static func toUpper(_ b: inout CallBuilder) -> any EvaluationNode { caseMapping(&b, upper: true) }

    private static func caseMapping(_ b: inout CallBuilder, upper: Bool) -> any EvaluationNode {
        // The culture is almost always omitted or constant: resolve it once.
        if !b.isSupplied(1) || b.constant(1) != nil {
            let culture = b.constant(1)?.text ?? ""
            let turkic = CaseMapping.isTurkic(culture)
            return Builders.stringMap(b) { text in CaseMapping.map(text, upper: upper, turkic: turkic) }
        }
        return Builders.call2(b) { source, culture throws(FunctionError) in
            let turkic = CaseMapping.isTurkic(try Conversion.string(culture, "'culture'"))
            switch source {
            case .null: return .null
            case .multiple(let values): return .multiple(values.map { CaseMapping.map($0, upper: upper, turkic: turkic) })
            default: return .string(CaseMapping.map(source.text ?? "", upper: upper, turkic: turkic))
            }
        }
    }

    /// `PCase(source, wordSeparators?)`: the first letter of each word upper case, the rest lower.
    ///
    /// Without separators, words are separated as .NET `TextInfo.ToTitleCase` separates them
    /// (white space and punctuation, but an apostrophe inside a word keeps it one word:
    /// `john's` → `John's`); with separators, only those characters separate words.
    static func pCase(_ b: inout CallBuilder) -> any EvaluationNode {
        if b.count < 2 || !b.isSupplied(1) {
            return Builders.stringMap(b) { PCase.apply($0, separators: nil) }
        }
        return Builders.call2(b) { source, separators throws(FunctionError) in
            let set = Set(try Conversion.string(separators, "'wordSeparators' of 'PCase'").unicodeScalars)
            switch source {
            case .null: return .null
            case .multiple(let values): return .multiple(values.map { PCase.apply($0, separators: set) })
            default: return .string(PCase.apply(source.text ?? "", separators: set))
            }
        }
    }

    /// `Word(String, WordNumber, Delimiters)`: any character of `Delimiters` separates words; empty
    /// words (between two delimiters) are not counted. Out of range or NULL gives `""`.
    static func word(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call3(b) { source, number, delimiters throws(FunctionError) in
            let text = try Conversion.string(source, "'String' of 'Word'")
            let n = try Conversion.integer(number, "'WordNumber' of 'Word'")
            let separators = try Conversion.string(delimiters, "'Delimiters' of 'Word'")
            guard n >= 1 else { return .string("") }
            return .string(Words.word(text, number: Int(clamping: n), delimiters: separators))
        }
    }

    /// `InStr(value1, value2, start?, compareType?)`: the 1-based position of `value2` in
    /// `value1` from `start`, 0 when absent. `vbTextCompare` ignores case; `vbBinaryCompare` (the
    /// default) does not.
    static func inStr(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        if let mode = b.constant(3), !mode.isNull {
            let name = mode.text ?? ""
            guard name == "vbTextCompare" || name == "vbBinaryCompare" || name == "1" || name == "0" else {
                throw b.error(.checkInvalidArgument, "'compareType' of 'InStr' must be vbBinaryCompare or vbTextCompare", argument: 3)
            }
        }
        return Builders.callN(b) { values, _ throws(FunctionError) in
            let haystack = try Conversion.string(values[0], "'value1' of 'InStr'")
            let needle = try Conversion.string(values[1], "'value2' of 'InStr'")
            let start = values.count > 2 && !values[2].isNull ? try Conversion.integer(values[2], "'start' of 'InStr'") : 1
            let mode = values.count > 3 ? (values[3].text ?? "") : ""
            let ignoreCase = mode == "vbTextCompare" || mode == "1"
            guard start >= 1 else {
                throw FunctionError(.evalInvalidArgument, "'start' of 'InStr' must be 1 or more but is \(start)")
            }
            return .number(Int64(UTF16Text.position(of: needle, in: haystack, from: Int(clamping: start), ignoreCase: ignoreCase)))
        }
    }

    /// `Split(source, delimiter)`: the parts of `source` between occurrences of `delimiter`
    /// (whole text, not trimmed; empty parts kept). NULL stays NULL.
    static func split(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call2(b) { source, delimiter throws(FunctionError) in
            if source.isNull { return .null }
            let text = try Conversion.string(source, "'source' of 'Split'")
            let separator = try Conversion.string(delimiter, "'delimiter' of 'Split'")
            if separator.isEmpty { return .multiple([text]) }
            return .multiple(text.components(separatedBy: separator))
        }
    }
}

/// `Join(separator, source1, …)`: NULL and empty sources are skipped; multi-valued sources add
/// each of their values.
struct JoinNode: EvaluationNode {
    let range: SourceRange
    let separator: any EvaluationNode
    let sources: [any EvaluationNode]

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let separatorValue = try separator.evaluate(context)
        if separatorValue.isFlowDirective { return separatorValue }
        let separatorText: String
        do { separatorText = try Conversion.string(separatorValue, "'separator' of 'Join'") } catch { throw error.located(range) }
        var result = ""
        var first = true
        for source in sources {
            let value = try source.evaluate(context)
            switch value {
            case .null: continue
            case .string(let text):
                if text.isEmpty { continue }
                if !first { result += separatorText }
                result += text
                first = false
            case .multiple(let values):
                for text in values where !text.isEmpty {
                    if !first { result += separatorText }
                    result += text
                    first = false
                }
            case .ignoreFlow, .ignoreObjectFlow:
                return value
            default:
                if !first { result += separatorText }
                result += value.text ?? ""
                first = false
            }
        }
        return .string(result)
    }
}

/// Text operations in UTF-16 code units, the unit of .NET string positions and lengths.
enum UTF16Text {
    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    static func prefix(_ text: String, _ count: Int) -> String {
        if isASCII(text) { return String(text.utf8.prefix(count))! }
        let units = text.utf16
        guard count < units.count else { return text }
        return String(decoding: Array(units.prefix(count)), as: UTF16.self)
    }

    /// `length` code units from the 1-based `start`, clamped to the text.
    static func substring(_ text: String, start: Int64, length: Int64) -> String {
        guard length > 0 else { return "" }
        let from = max(0, start - 1)
        if isASCII(text) {
            let bytes = text.utf8
            guard from < bytes.count else { return "" }
            let lower = bytes.index(bytes.startIndex, offsetBy: Int(from))
            let available = bytes.count - Int(from)
            let upper = bytes.index(lower, offsetBy: min(available, Int(clamping: length)))
            return String(text[lower..<upper])
        }
        let units = Array(text.utf16)
        guard from < units.count else { return "" }
        let end = Int(min(Int64(units.count), from &+ min(length, Int64(units.count))))
        return String(decoding: units[Int(from)..<end], as: UTF16.self)
    }

    /// The 1-based position of `needle` in `haystack` at or after `start`, or 0.
    static func position(of needle: String, in haystack: String, from start: Int, ignoreCase: Bool) -> Int {
        var units = Array(haystack.utf16)
        var target = Array(needle.utf16)
        if ignoreCase {
            units = units.map(RegexCase.fold)
            target = target.map(RegexCase.fold)
        }
        let from = start - 1
        guard from <= units.count else { return 0 }
        if target.isEmpty { return start }
        guard target.count <= units.count else { return 0 }
        var index = from
        while index + target.count <= units.count {
            if units[index] == target[0], units[index..<(index + target.count)].elementsEqual(target) { return index + 1 }
            index += 1
        }
        return 0
    }
}

enum Words {
    static func word(_ text: String, number: Int, delimiters: String) -> String {
        if UTF16Text.isASCII(delimiters) { return asciiDelimitedWord(text, number: number, delimiters: Array(delimiters.utf8)) }
        let separators = Set(delimiters.unicodeScalars)
        var count = 0
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if separators.contains(scalar) {
                if !current.isEmpty {
                    count += 1
                    if count == number { return String(current) }
                    current = String.UnicodeScalarView()
                }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty {
            count += 1
            if count == number { return String(current) }
        }
        return ""
    }

    /// ASCII delimiters never occur inside a multi-byte UTF-8 sequence, so the bytes can be split
    /// directly.
    private static func asciiDelimitedWord(_ text: String, number: Int, delimiters: [UInt8]) -> String {
        var count = 0
        var result = ""
        var text = text
        text.withUTF8 { bytes in
            var start = -1
            var index = 0
            while index <= bytes.count {
                let isDelimiter = index == bytes.count || delimiters.contains(bytes[index])
                if isDelimiter {
                    if start >= 0 {
                        count += 1
                        if count == number {
                            result = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                            return
                        }
                        start = -1
                    }
                } else if start < 0 {
                    start = index
                }
                index += 1
            }
        }
        return result
    }
}

/// Case mapping as .NET's invariant culture does it: one character to one character (`ß` stays
/// `ß` in upper case), with the Turkish and Azeri dotted and dotless i for `tr` and `az` cultures.
enum CaseMapping {
    static func isTurkic(_ culture: String) -> Bool {
        let lower = culture.lowercased()
        return lower == "tr" || lower.hasPrefix("tr-") || lower == "az" || lower.hasPrefix("az-") || lower == "tur"
            || lower == "aze"
    }

    static func map(_ text: String, upper: Bool, turkic: Bool) -> String {
        // ASCII fast path.
        if !turkic, UTF16Text.isASCII(text) {
            var bytes = Array(text.utf8)
            var changed = false
            for index in bytes.indices {
                let byte = bytes[index]
                if upper, byte >= 0x61, byte <= 0x7A {
                    bytes[index] = byte - 32
                    changed = true
                } else if !upper, byte >= 0x41, byte <= 0x5A {
                    bytes[index] = byte + 32
                    changed = true
                }
            }
            return changed ? String(decoding: bytes, as: UTF8.self) : text
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if turkic {
                if upper, scalar == "i" { result.append("\u{130}"); continue }
                if upper, scalar == "\u{131}" { result.append("I"); continue }
                if !upper, scalar == "I" { result.append("\u{131}"); continue }
                if !upper, scalar == "\u{130}" { result.append("i"); continue }
            }
            result.append(mapScalar(scalar, upper: upper))
        }
        return String(result)
    }

    /// One scalar mapped to one scalar: Latin-1 by arithmetic, the rest through Unicode's
    /// properties, keeping the scalar when its mapping is several scalars.
    @inline(__always)
    static func mapScalar(_ scalar: Unicode.Scalar, upper: Bool) -> Unicode.Scalar {
        let value = scalar.value
        if value < 0x80 {
            if upper, value >= 0x61, value <= 0x7A { return Unicode.Scalar(value - 32)! }
            if !upper, value >= 0x41, value <= 0x5A { return Unicode.Scalar(value + 32)! }
            return scalar
        }
        if value <= 0xFF {
            if upper {
                if value >= 0xE0, value <= 0xFE, value != 0xF7 { return Unicode.Scalar(value - 32)! }
                if value == 0xFF { return "\u{178}" }
                if value == 0xB5 { return "\u{39C}" }
                return scalar
            }
            if value >= 0xC0, value <= 0xDE, value != 0xD7 { return Unicode.Scalar(value + 32)! }
            return scalar
        }
        let mapped = upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
        let scalars = mapped.unicodeScalars
        return scalars.count == 1 ? scalars.first! : scalar
    }
}

enum PCase {
    static func apply(_ text: String, separators: Set<Unicode.Scalar>?) -> String {
        var result = String.UnicodeScalarView()
        var atWordStart = true
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let separates: Bool
            if let separators {
                separates = separators.contains(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                // An apostrophe between letters belongs to the word (`John's`).
                let before = index > 0 && scalars[index - 1].properties.isAlphabetic
                let after = index + 1 < scalars.count && scalars[index + 1].properties.isAlphabetic
                separates = !(before && after)
            } else {
                separates = isDefaultSeparator(scalar)
            }
            if separates {
                result.append(scalar)
                atWordStart = true
            } else if atWordStart {
                result.append(CaseMapping.mapScalar(scalar, upper: true))
                atWordStart = false
            } else {
                result.append(CaseMapping.mapScalar(scalar, upper: false))
            }
        }
        return String(result)
    }

    private static func isDefaultSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol,
            .otherSymbol, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }
}
