import Foundation
import JSONValues
import Synchronization
import XMLDocuments

/// A transport that shows each request as it goes, secrets as `[Redact]`: with a transport
/// under it, it sends the request and shows the response too; without one (a dry run) it sends
/// nothing and answers every request `200 {}` (a SOAP call an empty envelope, a token request a
/// made-up token).
package final class TracingTransport: HTTPTransport {
    let wrapped: (any HTTPTransport)?
    let write: @Sendable (String) -> Void
    private let count = Mutex(0)

    package init(sending wrapped: (any HTTPTransport)?, write: @escaping @Sendable (String) -> Void) {
        self.wrapped = wrapped
        self.write = write
    }

    /// Whether requests are sent.
    package var sends: Bool { wrapped != nil }

    /// How many requests went through.
    package var requests: Int { count.withLock { $0 } }

    package func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportFailure) -> IncomingResponse {
        let number = count.withLock { count in
            count += 1
            return count
        }
        write("── request \(number)\(wrapped == nil ? " (not sent)" : "")\n\(request.redacted())")
        guard let wrapped else {
            // Nothing is sent: a token request gets a made-up token, so that the requests it
            // authenticates can be shown; a SOAP call an empty envelope; everything else `{}`.
            if let version = request.soapVersion {
                let envelope = #"<soapenv:Envelope xmlns:soapenv="\#(version.envelopeNamespace)"><soapenv:Body/></soapenv:Envelope>"#
                return IncomingResponse(status: 200, headers: [("Content-Type", "text/xml")], body: Array(envelope.utf8))
            }
            let body = String(decoding: request.body ?? [], as: UTF8.self).contains("grant_type=") ? Self.madeUpToken : "{}"
            return IncomingResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
        do {
            let response = try await wrapped.send(request, timeout: timeout)
            var text = "── response \(number): \(response.status)\n"
            for (name, value) in response.headers { text += "\(name): \(value)\n" }
            if !response.body.isEmpty { text += "\n" + Self.shown(response.body) + "\n" }
            write(OutgoingRequest.redact(text, request.secrets))
            return response
        } catch {
            write("── request \(number) failed: \(OutgoingRequest.redact("\(error)", request.secrets))\n")
            throw error
        }
    }

    static let madeUpToken = #"{"access_token": "not-sent", "token_type": "Bearer", "expires_in": 3600}"#

    package func shutdown() async {
        await wrapped?.shutdown()
    }

    /// Members that hold secrets by their name (tokens, passwords) are never shown.
    static let secretMembers: Set<String> = ["access_token", "refresh_token", "id_token", "password", "client_secret", "token", "secret"]

    /// A body as shown: JSON with its secret members redacted, pretty; XML with the text of its
    /// secret elements (`PASSWORD`, `BAPIPWD`, `GENERATED_PASSWORD`) redacted; anything else as
    /// text; at most 4,000 characters.
    static func shown(_ body: [UInt8]) -> String {
        var text: String
        if let json = try? JSON.parse(body) {
            text = ""
            redacted(json).write(to: &text, pretty: true)
        } else if body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "<"), let root = try? XMLReader.parse(body, name: "the response") {
            text = String(decoding: XMLWriter.fragment(redacted(root)), as: UTF8.self)
        } else {
            text = String(decoding: body, as: UTF8.self)
        }
        if text.count > 4000 { text = String(text.prefix(4000)) + "\n… (\(body.count) bytes in all)" }
        return text
    }

    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return secretMembers.contains(lowered) || lowered.contains("password") || lowered.hasSuffix("pwd") || lowered == "nonce"
    }

    static func redacted(_ element: XML.Element) -> XML.Element {
        var element = element
        let secret = isSecret(element.name.local) && element.elements.isEmpty
        element.children = element.children.map { child in
            switch child {
            case .element(let inner): .element(redacted(inner))
            case .text(let text): .text(secret && !text.allSatisfy(\.isWhitespace) ? "[Redact]" : text)
            }
        }
        return element
    }

    static func redacted(_ json: JSON) -> JSON {
        switch json {
        case .object(let members):
            .object(members.map { name, value in (name, secretMembers.contains(name.lowercased()) ? .string("[Redact]") : redacted(value)) })
        case .array(let elements): .array(elements.map(redacted))
        default: json
        }
    }
}
