import Connectors
import Crypto
import Foundation
import JSONValues
import MappingExpressions

/// Adds the connection's credentials to each request. Tokens from a token endpoint or a login
/// call are kept until shortly before they expire, fetched by one call however many requests
/// wait for them, and renewed when the application answers 401.
final class Authenticator: Sendable {
    let method: WebServiceTemplate.Authentication
    let baseURL: String
    private let tokens = TokenCache()
    private let digest = DigestChallenge()

    init(_ connection: WebServiceTemplate.Connection) {
        method = connection.authentication
        baseURL = connection.baseURL
    }

    /// Whether a 401 may mean an expired token or a Digest challenge, worth one more try.
    var renews: Bool {
        switch method {
        case .clientCredentials, .login, .digest: true
        default: false
        }
    }

    /// After a 401: forgets the token, or takes in the Digest challenge, before the call is tried
    /// again. False when there is nothing to try again with (a 401 without a Digest challenge).
    func renew(after response: IncomingResponse) async -> Bool {
        switch method {
        case .digest:
            let challenges = response.headers.filter { $0.0.caseInsensitiveEquals("WWW-Authenticate") }.map(\.1)
            return await digest.take(challenges)
        default:
            await tokens.invalidate()
            return true
        }
    }

    func apply(to request: inout OutgoingRequest, client: WebServiceClient) async throws(ConnectorError) {
        switch method {
        case .none:
            return
        case .basic(let username, let password):
            let credentials = Data("\(username):\(password.value)".utf8).base64EncodedString()
            request.headers.append(("Authorization", "Basic \(credentials)"))
            request.secrets += [password.value, credentials]
        case .digest(let username, let password):
            // Nothing before the first challenge; then each call answers it, its count one more.
            let target = Self.target(of: request.url)
            if let header = await digest.authorization(
                method: request.method, target: target, body: request.body ?? [], username: username, password: password.value)
            {
                request.headers.append(("Authorization", header))
            }
            request.secrets.append(password.value)
        case .bearer(let token):
            request.headers.append(("Authorization", "Bearer \(token.value)"))
            request.secrets.append(token.value)
        case .apiKey(let name, let inQuery, let value):
            if inQuery {
                request.url = WebServiceClient.appending([(name, value.value)], to: request.url)
            } else {
                request.headers.append((name, value.value))
            }
            request.secrets.append(value.value)
        case .clientCredentials(let oauth):
            let token = try await tokens.token(refreshBefore: oauth.refreshBefore) { () async throws(ConnectorError) in
                try await Self.fetch(oauth, client: client)
            }
            request.headers.append(("Authorization", "Bearer \(token)"))
            request.secrets.append(token)
        case .login(let login):
            let token = try await tokens.token(refreshBefore: .seconds(0)) { () async throws(ConnectorError) in
                try await Self.logIn(login, client: client)
            }
            request.headers.append((login.header, login.prefix + token))
            request.secrets.append(token)
        case .usernameToken(let username, let password, let digest):
            // In the envelope's header, fresh for each try; a REST call gets nothing.
            guard let offset = request.soapHeaderOffset, let version = request.soapVersion, var body = request.body else { return }
            body.insert(contentsOf: SOAPEnvelope.usernameToken(username: username, password: password.value, digest: digest, version: version), at: offset)
            request.body = body
            request.secrets.append(password.value)
        }
    }

    /// The request target of a URL: its path and query (`/api/v1/employees?limit=1`).
    static func target(of url: String) -> String {
        // The transport's own reading of the URL, so that the digest's `uri` is the request line's.
        RequestTarget(url)?.path ?? url
    }

    /// A token by the client-credentials grant (RFC 6749 §4.4).
    static func fetch(_ oauth: WebServiceTemplate.OAuthClient, client: WebServiceClient) async throws(ConnectorError) -> (String, Duration) {
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if let scope = oauth.scope { form.append(("scope", scope)) }
        var request = OutgoingRequest(method: "POST", url: client.resolveLink(oauth.tokenURL))
        request.headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        if oauth.credentialsInForm {
            form += [("client_id", oauth.clientID), ("client_secret", oauth.clientSecret.value)]
        } else {
            // RFC 6749 §2.3.1: each part form-encoded, then Basic.
            let pair = "\(WebServiceClient.encodeSegment(oauth.clientID)):\(WebServiceClient.encodeSegment(oauth.clientSecret.value))"
            let credentials = Data(pair.utf8).base64EncodedString()
            request.headers.append(("Authorization", "Basic \(credentials)"))
            request.secrets.append(credentials)
        }
        request.body = Array(WebServiceClient.formEncoded(form).utf8)
        request.secrets.append(oauth.clientSecret.value)
        let response = try await client.send(request, what: "the token endpoint", authenticated: false)
        let body = response.json
        guard (200..<300).contains(response.status), let token = body?["access_token"]?.stringValue, !token.isEmpty else {
            let reason = body?["error_description"]?.stringValue ?? body?["error"]?.stringValue
                ?? ((200..<300).contains(response.status) ? "HTTP \(response.status) without an access_token" : "HTTP \(response.status)")
            throw ConnectorError(
                response.status >= 500 ? .unavailable : .permissionDenied, "the token endpoint \(WebServiceClient.pathOnly(request.url)) refused: \(reason)")
        }
        let lifetime: Duration =
            switch body?["expires_in"] {
            case .number(let text)?: .seconds(Double(text) ?? 3600)
            case .string(let text)?: .seconds(Double(text) ?? 3600)
            default: .seconds(3600)
            }
        return (token, lifetime)
    }

    /// A token from the template's login call.
    static func logIn(_ login: WebServiceTemplate.LoginStep, client: WebServiceClient) async throws(ConnectorError) -> (String, Duration) {
        let context = FlowContext(attributes: [:], attributeNames: [])
        guard let request = try client.request(login.step, context) else { throw ConnectorError(.failed, "the login request is empty") }
        let response = try await client.send(request, what: "the login call", authenticated: false)
        let (outcome, message, retryAfter) = client.read(response, rules: login.step.errors)
        guard outcome == .success else {
            throw WebServiceClient.error(outcome == .notFound ? .permission : outcome, "the login call answered \(response.status): \(message)", retryAfter: retryAfter)
        }
        guard let body = response.json, let found = login.token.value(in: body), case .string(let token) = found, !token.isEmpty else {
            throw ConnectorError(.permissionDenied, "the login call's response has no token at \(login.token)")
        }
        var lifetime = login.lifetime
        if let pointer = login.expiresIn, let body = response.json, let value = pointer.value(in: body), let seconds = Double(WebServiceClient.text(value)) {
            lifetime = .seconds(seconds)
        }
        return (token, lifetime)
    }
}

/// One token at a time: fetched once for every waiting request, renewed before it expires.
actor TokenCache {
    private var current: (token: String, expires: ContinuousClock.Instant)?
    private var inFlight: Task<Result<(String, Duration), ConnectorError>, Never>?

    func invalidate() {
        current = nil
    }

    func token(
        refreshBefore: Duration, fetch: @escaping @Sendable () async throws(ConnectorError) -> (String, Duration)
    ) async throws(ConnectorError) -> String {
        if let current, ContinuousClock.now + refreshBefore < current.expires { return current.token }
        let task: Task<Result<(String, Duration), ConnectorError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            task = Task {
                do throws(ConnectorError) { return .success(try await fetch()) } catch { return .failure(error) }
            }
            inFlight = task
        }
        let result = await task.value
        inFlight = nil
        let (token, lifetime) = try result.get()
        // A token valid for less than the renewal margin is still used once.
        current = (token, ContinuousClock.now + lifetime)
        return token
    }
}

/// The server's last HTTP Digest challenge (RFC 7616), answered by each call with a fresh client
/// nonce and the next nonce count.
actor DigestChallenge {
    private var realm = ""
    private var nonce = ""
    private var opaque: String?
    private var algorithm = "MD5"
    private var qop: String?
    private var count = 0
    private var known = false

    /// Takes in a `WWW-Authenticate: Digest …` challenge (SHA-256 preferred over MD5); false when none is offered.
    func take(_ headers: [String]) -> Bool {
        let offered = headers.filter { $0.lowercased().hasPrefix("digest ") }.map { DigestChallenge.parameters(String($0.dropFirst(7))) }
        let usable = offered.filter { ["MD5", "SHA-256"].contains(($0["algorithm"] ?? "MD5").uppercased()) }
        guard let chosen = usable.first(where: { ($0["algorithm"] ?? "").uppercased() == "SHA-256" }) ?? usable.first, let nonce = chosen["nonce"] else {
            return false
        }
        realm = chosen["realm"] ?? ""
        self.nonce = nonce
        opaque = chosen["opaque"]
        algorithm = (chosen["algorithm"] ?? "MD5").uppercased()
        // `auth` where offered; `auth-int` (the body protected too) where only it is.
        let qops = (chosen["qop"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        qop = qops.contains("auth") ? "auth" : qops.contains("auth-int") ? "auth-int" : nil
        count = 0
        known = true
        return true
    }

    /// The `Authorization` header for a call; with `auth-int`, its digest covers `body` too.
    func authorization(method: String, target: String, body: [UInt8], username: String, password: String) -> String? {
        guard known else { return nil }
        count += 1
        let nc = String(format: "%08x", count)
        let cnonce = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let ha1 = hash("\(username):\(realm):\(password)")
        let ha2 = hash(qop == "auth-int" ? "\(method):\(target):\(hash(body))" : "\(method):\(target)")
        let response = qop.map { hash("\(ha1):\(nonce):\(nc):\(cnonce):\($0):\(ha2)") } ?? hash("\(ha1):\(nonce):\(ha2)")
        var fields = [
            "username=\"\(username)\"", "realm=\"\(realm)\"", "nonce=\"\(nonce)\"", "uri=\"\(target)\"", "algorithm=\(algorithm)", "response=\"\(response)\"",
        ]
        if let qop { fields += ["qop=\(qop)", "nc=\(nc)", "cnonce=\"\(cnonce)\""] }
        if let opaque { fields.append("opaque=\"\(opaque)\"") }
        return "Digest " + fields.joined(separator: ", ")
    }

    private func hash(_ text: String) -> String {
        hash(Array(text.utf8))
    }

    private func hash(_ bytes: [UInt8]) -> String {
        let digest: [UInt8] = algorithm == "MD5" ? Array(Insecure.MD5.hash(data: bytes)) : Array(SHA256.hash(data: bytes))
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
