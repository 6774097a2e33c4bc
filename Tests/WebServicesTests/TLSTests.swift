import AttrmapTesting
import Connectors
import Foundation
import Testing
import WebServices

/// The connection's TLS options against the sample served over HTTPS with a certificate from a
/// certificate authority made for the test, and with client certificates required.
@Suite struct TLSTests {
    @Test func httpsWithTheApplicationsOwnCertificateAuthority() async throws {
        let folder = try TemporaryFolder("attrmap-tls")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url)
        let (certificate, key) = try authority.issue("127.0.0.1")
        let hr = try HRApplication(extra: ["--cert", certificate, "--key", key])
        #expect(hr.apiURL.hasPrefix("https://"))

        // The system's trust does not know the certificate: the connection fails, and says so.
        var untrusted = try hr.template()
        untrusted.connection.retry.attempts = 0
        let refused = try hr.connector(untrusted)
        do {
            _ = try await refused.get(objectType: "User", anchor: "x")
            Issue.record("a certificate nobody trusts was accepted")
        } catch {
            #expect(error.kind == .unavailable, "\(error)")
        }
        // Trusted by its CA file, it works; so does `insecure`, for a test system.
        var trusted = try hr.template()
        trusted.connection.tls.caFile = authority.file.path
        try await hr.connector(trusted).create(HRConnectorTests.sample("tls"))
        var insecure = try hr.template()
        insecure.connection.tls.insecure = true
        #expect(try await hr.connector(insecure).get(objectType: "User", anchor: "tls")?.anchor == "tls")
    }

    @Test func aClientCertificateWhenTheApplicationRequiresOne() async throws {
        let folder = try TemporaryFolder("attrmap-tls")
        defer { folder.remove() }
        let authority = try TestCertificateAuthority(folder: folder.url)
        let (certificate, key) = try authority.issue("127.0.0.1")
        let (client, clientKey) = try authority.issue("attrmap-client", client: true)
        let hr = try HRApplication(extra: ["--cert", certificate, "--key", key, "--client-ca", authority.file.path])
        var template = try hr.template()
        template.connection.tls.caFile = authority.file.path
        template.connection.retry.attempts = 0
        let anonymous = try hr.connector(template)
        do {
            _ = try await anonymous.get(objectType: "User", anchor: "x")
            Issue.record("a call without a client certificate was accepted")
        } catch {
            #expect(error.kind == .unavailable, "\(error)")
        }
        template.connection.tls.certificateFile = client
        template.connection.tls.privateKeyFile = clientKey
        try await hr.connector(template).create(HRConnectorTests.sample("mtls"))
        #expect(try await hr.connector(template).get(objectType: "User", anchor: "mtls")?.anchor == "mtls")
    }
}
