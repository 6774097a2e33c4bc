import Foundation

/// A minimal HTTP/1.1 client connection for the load generator: one keep-alive TCP connection,
/// blocking calls, used by one thread. The load generator shares the machine's cores with the
/// server it measures; a heavier client (an event-loop HTTP library) would spend the CPU the
/// server needs and cap the figures of the faster server. It reads what the two servers send:
/// `Content-Length` or chunked bodies, and reconnects when the server closes the connection.
final class HTTPConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let host: String
    let port: UInt16
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var position = 0
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `url` is `http://host:port/…`; only the host and port are used.
    init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            throw Failure(description: "not an http URL: \(url)")
        }
        self.host = host
        self.port = UInt16(components.port ?? 80)
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    private func connect() throws {
        if socket >= 0 { close(socket) }
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw Failure(description: "not an IPv4 address: \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(socket)
            socket = -1
            throw Failure(description: "connect to \(host):\(port): \(message)")
        }
        buffer = []
        position = 0
    }

    /// Sends a request and reads the whole response: its status and body. A request on a
    /// connection the server has closed since the last one is sent again on a new connection.
    func send(_ method: String, _ target: String, headers: [(String, String)], body: String? = nil) throws -> (status: Int, body: [UInt8]) {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil || method == "POST" || method == "PUT" || method == "PATCH" { request += "Content-Length: \(bodyBytes.count)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + bodyBytes
        let fresh = socket < 0
        if fresh { try connect() }
        do {
            try write(bytes)
            return try readResponse()
        } catch let failure as Failure where !fresh && failure.description == "closed" {
            try connect()
            try write(bytes)
            return try readResponse()
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "closed") }
            sent += count
        }
    }

    /// More bytes from the socket into the buffer; false at the end of the stream.
    private func fill() throws -> Bool {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            if count == 0 { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
    }

    private func line() throws -> String {
        while true {
            if let end = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var text = buffer[position..<end]
                if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
                position = end + 1
                return String(decoding: text, as: UTF8.self)
            }
            guard try fill() else { throw Failure(description: "closed") }
        }
    }

    private func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count - position < count {
            guard try fill() else { throw Failure(description: "the connection closed inside a body") }
        }
        defer { position += count }
        return Array(buffer[position..<(position + count)])
    }

    private func readResponse() throws -> (status: Int, body: [UInt8]) {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure(description: "not an HTTP response: \(statusLine)")
        }
        var length: Int?
        var chunked = false
        var closes = parts[0] == "HTTP/1.0"
        while true {
            let header = try line()
            if header.isEmpty { break }
            guard let colon = header.firstIndex(of: ":") else { continue }
            let name = header[..<colon].lowercased()
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.contains("chunked")
            case "connection": closes = value == "close" ? true : (value == "keep-alive" ? false : closes)
            default: break
            }
        }
        var body: [UInt8] = []
        if chunked {
            while true {
                let size = Int(try line().split(separator: ";")[0], radix: 16) ?? 0
                if size == 0 {
                    while try !line().isEmpty {}
                    break
                }
                body += try bytes(size)
                _ = try line()
            }
        } else if let length {
            body = try bytes(length)
        } else if status != 204, status != 304 {
            // No length: the body runs to the end of the connection.
            while try fill() {}
            body = Array(buffer[position...])
            position = buffer.count
            closes = true
        }
        if closes {
            close(socket)
            socket = -1
        }
        return (status, body)
    }
}
