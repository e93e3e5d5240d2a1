import StepupCore
import StepupPlatform

/// The users `./scripts/bench` drives step-up flows with: `bench-0`… with password `bench-pw`, no logon MFA, one
/// email target each (codes go to the outbox). Seeded by `serve --benchmark-routes --benchmark-users N`; existing
/// ones are kept, so several nodes on one database can all be started with the flag.
enum BenchmarkUsers {
    static func seed(_ count: Int, on platform: Platform) async throws {
        let existing = Set(try await platform.users().map(\.username))
        for index in 0..<count where !existing.contains("bench-\(index)") {
            do {
                let user = try await platform.createUser(
                    username: "bench-\(index)", displayName: "Bench \(index)", password: "bench-pw", logonMFA: .never)
                _ = try await platform.addTarget(userID: user.id, kind: .email, address: "bench-\(index)@example.test")
            } catch let error as StepupError where error.code == .badRequest || error.code == .configurationInvalid {
                throw error
            } catch {
                // Another node seeding the same database at the same moment took this name; it is there either way.
                continue
            }
        }
    }
}
