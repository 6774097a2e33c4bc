import ConnectorKit
import Foundation
import Synchronization

/// A process connector in Swift, on ConnectorKit: users kept in memory and in a journal file
/// (one JSON line per change, read back at start), so that they outlive the process. Several
/// requests are taken at once; the store is one lock.
///
/// Settings (from the host's configuration): `{"journal": "users.ndjson"}`.
@main
struct UsersConnector: ConnectorProgram {
    var name: String { "swift-users" }
    var version: String { "1.0" }
    var capabilities: WireCapabilities {
        WireCapabilities(
            operations: ["test", "schema", "import", "get", "create", "replace", "update", "delete", "setPassword"], export: "update", concurrency: 8)
    }

    let store = Store()

    static func main() async {
        await UsersConnector().serve()
    }

    func start(connector: String, settings: JSON) async throws {
        guard case .string(let path)? = settings["journal"] else {
            throw WireError(code: "failed", message: "the settings name no journal file: {journal: users.ndjson}")
        }
        try store.open(path)
    }

    func schema() async throws -> [WireObjectType] {
        [
            WireObjectType(name: "User", anchor: "login", attributes: [
                .init(name: "login", required: true), .init(name: "displayName"), .init(name: "city"), .init(name: "roles", multiValued: true),
            ])
        ]
    }

    func importObjects(objectType: String, page: ([WireObject]) async throws -> Void) async throws {
        let all = try store.all(objectType)
        for start in stride(from: 0, to: all.count, by: 500) { try await page(Array(all[start..<min(start + 500, all.count)])) }
    }

    func get(objectType: String, anchor: String) async throws -> WireObject? {
        try store.read(objectType, anchor)
    }

    func create(_ object: WireObject, password: String?) async throws {
        try store.change(object.objectType ?? "User", object.anchor) { current in
            guard current == nil else { throw WireError(code: "alreadyExists", message: "a user with login '\(object.anchor)' exists") }
            return try Self.checked(object)
        }
    }

    func replace(_ object: WireObject) async throws {
        try store.change(object.objectType ?? "User", object.anchor) { current in
            guard current != nil else { throw WireError(code: "notFound", message: "no user '\(object.anchor)'") }
            return try Self.checked(object)
        }
    }

    func update(objectType: String, anchor: String, changes: [WireChange]) async throws {
        try store.change(objectType, anchor) { current in
            guard var object = current else { throw WireError(code: "notFound", message: "no user '\(anchor)'") }
            for change in changes {
                if change.delete == true { object.attributes[change.attribute] = nil }
                if let values = change.replace {
                    object.attributes[change.attribute] = change.attribute == "roles" ? .array(values) : values.first
                }
                if change.add != nil || change.remove != nil {
                    guard case .array(var values) = object.attributes[change.attribute] ?? .array([]) else {
                        throw WireError(code: "invalidValue", message: "\(change.attribute) is single-valued")
                    }
                    values.removeAll { change.remove?.contains($0) == true }
                    for value in change.add ?? [] where !values.contains(value) { values.append(value) }
                    object.attributes[change.attribute] = values.isEmpty ? nil : .array(values)
                }
            }
            return try Self.checked(object)
        }
    }

    func delete(objectType: String, anchor: String) async throws {
        try store.change(objectType, anchor) { current in
            guard current != nil else { throw WireError(code: "notFound", message: "no user '\(anchor)'") }
            return nil
        }
    }

    func setPassword(objectType: String, anchor: String, password: String) async throws {
        guard password.count >= 8 else { throw WireError(code: "invalidPassword", message: "a password has at least 8 characters") }
        try store.change(objectType, anchor) { current in
            guard var object = current else { throw WireError(code: "notFound", message: "no user '\(anchor)'") }
            // The example keeps only whether one is set: a real application would hash it.
            object.document = .object([("passwordSet", .bool(true))])
            return object
        }
    }

    /// The object as stored: only the schema's attributes, the login its anchor.
    static func checked(_ object: WireObject) throws -> WireObject {
        let known: Set = ["login", "displayName", "city", "roles"]
        if let unknown = object.attributes.keys.first(where: { !known.contains($0) }) {
            throw WireError(code: "invalidValue", message: "no attribute \(unknown)")
        }
        if let login = object.attributes["login"], login != .string(object.anchor) {
            throw WireError(code: "invalidValue", message: "the login is not the anchor '\(object.anchor)'")
        }
        var stored = object
        stored.objectType = nil
        return stored
    }
}

/// The users, and the journal that keeps them: each change appended as one line. Before each
/// operation the store reads what was appended since it last looked, so that several processes
/// can share one journal (as several hosts share one application).
final class Store: Sendable {
    private struct State {
        var objects: [String: WireObject] = [:]
        var path = ""
        /// How far the journal has been read.
        var offset: UInt64 = 0
        var journal: FileHandle?
    }

    private let state = Mutex(State())

    func open(_ path: String) throws {
        let descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw WireError(code: "unavailable", message: "the journal \(path) cannot be written") }
        try state.withLock { state in
            state = State(path: path, journal: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
            try Self.catchUp(&state)
        }
    }

    /// Applies the lines appended to the journal since the last look.
    private static func catchUp(_ state: inout State) throws {
        guard let reader = FileHandle(forReadingAtPath: state.path) else { return }
        defer { try? reader.close() }
        try reader.seek(toOffset: state.offset)
        let data = try reader.readToEnd() ?? Data()
        guard let last = data.lastIndex(of: 0x0A) else { return }
        let decoder = JSONDecoder()
        for line in data[..<last].split(separator: 0x0A) {
            let entry = try decoder.decode(Entry.self, from: Data(line))
            state.objects[entry.anchor] = entry.object
        }
        state.offset += UInt64(last - data.startIndex + 1)
    }

    /// One line of the journal: an object as it now is, or nil once deleted.
    struct Entry: Codable {
        var anchor: String
        var object: WireObject?
    }

    func all(_ objectType: String) throws -> [WireObject] {
        try Self.check(objectType)
        return try state.withLock { state in
            try Self.catchUp(&state)
            return Array(state.objects.values)
        }.map(Self.visible).sorted { $0.anchor < $1.anchor }
    }

    func read(_ objectType: String, _ anchor: String) throws -> WireObject? {
        try Self.check(objectType)
        return try state.withLock { state in
            try Self.catchUp(&state)
            return state.objects[anchor].map(Self.visible)
        }
    }

    /// Changes one object under the lock: `body` gets it as it is and gives it as it will be.
    func change(_ objectType: String, _ anchor: String, _ body: (WireObject?) throws -> WireObject?) throws {
        try Self.check(objectType)
        try state.withLock { state in
            try Self.catchUp(&state)
            let next = try body(state.objects[anchor])
            let line = try JSONEncoder().encode(Entry(anchor: anchor, object: next)) + Data([0x0A])
            try state.journal?.write(contentsOf: line)
            state.objects[anchor] = next
        }
    }

    /// What a read shows: the attributes, not what the store keeps beside them.
    static func visible(_ object: WireObject) -> WireObject {
        var object = object
        object.document = nil
        return object
    }

    static func check(_ objectType: String) throws {
        guard objectType == "User" else { throw WireError(code: "invalidValue", message: "no object type \(objectType)") }
    }
}
