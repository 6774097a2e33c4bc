/// Writes ``XML.Element``s as XML text: each element with its prefix, the namespace declarations
/// it carries and any it needs to be read back with the same names (a prefix or a default
/// namespace not in scope is declared where it is first used; an unqualified element under a
/// default namespace gets `xmlns=""`); text and attribute values escaped.
package enum XMLWriter {
    /// The document: an XML declaration (UTF-8), then the root element.
    package static func document(_ root: XML.Element) -> [UInt8] {
        var output = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        write(root, scope: ["xml": "http://www.w3.org/XML/1998/namespace"], to: &output)
        return output
    }

    /// One element, without a declaration.
    package static func fragment(_ element: XML.Element) -> [UInt8] {
        var output: [UInt8] = []
        write(element, scope: ["xml": "http://www.w3.org/XML/1998/namespace"], to: &output)
        return output
    }

    static func write(_ element: XML.Element, scope inherited: [String: String], to output: inout [UInt8]) {
        var scope = inherited
        var declarations: [(String, String)] = []
        func declare(_ prefix: String, _ uri: String) {
            if scope[prefix] == uri { return }
            scope[prefix] = uri
            declarations.append((prefix, uri))
        }
        for (prefix, uri) in element.declarations { declare(prefix, uri) }
        var prefix = element.prefix
        if let namespace = element.name.namespace {
            if let chosen = prefix {
                declare(chosen, namespace)
            } else if scope[""] != namespace {
                // Prefer a prefix already bound to the namespace; else make it the default.
                if let bound = scope.first(where: { $0.value == namespace && !$0.key.isEmpty })?.key { prefix = bound } else { declare("", namespace) }
            }
        } else if prefix == nil, let outer = scope[""], !outer.isEmpty {
            declare("", "")
        }
        var attributes: [(String, String)] = []
        var generated = 0
        for (name, value) in element.attributes {
            guard let namespace = name.namespace else {
                attributes.append((name.local, value))
                continue
            }
            var bound = scope.first { $0.value == namespace && !$0.key.isEmpty }?.key
            if bound == nil {
                generated += 1
                bound = "ns\(generated)"
                declare(bound!, namespace)
            }
            attributes.append(("\(bound!):\(name.local)", value))
        }
        let tag = (prefix.map { $0 + ":" } ?? "") + element.name.local
        output.append(UInt8(ascii: "<"))
        output += Array(tag.utf8)
        for (declared, uri) in declarations {
            output += Array((declared.isEmpty ? " xmlns=\"" : " xmlns:\(declared)=\"").utf8)
            escape(uri, attribute: true, to: &output)
            output.append(UInt8(ascii: "\""))
        }
        for (name, value) in attributes {
            output += Array(" \(name)=\"".utf8)
            escape(value, attribute: true, to: &output)
            output.append(UInt8(ascii: "\""))
        }
        if element.children.isEmpty {
            output += Array("/>".utf8)
            return
        }
        output.append(UInt8(ascii: ">"))
        for child in element.children {
            switch child {
            case .text(let text): escape(text, attribute: false, to: &output)
            case .element(let inner): write(inner, scope: scope, to: &output)
            }
        }
        output += Array("</\(tag)>".utf8)
    }

    static func escape(_ text: String, attribute: Bool, to output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += Array("&amp;".utf8)
            case UInt8(ascii: "<"): output += Array("&lt;".utf8)
            case UInt8(ascii: ">"): output += Array("&gt;".utf8)
            case UInt8(ascii: "\"") where attribute: output += Array("&quot;".utf8)
            case 0x0A where attribute: output += Array("&#10;".utf8)
            case 0x0D: output += Array("&#13;".utf8)
            case 0x09 where attribute: output += Array("&#9;".utf8)
            default: output.append(byte)
            }
        }
    }
}
