public import JSONValues

extension Value {
    /// A source attribute value from JSON: a string, a number (an integer stays a number, other
    /// numbers keep their text), a boolean, an array (multi-valued: each element's text; objects
    /// as their JSON), or null.
    public init(json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .boolean(flag)
        case .number(let text): self = Int64(text).map(Value.number) ?? .string(text)
        case .string(let text): self = .string(text)
        case .array(let elements):
            self = .multiple(elements.compactMap { element in
                switch element {
                case .null: nil
                case .string(let text): text
                case .number(let text): text
                case .bool(let flag): flag ? "True" : "False"
                default: element.serialized
                }
            })
        case .object: self = .string(json.serialized)
        }
    }

    /// The value in JSON: a string, an array of strings, null, `true`/`false`, a number, or
    /// `{"ignoreFlow":true}` / `{"ignoreObjectFlow":true}`. Dates are their text.
    public var json: JSON {
        switch self {
        case .null: .null
        case .string(let text): .string(text)
        case .multiple(let values): .array(values.map(JSON.string))
        case .boolean(let flag): .string(flag ? "True" : "False")
        case .number(let number): .string(String(number))
        case .dateTime(let date): .string(date.description)
        case .ignoreFlow: .object([("ignoreFlow", .bool(true))])
        case .ignoreObjectFlow: .object([("ignoreObjectFlow", .bool(true))])
        }
    }
}

extension Value {
    /// The attributes of a source object given as a JSON object (`{"givenName": "Zoë", …}`).
    public static func attributes(fromJSON text: String) throws(JSON.ParseError) -> [String: Value] {
        let document = try JSON.parse(text)
        guard case .object(let members) = document else {
            throw JSON.ParseError(message: "expected a JSON object of attributes", offset: 0, line: 1, column: 1)
        }
        var attributes: [String: Value] = [:]
        for (name, value) in members { attributes[name] = Value(json: value) }
        return attributes
    }
}
