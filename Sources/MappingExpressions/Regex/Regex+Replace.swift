extension Regex {
    /// A .NET replacement pattern, compiled against a regex's groups: `$1`, `${name}`, `$$`,
    /// `$&`, `` $` ``, `$'`, `$+`, `$_`. A reference to a group that does not exist stays literal
    /// text, as in .NET.
    package struct Template: Sendable, Hashable {
        enum Part: Sendable, Hashable {
            case literal([UInt16])
            case group(Int)
            case beforeMatch
            case afterMatch
            case lastGroup
            case input
        }

        let parts: [Part]

        package init(_ text: String, for regex: Regex) {
            let units = Array(text.utf16)
            var parts: [Part] = []
            var literal: [UInt16] = []
            func flush() {
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = []
                }
            }
            var index = 0
            while index < units.count {
                let unit = units[index]
                guard unit == 0x24, index + 1 < units.count else {  // $
                    literal.append(unit)
                    index += 1
                    continue
                }
                let next = units[index + 1]
                switch next {
                case 0x24:  // $$
                    literal.append(0x24)
                    index += 2
                case 0x26:  // $&
                    flush(); parts.append(.group(0)); index += 2
                case 0x60:  // $`
                    flush(); parts.append(.beforeMatch); index += 2
                case 0x27:  // $'
                    flush(); parts.append(.afterMatch); index += 2
                case 0x2B:  // $+
                    flush(); parts.append(.lastGroup); index += 2
                case 0x5F:  // $_
                    flush(); parts.append(.input); index += 2
                case 0x7B:  // ${name}
                    var end = index + 2
                    while end < units.count, units[end] != 0x7D { end += 1 }
                    if end < units.count {
                        let name = String(decoding: units[(index + 2)..<end], as: UTF16.self)
                        let number = regex.groupNumbers[name] ?? Int(name).flatMap { regex.groupNames[$0] != nil || $0 == 0 ? $0 : nil }
                        if let number {
                            flush()
                            parts.append(.group(number))
                            index = end + 1
                            continue
                        }
                    }
                    literal.append(unit)
                    index += 1
                case 0x30...0x39:
                    // The longest run of digits that names an existing group.
                    var number = -1
                    var end = index + 1
                    var candidate = 0
                    var scan = index + 1
                    while scan < units.count, units[scan] >= 0x30, units[scan] <= 0x39 {
                        candidate = candidate * 10 + Int(units[scan] - 0x30)
                        if candidate > regex.groupCount { break }
                        scan += 1
                        if candidate == 0 || regex.groupNames[candidate] != nil {
                            number = candidate
                            end = scan
                        }
                    }
                    if number >= 0 {
                        flush()
                        parts.append(.group(number))
                        index = end
                    } else {
                        literal.append(unit)
                        index += 1
                    }
                default:
                    literal.append(unit)
                    index += 1
                }
            }
            flush()
            self.parts = parts
        }

        /// A template that inserts `text` as it is.
        package init(literal text: String) {
            parts = text.isEmpty ? [] : [.literal(Array(text.utf16))]
        }

        func append(match slots: [Int], input: [UInt16], to output: inout [UInt16]) {
            for part in parts {
                switch part {
                case .literal(let units): output.append(contentsOf: units)
                case .group(let number):
                    let start = slots[2 * number]
                    let end = slots[2 * number + 1]
                    if start >= 0, end >= start { output.append(contentsOf: input[start..<end]) }
                case .beforeMatch: output.append(contentsOf: input[0..<slots[0]])
                case .afterMatch: output.append(contentsOf: input[slots[1]...])
                case .lastGroup:
                    var number = slots.count / 2 - 1
                    while number > 0, slots[2 * number] < 0 { number -= 1 }
                    let start = slots[2 * number]
                    let end = slots[2 * number + 1]
                    if start >= 0, end >= start { output.append(contentsOf: input[start..<end]) }
                case .input: output.append(contentsOf: input)
                }
            }
        }
    }

    /// Visits every match left to right as .NET's `Regex.Replace` finds them: after an empty
    /// match the search moves on one code unit.
    func forEachMatch(in input: [UInt16], _ body: ([Int]) -> Void) throws(RegexError) {
        var budget = Regex.defaultStepBudget
        var start = 0
        while start <= input.count {
            guard let slots = try firstMatch(in: input, from: start, budget: &budget) else { return }
            body(slots)
            start = slots[1] == slots[0] ? slots[1] + 1 : slots[1]
        }
    }

    /// `Regex.Replace(text, pattern, template)`.
    package func replacing(in text: String, with template: Template) throws(RegexError) -> String {
        let input = Array(text.utf16)
        var output: [UInt16] = []
        output.reserveCapacity(input.count)
        var copied = 0
        var any = false
        try forEachMatch(in: input) { slots in
            any = true
            output.append(contentsOf: input[copied..<slots[0]])
            template.append(match: slots, input: input, to: &output)
            copied = slots[1]
        }
        if !any { return text }
        output.append(contentsOf: input[copied...])
        return String(decoding: output, as: UTF16.self)
    }

    /// Replaces, in every match, only the text captured by `group` with `replacement`.
    package func replacing(group: Int, in text: String, with replacement: String) throws(RegexError) -> String {
        let input = Array(text.utf16)
        let replacementUnits = Array(replacement.utf16)
        var output: [UInt16] = []
        var copied = 0
        var any = false
        try forEachMatch(in: input) { slots in
            let start = slots[2 * group]
            let end = slots[2 * group + 1]
            guard start >= 0, end >= start, start >= copied else { return }
            any = true
            output.append(contentsOf: input[copied..<start])
            output.append(contentsOf: replacementUnits)
            copied = end
        }
        if !any { return text }
        output.append(contentsOf: input[copied...])
        return String(decoding: output, as: UTF16.self)
    }

    /// The text captured by `group` in the first match, or nil when there is no match or the group
    /// did not take part.
    package func firstCapture(group: Int, in text: String) throws(RegexError) -> String? {
        let input = Array(text.utf16)
        var budget = Regex.defaultStepBudget
        guard let slots = try firstMatch(in: input, from: 0, budget: &budget) else { return nil }
        let start = slots[2 * group]
        let end = slots[2 * group + 1]
        guard start >= 0, end >= start else { return nil }
        return String(decoding: input[start..<end], as: UTF16.self)
    }
}
