import ConnectorKit
import Foundation
import Synchronization

/// A process connector in Swift, on ConnectorKit: users, groups and roles kept in memory and in a
/// journal file (one JSON line per change, read back at start), so that they outlive the
/// process. Several requests are taken at once; the store is one lock. Groups are served under
/// the host's `/Groups`: their display name and their members (the users' logins) are attributes,
/// which the host exports attribute by attribute, a member added or removed as that change alone.
/// Roles, a type of this application's own, are served under `/Roles`, their attributes at the
/// resource's top level.
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
            ]),
            // The anchor is no attribute: the host gives each new group an id.
            WireObjectType(name: "Group", anchor: "id", attributes: [
                .init(name: "displayName", required: true), .init(name: "members", type: "reference", multiValued: true),
            ]),
            // What a user's `roles` name: the role's name is its anchor.
            WireObjectType(name: "Role", anchor: "name", attributes: [
                .init(name: "name", required: true), .init(name: "description"), .init(name: "permissions", multiValued: true),
            ]),
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
            guard current == nil else { throw WireError(code: "alreadyExists", message: "a \(object.objectType ?? "User") '\(object.anchor)' exists") }
            return try Self.checked(object, object.objectType ?? "User")
        }
    }

    func replace(_ object: WireObject) async throws {
        try store.change(object.objectType ?? "User", object.anchor) { current in
            guard current != nil else { throw WireError(code: "notFound", message: "no \(object.objectType ?? "User") '\(object.anchor)'") }
            return try Self.checked(object, object.objectType ?? "User")
        }
    }

    func update(objectType: String, anchor: String, changes: [WireChange]) async throws {
        try store.change(objectType, anchor) { current in
            guard var object = current else { throw WireError(code: "notFound", message: "no \(objectType) '\(anchor)'") }
            for change in changes {
                if change.delete == true { object.attributes[change.attribute] = nil }
                if let values = change.replace {
                    object.attributes[change.attribute] = Self.multiValued.contains(change.attribute) ? .array(values) : values.first
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
            return try Self.checked(object, objectType)
        }
    }

    func delete(objectType: String, anchor: String) async throws {
        try store.change(objectType, anchor) { current in
            guard current != nil else { throw WireError(code: "notFound", message: "no \(objectType) '\(anchor)'") }
            return nil
        }
    }

    func setPassword(objectType: String, anchor: String, password: String) async throws {
        guard objectType == "User" else { throw WireError(code: "invalidValue", message: "a \(objectType) has no password") }
        guard password.count >= 8 else { throw WireError(code: "invalidPassword", message: "a password has at least 8 characters") }
        try store.change(objectType, anchor) { current in
            guard var object = current else { throw WireError(code: "notFound", message: "no \(objectType) '\(anchor)'") }
            // The example keeps only whether one is set: a real application would hash it.
            object.document = .object([("passwordSet", .bool(true))])
            return object
        }
    }

    /// The attributes that hold several values.
    static let multiValued: Set = ["roles", "members", "permissions"]

    /// The object as stored: only the schema's attributes; a user's login and a role's name its
    /// anchor.
    static func checked(_ object: WireObject, _ objectType: String) throws -> WireObject {
        let known: Set =
            switch objectType {
            case "Group": ["displayName", "members"]
            case "Role": ["name", "description", "permissions"]
            default: ["login", "displayName", "city", "roles"]
            }
        if let unknown = object.attributes.keys.first(where: { !known.contains($0) }) {
            throw WireError(code: "invalidValue", message: "a \(objectType) has no attribute \(unknown)")
        }
        if objectType == "Group", object.attributes["displayName"] == nil {
            throw WireError(code: "invalidValue", message: "a group needs a displayName")
        }
        for key in ["login", "name"] {
            if let value = object.attributes[key], value != .string(object.anchor) {
                throw WireError(code: "invalidValue", message: "the \(key) is not the anchor '\(object.anchor)'")
            }
        }
        var stored = object
        stored.objectType = objectType
        return stored
    }
}

/// The users, and the journal that keeps them: each change appended as one line. Before each
/// operation the store reads what was appended since it last looked, so that several processes
/// can share one journal (as several hosts share one application); a look that finds the file
/// no longer than last time reads nothing.
final class Store: Sendable {
    private struct State {
        var objects: [String: WireObject] = [:]
        /// How far the journal has been read (and applied).
        var offset: Int64 = 0
        var journal: FileHandle?
        var reader: FileHandle?
    }

    private let state = Mutex(State())

    func open(_ path: String) throws {
        let descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw WireError(code: "unavailable", message: "the journal \(path) cannot be written") }
        guard let reader = FileHandle(forReadingAtPath: path) else {
            throw WireError(code: "unavailable", message: "the journal \(path) cannot be read")
        }
        try state.withLock { state in
            state = State(journal: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true), reader: reader)
            try Self.catchUp(&state)
        }
    }

    static func size(_ handle: FileHandle?) -> Int64 {
        var info = stat()
        guard let handle, fstat(handle.fileDescriptor, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }

    /// Applies the lines appended to the journal since the last look.
    private static func catchUp(_ state: inout State) throws {
        let size = size(state.reader)
        guard size > state.offset, let reader = state.reader else { return }
        try reader.seek(toOffset: UInt64(state.offset))
        let data = try reader.read(upToCount: Int(size - state.offset)) ?? Data()
        guard let last = data.lastIndex(of: 0x0A) else { return }
        let decoder = JSONDecoder()
        for line in data[..<last].split(separator: 0x0A) {
            let entry = try decoder.decode(Entry.self, from: Data(line))
            state.objects[entry.key] = entry.object
        }
        state.offset += Int64(last - data.startIndex + 1)
    }

    /// One line of the journal: an object as it now is, or nil once deleted; of type User when
    /// the line names none.
    struct Entry: Codable {
        var objectType: String?
        var anchor: String
        var object: WireObject?

        var key: String { Store.key(objectType ?? "User", anchor) }
    }

    static func key(_ objectType: String, _ anchor: String) -> String { "\(objectType)/\(anchor)" }

    func all(_ objectType: String) throws -> [WireObject] {
        try Self.check(objectType)
        return try state.withLock { state in
            try Self.catchUp(&state)
            return state.objects.filter { $0.key.hasPrefix(objectType + "/") }.map(\.value)
        }.map(Self.visible).sorted { $0.anchor < $1.anchor }
    }

    func read(_ objectType: String, _ anchor: String) throws -> WireObject? {
        try Self.check(objectType)
        return try state.withLock { state in
            try Self.catchUp(&state)
            return state.objects[Self.key(objectType, anchor)].map(Self.visible)
        }
    }

    /// Changes one object under the lock: `body` gets it as it is and gives it as it will be.
    func change(_ objectType: String, _ anchor: String, _ body: (WireObject?) throws -> WireObject?) throws {
        try Self.check(objectType)
        try state.withLock { state in
            try Self.catchUp(&state)
            let next = try body(state.objects[Self.key(objectType, anchor)])
            let line = try JSONEncoder().encode(Entry(objectType: objectType, anchor: anchor, object: next)) + Data([0x0A])
            try state.journal?.write(contentsOf: line)
            state.objects[Self.key(objectType, anchor)] = next
            // The line just written is applied already: when no other process appended since
            // the look above, the next look starts after it.
            if Self.size(state.journal) == state.offset + Int64(line.count) { state.offset += Int64(line.count) }
        }
    }

    /// What a read shows: the attributes, not what the store keeps beside them.
    static func visible(_ object: WireObject) -> WireObject {
        var object = object
        object.document = nil
        object.objectType = nil
        return object
    }

    static func check(_ objectType: String) throws {
        guard ["User", "Group", "Role"].contains(objectType) else { throw WireError(code: "invalidValue", message: "no object type \(objectType)") }
    }
}
