import Crypto
import Foundation
import Synchronization

/// HTTP Digest authentication (RFC 7616) for the API, `qop=auth` or `auth-int` (the body
/// protected too) as offered, with SHA-256 or MD5: a nonce handed out in each challenge, valid
/// for five minutes, and each nonce count taken once.
final class DigestAuthentication: Sendable {
    static let realm = "sample-hr-app"
    let username: String
    let password: String
    let algorithm: String
    /// The protections offered, `auth` and/or `auth-int`.
    let qops: [String]
    let opaque = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    private let nonces = Mutex<[String: (issued: ContinuousClock.Instant, counts: Set<String>)]>([:])

    init(username: String, password: String, algorithm: String, qops: [String] = ["auth"]) {
        self.username = username
        self.password = password
        self.algorithm = algorithm
        self.qops = qops
    }

    /// A `WWW-Authenticate` challenge with a fresh nonce; `stale` when the client's nonce expired.
    func challenge(stale: Bool = false) -> String {
        let nonce = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        nonces.withLock { nonces in
            nonces = nonces.filter { ContinuousClock.now - $0.value.issued < .seconds(300) }
            nonces[nonce] = (.now, [])
        }
        return #"Digest realm="\#(Self.realm)", qop="\#(qops.joined(separator: ","))", algorithm=\#(algorithm), nonce="\#(nonce)", opaque="\#(opaque)""# + (stale ? ", stale=true" : "")
    }

    enum Verdict { case accepted, refused, stale }

    /// Whether an `Authorization: Digest …` header is the user's, for this method, target and body.
    func verify(_ header: String, method: String, target: String, body: [UInt8]) -> Verdict {
        let fields = Self.parameters(String(header.dropFirst("Digest ".count)))
        guard let nonce = fields["nonce"], let response = fields["response"], let uri = fields["uri"], let count = fields["nc"],
            let cnonce = fields["cnonce"], let qop = fields["qop"], qops.contains(qop), fields["username"] == username, fields["realm"] == Self.realm,
            (fields["algorithm"] ?? "MD5").uppercased() == algorithm.uppercased(), uri == target
        else { return .refused }
        let fresh = nonces.withLock { nonces -> Bool? in
            guard let entry = nonces[nonce] else { return nil }
            guard ContinuousClock.now - entry.issued < .seconds(300), !entry.counts.contains(count) else { return false }
            nonces[nonce]?.counts.insert(count)
            return true
        }
        guard let fresh else { return .stale }
        guard fresh else { return .refused }
        let ha1 = hash("\(username):\(Self.realm):\(password)")
        let ha2 = hash(qop == "auth-int" ? "\(method):\(uri):\(hash(body))" : "\(method):\(uri)")
        return HRResponder.same(hash("\(ha1):\(nonce):\(count):\(cnonce):\(qop):\(ha2)"), response) ? .accepted : .refused
    }

    func hash(_ text: String) -> String {
        hash(Array(text.utf8))
    }

    func hash(_ bytes: [UInt8]) -> String {
        let digest: [UInt8] = algorithm.uppercased() == "MD5" ? Array(Insecure.MD5.hash(data: bytes)) : Array(SHA256.hash(data: bytes))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// `name="value", name=value, …`
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                result[name] = String(rest[..<end])
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                result[name] = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
        }
        return result
    }
}
