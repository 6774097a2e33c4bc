package import ConnectorHost
package import Hummingbird
import HummingbirdCore
import HummingbirdTLS
package import Logging
import NIOSSL

/// Builds the host application: one HTTP server for every connector service.
package enum Host {
    /// A certificate chain and its private key, PEM files, for HTTPS.
    package struct TLSFiles: Sendable {
        package var certificate: String
        package var privateKey: String

        package init(certificate: String, privateKey: String) {
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    package static func application(
        services: [HostedConnector], host: String = "127.0.0.1", port: Int = 8585, maxBodySize: Int = 1 << 20,
        tls: TLSFiles? = nil, metrics: (@Sendable () -> [UInt8])? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> Application<SCIMResponder> {
        var server = HTTPServerBuilder.http1()
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            server = try .tls(.http1(), tlsConfiguration: configuration)
        }
        return Application(
            responder: SCIMResponder(services: services, maxBodySize: maxBodySize, metrics: metrics, logger: logger),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "attrmap"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
