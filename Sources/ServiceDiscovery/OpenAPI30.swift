import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat
import Yams

/// OpenAPI 3.0 documents, read with their own types and converted to 3.1's.
enum OpenAPI30 {
    static func decode(_ data: Data, json: Bool) throws -> OpenAPIKit.OpenAPI.Document {
        let document =
            json
            ? try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: data)
            : try YAMLDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: data)
        return document.convert(to: .v3_1_1)
    }
}
