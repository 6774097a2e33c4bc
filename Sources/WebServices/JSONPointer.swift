import Foundation
package import JSONValues

/// A place in a JSON document: an RFC 6901 JSON Pointer (`/data/items`, `/_links/next/href`,
/// `` (empty) for the whole document), with one extension for records that hold lists of
/// objects: a `*` segment stands for every element of an array (`/roles/*/name`); a single
/// value there counts as a list of one, as XML read as JSON has no lists of one.
package struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    package enum Segment: Sendable, Hashable {
        case key(String)
        case every
    }

    package let segments: [Segment]
    package let description: String

    /// Parses `text`; nil when it is not a pointer (it must be empty or start with `/`).
    package init?(_ text: String) {
        guard text.isEmpty || text.hasPrefix("/") else { return nil }
        description = text
        segments = text.isEmpty ? [] : text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { raw in
            raw == "*" ? .every : .key(raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~"))
        }
    }

    /// The pointer of the whole document.
    package static let root = JSONPointer("")!

    /// Whether a `*` makes the pointer select a list rather than one value.
    package var selectsMany: Bool { segments.contains(.every) }

    /// The value at the pointer, or nil. With `*`, an array of every value found.
    package func value(in document: JSON) -> JSON? {
        Self.resolve(segments[...], in: document)
    }

    private static func resolve(_ rest: ArraySlice<Segment>, in value: JSON) -> JSON? {
        guard let first = rest.first else { return value }
        switch first {
        case .every:
            switch value {
            case .array(let elements): return .array(elements.compactMap { resolve(rest.dropFirst(), in: $0) })
            case .null: return nil
            default: return .array([resolve(rest.dropFirst(), in: value)].compactMap { $0 })
            }
        case .key(let key):
            switch value {
            case .object(let members):
                guard let member = members.first(where: { $0.0 == key }) else { return nil }
                return resolve(rest.dropFirst(), in: member.1)
            case .array(let elements):
                guard let index = Int(key), index >= 0, index < elements.count else { return nil }
                return resolve(rest.dropFirst(), in: elements[index])
            default:
                return nil
            }
        }
    }
}

/// A dotted path into a value, as expressions name them: `steps.create.body.data.id`,
/// `item.name`, `steps.login.headers.location`. Each part is a member name or an array index.
package enum DottedPath {
    package static func value(_ parts: ArraySlice<Substring>, in value: JSON) -> JSON? {
        var current = value
        for part in parts {
            switch current {
            case .object(let members):
                guard let member = members.first(where: { $0.0 == part }) else { return nil }
                current = member.1
            case .array(let elements):
                guard let index = Int(part), index >= 0, index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
