public import Hummingbird
public import Logging

/// Builds the host application: one HTTP server for every connector service.
public enum Host {
    public static func application(
        services: [ConnectorService], host: String = "127.0.0.1", port: Int = 8585, maxBodySize: Int = 1 << 20,
        logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<SCIMResponder> {
        Application(
            responder: SCIMResponder(services: services, maxBodySize: maxBodySize, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "attrmap"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

extension Host {
    /// Runs the host until SIGINT or SIGTERM; requests in flight finish first.
    public static func serve(
        services: [ConnectorService], host: String, port: Int, maxBodySize: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let app = application(services: services, host: host, port: port, maxBodySize: maxBodySize, logger: logger, onServerRunning: onServerRunning)
        try await app.runService()
    }
}
