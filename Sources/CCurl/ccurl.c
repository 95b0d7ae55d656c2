#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[256] = "libcurl was not loaded";

static void load(void) {
    // The soname of libcurl 7.16 and later (Debian's libcurl4 package).
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "libcurl.so.4 could not be loaded (install Debian's libcurl4 package): %s", why ? why : "not found");
        return;
    }
#define FIND(field, symbol)                                                                         \
    *(void **)(&curl.field) = dlsym(library, symbol);                                               \
    if (curl.field == NULL) {                                                                       \
        snprintf(failure, sizeof failure, "libcurl.so.4 has no %s: it is older than 7.16", symbol); \
        return;                                                                                     \
    }
    FIND(global_init, "curl_global_init")
    FIND(easy_init, "curl_easy_init")
    FIND(easy_cleanup, "curl_easy_cleanup")
    FIND(easy_perform, "curl_easy_perform")
    FIND(easy_strerror, "curl_easy_strerror")
    FIND(slist_append, "curl_slist_append")
    FIND(slist_free_all, "curl_slist_free_all")
    FIND(easy_setopt, "curl_easy_setopt")
    FIND(easy_getinfo, "curl_easy_getinfo")
#undef FIND
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(failure, sizeof failure, "curl_global_init failed");
        return;
    }
    failure[0] = '\0';
}

int ketareg_curl_load(char *error, size_t size) {
    pthread_once(&once, load);
    if (failure[0] == '\0') return 0;
    if (error != NULL && size > 0) snprintf(error, size, "%s", failure);
    return -1;
}

CURL *ketareg_curl_easy_init(void) { return curl.easy_init(); }
void ketareg_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
CURLcode ketareg_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *ketareg_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *ketareg_curl_slist_append(struct curl_slist *list, const char *text) { return curl.slist_append(list, text); }
void ketareg_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLcode ketareg_curl_setopt_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }
CURLcode ketareg_curl_setopt_string(CURL *handle, CURLoption option, const char *value) { return curl.easy_setopt(handle, option, value); }
CURLcode ketareg_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) { return curl.easy_setopt(handle, option, value); }
CURLcode ketareg_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) { return curl.easy_setopt(handle, option, value); }
CURLcode ketareg_curl_setopt_callback(CURL *handle, CURLoption option, ketareg_curl_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}
CURLcode ketareg_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) { return curl.easy_getinfo(handle, info, value); }
