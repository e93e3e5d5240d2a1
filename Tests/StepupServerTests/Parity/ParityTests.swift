import Foundation
import StepupCore
import Testing

/// What an extension's tests say is what the platform does: the same scenarios (no rule, allow, require, block,
/// the bank's default, a re-prompt window, an exempt payment, velocity; MFA completed, not, cancelled) run through
/// `StepupTesting` and through a real `stepup serve`, with the same outcomes, and the outcomes the product
/// promises.
@Suite("The test kit answers what the platform answers")
struct ParityTests {
    @Test(arguments: ParityScenario.all)
    func theTestKitAnswersAsPromised(_ scenario: ParityScenario) async throws {
        var kit = KitDriver()
        #expect(try await kit.run(scenario) == scenario.expected)
    }

    @Test(
        .enabled(if: ServeDriver.binary != nil, "no built stepup binary (swift build, or STEPUP_BINARY): skipped"),
        .timeLimit(.minutes(5)))
    func aRealStepupServeAnswersTheSame() async throws {
        let serve = try ServeDriver(binary: try #require(ServeDriver.binary))
        try await serve.start()
        do {
            var server: any ParityDriver = serve
            for scenario in ParityScenario.all {
                var kit = KitDriver()
                let fromKit = try await kit.run(scenario)
                let fromServe = try await server.run(scenario)
                #expect(fromKit == fromServe, "\(scenario.name): the kit said \(fromKit), stepup serve \(fromServe)")
                #expect(fromServe == scenario.expected, "\(scenario.name)")
            }
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }
}
