#ifndef KETAREG_CCURL_H
#define KETAREG_CCURL_H

// libcurl for Swift, loaded only when a command sends something.
//
// Linking libcurl would load it, and the 28 libraries it pulls in (TLS, Kerberos, LDAP, ...), at the
// start of every command: about 11 ms of a 30 ms start-up on the benchmark machine. Instead
// `ketareg_curl_load` opens libcurl.so.4 with dlopen the first time a transfer is made, and these
// functions call it through the pointers it found. Only libcurl's types and constants come from
// <curl/curl.h>; nothing links against it.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: the typed wrappers
// pass each kind of argument through.

#include <stddef.h>
#include <curl/curl.h>

/// Opens libcurl and runs curl_global_init, once per process (thread-safe). Returns 0 on success;
/// otherwise writes why into `error` (at most `size` bytes, NUL-terminated) and returns -1.
int ketareg_curl_load(char *error, size_t size);

CURL *ketareg_curl_easy_init(void);
void ketareg_curl_easy_cleanup(CURL *handle);
CURLcode ketareg_curl_easy_perform(CURL *handle);
const char *ketareg_curl_easy_strerror(CURLcode code);
struct curl_slist *ketareg_curl_slist_append(struct curl_slist *list, const char *text);
void ketareg_curl_slist_free_all(struct curl_slist *list);

CURLcode ketareg_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ketareg_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ketareg_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ketareg_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);

typedef size_t (*ketareg_curl_data_callback)(char *data, size_t size, size_t count, void *context);
CURLcode ketareg_curl_setopt_callback(CURL *handle, CURLoption option, ketareg_curl_data_callback callback);

CURLcode ketareg_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
