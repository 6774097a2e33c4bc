// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "attrmap",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MappingExpressions", targets: ["MappingExpressions"]),
        .executable(name: "attrmap", targets: ["attrmap"]),
        .executable(name: "attrmap-benchmark", targets: ["attrmap-benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // The language: lexer, parser, diagnostics, checker, evaluator. No package dependencies.
        .target(
            name: "MappingExpressions",
            swiftSettings: swiftSettings
        ),

        // The command-line tool: ArgumentParser commands only, the logic lives in the libraries.
        .executableTarget(
            name: "attrmap",
            dependencies: [
                "MappingExpressions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks: `swift run -c release attrmap-benchmark`.
        .executableTarget(
            name: "attrmap-benchmark",
            dependencies: ["MappingExpressions"],
            swiftSettings: swiftSettings
        ),

        // Tests
        .testTarget(
            name: "MappingExpressionsTests",
            dependencies: ["MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["attrmap"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
