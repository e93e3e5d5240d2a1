import StepupCore
import StepupSDK

/// Two identical routes, one unguarded and one guarded with a freshness window, so `scripts/bench` can measure what
/// the guard costs on a satisfied session; and a one-use guarded route for complete step-up flows. Mounted only by
/// `stepup serve --benchmark-routes`.
public struct BenchmarkExtension: Extension {
    public let name = "bench"
    public let title = "Benchmark probe"

    public init() {}

    public var routes: [ExtensionRoute] {
        [
            ExtensionRoute("open", methods: [.get]) { _ in .text("ok") },
            ExtensionRoute("fresh", methods: [.get]) { _ in .text("ok") }.mfaValidationRequired(freshFor: 3600),
            // The step-up flow's target: each call consumes one completion of its own.
            ExtensionRoute("step", methods: [.post]) { _ in .text("ok") }.mfaValidationRequired(),
        ]
    }
}
