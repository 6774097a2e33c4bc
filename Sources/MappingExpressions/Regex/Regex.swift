/// A compiled .NET-compatible regular expression, matched by a backtracking machine over UTF-16
/// code units (as .NET matches), with a step budget so that a pattern that backtracks
/// catastrophically stops with ``RegexError/timeout`` instead of hanging.
///
/// Compile once, match many: a `Regex` is immutable and `Sendable`.
package struct Regex: Sendable {
    package let pattern: String
    /// Number of capture groups, without group 0.
    package let groupCount: Int
    /// Group numbers by name.
    package let groupNumbers: [String: Int]
    /// Group names by number (unnamed groups are named by their number).
    package let groupNames: [Int: String]
    let program: RegexProgram

    /// Steps one match attempt may take before it is abandoned.
    package static let defaultStepBudget = 1_000_000

    /// Compiles `pattern`; throws ``RegexError/syntax(_:offset:)`` when it is malformed.
    package init(_ pattern: String, ignoreCase: Bool = false) throws(RegexError) {
        self.pattern = pattern
        var options = RegexParser.Options()
        options.ignoreCase = ignoreCase
        let parsed: (node: RegexNode, unnamedCount: Int, names: [String], numbers: [Int])
        do {
            parsed = try RegexParser.parse(pattern, options: options)
        } catch {
            throw .syntax(error.message, offset: error.offset)
        }
        // .NET numbering: unnamed groups 1…n, explicitly numbered groups as written, then named
        // groups in order of appearance, skipping numbers already taken.
        var numbers: [String: Int] = [:]
        var names: [Int: String] = [:]
        var taken = Set(1...max(1, parsed.unnamedCount)).filter { $0 <= parsed.unnamedCount }
        for number in parsed.numbers { taken.insert(number) }
        var next = 1
        for name in parsed.names {
            while taken.contains(next) { next += 1 }
            numbers[name] = next
            taken.insert(next)
        }
        for number in taken { names[number] = String(number) }
        for (name, number) in numbers { names[number] = name }
        self.groupNumbers = numbers
        self.groupNames = names
        self.groupCount = taken.max() ?? 0
        var compiler = RegexCompiler(groupNumbers: numbers, groupCount: groupCount)
        do {
            self.program = try compiler.compile(parsed.node)
        } catch {
            throw .syntax(error.message, offset: 0)
        }
    }

    /// The first match at or after `start`: capture slots (start and end of group `i` at `2i`
    /// and `2i+1`, -1 when the group did not take part), or nil.
    func firstMatch(in input: [UInt16], from start: Int, budget: inout Int) throws(RegexError) -> [Int]? {
        var machine = RegexMachine(program: program, input: input, slotCount: 2 * (groupCount + 1), budget: budget)
        defer { budget = machine.budget }
        return try machine.search(from: start)
    }

    /// Whether the pattern matches somewhere in `text`.
    package func matches(_ text: String) throws(RegexError) -> Bool {
        var budget = Regex.defaultStepBudget
        return try firstMatch(in: Array(text.utf16), from: 0, budget: &budget) != nil
    }

    /// Whether the pattern matches the whole of `text`.
    package func matchesEntirely(_ text: String) throws(RegexError) -> Bool {
        let input = Array(text.utf16)
        var budget = Regex.defaultStepBudget
        var start = 0
        while start <= input.count {
            guard let slots = try firstMatch(in: input, from: start, budget: &budget) else { return false }
            if slots[0] == 0, slots[1] == input.count { return true }
            start = slots[0] + 1
            if slots[0] > 0 { return false }
        }
        return false
    }
}

/// Why a regular expression could not be used.
package enum RegexError: Error, Hashable, Sendable {
    /// The pattern is malformed; `offset` counts UTF-16 code units.
    case syntax(String, offset: Int)
    /// Matching took more steps than the budget allows: the pattern backtracks catastrophically
    /// on this input.
    case timeout
}

enum RegexInstruction: Sendable {
    case character(UInt16)
    case set(Int)
    case any
    case anyIncludingNewline
    /// Try `first`, on failure `second`.
    case split(Int, Int)
    case jump(Int)
    case save(Int)
    case assert(RegexAssertion)
    case backreference(Int, ignoreCase: Bool)
    case lookaround(Int, ahead: Bool, negated: Bool)
    case atomic(Int)
    /// Remember the position in a register at the start of a loop iteration.
    case mark(Int)
    /// Fail when the iteration matched nothing (stops empty loops).
    case progress(Int)
    case match
}

struct RegexProgram: Sendable {
    var instructions: [RegexInstruction]
    var sets: [CharacterSet16]
    var subprograms: [RegexProgram]
    var registerCount: Int
    /// Matching can only start at position 0 (pattern begins with `\A` or `^` without `m`).
    var anchoredAtStart: Bool
    /// Every match starts with this code unit (a fast scan skips other positions).
    var firstUnit: UInt16?
}

extension CharacterSet16: @unchecked Sendable {}

struct RegexCompiler {
    let groupNumbers: [String: Int]
    let groupCount: Int
    private var registerCount = 0
    static let maximumInstructions = 100_000

    init(groupNumbers: [String: Int], groupCount: Int) {
        self.groupNumbers = groupNumbers
        self.groupCount = groupCount
    }

    mutating func compile(_ node: RegexNode) throws(RegexSyntaxError) -> RegexProgram {
        var program = RegexProgram(
            instructions: [], sets: [], subprograms: [], registerCount: 0, anchoredAtStart: false, firstUnit: nil)
        try emit(node, into: &program)
        program.instructions.append(.match)
        program.registerCount = registerCount
        if case .assert(.startOfInput) = program.instructions.first { program.anchoredAtStart = true }
        if case .character(let unit) = program.instructions.first { program.firstUnit = unit }
        if case .save(0) = program.instructions.first, program.instructions.count > 1,
           case .character(let unit) = program.instructions[1]
        {
            program.firstUnit = unit
        }
        return program
    }

    private func groupNumber(_ name: CaptureName) throws(RegexSyntaxError) -> Int {
        switch name {
        case .unnamed(let number), .number(let number): return number
        case .named(let name):
            guard let number = groupNumbers[name] else {
                throw RegexSyntaxError(message: "reference to undefined group name '\(name)'", offset: 0)
            }
            return number
        }
    }

    private mutating func emit(_ node: RegexNode, into program: inout RegexProgram) throws(RegexSyntaxError) {
        guard program.instructions.count < RegexCompiler.maximumInstructions else {
            throw RegexSyntaxError(message: "pattern is too large", offset: 0)
        }
        switch node {
        case .empty:
            break
        case .character(let unit):
            program.instructions.append(.character(unit))
        case .any(let includesNewline):
            program.instructions.append(includesNewline ? .anyIncludingNewline : .any)
        case .set(let set):
            program.sets.append(set)
            program.instructions.append(.set(program.sets.count - 1))
        case .sequence(let nodes):
            for node in nodes { try emit(node, into: &program) }
        case .alternation(let branches):
            // split L1, next; L1: branch; jump end; next: split …
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.instructions.count
                    program.instructions.append(.split(split + 1, -1))
                    try emit(branch, into: &program)
                    jumps.append(program.instructions.count)
                    program.instructions.append(.jump(-1))
                    program.instructions[split] = .split(split + 1, program.instructions.count)
                } else {
                    try emit(branch, into: &program)
                }
            }
            for jump in jumps { program.instructions[jump] = .jump(program.instructions.count) }
        case .group(let body, let capture):
            if let capture {
                let number = try groupNumber(capture)
                program.instructions.append(.save(2 * number))
                try emit(body, into: &program)
                program.instructions.append(.save(2 * number + 1))
            } else {
                try emit(body, into: &program)
            }
        case .quantified(let body, let minimum, let maximum, let lazy):
            for _ in 0..<minimum { try emit(body, into: &program) }
            if let maximum {
                // Optional copies: split body, end (nested so that each needs the previous one).
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(program.instructions.count)
                    program.instructions.append(.split(-1, -1))
                    try emit(body, into: &program)
                }
                let end = program.instructions.count
                for split in splits {
                    program.instructions[split] = lazy ? .split(end, split + 1) : .split(split + 1, end)
                }
            } else {
                let nullable = body.isNullable
                let register = registerCount
                if nullable { registerCount += 1 }
                let loop = program.instructions.count
                program.instructions.append(.split(-1, -1))
                if nullable { program.instructions.append(.mark(register)) }
                try emit(body, into: &program)
                if nullable { program.instructions.append(.progress(register)) }
                program.instructions.append(.jump(loop))
                let end = program.instructions.count
                program.instructions[loop] = lazy ? .split(end, loop + 1) : .split(loop + 1, end)
            }
        case .assertion(let assertion):
            program.instructions.append(.assert(assertion))
        case .backreference(let name, let ignoreCase):
            let number = try groupNumber(name)
            guard number <= groupCount else {
                throw RegexSyntaxError(message: "reference to undefined group number \(number)", offset: 0)
            }
            program.instructions.append(.backreference(number, ignoreCase: ignoreCase))
        case .lookaround(let body, let ahead, let negated):
            var sub = RegexCompiler(groupNumbers: groupNumbers, groupCount: groupCount)
            sub.registerCount = registerCount
            let subprogram = try sub.compile(body)
            registerCount = sub.registerCount
            program.subprograms.append(subprogram)
            program.instructions.append(.lookaround(program.subprograms.count - 1, ahead: ahead, negated: negated))
        case .atomic(let body):
            var sub = RegexCompiler(groupNumbers: groupNumbers, groupCount: groupCount)
            sub.registerCount = registerCount
            let subprogram = try sub.compile(body)
            registerCount = sub.registerCount
            program.subprograms.append(subprogram)
            program.instructions.append(.atomic(program.subprograms.count - 1))
        }
    }
}

/// The backtracking machine: runs a program over the input with an explicit stack.
struct RegexMachine {
    let program: RegexProgram
    let input: [UInt16]
    var slots: [Int]
    var registers: [Int]
    var budget: Int
    var searchStart = 0

    private enum Frame {
        case branch(pc: Int, position: Int)
        case restoreSlot(Int, Int)
        case restoreRegister(Int, Int)
    }

    init(program: RegexProgram, input: [UInt16], slotCount: Int, budget: Int) {
        self.program = program
        self.input = input
        self.slots = Array(repeating: -1, count: slotCount)
        self.registers = Array(repeating: -1, count: max(1, Self.registerCount(program)))
        self.budget = budget
    }

    private static func registerCount(_ program: RegexProgram) -> Int {
        program.subprograms.reduce(program.registerCount) { max($0, registerCount($1)) }
    }

    mutating func search(from start: Int) throws(RegexError) -> [Int]? {
        var position = start
        let last = program.anchoredAtStart ? min(start, 0) : input.count
        searchStart = start
        while position <= last {
            if let unit = program.firstUnit {
                while position < input.count, input[position] != unit { position += 1 }
                if position >= input.count { return nil }
            }
            for index in slots.indices { slots[index] = -1 }
            if let end = try run(program, at: position, requiredEnd: nil) {
                slots[0] = position
                slots[1] = end
                return slots
            }
            if program.anchoredAtStart { return nil }
            position += 1
        }
        return nil
    }

    private func isWord(_ position: Int) -> Bool {
        position >= 0 && position < input.count && CharacterSet16.classContains(.word, input[position])
    }

    /// Runs `program` from `start`; the end position of the match, or nil.
    mutating func run(_ program: RegexProgram, at start: Int, requiredEnd: Int?) throws(RegexError) -> Int? {
        var stack: [Frame] = []
        var pc = 0
        var position = start
        let instructions = program.instructions
        let count = input.count
        while true {
            budget -= 1
            if budget < 0 { throw .timeout }
            var failed = false
            switch instructions[pc] {
            case .character(let unit):
                if position < count, input[position] == unit {
                    position += 1
                    pc += 1
                } else {
                    failed = true
                }
            case .set(let index):
                if position < count, program.sets[index].contains(input[position]) {
                    position += 1
                    pc += 1
                } else {
                    failed = true
                }
            case .any:
                if position < count, input[position] != 0x0A {
                    position += 1
                    pc += 1
                } else {
                    failed = true
                }
            case .anyIncludingNewline:
                if position < count {
                    position += 1
                    pc += 1
                } else {
                    failed = true
                }
            case .split(let first, let second):
                stack.append(.branch(pc: second, position: position))
                pc = first
            case .jump(let target):
                pc = target
            case .save(let slot):
                stack.append(.restoreSlot(slot, slots[slot]))
                slots[slot] = position
                pc += 1
            case .assert(let assertion):
                let holds: Bool
                switch assertion {
                case .startOfInput: holds = position == 0
                case .startOfLine: holds = position == 0 || input[position - 1] == 0x0A
                case .endOfInput: holds = position == count
                case .endOfInputOrNewline: holds = position == count || (position == count - 1 && input[position] == 0x0A)
                case .endOfLine: holds = position == count || input[position] == 0x0A
                case .wordBoundary: holds = isWord(position - 1) != isWord(position)
                case .notWordBoundary: holds = isWord(position - 1) == isWord(position)
                case .previousMatchEnd: holds = position == searchStart
                }
                if holds { pc += 1 } else { failed = true }
            case .backreference(let group, let ignoreCase):
                let groupStart = slots[2 * group]
                let groupEnd = slots[2 * group + 1]
                if groupStart < 0 || groupEnd < 0 {
                    // .NET: a reference to a group that did not participate fails.
                    failed = true
                } else {
                    let length = groupEnd - groupStart
                    if position + length <= count {
                        var equal = true
                        for offset in 0..<length {
                            let a = input[groupStart + offset]
                            let b = input[position + offset]
                            if a != b && !(ignoreCase && RegexCase.fold(a) == RegexCase.fold(b)) {
                                equal = false
                                break
                            }
                        }
                        if equal {
                            position += length
                            pc += 1
                        } else {
                            failed = true
                        }
                    } else {
                        failed = true
                    }
                }
            case .lookaround(let index, let ahead, let negated):
                let sub = program.subprograms[index]
                let saved = slots
                var matched = false
                if ahead {
                    matched = try run(sub, at: position, requiredEnd: nil) != nil
                } else {
                    var candidate = position
                    while candidate >= 0 {
                        if try run(sub, at: candidate, requiredEnd: position) != nil {
                            matched = true
                            break
                        }
                        candidate -= 1
                    }
                }
                if matched != negated {
                    if negated || !matched {
                        slots = saved
                    } else {
                        for slot in slots.indices where slots[slot] != saved[slot] {
                            stack.append(.restoreSlot(slot, saved[slot]))
                        }
                    }
                    pc += 1
                } else {
                    slots = saved
                    failed = true
                }
            case .atomic(let index):
                let saved = slots
                if let end = try run(program.subprograms[index], at: position, requiredEnd: nil) {
                    for slot in slots.indices where slots[slot] != saved[slot] {
                        stack.append(.restoreSlot(slot, saved[slot]))
                    }
                    position = end
                    pc += 1
                } else {
                    slots = saved
                    failed = true
                }
            case .mark(let register):
                stack.append(.restoreRegister(register, registers[register]))
                registers[register] = position
                pc += 1
            case .progress(let register):
                if registers[register] == position { failed = true } else { pc += 1 }
            case .match:
                if let requiredEnd, position != requiredEnd {
                    failed = true
                } else {
                    return position
                }
            }
            if failed {
                // Backtrack: undo captures until a branch to resume.
                var resumed = false
                while let frame = stack.popLast() {
                    switch frame {
                    case .restoreSlot(let slot, let value):
                        slots[slot] = value
                    case .restoreRegister(let register, let value):
                        registers[register] = value
                    case .branch(let target, let at):
                        pc = target
                        position = at
                        resumed = true
                    }
                    if resumed { break }
                }
                if !resumed { return nil }
            }
        }
    }
}
