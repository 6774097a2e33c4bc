/// Every function of the language, alphabetical.
public enum FunctionTable {
    typealias P = FunctionSignature.Parameter
    typealias Arity = FunctionSignature.Arity

    /// All functions of both dialects.
    public static let all: [FunctionSignature] = [
        FunctionSignature(
            "Append", [P("source"), P("suffix")], summary: "the source followed by the suffix",
            build: { StringFunctions.append(&$0) }),
        FunctionSignature(
            "AppRoleAssignmentsComplex", [P("appRoleAssignments")], dialects: [.provisioning],
            summary: "the user's app-role assignments for a multi-valued roles attribute (added, never removed)",
            build: { IdentityFunctions.appRoleAssignments(&$0) }),
        FunctionSignature(
            "AssertiveAppRoleAssignmentsComplex", [P("appRoleAssignments")], dialects: [.provisioning],
            summary: "the user's app-role assignments, replacing the roles in the target",
            build: { IdentityFunctions.appRoleAssignments(&$0) }),
        FunctionSignature(
            "BitAnd", [P("value1"), P("value2")], summary: "the bitwise AND of two integers",
            build: { ConversionFunctions.bitAnd(&$0) }),
        FunctionSignature(
            "CBool", [P("expression")], summary: "True when the expression is true or a non-zero number",
            build: { ConversionFunctions.cBool(&$0) }),
        FunctionSignature(
            "CDate", [P("expression")], dialects: [.provisioning], summary: "a date parsed from text, in UTC",
            build: { DateFunctions.cDate(&$0) }),
        FunctionSignature(
            "Coalesce", [P("source1"), P("source", variadic: true)], arity: Arity(1, nil), dialects: [.provisioning],
            summary: "the first argument that is not NULL (the last argument is the default)",
            build: { FlowFunctions.coalesce(&$0) }),
        FunctionSignature(
            "Contains", [P("attribute"), P("match"), P("caseType", optional: true)], dialects: [.cloudSync],
            summary: "the 1-based index of the first value that contains the text, or 0",
            build: { MultiValuedFunctions.contains(&$0) }),
        FunctionSignature(
            "ConvertFromBase64", [P("source"), P("encoding", optional: true)], dialects: [.cloudSync],
            summary: "text decoded from Base64 (Unicode, UTF8 or ASCII)",
            build: { b throws(Diagnostic) in try ConversionFunctions.convertFromBase64(&b) }),
        FunctionSignature(
            "ConvertToBase64", [P("source")], summary: "Base64 of the text's UTF-16LE bytes",
            build: { ConversionFunctions.convertToBase64(&$0) }),
        FunctionSignature(
            "ConvertToUTF8Hex", [P("source")], summary: "upper-case hex of the text's UTF-8 bytes",
            build: { ConversionFunctions.convertToUTF8Hex(&$0) }),
        FunctionSignature(
            "Count", [P("attribute")], summary: "the number of values of a multi-valued attribute",
            build: { MultiValuedFunctions.count(&$0) }),
        FunctionSignature(
            "CRef", [P("value")], dialects: [.cloudSync], summary: "the value as a reference",
            build: { ConversionFunctions.cRef(&$0) }),
        FunctionSignature(
            "CStr", [P("value")], summary: "the value as text", build: { ConversionFunctions.cStr(&$0) }),
        FunctionSignature(
            "DateAdd", [P("interval"), P("value"), P("dateTime")], dialects: [.provisioning],
            summary: "the date plus a number of intervals (yyyy, m, d, ww, h, n, s)",
            build: { b throws(Diagnostic) in try DateFunctions.dateAdd(&b) }),
        FunctionSignature(
            "DateDiff", [P("interval"), P("date1"), P("date2")], dialects: [.provisioning],
            summary: "the number of intervals from date1 to date2",
            build: { b throws(Diagnostic) in try DateFunctions.dateDiff(&b) }),
        FunctionSignature(
            "DateFromNum", [P("value")], summary: "a date from an Active Directory integer (FILETIME)",
            build: { DateFunctions.dateFromNum(&$0) }),
        FunctionSignature(
            "DNComponent", [P("dn"), P("componentNumber")], dialects: [.cloudSync],
            summary: "the value of the n-th component of a distinguished name", build: { IdentityFunctions.dnComponent(&$0) }),
        FunctionSignature(
            "Error", [P("message")], dialects: [.cloudSync], pure: false, summary: "fails the object with the message",
            build: { FlowFunctions.error(&$0) }),
        FunctionSignature(
            "FormatDateTime",
            [P("source"), P("dateTimeStyles", optional: true), P("inputFormat"), P("outputFormat")],
            arity: Arity(3, 4), cloudSyncArity: Arity(3, 3),
            summary: "a date re-formatted from one .NET format to another",
            build: { b throws(Diagnostic) in try DateFunctions.formatDateTime(&b) }),
        FunctionSignature(
            "Guid", [], pure: false, summary: "a new random GUID", build: { IdentityFunctions.guid(&$0) }),
        FunctionSignature(
            "IgnoreFlowIfNullOrEmpty", [P("expression")], dialects: [.provisioning],
            summary: "the value, or no flow at all when it is NULL or empty",
            build: { FlowFunctions.ignoreFlowIfNullOrEmpty(&$0) }),
        FunctionSignature(
            "IIF", [P("condition"), P("valueIfTrue"), P("valueIfFalse")],
            summary: "valueIfTrue when the condition holds, else valueIfFalse", build: { FlowFunctions.iif(&$0) }),
        FunctionSignature(
            "InStr", [P("value1"), P("value2"), P("start", optional: true), P("compareType", optional: true)],
            summary: "the 1-based position of value2 in value1, or 0",
            build: { b throws(Diagnostic) in try StringFunctions.inStr(&b) }),
        FunctionSignature(
            "IsNull", [P("expression")], summary: "True when the value is NULL",
            build: { ConversionFunctions.isNull(&$0) }),
        FunctionSignature(
            "IsNullOrEmpty", [P("expression")], summary: "True when the value is NULL or empty",
            build: { ConversionFunctions.isNullOrEmpty(&$0) }),
        FunctionSignature(
            "IsPresent", [P("expression")], summary: "True when the value is neither NULL nor empty",
            build: { ConversionFunctions.isPresent(&$0) }),
        FunctionSignature(
            "IsString", [P("expression")], summary: "True when the value can be read as text",
            build: { ConversionFunctions.isString(&$0) }),
        FunctionSignature(
            "Item", [P("attribute"), P("index")], summary: "the value at a 1-based index of a multi-valued attribute",
            build: { b throws(Diagnostic) in try MultiValuedFunctions.item(&b) }),
        FunctionSignature(
            "Join", [P("separator"), P("source", variadic: true)], arity: Arity(2, nil),
            summary: "the non-empty sources joined with the separator", build: { StringFunctions.join(&$0) }),
        FunctionSignature(
            "Left", [P("String"), P("NumChars")], summary: "the first NumChars characters",
            build: { StringFunctions.left(&$0) }),
        FunctionSignature(
            "Mid", [P("source"), P("start"), P("length")], cloudSyncArity: Arity(2, 3),
            summary: "length characters from the 1-based start", build: { StringFunctions.mid(&$0) }),
        FunctionSignature(
            "NormalizeDiacritics", [P("source")], summary: "letters with diacritics replaced by their base letters",
            build: { b in Builders.stringMap(b, NormalizeDiacritics.apply) }),
        FunctionSignature(
            "Not", [P("source")], summary: "False for True, True for anything else", build: { ConversionFunctions.not(&$0) }),
        FunctionSignature(
            "Now", [], dialects: [.provisioning], pure: false, summary: "the current date and time in UTC",
            build: { DateFunctions.now(&$0) }),
        FunctionSignature(
            "NumFromDate", [P("value")], dialects: [.provisioning],
            summary: "a date as an Active Directory integer (FILETIME)", build: { DateFunctions.numFromDate(&$0) }),
        FunctionSignature(
            "PCase", [P("source"), P("wordSeparators", optional: true)], dialects: [.provisioning],
            summary: "the text in proper case", build: { StringFunctions.pCase(&$0) }),
        FunctionSignature(
            "RandomString",
            [P("Length"), P("MinimumNumbers"), P("MinimumSpecialCharacters"), P("MinimumCapital"), P("MinimumLowerCase"),
             P("CharactersToAvoid", optional: true)],
            dialects: [.provisioning], pure: false, summary: "a random string meeting minimum character counts",
            build: { b throws(Diagnostic) in try IdentityFunctions.randomString(&b) }),
        FunctionSignature(
            "Redact", [P("attributeOrValue")], dialects: [.provisioning],
            summary: "the value, shown as [Redact] in logs and reports", build: { ConversionFunctions.redact(&$0) }),
        FunctionSignature(
            "RemoveDuplicates", [P("attribute")], summary: "each value of a multi-valued attribute once",
            build: { MultiValuedFunctions.removeDuplicates(&$0) }),
        FunctionSignature(
            "Replace",
            [P("source"), P("oldValue", optional: true), P("regexPattern", optional: true),
             P("regexGroupName", optional: true), P("replacementValue", optional: true),
             P("replacementAttributeName", optional: true), P("template", optional: true)],
            arity: Arity(7, 7),
            summary: "text with values or regular-expression matches replaced",
            build: { b throws(Diagnostic) in try ReplaceFunction.build(&b) }),
        FunctionSignature(
            "SelectUniqueValue", [P("rule1"), P("rule", variadic: true)], arity: Arity(2, nil), dialects: [.provisioning],
            pure: false, summary: "the first rule's value that is not already taken in the target",
            build: { IdentityFunctions.selectUniqueValue(&$0) }),
        FunctionSignature(
            "SingleAppRoleAssignment", [P("appRoleAssignments")], dialects: [.provisioning],
            summary: "the user's single app-role assignment", build: { IdentityFunctions.singleAppRoleAssignment(&$0) }),
        FunctionSignature(
            "Split", [P("source"), P("delimiter")], summary: "the parts of the text between delimiters, as a multi-valued value",
            build: { StringFunctions.split(&$0) }),
        FunctionSignature(
            "StringFromSid", [P("binarySid")], dialects: [.cloudSync], summary: "the S-1-… text of a binary SID",
            build: { ConversionFunctions.stringFromSid(&$0) }),
        FunctionSignature(
            "StripSpaces", [P("source")], summary: "the text without space characters",
            build: { StringFunctions.stripSpaces(&$0) }),
        FunctionSignature(
            "Switch", [P("source"), P("defaultValue", optional: true), P("key"), P("value", variadic: true)],
            arity: Arity(4, nil), summary: "the value paired with the first key equal to the source, else the default",
            build: { FlowFunctions.switchFunction(&$0) }),
        FunctionSignature(
            "ToLower", [P("source"), P("culture", optional: true)], summary: "the text in lower case",
            build: { StringFunctions.toLower(&$0) }),
        FunctionSignature(
            "ToUpper", [P("source"), P("culture", optional: true)], summary: "the text in upper case",
            build: { StringFunctions.toUpper(&$0) }),
        FunctionSignature(
            "Trim", [P("value")], dialects: [.cloudSync], summary: "the text without leading and trailing white space",
            build: { StringFunctions.trim(&$0) }),
        FunctionSignature(
            "Word", [P("String"), P("WordNumber"), P("Delimiters")], summary: "the n-th word, words separated by any delimiter",
            build: { StringFunctions.word(&$0) }),
    ]

    static let byName: [String: FunctionSignature] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    static let byLowercasedName: [String: FunctionSignature] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name.lowercased(), $0) })

    /// The function named exactly `name`.
    public static func function(named name: String) -> FunctionSignature? { byName[name] }

    /// The functions of a dialect, alphabetical.
    public static func functions(in dialect: Dialect) -> [FunctionSignature] { all.filter { $0.dialects.contains(dialect) } }

    /// Bare keywords and where they belong.
    public static let keywords: [String: String] = [
        "ASCII": "ConvertFromBase64",
        "CaseSensitive": "Contains",
        "IgnoreAttributeFlow": "",
        "IgnoreCase": "Contains",
        "IgnoreObjectFlow": "",
        "Unicode": "ConvertFromBase64",
        "UTF8": "ConvertFromBase64",
        "vbBinaryCompare": "InStr",
        "vbTextCompare": "InStr",
    ]
}
