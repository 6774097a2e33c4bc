/// What the host does when Entra disables (PATCH `active` false) or deletes (DELETE) an object,
/// as the ECMA wizard's Deprovisioning page offers: per flow, nothing, a delete, or setting a
/// boolean attribute.
package struct Deprovisioning: Sendable, Hashable {
    package enum Flow: Sendable, Hashable {
        /// Keep the object; a disable stores `active: false`.
        case none
        /// Delete the object from the application.
        case delete
        /// Set a boolean connector attribute (`IsActive` false, `msDS-UserAccountDisabled` true…).
        case setAttribute(String, Bool)
    }

    package var disableFlow: Flow
    package var deleteFlow: Flow

    package init(disableFlow: Flow = .none, deleteFlow: Flow = .delete) {
        self.disableFlow = disableFlow
        self.deleteFlow = deleteFlow
    }
}
