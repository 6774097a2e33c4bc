import MappingExpressions
import Testing

struct RegexTests {
    func replace(_ text: String, _ pattern: String, _ replacement: String) throws -> String {
        let regex = try Regex(pattern)
        return try regex.replacing(in: text, with: Regex.Template(replacement, for: regex))
    }

    @Test(arguments: [
        ("jsmith@contoso.com", "(?<user>[^@]+)@(?<domain>.+)", "${user}", "jsmith"),
        ("jsmith@contoso.com", "(?<user>[^@]+)@(?<domain>.+)", "${domain}/${user}", "contoso.com/jsmith"),
        ("john_doe72", "[a-zA-Z_]*", "", "72"),
        ("abc", "x*", "-", "-a-b-c-"),
        ("aaa", "a*", "-", "--"),
        ("+1 (206) 291-8163", "[()\\s-]+", "", "+12062918163"),
        ("2021-06-30", "(\\d+)-(\\d+)-(\\d+)", "$3.$2.$1", "30.06.2021"),
        ("price", "price", "$$5", "$5"),
        ("ab", "(?<x>a)(b)", "$1|$2|${x}", "b|a|a"),
        ("ab", "a", "${missing}", "${missing}b"),
        ("ab", "a", "$9", "$9b"),
        ("hello world", "o", "[$&]", "hell[o] w[o]rld"),
        ("hello", "l+", "<$`|$'>", "he<he|o>o"),
        ("Hello", "(?i)hello", "x", "x"),
        ("a.b.c", "\\.", "", "abc"),
        ("trail...", "(\\.)*$", "", "trail"),
        ("12345", "(.*?)(?<id>.{0,8})$", "${id}", "12345"),
        ("000012345", "(?<z>^0+)(?<v>[a-zA-Z0-9]+)", "${v}", "12345"),
        ("foobar", "foo(?=bar)", "X", "Xbar"),
        ("foobaz", "foo(?!bar)", "X", "Xbaz"),
        ("xbar ybar", "(?<=x)bar", "!", "x! ybar"),
        ("abab", "(ab)\\1", "Z", "Z"),
        ("tic-tac", "[a-z-[aeiou]]+", "#", "#i#-#a#"),
        ("ünï", "\\w+", "w", "w"),
        ("a1b22", "\\d{2}", "N", "a1bN"),
        ("Zoë", ".", "-", "---"),
    ])
    func dotNetReplacement(input: String, pattern: String, replacement: String, expected: String) throws {
        #expect(try replace(input, pattern, replacement) == expected)
    }

    @Test func namedGroupsAreNumberedAfterUnnamedOnes() throws {
        let regex = try Regex("(?<a>x)(y)(?<b>z)")
        #expect(regex.groupNumbers == ["a": 2, "b": 3])
        #expect(try regex.replacing(in: "xyz", with: Regex.Template("$1$2$3", for: regex)) == "yxz")
    }

    @Test func replacingOnlyAGroup() throws {
        let regex = try Regex("(?<streetNumber>^\\d*)")
        #expect(try regex.replacing(group: 1, in: "545 Tremont Street", with: "888") == "888 Tremont Street")
    }

    @Test func catastrophicBacktrackingStops() throws {
        let regex = try Regex("(a+)+b")
        let input = String(repeating: "a", count: 40)
        #expect(throws: RegexError.timeout) { try regex.matches(input) }
    }

    @Test(arguments: ["(", "[a-", "a{2,1}", "*a", "\\q", "(?<a-b>x)", "a**"])
    func malformedPatterns(pattern: String) {
        #expect(throws: RegexError.self) { try Regex(pattern) }
    }

    @Test func emptyLoopsTerminate() throws {
        #expect(try replace("abc", "(a*)*", "-") == "--b-c-")
    }
}
