import StepupCore
import StepupSDK

/// Two identical routes, one unguarded and one guarded with a freshness window, so `scripts/bench` can measure what
/// the guard costs on a satisfied session. Mounted only by `stepup serve --benchmark-routes`.
public struct BenchmarkExtension: Extension {
    public let name = "bench"
    public let title = "Benchmark probe"

    public init() {}

    public var routes: [ExtensionRoute] {
        [
            ExtensionRoute("open", methods: [.get]) { _ in .text("ok") },
            ExtensionRoute("fresh", methods: [.get]) { _ in .text("ok") }.mfaValidationRequired(freshFor: 3600),
        ]
    }
}
