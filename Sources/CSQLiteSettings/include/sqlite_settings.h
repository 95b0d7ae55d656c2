#ifndef KETAREG_SQLITE_SETTINGS_H
#define KETAREG_SQLITE_SETTINGS_H

/// Turns off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS), which KetaReg never reads: with
/// them on, every allocation SQLite makes takes a global mutex to count itself. `sqlite3_config` is
/// variadic, so Swift cannot call it; this wrapper can. It must run before SQLite is initialised
/// (before the process opens its first connection) and returns SQLITE_MISUSE, changing nothing,
/// after that.
int ketareg_sqlite_disable_memory_statistics(void);

#endif
