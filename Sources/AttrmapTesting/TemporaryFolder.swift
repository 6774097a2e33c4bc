package import Foundation

/// A folder of its own under the system's temporary directory: `defer { folder.remove() }`.
package struct TemporaryFolder: Sendable {
    package let url: URL

    package init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A file's path in the folder.
    package func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Removes the folder and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
