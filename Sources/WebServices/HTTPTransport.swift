import Foundation
package import JSONValues
import MappingExpressions
import NIOCore

/// An HTTP request as a value: what a step becomes once its expressions are evaluated.
package struct OutgoingRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)] = []
    package var body: [UInt8]?
    /// Values in it that are secrets: ``redacted()`` shows them as `[Redact]`.
    package var secrets: [String] = []
    /// A SOAP envelope's: where its header's content goes (a WS-Security header), and its version.
    package var soapHeaderOffset: Int?
    package var soapVersion: SOAPVersion?

    package init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Whether sending it twice does what sending it once does (RFC 9110 §9.2.2).
    package var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method) }

    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// The request as text, each secret replaced by `[Redact]`, ready for a trace or a dry run.
    package func redacted() -> String {
        var text = "\(method) \(url)\n"
        for (name, value) in headers { text += "\(name): \(value)\n" }
        if let body, !body.isEmpty { text += "\n" + String(decoding: body, as: UTF8.self) + "\n" }
        return Self.redact(text, secrets)
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        var text = text
        for secret in secrets.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: "[Redact]")
            // The same secret percent-encoded, as in a query or a form.
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
                text = text.replacingOccurrences(of: encoded, with: "[Redact]")
            }
        }
        return text
    }
}

/// An HTTP response as a value.
package struct IncomingResponse: Sendable {
    package var status: Int
    package var headers: [(String, String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// The body as JSON, when it is JSON.
    package var json: JSON? {
        guard !body.isEmpty else { return nil }
        return try? JSON.parse(body)
    }

    /// The headers as a JSON object, names in lower case (`[steps.NAME.headers.location]`).
    package var headersJSON: JSON {
        .object(headers.map { ($0.0.lowercased(), .string($0.1)) })
    }
}

/// Why a request got no response.
package enum TransportFailure: Error, Sendable, CustomStringConvertible {
    /// The connection could not be made: nothing was sent.
    case connect(String)
    /// No answer in time: the application may have acted.
    case timeout(String)
    /// The connection broke, or another failure after the request may have been sent.
    case interrupted(String)

    package var description: String {
        switch self {
        case .connect(let reason): "cannot connect: \(reason)"
        case .timeout(let reason): "no answer in time: \(reason)"
        case .interrupted(let reason): "the connection failed: \(reason)"
        }
    }
}

/// What sends requests: HTTP for real, or a recorder for a dry run.
package protocol HTTPTransport: Sendable {
    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportFailure) -> IncomingResponse
    func shutdown() async
}

extension Duration {
    /// In seconds, as a fraction.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
