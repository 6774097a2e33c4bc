import AttrmapTesting
import Connectors
import Foundation
import JSONValues
import Testing
import WebServices

/// The web services connector over SOAP, against the sample SAP user service really started on
/// loopback with its own SQLite storage, through the SAP template users run.
@Suite struct SAPConnectorTests {
    static func sample(_ anchor: String = "SAMPLE") -> ConnectorObject {
        ConnectorObject(objectType: "User", anchor: anchor, attributes: [
            "userName": .string(anchor), "firstName": .string("Zoë"), "lastName": .string("Nuñez"), "displayName": .string("Zoë Nuñez"),
            "department": .string("Sales"), "city": .string("Lisboa"), "email": .string("zoe@contoso.com"), "expirationTime": .string("9999-12-31"),
            "roles": .array([.string("Z_EMPLOYEE")]),
        ])
    }

    /// SAP user names: at most twelve characters, upper case. The suite's names become `U` and
    /// eleven hexadecimal digits of their hash, distinct for the names it uses.
    static func sapName(_ name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "U" + String(String(hash, radix: 16).uppercased().suffix(11))
    }

    @Test func meetsTheConnectorContract() async throws {
        let sap = try SAPApplication()
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: try sap.connector(), sample: Self.sample(), anchorAttribute: "userName", textAttribute: "displayName",
            multiValuedAttribute: "roles",
            storedPassword: { username in
                // The service keeps a hash: a password is known by the check that logs in.
                let answer = try await sap.call("SUSR_LOGIN_CHECK_RFC", "<BNAME>\(username)</BNAME><PASSWORD>Pass@w0rd1-é</PASSWORD>")
                return answer.contains("<RETURN/>") ? "Pass@w0rd1-é" : nil
            },
            reopen: { try sap.connector() },
            outage: (goAway: { sap.application.stop() }, comeBack: { try sap.application.start() }),
            anchorForm: Self.sapName))
    }

    @Test func importsEveryPageByKeyAndEachUsersDetail() async throws {
        let sap = try SAPApplication(seed: 450)
        let objects = try await sap.connector().fullImport(objectType: "User")
        #expect(objects.count == 450)
        #expect(objects.map(\.anchor) == (1...450).map { String(format: "U%07d", $0) })
        let first = try #require(objects.first)
        // The user name from the list, the rest from BAPI_USER_GET_DETAIL.
        #expect(first.attributes["userName"] == .string("U0000001"))
        #expect(first.attributes["lastName"] != nil)
        #expect(first.attributes["middleName"] == nil, "an empty field is no value")
    }

    @Test func anUpdateChangesOnlyTheFlaggedFields() async throws {
        let sap = try SAPApplication()
        let connector = try sap.connector()
        let original = Self.sample("ANN")
        try await connector.create(original)
        // Another client changes the city; this update, from the object as it was, changes the
        // department: BAPI_USER_CHANGE with DEPARTMENT flagged leaves the city alone.
        var elsewhere = original
        elsewhere.attributes["city"] = .string("Porto")
        try await connector.update(elsewhere, from: original)
        var changed = original
        changed.attributes["department"] = .string("Finance")
        changed.attributes["firstName"] = nil
        try await connector.update(changed, from: original)
        let stored = try #require(try await connector.get(objectType: "User", anchor: "ANN"))
        #expect(stored.attributes["department"] == .string("Finance"))
        #expect(stored.attributes["firstName"] == nil, "a value removed is cleared: an empty field with its flag")
        #expect(stored.attributes["city"] == .string("Porto"), "a field not flagged is not changed")
        #expect(stored.attributes["roles"] == .array([.string("Z_EMPLOYEE")]))

        // With send: all, every field is flagged: the same update brings the stale city back.
        let replacing = try sap.connector(sap.template { $0.replacingOccurrences(of: "send: changed", with: "send: all") })
        try await replacing.update(changed, from: original)
        #expect(try await connector.get(objectType: "User", anchor: "ANN")?.attributes["city"] == .string("Lisboa"))
    }

    @Test func rolesAreReplacedAsAWholeWhenTheyChange() async throws {
        let sap = try SAPApplication()
        let connector = try sap.connector()
        let original = Self.sample("BEA")
        try await connector.create(original)
        var changed = original
        changed.attributes["roles"] = .array([.string("Z_APPROVER"), .string("Z_EMPLOYEE")])
        try await connector.update(changed, from: original)
        #expect(try await connector.get(objectType: "User", anchor: "BEA")?.attributes["roles"] == changed.attributes["roles"])
        changed.attributes["roles"] = nil
        try await connector.update(changed, from: try #require(try await connector.get(objectType: "User", anchor: "BEA")))
        #expect(try await connector.get(objectType: "User", anchor: "BEA")?.attributes["roles"] == nil)
    }

    @Test func writesHeldInTheSessionAreCommittedByTheLastStep() async throws {
        let sap = try SAPApplication()
        // Without the commit, the create is held in the session and never written.
        let uncommitted = try sap.connector(sap.template { text in
            text.replacingOccurrences(of: "        - {SOAP: BAPI_TRANSACTION_COMMIT, body: {WAIT: '\"X\"'}}\n      update:", with: "      update:")
        })
        try await uncommitted.create(Self.sample("HELD"))
        #expect(try await uncommitted.get(objectType: "User", anchor: "HELD") == nil)
        // With it, in the same session (the cookie kept for the flow), it is.
        let connector = try sap.connector()
        try await connector.create(Self.sample("HELD"))
        #expect(try await connector.get(objectType: "User", anchor: "HELD")?.attributes["lastName"] == .string("Nuñez"))
    }

    @Test func returnRowsAndFaultsAreOutcomesWithTheApplicationsReason() async throws {
        let sap = try SAPApplication()
        let connector = try sap.connector()
        var nameless = Self.sample("NAMELESS")
        nameless.attributes["lastName"] = nil
        await #expect {
            try await connector.create(nameless)
        } throws: { error in
            let error = error as! ConnectorError
            return error.kind == .invalidValue && error.message.contains("Enter a last name for user NAMELESS")
                && error.message.contains("User create, step 1 of 3 (SOAP BAPI_USER_CREATE1)")
        }
        try await connector.create(Self.sample("CAL"))
        await #expect {
            try await connector.setPassword(objectType: "User", anchor: "CAL", password: "short")
        } throws: { error in
            (error as! ConnectorError).kind == .invalidPassword && "\(error)".contains("Password is too short")
        }
        await #expect {
            try await connector.delete(objectType: "User", anchor: "NOBODY")
        } throws: { error in
            (error as! ConnectorError).kind == .notFound && "\(error)".contains("User NOBODY does not exist")
        }
        // A function module the service does not offer: a SOAP fault that blames the request.
        let unknown = try sap.connector(sap.template { $0.replacingOccurrences(of: "SOAP: BAPI_USER_DELETE,", with: "SOAP: BAPI_USER_DELETE_ALL,") })
        await #expect {
            try await unknown.delete(objectType: "User", anchor: "CAL")
        } throws: { error in
            (error as! ConnectorError).kind == .invalidValue && "\(error)".contains("the function module BAPI_USER_DELETE_ALL is not offered")
        }
        // A wrong service user: HTTP 401 with a fault.
        let stranger = try sap.connector(sap.template(variables: ["SAP_PASSWORD": "wrong-password"]))
        await #expect {
            try await stranger.testConnection()
        } throws: { error in
            (error as! ConnectorError).kind == .permissionDenied && "\(error)".contains("Unauthorized")
        }
    }

    @Test(arguments: [false, true]) func authenticatesByWSSecurityUsernameToken(digest: Bool) async throws {
        let sap = try SAPApplication(seed: 3)
        let basic = #"authentication: {type: basic, username: "${SAP_USER}", password: "${SAP_PASSWORD}"}"#
        let token = #"authentication: {type: usernameToken, username: "${SAP_USER}", password: "${SAP_PASSWORD}", digest: \#(digest)}"#
        let connector = try sap.connector(sap.template { $0.replacingOccurrences(of: basic, with: token) })
        try await connector.testConnection()
        // Each call its own nonce: the service refuses one seen before.
        #expect(try await connector.fullImport(objectType: "User").count == 3)
        let wrong = try sap.connector(sap.template(editing: { $0.replacingOccurrences(of: basic, with: token) }, variables: ["SAP_PASSWORD": "not-it"]))
        await #expect {
            try await wrong.testConnection()
        } throws: { error in
            (error as! ConnectorError).kind == .permissionDenied
        }
    }

    @Test func speaksSOAP12() async throws {
        let sap = try SAPApplication()
        let connector = try sap.connector(sap.template { $0.replacingOccurrences(of: #"version: "1.1""#, with: #"version: "1.2""#) })
        try await connector.create(Self.sample("DOT"))
        #expect(try await connector.get(objectType: "User", anchor: "DOT")?.attributes["email"] == .string("zoe@contoso.com"))
        await #expect {
            try await connector.create(Self.sample("DOT"))
        } throws: { error in
            (error as! ConnectorError).kind == .alreadyExists
        }
    }
}
