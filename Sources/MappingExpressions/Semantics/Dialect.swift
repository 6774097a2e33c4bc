/// The two dialects of the language.
///
/// `provisioning` is Entra app provisioning (SCIM apps, HR inbound, ECMA). `cloudSync` is Entra
/// Cloud Sync, which adds the `&` operator, `Trim`, `Error`, `DNComponent`, `ConvertFromBase64`,
/// `StringFromSid`, `CRef`, `Contains` and a three-argument `FormatDateTime`.
public enum Dialect: String, Sendable, Hashable, CaseIterable, Codable {
    case provisioning
    case cloudSync = "cloud-sync"
}
