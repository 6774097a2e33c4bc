/// A connector whose application says what changed since a point in time (a `modifiedSince`
/// query, a watermark): the host's refreshes read the changes instead of everything. Deletions
/// are seen when the application reports them, and otherwise by the full imports in between.
package protocol DeltaImportingConnector: Connector {
    /// Whether objects of the type can be imported as changes.
    func importsChanges(objectType: String) -> Bool

    /// The watermark as of now, taken just before a full import: the first delta after it starts
    /// from there.
    func watermark(objectType: String) async throws(ConnectorError) -> String

    /// The objects changed (added or modified, whole) and deleted after `watermark`, and the
    /// watermark to start the next delta from.
    func deltaImport(objectType: String, since watermark: String) async throws(ConnectorError) -> ConnectorDelta
}

/// What changed in an application since a watermark.
package struct ConnectorDelta: Sendable, Hashable {
    /// Objects added or changed, each whole.
    package var changed: [ConnectorObject]
    /// The anchors of objects deleted, when the application reports them.
    package var deleted: [String]
    /// Where the next delta starts.
    package var watermark: String

    package init(changed: [ConnectorObject], deleted: [String] = [], watermark: String) {
        self.changed = changed
        self.deleted = deleted
        self.watermark = watermark
    }
}
