/// XML as attrmap reads and writes it (its own types, not FoundationXML's classes of the same names).
package enum XML {}

extension XML {
    /// A name in a namespace: `{urn:sap-com:document:sap:rfc:functions}BAPI_USER_GETLIST`. An
    /// unqualified name has no namespace.
    package struct Name: Hashable, Sendable, CustomStringConvertible {
        package var namespace: String?
        package var local: String

        package init(_ local: String, namespace: String? = nil) {
            self.local = local
            self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        }

        package var description: String { namespace.map { "{\($0)}\(local)" } ?? local }
    }

    /// An element of an XML document, namespaces resolved: its name, attributes, children (elements
    /// and text, in order), the prefixes in scope (for QName values such as `type="tns:User"`), and
    /// where it is in the document (the line and column where its start tag begins).
    package struct Element: Sendable, Equatable {
        package var name: XML.Name
        /// The prefix it was written with, or is to be written with (nil: the default namespace, or none).
        package var prefix: String?
        package var attributes: [(name: XML.Name, value: String)]
        package var children: [XML.Node]
        /// Namespace declarations written on this element: prefix ("" for the default) → URI.
        package var declarations: [(prefix: String, uri: String)]
        /// Every prefix in scope here, the inherited ones included.
        package var scope: [String: String]
        package var line: Int
        package var column: Int

        package init(
            _ name: XML.Name, prefix: String? = nil, attributes: [(name: XML.Name, value: String)] = [], children: [XML.Node] = [],
            declarations: [(prefix: String, uri: String)] = [], scope: [String: String] = [:], line: Int = 0, column: Int = 0
        ) {
            self.name = name
            self.prefix = prefix
            self.attributes = attributes
            self.children = children
            self.declarations = declarations
            self.scope = scope
            self.line = line
            self.column = column
        }

        package static func == (a: XML.Element, b: XML.Element) -> Bool {
            a.name == b.name && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
                && a.children == b.children
        }

        /// The child elements.
        package var elements: [XML.Element] {
            children.compactMap { if case .element(let element) = $0 { element } else { nil } }
        }

        /// The first child element of `local` name, in `namespace` when given (`nil` matches any).
        package func child(_ local: String, namespace: String?? = nil) -> XML.Element? {
            elements.first { $0.name.local == local && (namespace == nil || $0.name.namespace == namespace!) }
        }

        /// The text of the element, its descendants' included, in order.
        package var text: String {
            children.map { node in
                switch node {
                case .text(let text): text
                case .element(let element): element.text
                }
            }.joined()
        }

        /// An attribute's value by its local name (and namespace, when given).
        package func attribute(_ local: String, namespace: String? = nil) -> String? {
            attributes.first { $0.name.local == local && $0.name.namespace == namespace }?.value
        }

        /// A QName written in a value (`tns:User`, `xsd:string`, or `User` in the default
        /// namespace), resolved with the prefixes in scope here; nil for an unknown prefix.
        package func resolve(qualifiedName text: String) -> XML.Name? {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                guard let uri = scope[parts[0]] else { return nil }
                return XML.Name(parts[1], namespace: uri)
            }
            return XML.Name(text, namespace: scope[""])
        }
    }

    package enum Node: Sendable, Equatable {
        case element(XML.Element)
        case text(String)
    }
}
