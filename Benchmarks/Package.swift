// swift-tools-version:6.3
// Stepup's micro benchmarks (ordo-one/benchmark). A separate package so that CI never builds it: it compiles every
// dependency again. Run with ../scripts/bench (which also runs the HTTP suite) or `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "StepupBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "stepup", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "StepupMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StepupCore", package: "stepup"),
                .product(name: "StepupStore", package: "stepup"),
                .product(name: "StepupPlatform", package: "stepup"),
                .product(name: "StepupWebAuthn", package: "stepup"),
                .product(name: "StepupWebAuthnTesting", package: "stepup"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/StepupMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
