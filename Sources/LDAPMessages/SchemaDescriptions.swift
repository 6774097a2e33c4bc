/// A directory's schema as its subschema entry publishes it (RFC 4512 §4.1): object classes with
/// their superclasses, kind, MUST and MAY attributes; attribute types with their syntax and
/// whether they hold one value. Names compare without case.
package struct DirectorySchema: Sendable {
    package struct ObjectClass: Sendable, Hashable {
        package enum Kind: String, Sendable {
            case abstract = "ABSTRACT"
            case structural = "STRUCTURAL"
            case auxiliary = "AUXILIARY"
        }

        package var oid: String
        package var names: [String]
        package var superclasses: [String]
        package var kind: Kind
        package var must: [String]
        package var may: [String]

        package var name: String { names.first ?? oid }
    }

    package struct AttributeType: Sendable, Hashable {
        package var oid: String
        package var names: [String]
        package var superior: String?
        /// The syntax OID, without its length bound (`1.3.6.1.4.1.1466.115.121.1.15`).
        package var syntax: String?
        package var singleValue: Bool
        package var noUserModification: Bool
        /// `userApplications` unless operational.
        package var usage: String

        package var name: String { names.first ?? oid }
    }

    package private(set) var objectClasses: [String: ObjectClass] = [:]
    package private(set) var attributeTypes: [String: AttributeType] = [:]

    package init() {}

    /// The schema of the `objectClasses` and `attributeTypes` values of a subschema entry; a value
    /// that cannot be read is skipped and reported in ``problems``.
    package init(objectClasses: [String], attributeTypes: [String]) {
        for text in attributeTypes {
            do {
                let type = try Self.attributeType(text)
                for key in type.names + [type.oid] { self.attributeTypes[key.lowercased()] = type }
            } catch {
                problems.append("\(error): \(text.prefix(80))")
            }
        }
        for text in objectClasses {
            do {
                let objectClass = try Self.objectClass(text)
                for key in objectClass.names + [objectClass.oid] { self.objectClasses[key.lowercased()] = objectClass }
            } catch {
                problems.append("\(error): \(text.prefix(80))")
            }
        }
    }

    /// Descriptions that could not be read.
    package private(set) var problems: [String] = []

    package func objectClass(_ name: String) -> ObjectClass? { objectClasses[name.lowercased()] }

    package func attributeType(_ name: String) -> AttributeType? { attributeTypes[name.lowercased()] }

    /// The syntax of an attribute type, through its superiors (`cn` has that of `name`).
    package func syntax(of name: String) -> String? {
        var current = attributeType(name)
        var seen: Set<String> = []
        while let type = current, seen.insert(type.oid).inserted {
            if let syntax = type.syntax { return syntax }
            current = type.superior.flatMap(attributeType)
        }
        return nil
    }

    /// The MUST and MAY attributes of classes, with those of their superclasses, in order and
    /// each once (by its first name).
    package func attributes(of classes: [String]) -> (must: [String], may: [String]) {
        var must: [String] = []
        var may: [String] = []
        var seen: Set<String> = []
        var visited: Set<String> = []
        func canonical(_ name: String) -> String { attributeType(name)?.name ?? name }
        func visit(_ name: String) {
            guard let objectClass = objectClass(name), visited.insert(objectClass.oid).inserted else { return }
            for superclass in objectClass.superclasses { visit(superclass) }
            for attribute in objectClass.must.map(canonical) where seen.insert(attribute.lowercased()).inserted { must.append(attribute) }
            for attribute in objectClass.may.map(canonical) where seen.insert(attribute.lowercased()).inserted { may.append(attribute) }
        }
        for name in classes { visit(name) }
        // An attribute MUST in one class and MAY in another is a MUST.
        return (must, may.filter { attribute in !must.contains { $0.lowercased() == attribute.lowercased() } })
    }

    // MARK: Reading descriptions

    /// What is wrong with a description.
    package struct ParseError: Error, CustomStringConvertible, Hashable, Sendable {
        package var message: String
        package var description: String { message }
    }

    /// `( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( … ) )`
    package static func objectClass(_ text: String) throws(ParseError) -> ObjectClass {
        let (oid, fields) = try parse(text)
        let kind = fields["ABSTRACT"] != nil ? ObjectClass.Kind.abstract : fields["AUXILIARY"] != nil ? .auxiliary : .structural
        return ObjectClass(
            oid: oid, names: fields["NAME"] ?? [], superclasses: fields["SUP"] ?? [], kind: kind, must: fields["MUST"] ?? [], may: fields["MAY"] ?? [])
    }

    /// `( 2.5.4.41 NAME 'name' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )`
    package static func attributeType(_ text: String) throws(ParseError) -> AttributeType {
        let (oid, fields) = try parse(text)
        let syntax = fields["SYNTAX"]?.first.map { value in value.split(separator: "{").first.map(String.init) ?? value }
        return AttributeType(
            oid: oid, names: fields["NAME"] ?? [], superior: fields["SUP"]?.first, syntax: syntax, singleValue: fields["SINGLE-VALUE"] != nil,
            noUserModification: fields["NO-USER-MODIFICATION"] != nil, usage: fields["USAGE"]?.first ?? "userApplications")
    }

    /// The numeric OID and the fields of a description: each keyword with its values (a quoted
    /// string, a list of them, a `$`-separated list in parentheses, or a bare word); a keyword
    /// without values (`SINGLE-VALUE`) maps to none.
    static func parse(_ text: String) throws(ParseError) -> (String, [String: [String]]) {
        var tokens: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == " " || character == "\t" || character == "\n" {
                index = text.index(after: index)
            } else if character == "(" || character == ")" || character == "$" {
                tokens.append(String(character))
                index = text.index(after: index)
            } else if character == "'" {
                let start = text.index(after: index)
                guard let end = text[start...].firstIndex(of: "'") else { throw ParseError(message: "a quoted string without its end") }
                tokens.append("'" + text[start..<end])
                index = text.index(after: end)
            } else {
                let start = index
                while index < text.endIndex, !" \t\n()$'".contains(text[index]) { index = text.index(after: index) }
                tokens.append(String(text[start..<index]))
            }
        }
        guard tokens.first == "(", tokens.last == ")", tokens.count >= 3 else { throw ParseError(message: "a description is '( OID … )'") }
        let oid = tokens[1]
        var fields: [String: [String]] = [:]
        var position = 2
        let body = tokens.count - 1
        func value(_ token: String) -> String { token.hasPrefix("'") ? String(token.dropFirst()) : token }
        while position < body {
            let keyword = tokens[position]
            position += 1
            var values: [String] = []
            if position < body, tokens[position] == "(" {
                position += 1
                while position < body, tokens[position] != ")" {
                    if tokens[position] != "$" { values.append(value(tokens[position])) }
                    position += 1
                }
                position += 1
            } else if position < body, keyword != "SINGLE-VALUE", keyword != "COLLECTIVE", keyword != "NO-USER-MODIFICATION", keyword != "OBSOLETE",
                !["ABSTRACT", "STRUCTURAL", "AUXILIARY"].contains(keyword)
            {
                values.append(value(tokens[position]))
                position += 1
            }
            fields[keyword] = values
        }
        return (oid, fields)
    }
}

/// The syntaxes a connector attribute's type follows from (RFC 4517 §3.3).
package enum Syntax {
    package static let boolean = "1.3.6.1.4.1.1466.115.121.1.7"
    package static let integer = "1.3.6.1.4.1.1466.115.121.1.27"
    package static let generalizedTime = "1.3.6.1.4.1.1466.115.121.1.24"
    package static let distinguishedName = "1.3.6.1.4.1.1466.115.121.1.12"
    package static let nameAndOptionalUID = "1.3.6.1.4.1.1466.115.121.1.34"
    package static let octetString = "1.3.6.1.4.1.1466.115.121.1.40"
    package static let jpeg = "1.3.6.1.4.1.1466.115.121.1.28"
    package static let certificate = "1.3.6.1.4.1.1466.115.121.1.8"
    package static let binary = "1.3.6.1.4.1.1466.115.121.1.5"
}
