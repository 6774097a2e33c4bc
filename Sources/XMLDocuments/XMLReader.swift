import Foundation

/// Why a document is not read, at its line and column.
package struct XMLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var description: String { message }

    package init(message: String) {
        self.message = message
    }
}

/// Reads an XML document into ``XML.Element``s with every name resolved to its namespace.
///
/// A reader of its own over the document's bytes, one pass: XML 1.0 with namespaces, as SOAP
/// messages, WSDL and XSD use it. A document type declaration is refused, so that no entity can
/// be defined, expanded or fetched: SOAP messages may not have one, and WSDL and XSD do not need
/// one. Text is kept as written, whitespace included (line ends normalised to `\n`), CDATA as
/// text, and the five predefined entities and character references are replaced. A document in
/// UTF-16 or a declared single-byte encoding is converted to UTF-8 first. Every problem is
/// reported at its line and column; an element remembers where its start tag begins.
package enum XMLReader {
    package static func parse(_ bytes: [UInt8], name: String) throws(XMLProblem) -> XML.Element {
        let utf8: [UInt8]
        do {
            utf8 = try Encoding.utf8(bytes)
        } catch {
            throw XMLProblem(message: "\(name):1:1: not well-formed XML: \(error.reason)")
        }
        var scanner = Scanner(utf8)
        do {
            return try scanner.document()
        } catch {
            let (line, column) = scanner.position(of: error.offset)
            if error.doctype {
                throw XMLProblem(message: "\(name):\(line):\(column): a document type declaration (<!DOCTYPE>) is not read: it could define entities")
            }
            throw XMLProblem(message: "\(name):\(line):\(column): not well-formed XML: \(error.reason)")
        }
    }

    struct Failure: Error {
        var offset: Int
        var reason: String
        var doctype = false
    }

    struct EncodingFailure: Error {
        var reason: String
    }

    /// The document as UTF-8: as it is, without a byte order mark, or converted from UTF-16 or
    /// the single-byte encoding its declaration names.
    enum Encoding {
        static func utf8(_ bytes: [UInt8]) throws(EncodingFailure) -> [UInt8] {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return try valid(Array(bytes.dropFirst(3))) }
            if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
                guard let text = String(data: Data(bytes), encoding: .utf16) else { throw EncodingFailure(reason: "the document is not valid UTF-16") }
                return Array(text.utf8)
            }
            if let declared = declaredEncoding(bytes) {
                switch declared.lowercased() {
                case "utf-8", "utf8", "us-ascii", "ascii":
                    break
                case "iso-8859-1", "latin1", "latin-1", "iso_8859-1":
                    var text = ""
                    text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
                    return Array(text.utf8)
                case "windows-1252", "cp1252":
                    guard let text = String(data: Data(bytes), encoding: .windowsCP1252) else { throw EncodingFailure(reason: "the document is not valid windows-1252") }
                    return Array(text.utf8)
                default:
                    throw EncodingFailure(reason: "the encoding '\(declared)' is not read (UTF-8, UTF-16, ISO-8859-1 and windows-1252 are)")
                }
            }
            return try valid(bytes)
        }

        static func valid(_ bytes: [UInt8]) throws(EncodingFailure) -> [UInt8] {
            guard bytes.contains(where: { $0 >= 0x80 }) else { return bytes }
            guard String(validating: bytes, as: UTF8.self) != nil else { throw EncodingFailure(reason: "the document is not valid UTF-8") }
            return bytes
        }

        /// `encoding="…"` of an XML declaration at the very start.
        static func declaredEncoding(_ bytes: [UInt8]) -> String? {
            guard bytes.starts(with: Array("<?xml".utf8)), let end = bytes.firstIndex(of: UInt8(ascii: ">")) else { return nil }
            let declaration = String(decoding: bytes[..<end], as: UTF8.self)
            guard let range = declaration.range(of: "encoding") else { return nil }
            let rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
            return String(rest.dropFirst().prefix { $0 != quote })
        }
    }

    /// The reader proper, over UTF-8 bytes.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        /// Where ``position(of:)`` last counted to, so that counting is done once over the document.
        var counted = (offset: 0, line: 1, column: 1)

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
        static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"

        /// Line and column (in characters) of a byte offset; offsets asked for in order are
        /// counted from the last one.
        mutating func position(of offset: Int) -> (Int, Int) {
            if offset < counted.offset { counted = (0, 1, 1) }
            var (at, line, column) = counted
            let end = min(offset, bytes.count)
            while at < end {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
                at += 1
            }
            counted = (at, line, column)
            return (line, column)
        }

        func fail(_ reason: String, at offset: Int? = nil) -> Failure {
            Failure(offset: offset ?? index, reason: reason)
        }

        var atEnd: Bool { index >= bytes.count }

        func peek(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            return text.withUTF8Buffer { pattern in
                for offset in 0..<count where bytes[index + offset] != pattern[offset] { return false }
                return true
            }
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        /// Up to and past `terminator`; the bytes before it.
        /// (A missing terminator is reported at `opener`, where the construct began.)
        mutating func until(_ terminator: StaticString, what: String, opener: Int? = nil) throws(Failure) -> ArraySlice<UInt8> {
            let start = index
            while index < bytes.count {
                if peek(terminator) {
                    let content = bytes[start..<index]
                    index += terminator.utf8CodeUnitCount
                    return content
                }
                index += 1
            }
            throw fail("\(what) is not closed", at: opener ?? start)
        }

        // MARK: The document

        mutating func document() throws(Failure) -> XML.Element {
            if peek("<?xml") && index + 5 < bytes.count && Self.isSpace(bytes[index + 5]) {
                index += 5
                _ = try until("?>", what: "the XML declaration", opener: 0)
            }
            try misc()
            guard !atEnd else { throw fail("the document has no root element") }
            if peek("<!DOCTYPE") { throw Failure(offset: index, reason: "", doctype: true) }
            guard bytes[index] == UInt8(ascii: "<") else { throw fail("text before the root element") }
            let root = try element(scope: ["xml": Self.xmlNamespace])
            try misc()
            guard atEnd else {
                if peek("<!DOCTYPE") { throw Failure(offset: index, reason: "", doctype: true) }
                throw fail("content after the root element")
            }
            return root
        }

        /// Whitespace, comments and processing instructions, outside the root element.
        mutating func misc() throws(Failure) {
            while true {
                skipSpace()
                if peek("<!--") {
                    try comment()
                } else if peek("<?") {
                    try processingInstruction()
                } else {
                    return
                }
            }
        }

        mutating func comment() throws(Failure) {
            let opener = index
            index += 4
            _ = try until("-->", what: "a comment", opener: opener)
        }

        mutating func processingInstruction() throws(Failure) {
            let start = index
            index += 2
            let target = try name()
            if target.lowercased() == "xml" { throw fail("an XML declaration is allowed only at the very start", at: start) }
            _ = try until("?>", what: "a processing instruction", opener: start)
        }

        static func isNameStart(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }

        mutating func name() throws(Failure) -> String {
            let start = index
            guard index < bytes.count, Self.isNameStart(bytes[index]) else { throw fail("a name was expected") }
            index += 1
            while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// `prefix:local` split at its colon; nil prefix for an unprefixed name.
        func split(_ qualified: String, at offset: Int) throws(Failure) -> (prefix: String?, local: String) {
            guard let colon = qualified.utf8.firstIndex(of: UInt8(ascii: ":")) else { return (nil, qualified) }
            let prefix = String(qualified[..<colon])
            let local = String(qualified[qualified.index(after: colon)...])
            guard !prefix.isEmpty, !local.isEmpty, !local.utf8.contains(UInt8(ascii: ":")) else {
                throw fail("'\(qualified)' is not a qualified name", at: offset)
            }
            return (prefix, local)
        }

        // MARK: Elements

        /// An element and everything in it, from its `<`.
        mutating func element(scope inherited: [String: String]) throws(Failure) -> XML.Element {
            let start = index
            index += 1
            let qualified = try name()
            var raw: [(name: String, value: String, offset: Int)] = []
            var empty = false
            while true {
                let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
                skipSpace()
                guard index < bytes.count else { throw fail("the start tag of '\(qualified)' is not closed", at: start) }
                if bytes[index] == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                if peek("/>") {
                    index += 2
                    empty = true
                    break
                }
                guard hadSpace else { throw fail("a space is needed before an attribute in the start tag of '\(qualified)'") }
                let offset = index
                let attribute = try name()
                if raw.contains(where: { $0.name == attribute }) { throw fail("the attribute '\(attribute)' is given twice", at: offset) }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("'=' was expected after the attribute '\(attribute)'") }
                index += 1
                skipSpace()
                raw.append((attribute, try attributeValue(), offset))
            }

            // Namespace declarations first: they hold for the element's own name and attributes.
            var scope = inherited
            var declarations: [(prefix: String, uri: String)] = []
            for attribute in raw {
                if attribute.name == "xmlns" {
                    declarations.append(("", attribute.value))
                } else if attribute.name.hasPrefix("xmlns:") {
                    let prefix = String(attribute.name.dropFirst(6))
                    guard !prefix.isEmpty, !attribute.value.isEmpty else {
                        throw fail("the prefix '\(prefix)' cannot be declared empty (Namespaces in XML 1.0)", at: attribute.offset)
                    }
                    declarations.append((prefix, attribute.value))
                }
            }
            for (prefix, uri) in declarations { scope[prefix] = uri }

            let (prefix, local) = try split(qualified, at: start + 1)
            let namespace: String?
            if let prefix {
                guard let uri = scope[prefix] else { throw fail("the prefix '\(prefix)' of the element '\(qualified)' is not declared", at: start + 1) }
                namespace = uri
            } else {
                namespace = scope[""]
            }
            var attributes: [(name: XML.Name, value: String)] = []
            for attribute in raw where attribute.name != "xmlns" && !attribute.name.hasPrefix("xmlns:") {
                let (attributePrefix, attributeLocal) = try split(attribute.name, at: attribute.offset)
                if let attributePrefix {
                    guard let uri = scope[attributePrefix] else {
                        throw fail("the prefix '\(attributePrefix)' of the attribute '\(attribute.name)' is not declared", at: attribute.offset)
                    }
                    attributes.append((XML.Name(attributeLocal, namespace: uri), attribute.value))
                } else {
                    // An unprefixed attribute is in no namespace (Namespaces in XML §6.2).
                    attributes.append((XML.Name(attributeLocal), attribute.value))
                }
            }
            attributes.sort { $0.name.description < $1.name.description }
            let (line, column) = position(of: start)
            var element = XML.Element(
                XML.Name(local, namespace: namespace), prefix: prefix, attributes: attributes, declarations: declarations, scope: scope,
                line: line, column: column)
            if !empty { try content(of: &element, qualified: qualified, start: start) }
            return element
        }

        /// What is between the start and the end tag, and the end tag.
        mutating func content(of element: inout XML.Element, qualified: String, start: Int) throws(Failure) {
            var text: [UInt8] = []
            func flush(_ element: inout XML.Element) {
                if !text.isEmpty {
                    element.children.append(.text(String(decoding: text, as: UTF8.self)))
                    text.removeAll(keepingCapacity: true)
                }
            }
            while true {
                guard index < bytes.count else { throw fail("the element '\(qualified)' is not closed", at: start) }
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") {
                    if peek("</") {
                        let closing = index
                        index += 2
                        let name = try name()
                        skipSpace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("the end tag of '\(name)' is not closed", at: closing) }
                        index += 1
                        guard name == qualified else {
                            throw fail("the end tag '\(name)' does not close the element '\(qualified)'", at: closing)
                        }
                        flush(&element)
                        return
                    } else if peek("<!--") {
                        try comment()
                    } else if peek("<![CDATA[") {
                        let opener = index
                        index += 9
                        text.append(contentsOf: normalisedLineEnds(try until("]]>", what: "a CDATA section", opener: opener)))
                    } else if peek("<?") {
                        try processingInstruction()
                    } else if peek("<!") {
                        if peek("<!DOCTYPE") { throw Failure(offset: index, reason: "", doctype: true) }
                        throw fail("markup declarations are not allowed in content")
                    } else {
                        flush(&element)
                        element.children.append(.element(try self.element(scope: element.scope)))
                    }
                } else if byte == UInt8(ascii: "&") {
                    try reference(into: &text)
                } else if byte == UInt8(ascii: "\r") {
                    text.append(UInt8(ascii: "\n"))
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                } else {
                    // A run of plain text at once.
                    let run = index
                    while index < bytes.count, case let next = bytes[index], next != UInt8(ascii: "<"), next != UInt8(ascii: "&"), next != UInt8(ascii: "\r") {
                        index += 1
                    }
                    text.append(contentsOf: bytes[run..<index])
                }
            }
        }

        func normalisedLineEnds(_ slice: ArraySlice<UInt8>) -> [UInt8] {
            guard slice.contains(UInt8(ascii: "\r")) else { return Array(slice) }
            var result: [UInt8] = []
            var previous: UInt8 = 0
            for byte in slice {
                if byte == UInt8(ascii: "\r") {
                    result.append(UInt8(ascii: "\n"))
                } else if !(byte == UInt8(ascii: "\n") && previous == UInt8(ascii: "\r")) {
                    result.append(byte)
                }
                previous = byte
            }
            return result
        }

        /// A quoted attribute value, references replaced and whitespace made spaces (XML §3.3.3).
        mutating func attributeValue() throws(Failure) -> String {
            guard index < bytes.count, case let quote = bytes[index], quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("an attribute value in quotes was expected")
            }
            let start = index
            index += 1
            var value: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("the attribute value is not closed", at: start) }
                let byte = bytes[index]
                if byte == quote {
                    index += 1
                    return String(decoding: value, as: UTF8.self)
                } else if byte == UInt8(ascii: "<") {
                    throw fail("'<' is not allowed in an attribute value")
                } else if byte == UInt8(ascii: "&") {
                    try reference(into: &value)
                } else if byte == UInt8(ascii: "\r") {
                    value.append(0x20)
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                } else {
                    value.append(byte == 0x09 || byte == 0x0A ? 0x20 : byte)
                    index += 1
                }
            }
        }

        /// `&amp;`, `&#233;`, `&#xE9;`: what it stands for, as UTF-8.
        mutating func reference(into output: inout [UInt8]) throws(Failure) {
            let start = index
            index += 1
            guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw fail("'&' starts no entity or character reference (write &amp;)", at: start)
            }
            let body = bytes[index..<semicolon]
            index = semicolon + 1
            switch String(decoding: body, as: UTF8.self) {
            case "amp": output.append(UInt8(ascii: "&"))
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            case let reference where reference.hasPrefix("#"):
                let digits = reference.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value), Self.isChar(value) else {
                    throw fail("'&\(reference);' is not a character XML allows", at: start)
                }
                output.append(contentsOf: String(Character(scalar)).utf8)
            case let entity:
                throw fail("the entity '&\(entity);' is not defined (only &amp; &lt; &gt; &quot; &apos; are)", at: start)
            }
        }

        /// Char of XML 1.0 §2.2.
        static func isChar(_ value: UInt32) -> Bool {
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value)
                || (0x10000...0x10FFFF).contains(value)
        }
    }
}
