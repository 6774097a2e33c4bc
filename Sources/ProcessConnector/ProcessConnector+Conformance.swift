package import ConformanceSuite
package import Connectors
package import ConnectorWire
import Foundation
package import JSONValues
package import Logging
import Synchronization

extension ProcessConnector {
    /// Starts the program if it is not running and returns what it said in hello.
    package func handshake() async throws(ConnectorError) -> (version: String?, capabilities: WireCapabilities) {
        let running = try await running()
        return (running.version, running.capabilities)
    }
}

/// The connector contract for a program of its own, as `attrmap connector test` runs it: the
/// shared checks for each object type the program declares, with subjects read from its schema,
/// and the checks only a process has (its handshake, a crash survived).
package enum ProcessConformance {
    /// The program answers hello with capabilities the protocol has and the host needs.
    package static func answersHello(_ connector: ProcessConnector, _ expect: ConnectorConformance.Expectations) async throws {
        let (_, capabilities) = try await connector.handshake()
        let offered = Set(capabilities.operations)
        let missing = ["test", "schema", "import", "get", "create", "delete"].filter { !offered.contains($0) }
        expect.expect(missing.isEmpty, "the capabilities lack \(missing.joined(separator: ", "))")
        expect.expect(offered.contains("replace") || offered.contains("update"), "the capabilities offer neither replace nor update")
        if let export = capabilities.export {
            expect.expect(["replace", "update"].contains(export), "export is '\(export)', not replace or update")
            if export == "update" { expect.expect(offered.contains("update"), "export is update, but update is not offered") }
        }
        if let concurrency = capabilities.concurrency { expect.expect(concurrency >= 1, "concurrency \(concurrency) is below 1") }
        let unknown = offered.subtracting(WireRequest.Operation.names)
        expect.expect(unknown.isEmpty, "the capabilities name operations the protocol does not have: \(unknown.sorted().joined(separator: ", "))")
    }

    /// The process killed between two calls: the host starts it again on the next call, and what
    /// was written before is there.
    package static func crashCheck(_ connector: ProcessConnector) -> ConnectorConformance.Check {
        ConnectorConformance.Check("comes back after a crash") { subject, expect in
            let kept = subject.object("crash-kept")
            expect.removeOnFailure([kept], from: subject.connector)
            try await subject.connector.create(kept)
            let pid = try expect.require(connector.processIdentifier, "no process is running after a create")
            kill(pid, SIGKILL)
            for _ in 0..<250 where connector.processIdentifier == pid { try await Task.sleep(for: .milliseconds(20)) }
            expect.expect(connector.processIdentifier != pid, "the process was killed but is still taken as running")
            expect.expect(try await subject.connector.get(objectType: kept.objectType, anchor: kept.anchor), equals: kept, "get after the crash")
            let restarted = try expect.require(connector.processIdentifier, "no process is running after the crash and a get")
            expect.expect(restarted != pid, "the same process answered after it was killed")
            try await subject.connector.delete(objectType: kept.objectType, anchor: kept.anchor)
        }
    }

    /// A subject for each object type of the program's schema (or those named), the sample
    /// made from the type's attributes and merged with `sample` when given.
    package static func subjects(
        _ connector: ProcessConnector, objectTypes named: [String], sample: [String: JSON]?,
        reopen: @escaping @Sendable () -> ProcessConnector
    ) async throws(ConnectorError) -> [ConnectorConformance.Subject] {
        let schema = try await connector.schema()
        let (_, capabilities) = try await connector.handshake()
        let types = named.isEmpty ? schema.objectTypes : try named.map { name throws(ConnectorError) in
            guard let type = schema.objectType(name) else {
                throw ConnectorError(.invalidValue, "the connector serves no type '\(name)'; it serves \(schema.objectTypes.map(\.name).joined(separator: ", "))")
            }
            return type
        }
        return try types.map { type throws(ConnectorError) in
            try subject(
                // Passwords are users' (a SCIM group has none).
                connector, type: type, sample: sample ?? [:], setsPasswords: capabilities.operations.contains("setPassword") && type.name == "User",
                reopen: reopen)
        }
    }

    static func subject(
        _ connector: ProcessConnector, type: ConnectorSchema.ObjectType, sample given: [String: JSON], setsPasswords: Bool,
        reopen: @escaping @Sendable () -> ProcessConnector
    ) throws(ConnectorError) -> ConnectorConformance.Subject {
        let anchorAttribute = type.attribute(type.anchor)?.name
        let candidates = type.attributes.filter { $0.name != anchorAttribute && !$0.name.lowercased().contains("password") }
        let texts = candidates.filter { $0.type == .string && !$0.multiValued }
        guard let text = texts.first(where: { $0.name == "displayName" }) ?? texts.first else {
            throw ConnectorError(.invalidValue, "the \(type.name) type has no single-valued string attribute besides its anchor for the checks to change")
        }
        let multi = candidates.first { $0.type == .string && $0.multiValued }
        var attributes: [String: JSON] = [:]
        for attribute in candidates where attribute.required {
            attributes[attribute.name] = attribute.multiValued ? .array([example(attribute.type)]) : example(attribute.type)
        }
        attributes[text.name] = .string("Sample \(type.name)")
        if let multi { attributes[multi.name] = .array([.string("first"), .string("second")]) }
        for (name, value) in given { attributes[name] = value }
        return ConnectorConformance.Subject(
            connector: connector, sample: ConnectorObject(objectType: type.name, anchor: "sample", attributes: attributes),
            anchorAttribute: anchorAttribute, textAttribute: text.name, multiValuedAttribute: multi?.name, setsPasswords: setsPasswords,
            reopen: { reopen() })
    }

    static func example(_ type: ConnectorSchema.Attribute.DataType) -> JSON {
        switch type {
        case .string, .reference: .string("sample")
        case .boolean: .bool(true)
        case .integer: .number("1")
        case .dateTime: .string("2026-01-01T00:00:00Z")
        case .binary: .string("c2FtcGxl")
        }
    }
}
