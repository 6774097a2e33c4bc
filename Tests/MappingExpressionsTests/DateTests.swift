import MappingExpressions
import Testing

struct DateTests {
    func evaluate(_ text: String, now: String = "2025-07-30T00:00:00Z") throws -> Value {
        let expression = try CompiledExpression(text)
        return try expression.evaluate(EvaluationContext().withFixedClock(try #require(DateTime.parse(now))))
    }

    @Test(arguments: [
        ("2020-03-16-07:00", "3/16/2020 7:00:00 AM"),
        ("2021-06-30+08:00", "6/29/2021 4:00:00 PM"),
        ("2009-06-15T01:45:30-07:00", "6/15/2009 8:45:30 AM"),
        ("2020-12-31 23:59:59-08:00", "1/1/2021 7:59:59 AM"),
        ("12/31/2020 12:00:00 AM", "12/31/2020 12:00:00 AM"),
        ("7/2/2021 3:33:38 PM", "7/2/2021 3:33:38 PM"),
        ("2021-08-24", "8/24/2021 12:00:00 AM"),
        ("2024-02-29T12:00:00Z", "2/29/2024 12:00:00 PM"),
        ("16 Mar 2020", "3/16/2020 12:00:00 AM"),
    ])
    func parsing(text: String, rendered: String) throws {
        #expect(DateTime.parse(text)?.description == rendered)
    }

    @Test(arguments: ["", "2021-13-01", "2021-02-30", "yesterday", "31/12/2020"])
    func unparsable(text: String) {
        #expect(DateTime.parse(text) == nil)
    }

    @Test(arguments: [
        ("yyyy-MM-dd'T'HH:mm:ss.fffK", "2015-01-23T10:53:47.100Z"),
        ("dddd, dd MMMM yyyy", "Friday, 23 January 2015"),
        ("ddd MMM d yy h:m tt", "Fri Jan 23 15 10:53 AM"),
        ("yyyyMMddHHmmss.0Z", "20150123105347.0Z"),
        ("s", "2015-01-23T10:53:47"),
        ("d", "01/23/2015"),
        ("HH:mm:ss.FFF", "10:53:47.1"),
    ])
    func formatting(pattern: String, expected: String) throws {
        let date = try #require(DateFormat("yyyyMMddHHmmss.fZ")?.parse("20150123105347.1Z"))
        #expect(DateFormat.format(date, pattern: pattern) == expected)
    }

    @Test func visualBasicDateDiff() throws {
        // Calendar years and months; weeks count Sunday boundaries.
        #expect(try evaluate(#"DateDiff("yyyy", "2020-12-31", "2021-01-01")"#) == .number(1))
        #expect(try evaluate(#"DateDiff("m", "2021-01-31", "2021-02-01")"#) == .number(1))
        #expect(try evaluate(#"DateDiff("ww", "2021-08-21", "2021-08-22")"#) == .number(1))
        #expect(try evaluate(#"DateDiff("w", "2021-08-21", "2021-08-22")"#) == .number(0))
        #expect(try evaluate(#"DateDiff("d", "2021-08-22T23:00:00Z", "2021-08-23T22:00:00Z")"#) == .number(0))
        #expect(try evaluate(#"DateDiff("h", "2021-08-24", "2021-08-23")"#) == .number(-24))
    }

    @Test func dateAddClampsToTheEndOfAShortMonth() throws {
        #expect(try evaluate(#"DateAdd("m", 1, CDate("2021-01-31"))"#).text == "2/28/2021 12:00:00 AM")
        #expect(try evaluate(#"DateAdd("yyyy", 1, CDate("2024-02-29"))"#).text == "2/28/2025 12:00:00 AM")
        #expect(try evaluate(#"DateAdd("d", "10", Now())"#).text == "8/9/2025 12:00:00 AM")
    }

    @Test func fileTimes() throws {
        #expect(try evaluate("DateFromNum(129699324000000000)") == .dateTime(try #require(DateTime.parse("2012-01-01T23:00:00Z"))))
        #expect(try evaluate(#"NumFromDate("2020-12-31 23:59:59-08:00")"#) == .number(132_539_615_990_000_000))
        #expect(throws: EvaluationError.self) { try evaluate(#"NumFromDate("1600-01-01")"#) }
    }

    @Test func formatDateTimeRejectsTextThatDoesNotMatch() throws {
        let error = try #require(throws: EvaluationError.self) {
            try evaluate(#"FormatDateTime("1/15/2030 12:00:00 AM", , "yyyy-MM-dd", "yyyy")"#)
        }
        #expect(error.id == .evalArgumentNotDate)
    }
}
