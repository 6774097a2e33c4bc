package import ConnectorWire
package import Connectors
import Foundation
package import JSONValues
package import Logging
import ServiceLifecycle
import Spawning
import Synchronization

/// A connector that is another program, in any language, speaking the process connector
/// protocol (Documentation/process-connector-protocol.md) on its standard input and output.
///
/// The program is started on the first call and again whenever it has ended (an exit, a crash, a
/// missed deadline, a broken message), with a backoff while it keeps failing; meanwhile calls fail
/// as unavailable, with the time to retry after.
package final class ProcessConnector: DeltaImportingConnector, RestartableConnector {
    package struct Settings: Sendable {
        /// The connector's name in the configuration.
        package var name: String
        /// The program and its arguments. No secret here: they would show in `ps`.
        package var command: [String]
        /// The program's environment: these, with PATH, HOME, LANG, LC_ALL, TZ and TMPDIR of
        /// the host. Nothing else of the host's environment (its token, say) reaches it.
        package var environment: [String: String]
        package var workingDirectory: String?
        /// The entry's `settings`, passed in `hello`.
        package var settings: JSON
        /// How long a call may go unanswered (between two pages, for an import).
        package var timeout: Duration
        package var maxMessageBytes: Int

        package init(
            name: String, command: [String], environment: [String: String] = [:], workingDirectory: String? = nil, settings: JSON = .object([]),
            timeout: Duration = .seconds(30), maxMessageBytes: Int = WireLines.defaultLimit
        ) {
            self.name = name
            self.command = command
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.settings = settings
            self.timeout = timeout
            self.maxMessageBytes = maxMessageBytes
        }
    }

    /// The running program and what it said it can do.
    struct Running: Sendable {
        var process: ConnectorProcess
        var capabilities: WireCapabilities
        var slots: Slots
        /// The program's files as they were when it started (see ``ProcessConnector/fingerprint()``).
        var fingerprint: [String]
        var version: String?
    }

    private struct State {
        var running: Running?
        var starting: Task<Running, any Error>?
        var failures = 0
        var notBefore: ContinuousClock.Instant?
        var closed = false
        /// When the program's files were last compared with the running one's.
        var checked: ContinuousClock.Instant = .now
    }

    package let settings: Settings
    private let logger: Logger
    private let state = Mutex(State())

    package init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    // MARK: The program

    /// The running program, started (again) when there is none.
    func running() async throws(ConnectorError) -> Running {
        enum Next {
            case ready(Running)
            case wait(Task<Running, any Error>)
            case refused(ConnectorError)
        }
        let next: Next = state.withLock { state in
            if state.closed { return .refused(ConnectorError(.unavailable, "the connector is shutting down")) }
            if let running = state.running, running.process.ended == nil {
                // A program replaced on disk is started anew; the calls go on to the old one until
                // the new one has answered hello, and the old one finishes what it has in flight.
                if state.starting == nil, state.checked + .seconds(1) < .now, (state.notBefore ?? .now) <= .now {
                    state.checked = .now
                    if fingerprint() != running.fingerprint { state.starting = Task { try await self.start() } }
                }
                return .ready(running)
            }
            if let starting = state.starting { return .wait(starting) }
            if let notBefore = state.notBefore, notBefore > .now {
                let seconds = Int((notBefore - .now) / .seconds(1)) + 1
                return .refused(ConnectorError(.unavailable, "the connector process is restarting after failures", retryAfter: seconds))
            }
            let task = Task { try await self.start() }
            state.starting = task
            return .wait(task)
        }
        switch next {
        case .ready(let running): return running
        case .refused(let error): throw error
        case .wait(let task):
            switch await task.result {
            case .success(let running): return running
            case .failure(let error as ConnectorError): throw error
            case .failure(let error): throw ConnectorError(.unavailable, "\(error)")
            }
        }
    }

    /// The program's files, for noticing a replacement: the path, inode, size and modification
    /// time of each part of the command that is a file (the executable, a script it runs).
    func fingerprint() -> [String] {
        settings.command.compactMap { part in
            let path = part.hasPrefix("/") ? part : ((settings.workingDirectory ?? "") as NSString).appendingPathComponent(part)
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            return "\(path) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
    }

    private func start() async throws -> Running {
        let fingerprint = fingerprint()
        let started = await outcome { () async throws(ConnectorError) -> Running in
            var environment: [String: String] = [:]
            let host = ProcessInfo.processInfo.environment
            for name in ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"] { environment[name] = host[name] }
            for (name, value) in settings.environment { environment[name] = value }
            let process = try ConnectorProcess(
                name: settings.name, command: settings.command, environment: environment, directory: settings.workingDirectory,
                limit: settings.maxMessageBytes, logger: logger)
            let hello: WireResponse.Result
            let helloOperation = WireRequest.Operation.hello(
                protocols: ConnectorWire.protocols, host: "attrmap", connector: settings.name, settings: settings.settings)
            // hello includes the program's start: an interpreter loading, a runtime warming up.
            let helloTimeout = max(settings.timeout, .seconds(10))
            switch await outcome({ try await process.send(helloOperation, timeout: helloTimeout) }) {
            case .success(let result): hello = result
            case .failure(let error):
                let failure = error as? ConnectorError ?? ConnectorError(.failed, "\(error)")
                process.end(failure)
                throw ConnectorError(.unavailable, "the connector process did not start: \(failure.message)")
            }
            guard let version = hello.protocol, ConnectorWire.protocols.contains(version), let capabilities = hello.capabilities else {
                process.end(ConnectorError(.failed, "no protocol in common"))
                throw ConnectorError(.failed, "the connector answered hello without a protocol version attrmap speaks (\(ConnectorWire.protocols)) or without its capabilities")
            }
            logger.info(
                "connector process started",
                metadata: [
                    "connector": "\(settings.name)", "program": "\(hello.name ?? settings.command[0])", "version": "\(hello.version ?? "")",
                    "pid": "\(process.child.id)",
                ])
            return Running(
                process: process, capabilities: capabilities, slots: Slots(max(1, capabilities.concurrency ?? 1)), fingerprint: fingerprint,
                version: hello.version)
        }
        let (running, replaced) = try state.withLock { state throws -> (Running, Running?) in
            state.starting = nil
            switch started {
            case .success(let running):
                let replaced = state.running.flatMap { $0.process.ended == nil ? $0 : nil }
                state.running = running
                state.failures = 0
                state.notBefore = nil
                return (running, replaced)
            case .failure(let error):
                state.failures += 1
                // 0.5 s, doubling up to 30 s.
                let delay = min(30.0, 0.5 * pow(2, Double(state.failures - 1)))
                state.notBefore = .now + .milliseconds(Int(delay * 1000))
                throw error
            }
        }
        if let replaced {
            logger.info("connector program replaced", metadata: ["connector": "\(settings.name)", "version": "\(running.version ?? "")"])
            Task { await replaced.process.shutdown() }
        }
        return running
    }

    /// Sends `operation` to the program, within its concurrency.
    private func call(
        _ operation: WireRequest.Operation, pages: (@Sendable ([WireObject]) -> Void)? = nil
    ) async throws(ConnectorError) -> WireResponse.Result {
        // A request refused by a process that is being replaced was never sent: it goes to the
        // new one.
        for attempt in 1...5 {
            let running = try await running()
            guard operation.name == "shutdown" || running.capabilities.operations.contains(operation.name) else {
                throw ConnectorError(.failed, "the connector does not offer '\(operation.name)'")
            }
            await running.slots.take()
            let result = await outcome { () async throws(ConnectorError) -> WireResponse.Result in
                try await running.process.send(operation, timeout: settings.timeout, pages: pages)
            }
            running.slots.give()
            switch result {
            case .success(let result): return result
            case .failure(let error as ConnectorError) where error == ConnectorProcess.draining && attempt < 5:
                try? await Task.sleep(for: .milliseconds(20))
                continue
            case .failure(let error as ConnectorError): throw error
            case .failure(let error): throw ConnectorError(.failed, "\(error)")
            }
        }
        throw ConnectorProcess.draining
    }

    /// Starts the program anew, as when its file is replaced (`attrmap serve` on SIGHUP): calls go
    /// on to the running process until the new one has answered hello, then the old one finishes
    /// what it has in flight and is shut down. Nothing is done while none runs (the next call
    /// starts one) or one is already starting.
    package func restart() {
        let started = state.withLock { state -> Bool in
            guard !state.closed, state.starting == nil, let running = state.running, running.process.ended == nil else { return false }
            state.starting = Task { try await self.start() }
            return true
        }
        if started { logger.info("connector process restarting", metadata: ["connector": "\(settings.name)"]) }
    }

    /// The running program's version, as it said in hello.
    package var programVersion: String? {
        state.withLock { $0.running?.version }
    }

    /// The running program's process id, nil while none runs.
    package var processIdentifier: Int32? {
        state.withLock { state in state.running.flatMap { $0.process.ended == nil ? $0.process.child.id : nil } }
    }

    private func offers(_ operation: String) -> Bool {
        state.withLock { $0.running?.capabilities.operations.contains(operation) ?? false }
    }

    // MARK: Connector

    package func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Finishes the calls in flight, stops the program and takes no call any more.
    package func shutdown() async {
        let running = state.withLock { state in
            state.closed = true
            return state.running
        }
        await running?.process.shutdown()
    }

    deinit {
        // A connector let go without a shutdown (a command, a test) leaves no program behind.
        state.withLock { $0.running }?.process.end(ConnectorError(.unavailable, "the connector is gone"))
    }

    package func testConnection() async throws(ConnectorError) {
        _ = try await call(.test)
    }

    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        guard let types = try await call(.schema).objectTypes else { throw ConnectorError(.failed, "the connector answered schema without objectTypes") }
        return ConnectorSchema(objectTypes: types.map { type in
            ConnectorSchema.ObjectType(
                name: type.name, anchor: type.anchor,
                attributes: type.attributes.map {
                    ConnectorSchema.Attribute(
                        name: $0.name, type: ConnectorSchema.Attribute.DataType(rawValue: $0.type ?? "string") ?? .string, multiValued: $0.multiValued ?? false,
                        required: $0.required ?? false)
                }, keepsDocument: type.keepsDocument ?? false)
        })
    }

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        let all = Mutex<[ConnectorObject]>([])
        try await fullImport(objectType: objectType) { page in all.withLock { $0 += page } }
        return all.withLock { $0 }
    }

    package func fullImport(
        objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) {
        try await imported(.importObjects(objectType: objectType), objectType: objectType) { objects throws(ConnectorError) in
            try await deliver(objects.map { Self.object($0, objectType: objectType) })
        }
    }

    /// Runs an import, handing its pages to `deliver` in order as they come; the final result.
    @discardableResult
    private func imported(
        _ operation: WireRequest.Operation, objectType: String, deliver: ([WireObject]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) -> WireResponse.Result {
        let (stream, continuation) = AsyncStream<[WireObject]>.makeStream()
        let request = Task { () async throws(ConnectorError) -> WireResponse.Result in
            defer { continuation.finish() }
            return try await call(operation) { continuation.yield($0) }
        }
        // A page the host cannot take fails the import; the pages still coming are read and dropped.
        var failure: ConnectorError?
        for await page in stream where failure == nil {
            do throws(ConnectorError) {
                try await deliver(page)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        switch await request.result {
        case .success(let result): return result
        case .failure(let error): throw error as? ConnectorError ?? ConnectorError(.failed, "\(error)")
        }
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await call(.get(objectType: objectType, anchor: anchor)).object.map { Self.object($0, objectType: objectType) }
    }

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        _ = try await call(.create(Self.wire(object), password: nil))
    }

    package func sendsPasswordWithCreate(objectType: String) -> Bool {
        state.withLock { $0.running?.capabilities.passwordWithCreate ?? false }
    }

    package func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError) {
        let running = try await running()
        if running.capabilities.passwordWithCreate == true {
            _ = try await call(.create(Self.wire(object), password: password))
        } else {
            try await create(object)
            if let password { try await setPassword(objectType: object.objectType, anchor: object.anchor, password: password) }
        }
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        _ = try await running()
        if offers("replace") {
            _ = try await call(.replace(Self.wire(object)))
            return
        }
        // An attribute-level connector: what it holds now, and the changes from it.
        guard let previous = try await get(objectType: object.objectType, anchor: object.anchor) else {
            throw ConnectorError(.notFound, "no \(object.objectType) '\(object.anchor)'")
        }
        try await update(object, from: previous)
    }

    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        let running = try await running()
        guard running.capabilities.export == "update", offers("update") else {
            _ = try await call(.replace(Self.wire(object)))
            return
        }
        // The rest of the SCIM resource has no attribute-level form: a changed one goes whole.
        if object.document != previous.document {
            guard offers("replace") else {
                throw ConnectorError(.failed, "the connector keeps documents of \(object.objectType) objects but offers no replace to write a changed one")
            }
            _ = try await call(.replace(Self.wire(object)))
            return
        }
        let changes = Self.changes(from: previous.attributes, to: object.attributes)
        guard !changes.isEmpty else { return }
        _ = try await call(.update(objectType: object.objectType, anchor: object.anchor, changes: changes))
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        _ = try await call(.delete(objectType: objectType, anchor: anchor))
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        _ = try await call(.setPassword(objectType: objectType, anchor: anchor, password: password))
    }

    // MARK: Delta import

    package func importsChanges(objectType: String) -> Bool { offers("deltaImport") && offers("watermark") }

    package func watermark(objectType: String) async throws(ConnectorError) -> String {
        guard let watermark = try await call(.watermark(objectType: objectType)).watermark else {
            throw ConnectorError(.failed, "the connector answered watermark without one")
        }
        return watermark
    }

    package func deltaImport(objectType: String, since watermark: String) async throws(ConnectorError) -> ConnectorDelta {
        let changed = Mutex<[ConnectorObject]>([])
        let deleted = Mutex<[String]>([])
        let result = try await imported(.deltaImport(objectType: objectType, watermark: watermark), objectType: objectType) { objects in
            for object in objects {
                if object.deleted == true {
                    deleted.withLock { $0.append(object.anchor) }
                } else {
                    changed.withLock { $0.append(Self.object(object, objectType: objectType)) }
                }
            }
        }
        guard let next = result.watermark else { throw ConnectorError(.failed, "the connector answered deltaImport without the next watermark") }
        return ConnectorDelta(changed: changed.withLock { $0 }, deleted: deleted.withLock { $0 }, watermark: next)
    }

    // MARK: Objects on the wire

    static func object(_ object: WireObject, objectType: String) -> ConnectorObject {
        ConnectorObject(objectType: objectType, anchor: object.anchor, attributes: object.attributes.filter { $0.value != .null }, document: object.document)
    }

    static func wire(_ object: ConnectorObject) -> WireObject {
        WireObject(objectType: object.objectType, anchor: object.anchor, attributes: object.attributes, document: object.document)
    }

    /// The attribute-level changes from `old` to `new`: new values replace, a value gone is a
    /// delete, and a multi-valued attribute gets the values added and removed.
    package static func changes(from old: [String: JSON], to new: [String: JSON]) -> [WireChange] {
        var changes: [WireChange] = []
        for name in Set(old.keys).union(new.keys).sorted() {
            let before = old[name], after = new[name]
            if before == after { continue }
            guard let after else {
                changes.append(WireChange(attribute: name, delete: true))
                continue
            }
            if case .array(let values) = after, case .array(let previous)? = before {
                let added = values.filter { !previous.contains($0) }
                let removed = previous.filter { !values.contains($0) }
                if !added.isEmpty || !removed.isEmpty {
                    changes.append(WireChange(attribute: name, add: added.isEmpty ? nil : added, remove: removed.isEmpty ? nil : removed))
                }
                continue
            }
            if case .array(let values) = after {
                changes.append(WireChange(attribute: name, replace: values))
            } else {
                changes.append(WireChange(attribute: name, replace: [after]))
            }
        }
        return changes
    }
}

/// At most `limit` calls in flight; the others wait their turn, first come first served.
final class Slots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ limit: Int) {
        state = Mutex(State(free: limit))
    }

    func take() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { state in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func give() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
