/// An instant in UTC with .NET's resolution: 100-nanosecond ticks since 0001-01-01T00:00:00Z.
///
/// The language treats every date as UTC (the provisioning service runs in UTC), so there is no
/// time-zone state: offsets in parsed text are applied and dropped. Its text form is Entra's
/// `M/d/yyyy h:mm:ss tt`, for example `3/16/2020 7:00:00 AM`.
public struct DateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var ticks: Int64

    public static let ticksPerSecond: Int64 = 10_000_000
    public static let ticksPerMinute: Int64 = 60 * ticksPerSecond
    public static let ticksPerHour: Int64 = 60 * ticksPerMinute
    public static let ticksPerDay: Int64 = 24 * ticksPerHour
    /// 9999-12-31T23:59:59.9999999
    public static let maxTicks: Int64 = 3_155_378_975_999_999_999
    /// 1601-01-01T00:00:00Z, the epoch of Windows FILETIME (Active Directory large-integer dates).
    public static let fileTimeEpochTicks: Int64 = 504_911_232_000_000_000
    /// 1970-01-01T00:00:00Z
    public static let unixEpochTicks: Int64 = 621_355_968_000_000_000

    /// The instant `ticks` 100-nanosecond intervals after 0001-01-01T00:00:00Z.
    public init(ticks: Int64) { self.ticks = ticks }

    /// A date from calendar fields in UTC; nil when a field is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, fraction: Int64 = 0) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= DateTime.daysInMonth(year: year, month: month),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0..<DateTime.ticksPerSecond).contains(fraction)
        else { return nil }
        let days = DateTime.daysFromCivil(year: year, month: month, day: day)
        ticks = Int64(days) * DateTime.ticksPerDay + Int64(hour) * DateTime.ticksPerHour
            + Int64(minute) * DateTime.ticksPerMinute + Int64(second) * DateTime.ticksPerSecond + fraction
    }

    /// A date from seconds since 1970-01-01T00:00:00Z.
    public init(unixSeconds: Double) {
        ticks = DateTime.unixEpochTicks + Int64((unixSeconds * Double(DateTime.ticksPerSecond)).rounded(.down))
    }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool { lhs.ticks < rhs.ticks }

    // MARK: Calendar

    /// Whether `year` of the proleptic Gregorian calendar has 366 days.
    public static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The number of days of `month` (1–12) of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 0001-01-01 to the given proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = year - 1
        var days = y * 365 + y / 4 - y / 100 + y / 400
        let cumulative = isLeapYear(year) ? DateTime.leapCumulative : DateTime.commonCumulative
        days += cumulative[month - 1] + day - 1
        return days
    }

    private static let commonCumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
    private static let leapCumulative = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366]

    /// The calendar fields of this instant.
    public var components: Components {
        let dayNumber = Int(ticks / DateTime.ticksPerDay)
        var n = dayNumber
        let y400 = n / 146_097
        n -= y400 * 146_097
        var y100 = n / 36_524
        if y100 == 4 { y100 = 3 }
        n -= y100 * 36_524
        let y4 = n / 1_461
        n -= y4 * 1_461
        var y1 = n / 365
        if y1 == 4 { y1 = 3 }
        n -= y1 * 365
        let year = y400 * 400 + y100 * 100 + y4 * 4 + y1 + 1
        let cumulative = DateTime.isLeapYear(year) ? DateTime.leapCumulative : DateTime.commonCumulative
        var month = 1
        while n >= cumulative[month] { month += 1 }
        let day = n - cumulative[month - 1] + 1
        let timeOfDay = ticks % DateTime.ticksPerDay
        return Components(
            year: year, month: month, day: day,
            hour: Int(timeOfDay / DateTime.ticksPerHour),
            minute: Int(timeOfDay / DateTime.ticksPerMinute % 60),
            second: Int(timeOfDay / DateTime.ticksPerSecond % 60),
            fraction: timeOfDay % DateTime.ticksPerSecond,
            dayOfWeek: (dayNumber + 1) % 7)
    }

    /// Calendar fields; `dayOfWeek` is 0 for Sunday.
    public struct Components: Hashable, Sendable {
        public var year, month, day, hour, minute, second: Int
        public var fraction: Int64
        public var dayOfWeek: Int
    }

    // MARK: Arithmetic

    /// Adds ticks; nil when the result leaves the representable range.
    public func adding(ticks delta: Int64) -> DateTime? {
        let (result, overflow) = ticks.addingReportingOverflow(delta)
        guard !overflow, result >= 0, result <= DateTime.maxTicks else { return nil }
        return DateTime(ticks: result)
    }

    /// Adds calendar months like .NET `AddMonths`: the day is clamped to the end of a short month.
    public func adding(months: Int64) -> DateTime? {
        let parts = components
        let total = Int64(parts.year) * 12 + Int64(parts.month - 1) + months
        guard total >= 12, total < 10_000 * 12 else { return nil }
        let year = Int(total / 12)
        let month = Int(total % 12) + 1
        let day = min(parts.day, DateTime.daysInMonth(year: year, month: month))
        let days = DateTime.daysFromCivil(year: year, month: month, day: day)
        return DateTime(ticks: Int64(days) * DateTime.ticksPerDay + ticks % DateTime.ticksPerDay)
    }

    /// The instant with its sub-second part removed.
    public var truncatedToSeconds: DateTime { DateTime(ticks: ticks - ticks % DateTime.ticksPerSecond) }

    // MARK: Windows FILETIME

    /// This instant as Windows FILETIME ticks (100 ns since 1601-01-01Z), the Active Directory
    /// large-integer date format; nil before 1601.
    public var fileTime: Int64? {
        ticks >= DateTime.fileTimeEpochTicks ? ticks - DateTime.fileTimeEpochTicks : nil
    }

    /// The instant of a Windows file time (100 ns since 1601-01-01 UTC); nil out of range.
    public init?(fileTime: Int64) {
        guard fileTime >= 0, fileTime <= DateTime.maxTicks - DateTime.fileTimeEpochTicks else { return nil }
        ticks = fileTime + DateTime.fileTimeEpochTicks
    }

    /// `M/d/yyyy h:mm:ss tt`, for example `3/16/2020 7:00:00 AM`.
    public var description: String {
        let c = components
        let hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12
        let minute = c.minute < 10 ? "0\(c.minute)" : "\(c.minute)"
        let second = c.second < 10 ? "0\(c.second)" : "\(c.second)"
        return "\(c.month)/\(c.day)/\(c.year) \(hour12):\(minute):\(second) \(c.hour < 12 ? "AM" : "PM")"
    }

    /// ISO 8601 in UTC with the fraction when there is one: `2020-03-16T07:00:00Z`.
    public var iso8601: String {
        var text = DateFormat.format(self, pattern: "yyyy'-'MM'-'dd'T'HH':'mm':'ss")
        if ticks % DateTime.ticksPerSecond != 0 {
            text += DateFormat.format(self, pattern: "'.'FFFFFFF")
        }
        return text + "Z"
    }
}
