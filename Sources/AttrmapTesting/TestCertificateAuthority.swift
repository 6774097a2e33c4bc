import Crypto
package import Foundation
import SwiftASN1
import X509

/// A certificate authority made for a test, and certificates it issues (a server's for an IP
/// address or a name, a client's), written as PEM files in a folder.
package struct TestCertificateAuthority {
    let key = P256.Signing.PrivateKey()
    let name: DistinguishedName
    let certificate: Certificate
    package let folder: URL

    package init(folder: URL) throws {
        self.folder = folder
        name = try DistinguishedName { CommonName("attrmap test CA") }
        let now = Date()
        let signing = Certificate.PrivateKey(key)
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signing.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: signing)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try certificate.serializeAsPEM().pemString.write(to: self.file, atomically: true, encoding: .utf8)
    }

    /// The authority's certificate (PEM), for a trust store.
    package var file: URL { folder.appendingPathComponent("ca.cert.pem") }

    /// Issues a certificate to `subject` (an IPv4 address or a name, for a server; any name for a
    /// client): its certificate and key files.
    package func issue(_ subject: String, client: Bool = false) throws -> (certificate: String, key: String) {
        let leaf = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let parts = subject.split(separator: ".").compactMap { UInt8($0) }
        let alternative: GeneralName = parts.count == 4 ? .ipAddress(ASN1OctetString(contentBytes: ArraySlice(parts))) : .dnsName(subject)
        let now = Date()
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leaf.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(86_400),
            issuer: name, subject: try DistinguishedName { CommonName(subject) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true, keyEncipherment: true)
                try ExtendedKeyUsage([client ? .clientAuth : .serverAuth])
                SubjectAlternativeNames([alternative])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        let certificate = folder.appendingPathComponent("\(subject).cert.pem")
        let privateKey = folder.appendingPathComponent("\(subject).key.pem")
        try issued.serializeAsPEM().pemString.write(to: certificate, atomically: true, encoding: .utf8)
        try leaf.serializeAsPEM().pemString.write(to: privateKey, atomically: true, encoding: .utf8)
        return (certificate.path, privateKey.path)
    }
}
