import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A write that did not go through: where to, and why, in the system's words.
public struct WriteError: Error, CustomStringConvertible, Sendable {
    /// Where the write was going (`standard output`, a file's path).
    public let place: String
    /// Why it failed, in the system's words (`No space left on device`).
    public let reason: String
    /// The sentence a command prints: `could not write <place>: <reason>`.
    public var description: String { "could not write \(place): \(reason)" }
}

/// Writes all of `data` to an open file descriptor with `write(2)`, going on after a partial write
/// or an interrupted one. A failure (a full disk, an output closed or gone) is thrown, naming
/// `place`: Foundation's `FileHandle.write(_:)` stops the whole program there instead.
public func writeAll(_ data: Data, toDescriptor descriptor: Int32, place: @autoclosure () -> String) throws {
    try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw WriteError(place: place(), reason: String(cString: strerror(code)))
            }
            offset += written
        }
    }
}

/// Bytes on standard output, straight to the descriptor, after what `print` buffered: a failure,
/// a full disk say, is thrown for the command to report, not a crash.
public func writeStandardOutput(_ data: Data) throws {
    try flushStandardOutput()
    try writeAll(data, toDescriptor: STDOUT_FILENO, place: "standard output")
}

/// Text on standard error, best effort: when standard error cannot be written, there is nowhere
/// to say so.
public func writeStandardError(_ text: String) {
    try? writeAll(Data(text.utf8), toDescriptor: STDERR_FILENO, place: "standard error")
}

/// Flushes what the C library holds for standard output (`print` writes there), and throws when
/// that fails: a full disk must not end a command with status 0 and its output cut short.
/// (`fflush(NULL)`: Swift 6 does not let a module name the C library's `stdout` variable.)
public func flushStandardOutput() throws {
    guard fflush(nil) != 0 else { return }
    let code = errno
    throw WriteError(
        place: "standard output", reason: code != 0 ? String(cString: strerror(code)) : "the output is incomplete")
}

/// Writes `data` to a new file readable by its owner alone: created with `O_CREAT | O_EXCL` and
/// mode 0600 in one call, so no other user can open it between its creation and its mode (as
/// Foundation's `createFile(atPath:contents:attributes:)` allows, writing first and setting the
/// mode after). Refuses to overwrite a file, or to follow a link placed where it should be.
public func writePrivateFile(_ data: Data, to path: String) throws {
    let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw WriteError(place: path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    do {
        try writeAll(data, toDescriptor: descriptor, place: path)
    } catch {
        unlink(path)
        throw error
    }
}
