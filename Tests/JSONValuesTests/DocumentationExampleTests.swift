import JSONValues
import Testing

/// The example of the JSONValues module's documentation (JSONValues.docc), run as written.
struct DocumentationExampleTests {
    @Test func keyOrderAndNumberTextSurviveARoundTrip() throws {
        let value = try JSON.parse(#"{"b": 1.50, "a": [true, null]}"#)
        var text = ""
        value.write(to: &text)
        #expect(text == #"{"b":1.50,"a":[true,null]}"#)
    }
}
