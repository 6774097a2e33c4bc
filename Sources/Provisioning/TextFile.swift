import Foundation
public import JSONValues

/// Reads a text file that must be UTF-8 (a mapping file, a user file, a target state): bytes
/// that are not UTF-8 are an error at their line and column, never quietly replaced.
public enum TextFile {
    /// A file that cannot be read, or is not UTF-8; `message` says which and where.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// Where the text stops being UTF-8, when that is the problem.
        public var invalidBytes: UTF8Text.InvalidBytes?
        public var description: String { message }
    }

    /// The text of `path` (`what` names it in messages: "mapping file", "user file").
    public static func read(_ path: String, what: String) throws(ReadError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
            throw ReadError(message: "cannot read \(what) '\(path)': \(reason)")
        }
        return try decode(data, name: path)
    }

    /// `bytes` as UTF-8 text; `name` is what the message puts before the location.
    public static func decode(_ bytes: some Collection<UInt8>, name: String) throws(ReadError) -> String {
        do {
            return try UTF8Text.decode(bytes)
        } catch {
            throw ReadError(message: "\(name):\(error.line):\(error.column): \(error.message)", invalidBytes: error)
        }
    }
}
