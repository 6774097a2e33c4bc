/// Guid, RandomString, SelectUniqueValue, the app-role functions and Cloud Sync's DNComponent.
enum IdentityFunctions {
    static func guid(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call0(b) { context throws(FunctionError) in .string(context.guids.generate()) }
    }

    static let digits = Array("0123456789")
    static let uppercase = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let lowercase = Array("abcdefghijklmnopqrstuvwxyz")
    /// The special characters of the Windows password-complexity rules.
    static let specials = Array("~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/")

    /// `RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital,
    /// MinimumLowerCase, CharactersToAvoid?)`.
    static func randomString(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        if let length = b.constant(0).flatMap(Conversion.exactInteger), !(1...256).contains(length) {
            throw b.error(.checkInvalidArgument, "'Length' of 'RandomString' must be 1 to 256, not \(length)", argument: 0)
        }
        let minimums = (1...4).compactMap { b.constant($0).flatMap(Conversion.exactInteger) }
        if let length = b.constant(0).flatMap(Conversion.exactInteger), minimums.count == 4, minimums.reduce(0, +) > length {
            throw Diagnostic.error(
                .checkInvalidArgument, "the minimum counts of 'RandomString' add up to \(minimums.reduce(0, +)), more than its length \(length)",
                at: b.range)
        }
        return Builders.callN(b) { values, context throws(FunctionError) in
            let length = try Conversion.integer(values[0], "'Length' of 'RandomString'")
            var counts: [Int64] = []
            for (index, name) in ["MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase"].enumerated() {
                counts.append(values[index + 1].isNull ? 0 : try Conversion.integer(values[index + 1], "'\(name)' of 'RandomString'"))
            }
            guard (1...256).contains(length) else {
                throw FunctionError(.evalInvalidArgument, "'Length' of 'RandomString' must be 1 to 256, not \(length)")
            }
            guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) <= length else {
                throw FunctionError(.evalInvalidArgument, "the minimum counts of 'RandomString' exceed its length")
            }
            let avoid = Set(values.count > 5 ? try Conversion.string(values[5], "'CharactersToAvoid'") : "")
            let pools = [digits, specials, uppercase, lowercase].map { $0.filter { !avoid.contains($0) } }
            var characters: [Character] = []
            for (pool, count) in zip(pools, counts) where count > 0 {
                guard !pool.isEmpty else {
                    throw FunctionError(.evalInvalidArgument, "'CharactersToAvoid' removes every character of a required class")
                }
                for _ in 0..<count { characters.append(pool[context.random.integer(below: pool.count)]) }
            }
            let all = pools.flatMap { $0 }
            guard !all.isEmpty else { throw FunctionError(.evalInvalidArgument, "'CharactersToAvoid' removes every character") }
            while characters.count < length { characters.append(all[context.random.integer(below: all.count)]) }
            // Shuffle so the required classes are not always first.
            for index in stride(from: characters.count - 1, to: 0, by: -1) {
                characters.swapAt(index, context.random.integer(below: index + 1))
            }
            return .string(String(characters))
        }
    }

    /// `SelectUniqueValue(rule1, rule2, …)`: the first rule whose value is not already in the
    /// target. Empty values are skipped. When every value is taken the object cannot be
    /// provisioned (Entra escrows it): an error.
    static func selectUniqueValue(_ b: inout CallBuilder) -> any EvaluationNode {
        SelectUniqueValueNode(range: b.range, rules: (0..<b.count).map { b.node($0) })
    }

    /// `AppRoleAssignmentsComplex([appRoleAssignments])` and the assertive variant: the role
    /// assignments themselves, for a multi-valued `roles` target.
    static func appRoleAssignments(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in value.isNull ? .null : .multiple(value.values) }
    }

    /// `SingleAppRoleAssignment([appRoleAssignments])`: the user's one role. With several, the first
    /// (Entra calls the result unpredictable).
    static func singleAppRoleAssignment(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in value.values.first.map(Value.string) ?? .null }
    }

    /// Cloud Sync `DNComponent(dn, componentNumber)`: the value of the n-th RDN from the left.
    static func dnComponent(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call2(b) { dn, number throws(FunctionError) in
            if dn.isNull { return .null }
            let text = try Conversion.string(dn, "'dn' of 'DNComponent'")
            let n = try Conversion.integer(number, "'componentNumber' of 'DNComponent'")
            let components = DistinguishedName.components(text)
            guard n >= 1, n <= components.count else { return .null }
            return .string(components[Int(n - 1)])
        }
    }
}

struct SelectUniqueValueNode: EvaluationNode {
    let range: SourceRange
    let rules: [any EvaluationNode]

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        var tried: [String] = []
        for rule in rules {
            let value = try rule.evaluate(context)
            if value.isFlowDirective { return value }
            guard let text = value.text, !text.isEmpty else { continue }
            if !context.isTaken(text) { return .string(text) }
            tried.append(text)
        }
        throw EvaluationError(
            .evalNoUniqueValue,
            "every value of 'SelectUniqueValue' is already taken (\(tried.map { "'\($0)'" }.joined(separator: ", "))); Entra escrows the object",
            at: range)
    }
}

enum DistinguishedName {
    /// The attribute values of the RDNs of a DN, left to right, with escapes removed.
    static func components(_ dn: String) -> [String] {
        var result: [String] = []
        var current = ""
        var escaped = false
        for character in dn {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == ";" {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || !result.isEmpty { result.append(current) }
        return result.map { rdn in
            guard let equals = rdn.firstIndex(of: "=") else { return rdn.trimmingCharacters(in: " ") }
            return String(rdn[rdn.index(after: equals)...]).trimmingCharacters(in: " ")
        }
    }
}
