import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a document is not read, at its line and column.
package struct XMLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var description: String { message }

    package init(message: String) {
        self.message = message
    }
}

/// Reads an XML document into ``XML.Element``s with every name resolved to its namespace, on
/// FoundationXML's `XMLParser` (libxml2). A document type declaration is refused, so that no
/// entity can be defined, expanded or fetched: SOAP messages may not have one, and WSDL and
/// XSD do not need one. Text is kept as written, whitespace included, and CDATA as text.
package enum XMLReader {
    package static func parse(_ bytes: [UInt8], name: String) throws(XMLProblem) -> XML.Element {
        if let at = doctype(bytes) {
            let (line, column) = position(of: at, in: bytes)
            throw XMLProblem(message: "\(name):\(line):\(column): a document type declaration (<!DOCTYPE>) is not read: it could define entities")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = true
        parser.shouldResolveExternalEntities = false
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        guard parsed, collector.failure == nil, let root = collector.root else {
            let reason = collector.failure ?? parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed"
            throw XMLProblem(message: "\(name):\(max(1, parser.lineNumber)):\(max(1, parser.columnNumber)): not well-formed XML: \(reason)")
        }
        return root
    }

    /// The offset of `<!DOCTYPE`, when the document has one.
    static func doctype(_ bytes: [UInt8]) -> Int? {
        let marker = Array("<!DOCTYPE".utf8)
        guard bytes.count >= marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if Array(bytes[start..<(start + marker.count)]) == marker { return start }
        }
        return nil
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// Builds the tree from the parser's events.
    private final class Collector: NSObject, XMLParserDelegate {
        var stack: [XML.Element] = []
        var root: XML.Element?
        var pending: [(prefix: String, uri: String)] = []
        var failure: String?

        func parser(_ parser: XMLParser, didStartMappingPrefix prefix: String, toURI namespaceURI: String) {
            pending.append((prefix, namespaceURI))
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            var scope = stack.last?.scope ?? ["xml": "http://www.w3.org/XML/1998/namespace"]
            for (prefix, uri) in pending { scope[prefix] = uri }
            let qualified = qName ?? elementName
            let prefix = qualified.firstIndex(of: ":").map { String(qualified[..<$0]) }
            var element = XML.Element(
                XML.Name(elementName, namespace: namespaceURI ?? scope[prefix ?? ""]), prefix: prefix, declarations: pending, scope: scope,
                line: parser.lineNumber, column: parser.columnNumber)
            pending = []
            for (key, value) in attributeDict.sorted(by: { $0.key < $1.key }) {
                if key == "xmlns" || key.hasPrefix("xmlns:") { continue }
                let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2 {
                    guard let uri = scope[parts[0]] else {
                        failure = "the prefix '\(parts[0])' of the attribute '\(key)' is not declared"
                        parser.abortParsing()
                        return
                    }
                    element.attributes.append((XML.Name(parts[1], namespace: uri), value))
                } else {
                    // An unprefixed attribute is in no namespace (Namespaces in XML §6.2).
                    element.attributes.append((XML.Name(key), value))
                }
            }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(.element(element))
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            append(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            append(String(decoding: CDATABlock, as: UTF8.self))
        }

        private func append(_ text: String) {
            guard !stack.isEmpty else { return }
            if case .text(let before)? = stack[stack.count - 1].children.last {
                stack[stack.count - 1].children[stack[stack.count - 1].children.count - 1] = .text(before + text)
            } else {
                stack[stack.count - 1].children.append(.text(text))
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failure == nil { failure = "\(parseError.localizedDescription)" }
        }
    }
}
