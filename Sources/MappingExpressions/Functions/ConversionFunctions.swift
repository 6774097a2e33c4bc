import Foundation

/// BitAnd, CBool, CStr, ConvertToBase64, ConvertToUTF8Hex, ConvertFromBase64, IsNull,
/// IsNullOrEmpty, IsPresent, IsString, Not, Redact, CRef, StringFromSid.
enum ConversionFunctions {
    static func bitAnd(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call2(b) { x, y throws(FunctionError) in
            .number(try Conversion.integer(x, "'value1' of 'BitAnd'") & Conversion.integer(y, "'value2' of 'BitAnd'"))
        }
    }

    /// `CBool(expression)`: a comparison's result, `True`/`False` text, or a number (non-zero is
    /// true).
    static func cBool(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in .boolean(try Conversion.boolean(value, "'CBool'")) }
    }

    /// `CStr(value)`: the text of a number, boolean, date or reference. NULL stays NULL.
    static func cStr(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            if value.isNull { return .null }
            return .string(try Conversion.string(value, "'value' of 'CStr'"))
        }
    }

    /// `ConvertToBase64(source)`: Base64 of the UTF-16LE bytes.
    static func convertToBase64(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            if value.isNull { return .null }
            let text = try Conversion.string(value, "'source' of 'ConvertToBase64'")
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf16.count * 2)
            for unit in text.utf16 {
                bytes.append(UInt8(unit & 0xFF))
                bytes.append(UInt8(unit >> 8))
            }
            return .string(Data(bytes).base64EncodedString())
        }
    }

    /// `ConvertToUTF8Hex(source)`: upper-case hex of the UTF-8 bytes.
    static func convertToUTF8Hex(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            if value.isNull { return .null }
            let text = try Conversion.string(value, "'source' of 'ConvertToUTF8Hex'")
            let digits = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count * 2)
            for byte in text.utf8 {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
            return .string(String(decoding: out, as: UTF8.self))
        }
    }

    /// Cloud Sync `ConvertFromBase64(source, encoding?)`: `Unicode` (UTF-16LE, the default),
    /// `UTF8` or `ASCII`.
    static func convertFromBase64(_ b: inout CallBuilder) throws(Diagnostic) -> any EvaluationNode {
        if let encoding = b.constant(1), !encoding.isNull, !["Unicode", "UTF8", "ASCII"].contains(encoding.text ?? "") {
            throw b.error(.checkInvalidArgument, "'encoding' of 'ConvertFromBase64' must be Unicode, UTF8 or ASCII", argument: 1)
        }
        return Builders.callN(b) { values, _ throws(FunctionError) in
            if values[0].isNull { return .null }
            let text = try Conversion.string(values[0], "'source' of 'ConvertFromBase64'")
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw FunctionError(.evalInvalidArgument, "'source' of 'ConvertFromBase64' is not valid Base64")
            }
            let bytes = [UInt8](data)
            let encoding = values.count > 1 ? (values[1].text ?? "") : ""
            switch encoding {
            case "UTF8": return .string(String(decoding: bytes, as: UTF8.self))
            case "ASCII": return .string(String(decoding: bytes.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self))
            default:
                var units: [UInt16] = []
                var index = 0
                while index + 1 < bytes.count {
                    units.append(UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)
                    index += 2
                }
                return .string(String(decoding: units, as: UTF16.self))
            }
        }
    }

    static func isNull(_ b: inout CallBuilder) -> any EvaluationNode {
        PresenceNode(range: b.range, argument: b.node(0), test: .isNull)
    }

    static func isNullOrEmpty(_ b: inout CallBuilder) -> any EvaluationNode {
        PresenceNode(range: b.range, argument: b.node(0), test: .isNullOrEmpty)
    }

    static func isPresent(_ b: inout CallBuilder) -> any EvaluationNode {
        PresenceNode(range: b.range, argument: b.node(0), test: .isPresent)
    }

    /// `IsString(expression)`: whether the value can be read as one string (what `CStr` accepts).
    static func isString(_ b: inout CallBuilder) -> any EvaluationNode {
        PresenceNode(range: b.range, argument: b.node(0), test: .isString)
    }

    /// `Not(source)`: `True` (in any case) becomes `False`; anything else becomes `True`.
    static func not(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            switch value {
            case .boolean(let flag): return .boolean(!flag)
            case .string(let text): return .boolean(!(text == "True" || text.caseInsensitiveEquals("true")))
            default: return .boolean(true)
            }
        }
    }

    /// `Redact(value)`: the value itself; reports show `[Redact]` instead.
    static func redact(_ b: inout CallBuilder) -> any EvaluationNode { b.node(0) }

    /// Cloud Sync `CRef(value)`: a reference, which here is its text.
    static func cRef(_ b: inout CallBuilder) -> any EvaluationNode { b.node(0) }

    /// Cloud Sync `StringFromSid(binarySid)`: the `S-1-…` form of a binary SID given as Base64.
    static func stringFromSid(_ b: inout CallBuilder) -> any EvaluationNode {
        Builders.call1(b) { value throws(FunctionError) in
            if value.isNull { return .null }
            let text = try Conversion.string(value, "'binarySid' of 'StringFromSid'")
            if text.hasPrefix("S-") { return .string(text) }
            guard let data = Data(base64Encoded: text), data.count >= 8 else {
                throw FunctionError(.evalInvalidArgument, "'binarySid' of 'StringFromSid' is not a Base64 binary SID")
            }
            let bytes = [UInt8](data)
            let count = Int(bytes[1])
            guard bytes.count >= 8 + 4 * count else {
                throw FunctionError(.evalInvalidArgument, "'binarySid' of 'StringFromSid' is truncated")
            }
            var authority: UInt64 = 0
            for index in 2..<8 { authority = authority << 8 | UInt64(bytes[index]) }
            var result = "S-\(bytes[0])-\(authority)"
            for sub in 0..<count {
                let offset = 8 + 4 * sub
                let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                    | UInt32(bytes[offset + 3]) << 24
                result += "-\(value)"
            }
            return .string(result)
        }
    }
}

/// `IsNull`, `IsNullOrEmpty`, `IsPresent`, `IsString`. Unlike other functions these look at flow
/// directives too: a directive is no value, so it counts as NULL.
struct PresenceNode: EvaluationNode {
    enum Test { case isNull, isNullOrEmpty, isPresent, isString }
    let range: SourceRange
    let argument: any EvaluationNode
    let test: Test

    func evaluate(_ context: EvaluationContext) throws(EvaluationError) -> Value {
        let value = try argument.evaluate(context)
        let empty = value.isNullOrEmpty || value.isFlowDirective
        switch test {
        case .isNull: return .boolean(value.isNull || value.isFlowDirective)
        case .isNullOrEmpty: return .boolean(empty)
        case .isPresent: return .boolean(!empty)
        case .isString:
            switch value {
            case .string, .number, .boolean, .dateTime: return .boolean(true)
            default: return .boolean(false)
            }
        }
    }
}
