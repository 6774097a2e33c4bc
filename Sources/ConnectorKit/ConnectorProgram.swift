// A connector's author imports ConnectorKit alone: the messages and JSON values come with it.
@_exported public import ConnectorWire
import Foundation
@_exported public import JSONValues
import Synchronization

/// A connector written in Swift, run as a program that attrmap starts (a `process:` connector):
/// the operations of the process connector protocol as functions. ``serve()`` reads the
/// requests, calls them (several at once, up to ``capabilities``' concurrency) and writes the
/// answers; a thrown `WireError` is the answer's error, any other error is `failed`.
///
/// ```swift
/// @main struct Users: ConnectorProgram {
///     var capabilities: WireCapabilities { .init(operations: ["test", "schema", "import", "get", "create", "replace", "delete"]) }
///     …
///     static func main() async { await Users().serve() }
/// }
/// ```
public protocol ConnectorProgram: Sendable {
    /// The program's name and version, for the host's log.
    var name: String { get }
    var version: String { get }
    /// What the program can do; its `operations` list the functions below it implements.
    var capabilities: WireCapabilities { get }

    /// The first request: the connector's name in the host's configuration and its `settings`.
    func start(connector: String, settings: JSON) async throws
    func test() async throws
    func schema() async throws -> [WireObjectType]
    /// Every object of a type, handed to `page` a page at a time.
    func importObjects(objectType: String, page: ([WireObject]) async throws -> Void) async throws
    func watermark(objectType: String) async throws -> String
    /// The changes after `watermark`, handed to `page` (a deleted object with `deleted`); the
    /// next watermark.
    func deltaImport(objectType: String, watermark: String, page: ([WireObject]) async throws -> Void) async throws -> String
    func get(objectType: String, anchor: String) async throws -> WireObject?
    func create(_ object: WireObject, password: String?) async throws
    func replace(_ object: WireObject) async throws
    func update(objectType: String, anchor: String, changes: [WireChange]) async throws
    func delete(objectType: String, anchor: String) async throws
    func setPassword(objectType: String, anchor: String, password: String) async throws
}

extension ConnectorProgram {
    public var version: String { "" }
    public func start(connector: String, settings: JSON) async throws {}
    public func test() async throws {}

    public func watermark(objectType: String) async throws -> String { throw Self.notOffered("watermark") }
    public func deltaImport(objectType: String, watermark: String, page: ([WireObject]) async throws -> Void) async throws -> String {
        throw Self.notOffered("deltaImport")
    }
    public func replace(_ object: WireObject) async throws { throw Self.notOffered("replace") }
    public func update(objectType: String, anchor: String, changes: [WireChange]) async throws { throw Self.notOffered("update") }
    public func setPassword(objectType: String, anchor: String, password: String) async throws { throw Self.notOffered("setPassword") }

    static func notOffered(_ operation: String) -> WireError { WireError(code: "failed", message: "this connector does not offer \(operation)") }

    /// Serves requests from standard input until it ends or `shutdown` comes; answers on
    /// standard output. Diagnostics go to standard error, the host's log.
    public func serve() async {
        await ConnectorRuntime(program: self).run()
    }
}

/// Reads requests, runs them within the program's concurrency, and writes each answer as one
/// line, never two at once.
struct ConnectorRuntime<Program: ConnectorProgram>: Sendable {
    let program: Program
    private let output = Output()

    init(program: Program) {
        self.program = program
    }

    /// Standard output, one writer at a time.
    final class Output: Sendable {
        private let lock = Mutex(())

        func write(_ data: Data) {
            lock.withLock { _ in FileHandle.standardOutput.write(data) }
        }
    }

    func write(_ response: WireResponse) {
        guard let data = try? WireLines.encode(response) else { return }
        output.write(data)
    }

    static func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func run() async {
        let (lines, continuation) = AsyncStream<WireLineReader.Item>.makeStream()
        let reader = Thread {
            var reader = WireLineReader(descriptor: FileHandle.standardInput.fileDescriptor)
            while let item = reader.next() { continuation.yield(item) }
            continuation.finish()
        }
        reader.start()
        let limit = max(1, program.capabilities.concurrency ?? 1)
        await withTaskGroup(of: Bool.self) { group in
            var running = 0
            for await item in lines {
                guard case .line(let line) = item else {
                    if case .tooLong(let problem) = item { Self.log("a request is too long: \(problem)") }
                    continue
                }
                if line.isEmpty { continue }
                let request: WireRequest
                do {
                    request = try WireLines.request(line)
                } catch {
                    Self.log("not a request: \(error)")
                    if let id = WireLines.id(of: line) { write(WireResponse(id: id, .error(WireError(code: "failed", message: "\(error)")))) }
                    continue
                }
                if case .shutdown = request.operation {
                    await group.waitForAll()
                    write(WireResponse(id: request.id, .ok(.init())))
                    return
                }
                // `hello` first and alone; then up to the program's concurrency.
                if case .hello = request.operation {
                    await group.waitForAll()
                    running = 0
                    await answer(request)
                    continue
                }
                if running >= limit, await group.next() != nil { running -= 1 }
                running += 1
                group.addTask {
                    await answer(request)
                    return true
                }
            }
        }
    }

    func answer(_ request: WireRequest) async {
        let id = request.id
        do {
            let result = try await perform(request.operation) { objects in write(WireResponse(id: id, .page(objects))) }
            write(WireResponse(id: id, .ok(result)))
        } catch let error as WireError {
            write(WireResponse(id: id, .error(error)))
        } catch {
            write(WireResponse(id: id, .error(WireError(code: "failed", message: "\(request.operation.name) failed: \(error)"))))
        }
    }

    func perform(_ operation: WireRequest.Operation, page: @escaping ([WireObject]) -> Void) async throws -> WireResponse.Result {
        switch operation {
        case .hello(let protocols, _, let connector, let settings):
            guard protocols.contains(1) else { throw WireError(code: "failed", message: "this connector speaks protocol 1 only") }
            try await program.start(connector: connector, settings: settings)
            return .init(protocol: 1, name: program.name, version: program.version, capabilities: program.capabilities)
        case .test:
            try await program.test()
        case .schema:
            return .init(objectTypes: try await program.schema())
        case .importObjects(let objectType):
            try await program.importObjects(objectType: objectType) { page($0) }
        case .watermark(let objectType):
            return .init(watermark: try await program.watermark(objectType: objectType))
        case .deltaImport(let objectType, let watermark):
            return .init(watermark: try await program.deltaImport(objectType: objectType, watermark: watermark) { page($0) })
        case .get(let objectType, let anchor):
            return .init(object: try await program.get(objectType: objectType, anchor: anchor))
        case .create(let object, let password):
            try await program.create(object, password: password)
        case .replace(let object):
            try await program.replace(object)
        case .update(let objectType, let anchor, let changes):
            try await program.update(objectType: objectType, anchor: anchor, changes: changes)
        case .delete(let objectType, let anchor):
            try await program.delete(objectType: objectType, anchor: anchor)
        case .setPassword(let objectType, let anchor, let password):
            try await program.setPassword(objectType: objectType, anchor: anchor, password: password)
        case .shutdown:
            break
        }
        return .init()
    }
}
