import Crypto
import Foundation
import SwiftASN1
import X509

/// `attrmap cert`: a self-signed certificate for the host, as the ECMA wizard makes one: its
/// subject and subject alternative name are the host name (an IP address goes in as one), valid
/// for two years by default. For testing; a real deployment uses a certificate from its own CA.
package enum SelfSignedCertificate {
    package struct Files: Sendable {
        package var certificate: String
        package var privateKey: String
    }

    /// Writes `<folder>/<host>.cert.pem` and `<folder>/<host>.key.pem` (the key readable only by its owner).
    package static func create(host: String, folder: String, days: Int = 730) throws -> Files {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(host) }
        let now = Date()
        let alternativeName: GeneralName
        if let address = IPv4Address(host) {
            alternativeName = .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.bytes)))
        } else {
            alternativeName = .dnsName(host)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true, keyEncipherment: true)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([alternativeName])
            },
            issuerPrivateKey: key)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let safe = host.replacingOccurrences(of: "/", with: "_")
        let files = Files(
            certificate: (folder as NSString).appendingPathComponent("\(safe).cert.pem"),
            privateKey: (folder as NSString).appendingPathComponent("\(safe).key.pem"))
        try Data(certificate.serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: files.certificate))
        guard FileManager.default.createFile(
            atPath: files.privateKey, contents: Data(try key.serializeAsPEM().pemString.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        return files
    }

    struct IPv4Address {
        var bytes: [UInt8]
        init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var bytes: [UInt8] = []
            for part in parts {
                guard let value = UInt8(part) else { return nil }
                bytes.append(value)
            }
            self.bytes = bytes
        }
    }
}
