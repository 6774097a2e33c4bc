/// A value of the expression language.
///
/// NULL (an absent attribute) is distinct from the empty string. Booleans, numbers and dates are
/// kept typed while they flow between functions and render as text where a string is needed:
/// `True`/`False`, plain decimal, and `M/d/yyyy h:mm:ss tt` in UTC.
public enum Value: Hashable, Sendable {
    /// No value: an absent attribute, or a function result that is absent.
    case null
    case string(String)
    /// A multi-valued attribute or function result, in order.
    case multiple([String])
    case boolean(Bool)
    case number(Int64)
    case dateTime(DateTime)
    /// Do not write this target attribute (`IgnoreFlowIfNullOrEmpty`, `IgnoreAttributeFlow`).
    case ignoreFlow
    /// Do not process this object at all (`IgnoreObjectFlow`).
    case ignoreObjectFlow
}

extension Value {
    /// The name of the value's type, as `attrmap eval --format json` reports it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .string: "string"
        case .multiple: "multiValued"
        case .boolean: "boolean"
        case .number: "number"
        case .dateTime: "dateTime"
        case .ignoreFlow: "ignoreFlow"
        case .ignoreObjectFlow: "ignoreObjectFlow"
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Whether this is a flow directive rather than a value.
    public var isFlowDirective: Bool {
        switch self {
        case .ignoreFlow, .ignoreObjectFlow: true
        default: false
        }
    }

    /// True for NULL and for the empty string (and an empty multi-valued value).
    public var isNullOrEmpty: Bool {
        switch self {
        case .null: true
        case .string(let string): string.isEmpty
        case .multiple(let values): values.isEmpty
        default: false
        }
    }

    /// The text of a single value: what a string parameter receives. NULL is the empty string.
    /// Nil for a multi-valued value or a flow directive.
    public var text: String? {
        switch self {
        case .null: ""
        case .string(let string): string
        case .boolean(let value): value ? "True" : "False"
        case .number(let value): String(value)
        case .dateTime(let date): date.description
        case .multiple, .ignoreFlow, .ignoreObjectFlow: nil
        }
    }

    /// The values of the value: one for a single value, none for NULL.
    public var values: [String] {
        switch self {
        case .null, .ignoreFlow, .ignoreObjectFlow: []
        case .multiple(let values): values
        default: [text ?? ""]
        }
    }

    /// How the value reads in reports: the text, values separated by `; `, `NULL` for NULL.
    public var displayText: String {
        switch self {
        case .null: "NULL"
        case .multiple(let values): "[" + values.map { Printer.quoted($0) }.joined(separator: ", ") + "]"
        case .ignoreFlow: "IgnoreFlow"
        case .ignoreObjectFlow: "IgnoreObjectFlow"
        default: text ?? ""
        }
    }
}

extension Value: CustomStringConvertible {
    public var description: String { displayText }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: String...) { self = .multiple(elements) }
    public init(nilLiteral: ()) { self = .null }
}
