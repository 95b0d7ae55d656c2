import CCurl
import Foundation

/// One HTTP POST, as the network sees it.
public struct HTTPPost: Sendable {
    /// The address to post to; `CurlHTTPClient.post(_:)` sends only to `https://`, or `http://` on
    /// a loopback address.
    public var url: String
    /// The request body, sent unchanged with its length as `Content-Length`.
    public var body: Data
    /// Header names and values, sent in this order.
    public var headers: [(String, String)]
    /// A PEM bundle of certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// Seconds allowed for making the connection, TLS handshake included (libcurl's connect
    /// timeout).
    public var connectTimeoutSeconds: Int
    /// Seconds allowed for the whole transfer, connection included; libcurl gives up after this and
    /// the post fails with `HTTPFailure.timeout`.
    public var totalTimeoutSeconds: Int
    /// True for a GET (the body is then not sent).
    public var isGet = false

    /// A POST of `body` to `url` with `headers`, trusting `caFile` if given; by default 10 seconds
    /// to connect and 60 in all.
    public init(
        url: String, body: Data, headers: [(String, String)], caFile: String? = nil,
        connectTimeoutSeconds: Int = 10, totalTimeoutSeconds: Int = 60
    ) {
        self.url = url
        self.body = body
        self.headers = headers
        self.caFile = caFile
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.totalTimeoutSeconds = totalTimeoutSeconds
    }
}

/// What came back.
public struct HTTPReply: Sendable {
    /// The HTTP status code of the response; a redirect comes back as its own 3xx status, since
    /// none is followed.
    public let status: Int
    /// Response headers, names in lower case.
    public let headers: [String: String]
    /// The response body, as received.
    public let body: Data
}

/// Why no reply came back.
public enum HTTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request was not sent because its URL breaks the client's rules.
    case refused(String)
    /// No connection could be made, or it was dropped.
    case connection(String)
    /// A timeout passed.
    case timeout(String)
    /// The server's certificate was not trusted, or TLS failed.
    case tls(String)
    /// Anything else libcurl reported.
    case other(String)

    /// The message the failure carries, without its kind.
    public var description: String {
        switch self {
        case .refused(let text), .connection(let text), .timeout(let text), .tls(let text), .other(let text): text
        }
    }
}

/// Opens libcurl and runs `curl_global_init`, once per process, before the first handle: `nil`
/// when it is ready, else why not. Commands that never send never load it.
private let curlProblem: String? = {
    var message = [CChar](repeating: 0, count: 512)
    guard ketareg_curl_load(&message, message.count) != 0 else { return nil }
    return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()

/// An HTTP client over libcurl's easy interface with the export rules built in: HTTPS with peer and
/// host verification, `http://` only to loopback, HTTP and HTTPS only, connect and total timeouts,
/// redirects never followed, nothing printed. Each call uses its own handle, so the client can be
/// shared between threads.
public struct CurlHTTPClient: Sendable {
    /// The `User-Agent` header sent with every request (ketareg sends `ketareg/` and its version).
    public let userAgent: String

    /// A client that sends `userAgent` with each request.
    public init(userAgent: String) {
        self.userAgent = userAgent
    }

    /// Whether a URL may be used: `https://` anywhere, `http://` only to a loopback address.
    public static func check(url text: String) -> HTTPFailure? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            return .refused("'\(text)' is not a URL (expected https://host/path)")
        }
        switch scheme {
        case "https": return nil
        case "http":
            return isLoopback(host)
                ? nil
                : .refused(
                    "plain http:// is allowed only to this machine (127.0.0.1, localhost, [::1]); use https:// for \(host)"
                )
        default: return .refused("only https:// URLs are allowed, not \(scheme)://")
        }
    }

    /// Whether `host` is a loopback address: `localhost`, `::1` (with or without square brackets)
    /// or a dotted IPv4 address in 127.0.0.0/8.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Sends one POST and waits for the reply. Any HTTP status, 4xx and 5xx included, is a success;
    /// it fails with `HTTPFailure.refused` before sending when `check(url:)` rejects the URL, and
    /// with `HTTPFailure.other` when libcurl cannot be loaded or set up.
    public func post(_ request: HTTPPost) -> Result<HTTPReply, HTTPFailure> {
        if let problem = Self.check(url: request.url) { return .failure(problem) }
        if let curlProblem { return .failure(.other(curlProblem)) }
        guard let handle = ketareg_curl_easy_init() else { return .failure(.other("libcurl could not make a handle")) }
        defer { ketareg_curl_easy_cleanup(handle) }

        let collected = Collected()
        let context = Unmanaged.passUnretained(collected).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = ketareg_curl_slist_append(headerList, "\(name): \(value)")
        }
        // An empty Expect stops libcurl waiting for "100 Continue" on larger bodies.
        headerList = ketareg_curl_slist_append(headerList, "Expect:")
        defer { ketareg_curl_slist_free_all(headerList) }

        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(ketareg_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(ketareg_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(ketareg_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(ketareg_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(ketareg_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = request.caFile { set(ketareg_curl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        set(ketareg_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, request.connectTimeoutSeconds))
        set(ketareg_curl_setopt_long(handle, CURLOPT_TIMEOUT, request.totalTimeoutSeconds))
        set(ketareg_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(ketareg_curl_setopt_long(handle, CURLOPT_VERBOSE, 0))
        // No proxy for loopback: every plain-http address this client allows (127.0.0.0/8
        // included, which a host list cannot name) is this machine, and a proxy would see its token.
        let plainLoopback = request.url.lowercased().hasPrefix("http://")
        set(ketareg_curl_setopt_string(handle, CURLOPT_NOPROXY, plainLoopback ? "*" : "127.0.0.1,localhost,::1"))
        set(ketareg_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent))
        set(ketareg_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        if request.isGet {
            set(ketareg_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        } else {
            set(ketareg_curl_setopt_long(handle, CURLOPT_POST, 1))
            set(ketareg_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count))
            set(
                request.body.withUnsafeBytes { bytes in
                    ketareg_curl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                })
        }
        set(
            ketareg_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                collected.body.append(UnsafeRawPointer(data!).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            })
        set(ketareg_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set(
            ketareg_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                if line.hasPrefix("HTTP/") {
                    collected.headers = [:]  // a new response (after 100 Continue) starts its own headers
                } else if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    collected.headers[name] = line[line.index(after: colon)...].trimmingCharacters(
                        in: .whitespacesAndNewlines)
                }
                return size * count
            })
        set(ketareg_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        guard setup == CURLE_OK else {
            return .failure(.other("libcurl refused an option: \(String(cString: ketareg_curl_easy_strerror(setup)))"))
        }

        let code = ketareg_curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let message = String(cString: ketareg_curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT:
                return .failure(.timeout("no complete answer within the timeout (\(message))"))
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING,
                CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
                return .failure(.connection(message))
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE,
                CURLE_SSL_CERTPROBLEM:
                return .failure(.tls(message))
            case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
                return .failure(.refused(message))
            default:
                return .failure(.other(message))
            }
        }
        var status = 0
        _ = ketareg_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPReply(status: status, headers: collected.headers, body: collected.body))
    }
}

/// What the callbacks collect during one transfer.
private final class Collected {
    var body = Data()
    var headers: [String: String] = [:]
}
