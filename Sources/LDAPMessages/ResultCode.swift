/// An LDAP result code (RFC 4511 §4.1.9 and Appendix A), with its name.
package struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package var rawValue: Int

    package init(rawValue: Int) { self.rawValue = rawValue }
    package init(_ rawValue: Int) { self.rawValue = rawValue }

    package static let success = ResultCode(0)
    package static let operationsError = ResultCode(1)
    package static let protocolError = ResultCode(2)
    package static let timeLimitExceeded = ResultCode(3)
    package static let sizeLimitExceeded = ResultCode(4)
    package static let compareFalse = ResultCode(5)
    package static let compareTrue = ResultCode(6)
    package static let authMethodNotSupported = ResultCode(7)
    package static let strongerAuthRequired = ResultCode(8)
    package static let referral = ResultCode(10)
    package static let adminLimitExceeded = ResultCode(11)
    package static let unavailableCriticalExtension = ResultCode(12)
    package static let confidentialityRequired = ResultCode(13)
    package static let saslBindInProgress = ResultCode(14)
    package static let noSuchAttribute = ResultCode(16)
    package static let undefinedAttributeType = ResultCode(17)
    package static let inappropriateMatching = ResultCode(18)
    package static let constraintViolation = ResultCode(19)
    package static let attributeOrValueExists = ResultCode(20)
    package static let invalidAttributeSyntax = ResultCode(21)
    package static let noSuchObject = ResultCode(32)
    package static let aliasProblem = ResultCode(33)
    package static let invalidDNSyntax = ResultCode(34)
    package static let aliasDereferencingProblem = ResultCode(36)
    package static let inappropriateAuthentication = ResultCode(48)
    package static let invalidCredentials = ResultCode(49)
    package static let insufficientAccessRights = ResultCode(50)
    package static let busy = ResultCode(51)
    package static let unavailable = ResultCode(52)
    package static let unwillingToPerform = ResultCode(53)
    package static let loopDetect = ResultCode(54)
    package static let namingViolation = ResultCode(64)
    package static let objectClassViolation = ResultCode(65)
    package static let notAllowedOnNonLeaf = ResultCode(66)
    package static let notAllowedOnRDN = ResultCode(67)
    package static let entryAlreadyExists = ResultCode(68)
    package static let objectClassModsProhibited = ResultCode(69)
    package static let affectsMultipleDSAs = ResultCode(71)
    package static let other = ResultCode(80)

    static let names: [Int: String] = [
        0: "success", 1: "operationsError", 2: "protocolError", 3: "timeLimitExceeded", 4: "sizeLimitExceeded",
        5: "compareFalse", 6: "compareTrue", 7: "authMethodNotSupported", 8: "strongerAuthRequired", 10: "referral",
        11: "adminLimitExceeded", 12: "unavailableCriticalExtension", 13: "confidentialityRequired", 14: "saslBindInProgress",
        16: "noSuchAttribute", 17: "undefinedAttributeType", 18: "inappropriateMatching", 19: "constraintViolation",
        20: "attributeOrValueExists", 21: "invalidAttributeSyntax", 32: "noSuchObject", 33: "aliasProblem", 34: "invalidDNSyntax",
        36: "aliasDereferencingProblem", 48: "inappropriateAuthentication", 49: "invalidCredentials", 50: "insufficientAccessRights",
        51: "busy", 52: "unavailable", 53: "unwillingToPerform", 54: "loopDetect", 64: "namingViolation", 65: "objectClassViolation",
        66: "notAllowedOnNonLeaf", 67: "notAllowedOnRDN", 68: "entryAlreadyExists", 69: "objectClassModsProhibited",
        71: "affectsMultipleDSAs", 80: "other", 118: "canceled", 119: "noSuchOperation", 120: "tooLate", 121: "cannotCancel",
    ]

    /// `entryAlreadyExists (68)`.
    package var description: String { "\(Self.names[rawValue] ?? "result") (\(rawValue))" }
}
