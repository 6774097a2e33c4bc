import Foundation
import JSONValues
import MappingExpressions

/// The expression benchmark: compile each case once, check its result against `expected`, then
/// evaluate it many times and report nanoseconds per evaluation, plus the whole suite (every case
/// for one user) in users per second.
///
///     swift run -c release attrmap-benchmark expressions [SUITE.json] [--seconds 0.5]
enum ExpressionBenchmark {
    static func main(_ arguments: [String]) {
        var arguments = arguments
        var secondsPerCase = 0.5
        if let index = arguments.firstIndex(of: "--seconds"), index + 1 < arguments.count {
            secondsPerCase = Double(arguments[index + 1]) ?? secondsPerCase
            arguments.removeSubrange(index...(index + 1))
        }
        let suitePath = arguments.first ?? packageRoot.appendingPathComponent("Fixtures/benchmark-expressions.json").path

        guard let text = try? String(contentsOfFile: suitePath, encoding: .utf8) else { fail("cannot read \(suitePath)") }
        let suite: JSON
        do { suite = try JSON.parse(text) } catch { fail("\(suitePath): \(error)") }
        guard let userJSON = suite["user"], let cases = suite["cases"]?.arrayValue else { fail("\(suitePath): expected 'user' and 'cases'") }
        var attributes: [String: Value] = [:]
        for (name, value) in userJSON.objectValue ?? [] { attributes[name] = Value(json: value) }
        let context = EvaluationContext(attributes: attributes)

        var rows: [Row] = []
        var compiled: [CompiledExpression] = []
        print("attrmap expression benchmark — \(cases.count) cases, one user, single thread")
        print("suite: \(suitePath)\n")
        for testCase in cases {
            guard let name = testCase["name"]?.stringValue, let expressionText = testCase["expression"]?.stringValue,
                  let expected = testCase["expected"]?.stringValue
            else { fail("every case needs 'name', 'expression' and 'expected'") }
            let expression: CompiledExpression
            do { expression = try CompiledExpression(expressionText) } catch { fail("\(name): \(error)") }
            let result: Value
            do { result = try expression.evaluate(context) } catch { fail("\(name): evaluation failed: \(error.message)") }
            guard result.text == expected else { fail("\(name): expected '\(expected)' but got '\(result.displayText)'") }
            let compileNanoseconds = measure(seconds: 0.1) {
                let parsed = try? CompiledExpression(expressionText)
                if parsed == nil { sink &+= 1 }
            }
            let evaluationNanoseconds = measure(seconds: secondsPerCase) {
                if let value = try? expression.evaluate(context) { consume(value) }
            }
            compiled.append(expression)
            rows.append(Row(name: name, compileMicroseconds: compileNanoseconds / 1000, nanosecondsPerEvaluation: evaluationNanoseconds))
        }

        let nameWidth = max(20, rows.map(\.name.count).max() ?? 0)
        print(pad("case", nameWidth, left: true) + pad("parse+compile µs", 18) + pad("ns/eval", 12))
        for row in rows {
            print(pad(row.name, nameWidth, left: true) + pad(String(format: "%.2f", row.compileMicroseconds), 18)
                + pad(String(format: "%.0f", row.nanosecondsPerEvaluation), 12))
        }
        let suiteNanoseconds = measure(seconds: secondsPerCase * 2) {
            for expression in compiled {
                if let value = try? expression.evaluate(context) { consume(value) }
            }
        }
        print("\nwhole suite (\(compiled.count) expressions per user): \(String(format: "%.0f", suiteNanoseconds)) ns per user, "
            + "\(String(format: "%.0f", 1e9 / suiteNanoseconds)) users/s on one core")
        if sink == 42 { print("") }
    }
}

/// Keeps results alive so the optimizer cannot drop the work.
nonisolated(unsafe) var sink = 0

@inline(never)
func consume(_ value: Value) {
    if case .string(let text) = value { sink &+= text.utf8.count } else { sink &+= 1 }
}

func measure(seconds: Double, _ body: () -> Void) -> Double {
    // Calibrate the number of iterations so that one batch takes about 10 ms.
    var iterations = 1
    let clock = ContinuousClock()
    while true {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        if elapsed > .milliseconds(10) || iterations > 1 << 26 { break }
        iterations *= 2
    }
    var best = Double.infinity
    let deadline = clock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
    repeat {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds / Double(iterations))
    } while clock.now < deadline
    return best * 1e9
}

struct Row {
    var name: String
    var compileMicroseconds: Double
    var nanosecondsPerEvaluation: Double
}

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + padding : padding + text
}
