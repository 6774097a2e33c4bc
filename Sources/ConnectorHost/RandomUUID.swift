/// A random (version 4) UUID in lowercase text, from the system's generator. Foundation's `UUID()`
/// opens and reads `/dev/urandom` for each one; this makes one `getrandom` call and no allocation
/// but the string.
package func randomUUID() -> String {
    var generator = SystemRandomNumberGenerator()
    var high: UInt64 = generator.next(), low: UInt64 = generator.next()
    high = (high & ~0xF000) | 0x4000  // version 4
    low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(36)
    for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
        if index == 8 || index == 12 { text.append(UInt8(ascii: "-")) }
        text.append(digits[Int((high >> UInt64(shift)) & 0xF)])
    }
    for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
        if index == 0 || index == 4 { text.append(UInt8(ascii: "-")) }
        text.append(digits[Int((low >> UInt64(shift)) & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
}
