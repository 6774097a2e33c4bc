import Foundation

/// `NormalizeDiacritics`: the literal table of Microsoft's function reference, longest match
/// first, on NFC-normalised text. Characters outside the table are kept (so `œ`, `đ`, `þ` stay).
enum NormalizeDiacritics {
    /// Space-separated inputs → replacement, as the reference lists them.
    static let entries: [(String, String)] = [
        ("\u{E4} \u{E0} \u{E2} \u{E3} \u{E5} \u{E1} \u{105} \u{103} \u{101} \u{101}\u{301} \u{101}\u{300} \u{101}\u{302} \u{101}\u{303} \u{1DF} \u{101}\u{308} \u{1E1} a\u{331} \u{E5}\u{304}", "a"),
        ("\u{C4} \u{C0} \u{C2} \u{C3} \u{C5} \u{C1} \u{104} \u{102} \u{100} \u{100}\u{301} \u{100}\u{300} \u{100}\u{302} \u{100}\u{303} \u{1DE} \u{100}\u{308} \u{1E0} A\u{331} \u{C5}\u{304}", "A"),
        ("\u{E6} \u{1E3}", "ae"),
        ("\u{C6} \u{1E2}", "AE"),
        ("\u{E7} \u{10D} \u{107} c\u{304} c\u{331}", "c"),
        ("\u{C7} \u{10C} \u{106} C\u{304} C\u{331}", "C"),
        ("\u{10F} d\u{304} \u{1E0F}", "d"),
        ("\u{10E} D\u{304} \u{1E0E}", "D"),
        ("\u{EB} \u{E8} \u{E9} \u{EA} \u{119} \u{11B} \u{117} \u{113} \u{1E17} \u{1E15} \u{113}\u{302} \u{113}\u{303} \u{EA}\u{304} e\u{331} \u{EB}\u{304} e\u{30A}\u{304}", "e"),
        ("\u{CB} \u{C8} \u{C9} \u{CA} \u{118} \u{11A} \u{116} \u{112} \u{1E16} \u{1E14} \u{112}\u{302} \u{112}\u{303} \u{CA}\u{304} E\u{331} \u{CB}\u{304} E\u{30A}\u{304}", "E"),
        ("\u{11F} \u{1E21} g\u{331}", "g"),
        ("\u{11E} \u{1E20} G\u{331}", "G"),
        ("\u{EF} \u{EE} \u{EC} \u{ED} \u{131} \u{12B} \u{12B}\u{301} \u{12B}\u{300} \u{12B}\u{302} \u{12B}\u{303} i\u{331}", "i"),
        ("\u{CF} \u{CE} \u{CC} \u{CD} \u{130} \u{12A} \u{12A}\u{301} \u{12A}\u{300} \u{12A}\u{302} \u{12A}\u{303} I\u{331}", "I"),
        ("\u{13E} \u{142} l\u{304} \u{1E39} \u{1E3B}", "l"),
        ("\u{141} \u{13D} L\u{304} \u{1E38} \u{1E3A}", "L"),
        ("\u{F1} \u{144} \u{148} n\u{304} \u{1E49}", "n"),
        ("\u{D1} \u{143} \u{147} N\u{304} \u{1E48}", "N"),
        ("\u{F6} \u{F2} \u{151} \u{F5} \u{F4} \u{F3} \u{14D} \u{1E53} \u{1E51} \u{14D}\u{302} \u{14D}\u{303} \u{22B} \u{14D}\u{308} \u{1ED} \u{22D} \u{231} o\u{331}", "o"),
        ("\u{D6} \u{D2} \u{150} \u{D5} \u{D4} \u{D3} \u{14C} \u{1E52} \u{1E50} \u{14C}\u{302} \u{14C}\u{303} \u{22A} \u{14C}\u{308} \u{1EC} \u{22C} \u{230} O\u{331}", "O"),
        ("\u{F8} \u{F8}\u{304} \u{153}\u{304}", "oe"),
        ("\u{D8} \u{D8}\u{304} \u{152}\u{304}", "OE"),
        ("\u{159} r\u{304} \u{1E5F} \u{1E5D}", "r"),
        ("\u{158} R\u{304} \u{1E5E} \u{1E5C}", "R"),
        ("\u{DF}", "ss"),
        ("\u{161} \u{15B} \u{219} \u{15F} s\u{304} s\u{331}", "s"),
        ("\u{160} \u{15A} \u{218} \u{15E} S\u{304} S\u{331}", "S"),
        ("\u{165} \u{21B} t\u{304} \u{1E6F}", "t"),
        ("\u{164} \u{21A} T\u{304} \u{1E6E}", "T"),
        ("\u{FC} \u{F9} \u{FB} \u{FA} \u{16F} \u{171} \u{16B} \u{16B}\u{301} \u{16B}\u{300} \u{16B}\u{302} \u{16B}\u{303} u\u{307}\u{304} \u{1D6} \u{1E7B} \u{1E73}\u{304} u\u{331}", "u"),
        ("\u{DC} \u{D9} \u{DB} \u{DA} \u{16E} \u{170} \u{16A} \u{16A}\u{301} \u{16A}\u{300} \u{16A}\u{302} \u{16A}\u{303} U\u{307}\u{304} \u{1D5} \u{1E7A} \u{1E72}\u{304} U\u{331}", "U"),
        ("\u{FF} \u{FD} \u{233} \u{233}\u{301} \u{233}\u{300} \u{233}\u{303} y\u{331}", "y"),
        ("\u{178} \u{DD} \u{232} \u{232}\u{301} \u{232}\u{300} \u{232}\u{303} Y\u{331}", "Y"),
        ("\u{17A} \u{17E} \u{17C} z\u{304} \u{1E95}", "z"),
        ("\u{179} \u{17D} \u{17B} Z\u{304} \u{1E94}", "Z"),
    ]
    /// Single-scalar inputs by code point, and multi-scalar inputs (a letter with combining marks)
    /// by their text, all NFC.
    static let table: (single: [UInt32: String], sequences: [String: String], longest: Int) = {
        var single: [UInt32: String] = [:]
        var sequences: [String: String] = [:]
        var longest = 1
        for (inputs, replacement) in entries {
            for input in inputs.split(separator: " ") {
                let key = String(input).precomposedStringWithCanonicalMapping
                let scalars = Array(key.unicodeScalars)
                if scalars.count == 1 {
                    single[scalars[0].value] = replacement
                } else {
                    sequences[key] = replacement
                    longest = max(longest, scalars.count)
                }
            }
        }
        return (single, sequences, longest)
    }()

    /// Combining diacritical marks: only text holding them needs NFC normalisation first.
    @inline(__always)
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool { (0x300...0x36F).contains(scalar.value) }

    static func apply(_ text: String) -> String {
        if UTF16Text.isASCII(text) { return text }
        var scalars = Array(text.unicodeScalars)
        if scalars.contains(where: isCombiningMark) {
            scalars = Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        }
        let (single, sequences, longest) = table
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.value < 0x80 {
                result.append(scalar)
                index += 1
                continue
            }
            // A letter followed by combining marks: try the longest sequence first.
            if !sequences.isEmpty, index + 1 < scalars.count, isCombiningMark(scalars[index + 1]) {
                var length = min(longest, scalars.count - index)
                var matched = false
                while length >= 2 {
                    var key = String.UnicodeScalarView()
                    key.append(contentsOf: scalars[index..<(index + length)])
                    if let replacement = sequences[String(key)] {
                        result.append(contentsOf: replacement.unicodeScalars)
                        index += length
                        matched = true
                        break
                    }
                    length -= 1
                }
                if matched { continue }
            }
            if let replacement = single[scalar.value] {
                result.append(contentsOf: replacement.unicodeScalars)
            } else {
                result.append(scalar)
            }
            index += 1
        }
        return String(result)
    }
}
