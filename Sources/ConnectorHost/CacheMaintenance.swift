package import Connectors
import ServiceLifecycle

/// A hosted connector's cache kept as the ECMA host keeps it, as a service: the first full
/// import, retried while the store is unreachable, then an autosync refresh every `refresh`.
/// A graceful shutdown ends it at once: a refresh that is running is cancelled (the cache it
/// replaces is as good), nothing is written.
package struct CacheMaintenance: Service, CustomStringConvertible {
    package let connector: HostedConnector
    /// nil: no autosync after the first import.
    package var refresh: Duration?
    /// The waits between failed first imports; the last one repeats.
    package var retryDelays: [Duration]

    package init(
        _ connector: HostedConnector, refresh: Duration?, retryDelays: [Duration] = [.seconds(5), .seconds(15), .seconds(30), .seconds(60)]
    ) {
        self.connector = connector
        self.refresh = refresh
        self.retryDelays = retryDelays
    }

    /// The connector could not start: its store refused its configuration at the first import.
    package struct StartError: Error, CustomStringConvertible {
        package var connector: String
        package var error: ConnectorError
        package var description: String { "connector \(connector) cannot start: \(error.message)" }
    }

    package func run() async throws {
        let (connector, refresh, retryDelays) = (connector, refresh, retryDelays)
        try await cancelWhenGracefulShutdown {
            if let problem = await connector.maintainCache(refreshEvery: refresh, retryDelays: retryDelays) {
                throw StartError(connector: connector.name, error: problem)
            }
            // Without autosync the first import is all there is: wait for the shutdown.
            if refresh == nil, !Task.isCancelled { try? await gracefulShutdown() }
        }
    }

    package var description: String { "cache of connector \(connector.name)" }
}
