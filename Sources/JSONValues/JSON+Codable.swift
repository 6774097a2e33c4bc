/// A JSON value inside `Codable` types (the messages of the process connector protocol): any
/// value at all, as a `JSONDecoder` hands it over. Integers keep their digits; other numbers go
/// through `Double`, as every `Codable` coder reads them.
extension JSON: Codable {
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSON] = []
            if let count = array.count { values.reserveCapacity(count) }
            while !array.isAtEnd { values.append(try array.decode(JSON.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            // A coder's keys come in no set order; a message's members have none that matters.
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSON.self, forKey: $0)) }.sorted { $0.0 < $1.0 })
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? value.decode(Int64.self) {
            self = .number(String(integer))
        } else if let integer = try? value.decode(UInt64.self) {
            self = .number(String(integer))
        } else if let number = try? value.decode(Double.self) {
            self = .number(number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        } else {
            self = .string(try value.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var value = encoder.singleValueContainer()
            try value.encodeNil()
        case .bool(let bool):
            var value = encoder.singleValueContainer()
            try value.encode(bool)
        case .number(let text):
            var value = encoder.singleValueContainer()
            if let integer = Int64(text) {
                try value.encode(integer)
            } else if let integer = UInt64(text) {
                try value.encode(integer)
            } else {
                try value.encode(Double(text) ?? 0)
            }
        case .string(let text):
            var value = encoder.singleValueContainer()
            try value.encode(text)
        case .array(let values):
            var array = encoder.unkeyedContainer()
            for element in values { try array.encode(element) }
        case .object(let members):
            var object = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in members { try object.encode(value, forKey: AnyKey(key)) }
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
