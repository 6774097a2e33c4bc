/// The syntax tree of a .NET regular expression, as ``RegexParser`` reads it.
indirect enum RegexNode {
    case empty
    case character(UInt16)
    /// `.`; `includesNewline` under the `s` option.
    case any(includesNewline: Bool)
    case set(CharacterSet16)
    case sequence([RegexNode])
    case alternation([RegexNode])
    /// A group; `capture` is nil for `(?:…)`.
    case group(RegexNode, capture: CaptureName?)
    case quantified(RegexNode, minimum: Int, maximum: Int?, lazy: Bool)
    case assertion(RegexAssertion)
    case backreference(CaptureName, ignoreCase: Bool)
    case lookaround(RegexNode, ahead: Bool, negated: Bool)
    case atomic(RegexNode)

    /// Whether the node can match the empty string.
    var isNullable: Bool {
        switch self {
        case .empty, .assertion, .lookaround, .backreference: true
        case .character, .any, .set: false
        case .sequence(let nodes): nodes.allSatisfy(\.isNullable)
        case .alternation(let nodes): nodes.contains { $0.isNullable }
        case .group(let node, _), .atomic(let node): node.isNullable
        case .quantified(let node, let minimum, _, _): minimum == 0 || node.isNullable
        }
    }
}

/// How a group is referred to before numbers are assigned: .NET numbers unnamed groups first,
/// left to right, then named groups in order of first appearance.
enum CaptureName: Hashable {
    case unnamed(Int)
    case named(String)
    case number(Int)
}

enum RegexAssertion: Hashable {
    case startOfInput          // \A, ^ without m
    case startOfLine           // ^ with m
    case endOfInput            // \z
    case endOfInputOrNewline   // \Z, $ without m
    case endOfLine             // $ with m
    case wordBoundary          // \b
    case notWordBoundary       // \B
    case previousMatchEnd      // \G
}

/// A set of UTF-16 code units: ranges, character classes, negation, .NET subtraction.
struct CharacterSet16: Hashable {
    enum ClassKind: Hashable {
        case digit, word, space
        case categories(Set<Unicode.GeneralCategory>)
    }

    var ranges: [ClosedRange<UInt16>] = []
    var classes: [(kind: ClassKind, negated: Bool)] = []
    var negated = false
    var ignoreCase = false
    var subtracting: [CharacterSet16] = []
    /// Membership of the 128 ASCII code units, computed by ``finalize()``.
    private(set) var asciiLow: UInt64 = 0
    private(set) var asciiHigh: UInt64 = 0
    private(set) var finalized = false

    static func == (lhs: CharacterSet16, rhs: CharacterSet16) -> Bool {
        lhs.ranges == rhs.ranges && lhs.negated == rhs.negated && lhs.asciiLow == rhs.asciiLow
            && lhs.asciiHigh == rhs.asciiHigh && lhs.classes.count == rhs.classes.count
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(ranges.count)
        hasher.combine(asciiLow)
        hasher.combine(asciiHigh)
    }

    mutating func finalize() {
        for index in subtracting.indices { subtracting[index].finalize() }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for unit in UInt16(0)..<128 where slowContains(unit) {
            if unit < 64 { low |= 1 << UInt64(unit) } else { high |= 1 << UInt64(unit - 64) }
        }
        asciiLow = low
        asciiHigh = high
        finalized = true
    }

    @inline(__always)
    func contains(_ unit: UInt16) -> Bool {
        if unit < 64 { return asciiLow & (1 << UInt64(unit)) != 0 }
        if unit < 128 { return asciiHigh & (1 << UInt64(unit - 64)) != 0 }
        return slowContains(unit)
    }

    private func slowContains(_ unit: UInt16) -> Bool {
        var member = matchesPositive(unit)
        if !member, ignoreCase {
            let folded = RegexCase.fold(unit)
            let upper = RegexCase.upper(unit)
            member = (folded != unit && matchesPositive(folded)) || (upper != unit && matchesPositive(upper))
        }
        if negated { member.toggle() }
        if member, subtracting.contains(where: { $0.contains(unit) }) { return false }
        return member
    }

    private func matchesPositive(_ unit: UInt16) -> Bool {
        for range in ranges where range.contains(unit) { return true }
        for (kind, negated) in classes where CharacterSet16.classContains(kind, unit) != negated { return true }
        return false
    }

    static func classContains(_ kind: ClassKind, _ unit: UInt16) -> Bool {
        if unit < 128 {
            switch kind {
            case .digit: return unit >= 0x30 && unit <= 0x39
            case .word:
                return (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5A) || (unit >= 0x61 && unit <= 0x7A)
                    || unit == 0x5F
            case .space: return unit == 0x20 || (unit >= 0x09 && unit <= 0x0D)
            case .categories(let set): return set.contains(category(unit))
            }
        }
        let category = category(unit)
        switch kind {
        case .digit: return category == .decimalNumber
        case .word:
            switch category {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .decimalNumber, .connectorPunctuation, .spacingMark:
                return true
            default: return unit == 0x200C || unit == 0x200D
            }
        case .space:
            return unit == 0x85 || category == .spaceSeparator || category == .lineSeparator
                || category == .paragraphSeparator
        case .categories(let set): return set.contains(category)
        }
    }

    static func category(_ unit: UInt16) -> Unicode.GeneralCategory {
        guard let scalar = Unicode.Scalar(UInt32(unit)) else { return .surrogate }
        return scalar.properties.generalCategory
    }
}

/// Case mapping of single UTF-16 code units, as the regex engine needs it.
enum RegexCase {
    static func fold(_ unit: UInt16) -> UInt16 {
        if unit < 128 { return unit >= 0x41 && unit <= 0x5A ? unit + 32 : unit }
        guard let scalar = Unicode.Scalar(UInt32(unit)) else { return unit }
        let lower = scalar.properties.lowercaseMapping.utf16
        return lower.count == 1 ? lower.first! : unit
    }

    static func upper(_ unit: UInt16) -> UInt16 {
        if unit < 128 { return unit >= 0x61 && unit <= 0x7A ? unit - 32 : unit }
        guard let scalar = Unicode.Scalar(UInt32(unit)) else { return unit }
        let upper = scalar.properties.uppercaseMapping.utf16
        return upper.count == 1 ? upper.first! : unit
    }
}
