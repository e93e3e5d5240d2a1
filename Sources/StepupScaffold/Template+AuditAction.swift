extension Template {
    /// An audit action: an EDV rule in Swift, for what data rules cannot say.
    var auditActionRule: String {
        #"""
            import Foundation
            import StepupCore
            import StepupPlatform

            /// \#(name): an event-driven validation rule. The platform creates an audit event for every guarded call
            /// with an audit action; rules answer allow, require MFA or block, in ascending position, first decisive
            /// answer wins. This one asks for MFA on transfers above a limit and blocks a burst of them.
            public struct \#(name): EDVRule {
                public let id = "\#(slug)"
                public let position: Int
                /// The audit action this rule judges.
                public let action: String
                /// An `amount` detail (in major units) above this needs MFA.
                public let limit: Double
                /// More than this many such events by the user in ten minutes are blocked.
                public let burst: Int

                public init(position: Int = 100, action: String = "TransferFunds", limit: Double = 1000, burst: Int = 5) {
                    self.position = position
                    self.action = action
                    self.limit = limit
                    self.burst = burst
                }

                public func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
                    guard input.action == action else { return nil }
                    if try await facts.eventCount(action: action, since: input.at.addingTimeInterval(-600)) > burst { return .block }
                    if let amount = input.details["amount"].flatMap(Double.init), amount > limit { return .requireMFA }
                    return nil
                }
            }

            """#
    }

    /// A small command to try the rule: `swift run \(name)Check ACTION key=value…`.
    var auditActionCheck: String {
        #"""
            // Tries \#(name) on one event: `swift run \#(name)Check TransferFunds amount=2500 [--recent N]`.
            import Foundation
            import StepupCore
            import StepupPlatform
            import \#(name)

            struct Facts: EDVFacts {
                let recent: Int
                func eventCount(action: String, since: Date) async throws -> Int { recent }
                func isNewAddress() async throws -> Bool { false }
            }

            var arguments = Array(CommandLine.arguments.dropFirst())
            var recent = 1
            if let index = arguments.firstIndex(of: "--recent"), index + 1 < arguments.count {
                recent = Int(arguments[index + 1]) ?? 1
                arguments.removeSubrange(index...(index + 1))
            }
            guard let action = arguments.first else {
                FileHandle.standardError.write(Data("usage: \#(name)Check ACTION [key=value…] [--recent N]\n".utf8))
                exit(2)
            }
            var details: [String: String] = [:]
            for pair in arguments.dropFirst() {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { details[parts[0]] = parts[1] }
            }
            let input = EDVInput(
                eventID: "check", action: action, details: details, userID: "user", sessionID: "session", clientAddress: nil, at: Date())
            let decision = try await \#(name)().evaluate(input, facts: Facts(recent: recent))
            print(decision?.rawValue ?? "no answer (the next rule decides)")

            """#
    }

    var auditActionTests: String {
        #"""
            import Foundation
            import StepupCore
            import StepupPlatform
            import Testing

            @testable import \#(name)

            struct Facts: EDVFacts {
                var recent = 1
                func eventCount(action: String, since: Date) async throws -> Int { recent }
                func isNewAddress() async throws -> Bool { false }
            }

            @Suite struct \#(name)Tests {
                func input(_ action: String = "TransferFunds", amount: String?) -> EDVInput {
                    EDVInput(
                        eventID: "e1", action: action, details: amount.map { ["amount": $0] } ?? [:], userID: "u1", sessionID: "s1",
                        clientAddress: nil, at: Date(timeIntervalSince1970: 1_800_000_000))
                }

                @Test func aLargeTransferNeedsMFA() async throws {
                    #expect(try await \#(name)().evaluate(input(amount: "2500"), facts: Facts()) == .requireMFA)
                }

                @Test func aSmallTransferLeavesTheDecisionToOtherRules() async throws {
                    #expect(try await \#(name)().evaluate(input(amount: "20"), facts: Facts()) == nil)
                    #expect(try await \#(name)().evaluate(input(amount: "not a number"), facts: Facts()) == nil)
                }

                @Test func aBurstIsBlocked() async throws {
                    #expect(try await \#(name)().evaluate(input(amount: "20"), facts: Facts(recent: 6)) == .block)
                }

                @Test func otherActionsAreNotJudged() async throws {
                    #expect(try await \#(name)().evaluate(input("Login", amount: "99999"), facts: Facts(recent: 99)) == nil)
                }
            }

            """#
    }
}
