import ArgumentParser
import Foundation
import MappingExpressions

extension Attrmap {
    struct Functions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the functions of the language with their parameters.")

        @Option(name: .long, help: "The language dialect: provisioning or cloud-sync.")
        var dialect: Dialect = .provisioning

        func run() async throws {
            let functions = FunctionTable.functions(in: dialect)
            let width = functions.map(\.synopsis.count).max() ?? 0
            for function in functions {
                Terminal.write(function.synopsis.padding(toLength: width + 2, withPad: " ", startingAt: 0) + function.summary + "\n")
            }
        }
    }
}
