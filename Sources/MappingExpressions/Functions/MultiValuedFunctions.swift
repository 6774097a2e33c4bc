/// Item, Count, RemoveDuplicates and Cloud Sync's Contains.
enum MultiValuedFunctions {
    /// `Item(attribute, index)`: the value at the 1-based index; out of range is an error.
    static func item(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        if let index = b.constant(1).flatMap(Conversion.exactInteger), index < 1 {
            throw b.error(.checkItemIndexZero, "'Item' counts from 1; index \(index) is never valid", argument: 1)
        }
        return Builders.call2(b) { source, position throws(FunctionError) in
            let index = try Conversion.integer(position, "'index' of 'Item'")
            let values = source.values
            guard index >= 1, index <= values.count else {
                throw FunctionError(
                    .evalIndexOutOfRange, "index \(index) of 'Item' is out of range; the attribute has \(values.count) value\(values.count == 1 ? "" : "s")")
            }
            return .string(values[Int(index - 1)])
        }
    }

    /// `Count(attribute)`: the number of values; NULL has none.
    static func count(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { source throws(FunctionError) in .number(Int64(source.values.count)) }
    }

    /// `RemoveDuplicates(attribute)`: each value once, in order of first appearance, compared
    /// ordinally (case-sensitive).
    static func removeDuplicates(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { source throws(FunctionError) in
            if source.isNull { return .null }
            let values = source.values
            var result: [String] = []
            result.reserveCapacity(values.count)
            if values.count <= 16 {
                // Few values: a linear scan is faster than hashing.
                for value in values where !result.contains(value) { result.append(value) }
            } else {
                var seen = Set<String>()
                for value in values where seen.insert(value).inserted { result.append(value) }
            }
            return .multiple(result)
        }
    }

    /// Cloud Sync `Contains(attribute, text, caseType?)`: the 1-based index of the first value that
    /// contains `text` (case-sensitive unless `IgnoreCase`), 0 when none does.
    static func contains(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.callN(b) { values, _ throws(FunctionError) in
            let needle = try Conversion.string(values[1], "'match' of 'Contains'")
            let ignoreCase = values.count > 2 && (values[2].text ?? "").caseInsensitiveEquals("IgnoreCase")
            for (index, value) in values[0].values.enumerated() {
                let found = ignoreCase ? value.lowercased().contains(needle.lowercased()) : value.contains(needle)
                if found { return .number(Int64(index + 1)) }
            }
            return .number(0)
        }
    }
}
