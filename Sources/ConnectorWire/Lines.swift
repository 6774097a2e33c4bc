public import Foundation
import JSONValues

/// A line that is not a message: too long, not UTF-8, not JSON, or not one of the protocol's.
public struct WireProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The line's first bytes, escaped, for a log: never the whole line, which may carry a password.
    public var excerpt: String

    public init(_ message: String, line: some Collection<UInt8>) {
        self.message = message
        excerpt = Self.excerpt(of: line)
    }

    public var description: String { excerpt.isEmpty ? message : "\(message): \(excerpt)" }

    /// Up to 60 bytes, printable ASCII as is and the rest as `\xNN`, with `…` when cut.
    public static func excerpt(of line: some Collection<UInt8>) -> String {
        var text = ""
        for byte in line.prefix(60) {
            text += (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
        return line.count > 60 ? text + "…" : text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// One message a line: encoding, and decoding with every way a line can be wrong named.
public enum WireLines {
    /// The longest line taken by default: 16 MiB.
    public static let defaultLimit = 16 << 20

    /// `message` as one line, line feed included.
    public static func encode(_ message: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(message)
        data.append(0x0A)
        return data
    }

    public static func request(_ line: some Collection<UInt8>) throws(WireProblem) -> WireRequest {
        try decode(WireRequest.self, line)
    }

    public static func response(_ line: some Collection<UInt8>) throws(WireProblem) -> WireResponse {
        try decode(WireResponse.self, line)
    }

    /// The id of a line that could not be read as a message, when it has one: the request a bad
    /// response belonged to.
    public static func id(of line: some Collection<UInt8>) -> Int? {
        try? JSONDecoder().decode(Identified.self, from: Data(line)).id
    }

    private struct Identified: Decodable { var id: Int }

    static func decode<Message: Decodable>(_ type: Message.Type, _ line: some Collection<UInt8>) throws(WireProblem) -> Message {
        let bytes = Array(line)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw WireProblem("the line is not UTF-8", line: bytes)
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                // Not JSON at all: the project's own parser says where.
                do {
                    _ = try JSON.parse(bytes)
                } catch {
                    throw WireProblem("the line is not JSON (column \(error.column): \(error.message))", line: bytes)
                }
            }
            throw WireProblem(Self.describe(error), line: bytes)
        } catch {
            throw WireProblem("the line is not a message: \(error)", line: bytes)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at '\(keys.joined(separator: "."))'"
        }
        switch error {
        case .dataCorrupted(let context):
            return "\(context.debugDescription)\(path(context))"
        case .keyNotFound(let key, let context): return "'\(key.stringValue)' is missing\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription)\(path(context))"
        @unknown default: return "the line is not a message"
        }
    }
}

/// Reads lines from a descriptor (a pipe): each line without its line feed, or a problem for a
/// line longer than the limit (skipped up to its end). Blocking: for a thread of its own.
public struct WireLineReader {
    public enum Item: Sendable {
        case line([UInt8])
        case tooLong(WireProblem)
    }

    private let descriptor: Int32
    private let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var skipping = false
    private var ended = false

    public init(descriptor: Int32, limit: Int = WireLines.defaultLimit) {
        self.descriptor = descriptor
        self.limit = limit
    }

    /// The next line, or nil at the end of the input (a last line without a line feed counts).
    public mutating func next() -> Item? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if skipping {
                    skipping = false
                    continue
                }
                if line.count > limit { return .tooLong(WireProblem("the line is longer than \(limit) bytes", line: line)) }
                return .line(line)
            }
            if buffer.count - start > limit, !skipping {
                let problem = WireProblem("the line is longer than \(limit) bytes", line: buffer[start...])
                buffer.removeAll(keepingCapacity: true)
                start = 0
                skipping = true
                return .tooLong(problem)
            }
            if skipping {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if ended {
                guard start < buffer.count, !skipping else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return .line(line)
            }
            if start > 0, start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 65536 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 {
                ended = true
                continue
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
