extension DateTime {
    /// The shapes that `CDate`, `NumFromDate`, `DateAdd` and `DateDiff` accept, in the order they
    /// are tried: the forms of .NET `DateTime.Parse` with the invariant culture that appear in
    /// Entra's documentation and HR systems (`2020-03-16`, `2020-03-16-07:00`,
    /// `2009-06-15T01:45:30-07:00`, `2020-12-31 23:59:59-08:00`, `3/16/2020 7:00:00 AM`,
    /// `16 Mar 2020`, `Mar 16, 2020`, RFC 1123).
    static let flexibleFormats: [DateFormat] = [
        "yyyy-M-dK",
        "yyyy-M-d'T'H:mK",
        "yyyy-M-d'T'H:m:sK",
        "yyyy-M-d'T'H:m:s.FFFFFFFK",
        "yyyy-M-d H:mK",
        "yyyy-M-d H:m:sK",
        "yyyy-M-d H:m:s.FFFFFFFK",
        "M/d/yyyy",
        "M/d/yyyy h:m:s tt",
        "M/d/yyyy h:m tt",
        "M/d/yyyy H:m:s",
        "M/d/yyyy H:m",
        "M/d/yyyy h:m:s ttK",
        "M/d/yyyy H:m:sK",
        "yyyy/M/d",
        "yyyy/M/d H:m:s",
        "yyyy/M/d h:m:s tt",
        "yyyy-M",
        "d MMM yyyy",
        "d MMMM yyyy",
        "MMM d, yyyy",
        "MMMM d, yyyy",
        "d MMM yyyy H:m:s",
        "ddd, d MMM yyyy H:m:s 'GMT'",
        "dddd, d MMMM yyyy",
        "dddd, MMMM d, yyyy",
    ].compactMap { DateFormat($0) }

    /// Parses date and time text in the shapes .NET's `DateTime.Parse` accepts (ISO 8601, US and
    /// long forms, RFC 1123). Leading and trailing white space is ignored; an offset or `Z`
    /// converts to UTC; text without one is UTC.
    public static func parse(_ text: String) -> DateTime? {
        let trimmed = text.trimmingCharacters(in: " \t\r\n")
        guard !trimmed.isEmpty else { return nil }
        for format in flexibleFormats {
            if let date = format.parse(trimmed, styles: []) { return date }
        }
        return nil
    }
}
