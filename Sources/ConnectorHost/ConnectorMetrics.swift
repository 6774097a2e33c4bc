import Connectors
import Foundation
import Metrics

/// What the host reports of its connectors through swift-metrics (the executable chooses the
/// backend: Prometheus for `attrmap serve`'s `/metrics`). Labels name the connector, the
/// operation and the outcome, never an object, an attribute value, a token or a secret.
///
/// - `attrmap_connector_calls_total{connector, operation, outcome}`: every call to the
///   connector (`get`, `search`, `count`, `create`, `replace`, `delete`, `setPassword`,
///   `fullImport`), `outcome` `ok` or the error's kind (`notFound`, `alreadyExists`, `unavailable`…).
/// - `attrmap_connector_call_duration_seconds{connector, operation}`: their latency.
/// - `attrmap_objects{connector, type}`: objects in the store (counted at each import, discovery
///   and refresh).
/// - `attrmap_import_duration_seconds{connector}` and
///   `attrmap_import_last_success_timestamp_seconds{connector}`: the last successful full import or
///   schema discovery.
struct ConnectorMetrics: Sendable {
    let connector: String

    /// `body`, counted and timed as one call of `operation`.
    nonisolated(nonsending) func measure<T>(_ operation: String, _ body: () async throws(ConnectorError) -> T) async throws(ConnectorError) -> T {
        let started = ContinuousClock.now
        do {
            let value = try await body()
            record(operation, outcome: "ok", since: started)
            return value
        } catch {
            record(operation, outcome: error.kind.rawValue, since: started)
            throw error
        }
    }

    private func record(_ operation: String, outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "attrmap_connector_calls_total", dimensions: [("connector", connector), ("operation", operation), ("outcome", outcome)])
            .increment()
        Timer(label: "attrmap_connector_call_duration_seconds", dimensions: [("connector", connector), ("operation", operation)])
            .recordInterval(since: started)
    }

    func objects(_ count: Int, type: String) {
        Gauge(label: "attrmap_objects", dimensions: [("connector", connector), ("type", type)]).record(count)
    }

    func imported(after duration: Duration) {
        Gauge(label: "attrmap_import_duration_seconds", dimensions: [("connector", connector)]).record(duration.seconds)
        Gauge(label: "attrmap_import_last_success_timestamp_seconds", dimensions: [("connector", connector)])
            .record(Date().timeIntervalSince1970)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Timer {
    func recordInterval(since started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
