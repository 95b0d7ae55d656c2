#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One environment variable's value, nil when it is not set. Read straight from the process's
/// environment: `ProcessInfo.processInfo.environment` builds a dictionary of every variable on
/// each use, which cost every command about 0.9M instructions a time (a tenth of a
/// `--version`'s work) where it asked for one.
func environmentVariable(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
