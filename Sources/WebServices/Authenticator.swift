import Connectors
import Foundation
import JSONValues

/// Adds the connection's credentials to each request. Tokens from a token endpoint or a login
/// call are kept until shortly before they expire, fetched by one call however many requests
/// wait for them, and renewed when the application answers 401.
final class Authenticator: Sendable {
    let method: WebServiceTemplate.Authentication
    let baseURL: String
    private let tokens = TokenCache()

    init(_ connection: WebServiceTemplate.Connection) {
        method = connection.authentication
        baseURL = connection.baseURL
    }

    /// Whether a 401 may mean an expired token, worth one renewal.
    var renews: Bool {
        switch method {
        case .clientCredentials, .login: true
        default: false
        }
    }

    /// Forgets the token, before the call is tried again with a new one.
    func invalidate() async {
        await tokens.invalidate()
    }

    func apply(to request: inout OutgoingRequest, client: WebServiceClient) async throws(ConnectorError) {
        switch method {
        case .none:
            return
        case .basic(let username, let password):
            let credentials = Data("\(username):\(password.value)".utf8).base64EncodedString()
            request.headers.append(("Authorization", "Basic \(credentials)"))
            request.secrets += [password.value, credentials]
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
