package import Connectors
import Crypto
import Foundation
package import JSONValues
package import XMLDocuments

/// SOAP 1.1 (a `text/xml` envelope and a `SOAPAction` header) or SOAP 1.2 (`application/soap+xml`
/// with the action as a parameter of the content type).
package enum SOAPVersion: String, Sendable {
    case v11 = "1.1"
    case v12 = "1.2"

    package var envelopeNamespace: String {
        switch self {
        case .v11: "http://schemas.xmlsoap.org/soap/envelope/"
        case .v12: "http://www.w3.org/2003/05/soap-envelope"
        }
    }
}

/// A SOAP call of a step: the element in the body (the operation for rpc style, the wrapper
/// element for document style), the action, and how the body's children are named.
package struct SOAPCall: Sendable {
    package var operation: XML.Name
    /// The prefix the operation element is written with.
    package var prefix: String
    package var action: String?
    package var version: SOAPVersion
    /// Children in the operation's namespace (document style with `elementFormDefault="qualified"`),
    /// or in none (rpc style, and document style with unqualified schemas, as SAP writes them).
    package var qualified: Bool

    package init(operation: XML.Name, prefix: String, action: String?, version: SOAPVersion, qualified: Bool) {
        self.operation = operation
        self.prefix = prefix
        self.action = action
        self.version = version
        self.qualified = qualified
    }
}

/// A SOAP response as the steps after it read it: the envelope, its body, and its fault if any.
package struct SOAPMessage: Sendable {
    package var envelope: XML.Element
    package var body: XML.Element
    package var fault: Fault?

    package struct Fault: Sendable {
        /// `soap:Client`, `soap:Sender`, …, as written.
        package var code: String
        package var reason: String

        /// Whether the fault blames the request (`Client` in 1.1, `Sender` in 1.2).
        package var blamesRequest: Bool {
            let local = code.split(separator: ":").last.map(String.init) ?? code
            return local.hasPrefix("Client") || local == "Sender"
        }
    }

    /// The first element in the body: the response element, or the fault.
    package var response: XML.Element? { body.elements.first }
}

/// Envelopes written and read, and XML as the JSON that expressions, pointers and rules read.
package enum SOAPEnvelope {
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    static let wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    static let wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    static let tokenProfile = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"

    /// The envelope of a call whose body's content is `content` (built from the step's body
    /// template), and where a security header goes: the offset just after `<soapenv:Header>`.
    package static func request(_ call: SOAPCall, content: JSON?, namespaces: [String: String]) throws(ConnectorError) -> (bytes: [UInt8], headerOffset: Int) {
        var operation = XML.Element(call.operation, prefix: call.prefix)
        try fill(&operation, with: content ?? .object([]), call: call, namespaces: namespaces, path: call.operation.local)
        let envelope = call.version.envelopeNamespace
        var bytes = Array(#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv=""#.utf8)
        bytes += Array(envelope.utf8)
        bytes += Array(#""><soapenv:Header>"#.utf8)
        let offset = bytes.count
        bytes += Array("</soapenv:Header><soapenv:Body>".utf8)
        bytes += XMLWriter.fragment(operation)
        bytes += Array("</soapenv:Body></soapenv:Envelope>".utf8)
        return (bytes, offset)
    }

    /// Writes a JSON value as an element's content: an object's members as child elements in
    /// order (`@name` as an attribute, `prefix:name` in a namespace of the template's map), a
    /// list as the element repeated, a value as its text, null as an empty element.
    static func fill(_ element: inout XML.Element, with value: JSON, call: SOAPCall, namespaces: [String: String], path: String) throws(ConnectorError) {
        switch value {
        case .null:
            return
        case .object(let members):
            for (key, member) in members {
                if key.hasPrefix("@") {
                    element.attributes.append((XML.Name(String(key.dropFirst())), WebServiceClient.text(member)))
                    continue
                }
                let (name, prefix) = try self.name(key, call: call, namespaces: namespaces, path: path)
                let repeated: [JSON] = if case .array(let elements) = member { elements } else { [member] }
                for item in repeated {
                    var child = XML.Element(name, prefix: prefix)
                    try fill(&child, with: item, call: call, namespaces: namespaces, path: path + "/" + key)
                    element.children.append(.element(child))
                }
            }
        case .array(let elements):
            // A list where a value is expected: its values side by side, as XML lists are.
            element.children.append(.text(elements.map(WebServiceClient.text).joined(separator: " ")))
        default:
            element.children.append(.text(WebServiceClient.text(value)))
        }
    }

    static func name(_ key: String, call: SOAPCall, namespaces: [String: String], path: String) throws(ConnectorError) -> (XML.Name, String?) {
        if let colon = key.firstIndex(of: ":") {
            let prefix = String(key[..<colon])
            guard let uri = namespaces[prefix] else {
                throw ConnectorError(.failed, "\(path)/\(key): the prefix '\(prefix)' is not in the connection's 'namespaces'")
            }
            return (XML.Name(String(key[key.index(after: colon)...]), namespace: uri), prefix)
        }
        return call.qualified ? (XML.Name(key, namespace: call.operation.namespace), call.prefix) : (XML.Name(key), nil)
    }

    /// Reads a response as a SOAP message; nil when it is not an envelope.
    package static func read(_ bytes: [UInt8]) -> SOAPMessage? {
        guard !bytes.isEmpty, let root = try? XMLReader.parse(bytes, name: "the response") else { return nil }
        guard root.name.local == "Envelope", let namespace = root.name.namespace,
            [SOAPVersion.v11.envelopeNamespace, SOAPVersion.v12.envelopeNamespace].contains(namespace),
            let body = root.child("Body", namespace: namespace)
        else { return nil }
        var message = SOAPMessage(envelope: root, body: body)
        if let fault = body.child("Fault", namespace: namespace) {
            let code = fault.child("faultcode")?.text ?? fault.child("Code")?.child("Value")?.text ?? ""
            let reason = fault.child("faultstring")?.text ?? fault.child("Reason")?.child("Text")?.text ?? ""
            message.fault = SOAPMessage.Fault(
                code: code.trimmingCharacters(in: .whitespacesAndNewlines), reason: reason.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return message
    }

    /// An element as JSON: child elements as members by local name (a name repeated is a list,
    /// in order), attributes as `@name` members, text alone as a string; an empty element and
    /// `xsi:nil="true"` as null. XML does not say what is a list, so one child is one value: a
    /// JSON Pointer's `*` takes a lone value as a list of one.
    package static func json(_ element: XML.Element) -> JSON {
        if element.attribute("nil", namespace: xsi) == "true" { return .null }
        let attributes: [(String, JSON)] = element.attributes.filter { $0.name.namespace != xsi }.map { ("@" + $0.name.local, .string($0.value)) }
        let children = element.elements
        if children.isEmpty {
            let text = element.text
            let blank = text.allSatisfy(\.isWhitespace)
            if attributes.isEmpty { return blank ? .null : .string(text) }
            return .object(attributes + (blank ? [] : [("#text", .string(text))]))
        }
        // Repeated children become a list, in the order their name first came; a few names
        // are found faster by looking than by hashing.
        var grouped: [(key: String, values: [JSON])] = []
        for child in children {
            let key = child.name.local
            if let at = grouped.firstIndex(where: { $0.key == key }) {
                grouped[at].values.append(json(child))
            } else {
                grouped.append((key, [json(child)]))
            }
        }
        return .object(attributes + grouped.map { ($0.key, $0.values.count == 1 ? $0.values[0] : .array($0.values)) })
    }

    /// A WS-Security header with a UsernameToken (OASIS Username Token Profile 1.0): the
    /// password as text, or as its digest, Base64(SHA-1(nonce + created + password)), with a
    /// fresh nonce and creation time for each request.
    static func usernameToken(
        username: String, password: String, digest: Bool, version: SOAPVersion, now: Date = Date()
    ) -> [UInt8] {
        let created = ISO8601DateFormatter().string(from: now)
        var nonce = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in nonce.indices { nonce[index] = UInt8.random(in: 0...255, using: &generator) }
        let passwordText: String
        if digest {
            let hashed = Insecure.SHA1.hash(data: nonce + Array(created.utf8) + Array(password.utf8))
            passwordText = Data(hashed).base64EncodedString()
        } else {
            passwordText = password
        }
        func child(_ local: String, _ namespace: String, _ prefix: String, _ text: String, _ attributes: [(name: XML.Name, value: String)] = []) -> XML.Node {
            .element(XML.Element(XML.Name(local, namespace: namespace), prefix: prefix, attributes: attributes, children: [.text(text)]))
        }
        var token = XML.Element(XML.Name("UsernameToken", namespace: wsse), prefix: "wsse")
        token.children.append(child("Username", wsse, "wsse", username))
        token.children.append(
            child("Password", wsse, "wsse", passwordText, [(XML.Name("Type"), tokenProfile + (digest ? "#PasswordDigest" : "#PasswordText"))]))
        token.children.append(
            child(
                "Nonce", wsse, "wsse", Data(nonce).base64EncodedString(),
                [(XML.Name("EncodingType"), "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary")]))
        token.children.append(child("Created", wsu, "wsu", created))
        let security = XML.Element(
            XML.Name("Security", namespace: wsse), prefix: "wsse",
            attributes: [(XML.Name("mustUnderstand", namespace: version.envelopeNamespace), version == .v11 ? "1" : "true")],
            children: [.element(token)], declarations: [("wsse", wsse), ("wsu", wsu), ("soapenv", version.envelopeNamespace)])
        return XMLWriter.fragment(security)
    }
}
