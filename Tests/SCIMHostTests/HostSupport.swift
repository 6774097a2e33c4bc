import AttrmapTesting
import Connectors
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JSONValues
import Logging
import NIOCore
import SCIM
import ConnectorHost
import SCIMHost
import SQLConnector
import Testing

/// A host with one connector, its service imported, and a client to call it.
/// The two ways the host reads a connector: asking its store (a querying connector), or from a
/// cache filled by full imports (any other connector). Behaviour tests run both.
enum Reading: String, CaseIterable, Sendable {
    case store, cache

    func serve(_ connector: any Connector) -> any Connector { self == .store ? connector : CacheOnly(connector) }
}

struct TestHost {
    static let token = "test-token-0123456789"
    let service: HostedConnector
    let name: String

    init(name: String = "APP1", connector: any Connector = InMemoryConnector(), deprovisioning: Deprovisioning = Deprovisioning()) async {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        service = HostedConnector(name: name, token: Self.token, connector: connector, deprovisioning: deprovisioning, logger: logger)
        self.name = name
        await service.importAll()
    }

    var application: Application<SCIMResponder> {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try! Host.application(services: [service], logger: logger)
    }

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var json: JSON?
        var text: String
    }

    /// Runs `body` with a function that sends one request.
    func run(_ body: @Sendable @escaping (_ send: @escaping @Sendable (String, HTTPRequest.Method, String?, String?) async throws -> Reply) async throws -> Void) async throws {
        let prefix = "/ecma2host_\(name)/scim"
        try await application.test(.router) { client in
            try await body { path, method, requestBody, token in
                var headers: HTTPFields = [.contentType: "application/scim+json"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await client.execute(
                    uri: path.hasPrefix("/ecma2host_") ? path : prefix + path, method: method, headers: headers,
                    body: requestBody.map { ByteBuffer(string: $0) }
                ) { response in
                    let text = String(buffer: response.body)
                    return Reply(status: Int(response.status.code), headers: response.headers, json: try? JSON.parse(text), text: text)
                }
            }
        }
    }
}

extension JSON {
    /// The value at a SCIM path, for assertions.
    func at(_ path: String) -> [JSON] {
        guard let parsed = try? AttributePath.parse(path) else { return [] }
        return Resource.values(at: parsed, in: self)
    }
}

/// The connector kinds the tests configure, as the executable registers them.
enum TestKinds {
    static let all = ConnectorKinds([SQLiteKind(), PostgresKind(), InMemoryKind()])
}
