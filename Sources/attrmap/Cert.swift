#if Server
import ArgumentParser
import Foundation
import HostSetup

extension Attrmap {
    struct Cert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a self-signed certificate for `attrmap serve --cert --key`, as the ECMA wizard does.",
            discussion: """
                The certificate's subject and subject alternative name are the host name Entra's provisioning agent will use to reach the host (an IP address works too). It is meant for testing: trust it on the client (curl --cacert FILE), or use a certificate from your own CA in production.

                Example:
                  attrmap cert --host localhost --out attrmap-data
                  attrmap serve --cert attrmap-data/localhost.cert.pem --key attrmap-data/localhost.key.pem
                """)

        @Option(name: .long, help: "The host name (or IP address) the certificate is for.")
        var host: String

        @Option(name: .long, help: ArgumentHelp("The folder to write the PEM files to.", valueName: "folder"))
        var out = "./attrmap-data"

        @Option(name: .long, help: "Days of validity.")
        var days = 730

        func validate() throws {
            if host.isEmpty || host.contains(" ") { throw ValidationError("--host must be a host name or an IP address") }
            if days < 1 { throw ValidationError("--days must be at least 1") }
        }

        func run() async throws {
            try await reportingFailures {
                let files: SelfSignedCertificate.Files
                do {
                    files = try SelfSignedCertificate.create(host: host, folder: out, days: days)
                } catch {
                    throw CommandFailure("cannot create the certificate: \(error)")
                }
                Terminal.write("certificate: \(files.certificate)\nprivate key: \(files.privateKey)\n")
            }
        }
    }
}
#endif
