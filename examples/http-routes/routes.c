/*
 * The bundled server example: a wasi:http/proxy component that
 * `wasmscope serve` runs when given no program.
 *
 *   GET /hello/NAME   "Hello, NAME!"  (greeting() is inlined at -O2)
 *   GET /work/N       N rounds of a checksum: the slow route
 *   GET /crash        traps (an `unreachable`), for trap stops and coredumps
 *   GET /file/NAME    the file NAME of the directory the server maps to /data
 *   GET /env/NAME     the environment variable NAME
 *   anything else     404
 *
 * The last two need the WASI CLI interfaces (`wasmscope serve --cli`,
 * `wasmtime serve -S cli`) and a component made with the reactor adapter
 * (build.sh's http-routes-O0-cli-component.wasm); a wasi:http/proxy
 * component sees no files and no environment, and answers 404.
 *
 * Built by tests/guests/build.sh into http-routes-O0/-O2 components; the
 * bundled routes.wasm is the -O2 one. Bindings: bindings/ (wit-bindgen's C
 * generator; bindings.sh makes them again). Lines ending in `// BP: <name>`
 * are breakpoint targets for the tests.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/proxy.h"

/* What a route answers. */
struct reply {
    uint16_t status;
    char body[256];
    size_t length;
};

/* The most the slow route will do, so one request cannot run for hours. */
#define MAX_ROUNDS 50000000u

static inline size_t greeting(char *out, size_t room, const char *name, size_t name_length) {
    int written = snprintf(out, room, "Hello, %.*s!\n", (int)name_length, name); // BP: greeting
    return written < 0 ? 0 : ((size_t)written < room ? (size_t)written : room - 1);
}

/* One round of the slow route's work: a 32-bit mix (xorshift, multiply). */
static uint32_t mix(uint32_t state, uint32_t round) {
    state ^= round * 0x9e3779b9u;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state * 0x85ebca6bu;                                         // BP: mix
}

static uint32_t checksum(uint32_t rounds) {
    uint32_t state = 0x12345678u;
    for (uint32_t round = 0; round < rounds; round++)
        state = mix(state, round);                                      // BP: checksum_loop
    return state;
}

/* Parses the decimal N of /work/N; false unless it is all digits. */
static int parse_rounds(const char *text, size_t length, uint32_t *rounds) {
    uint64_t value = 0;
    if (length == 0 || length > 10)
        return 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        value = value * 10 + (uint64_t)(text[i] - '0');
    }
    if (value > MAX_ROUNDS)
        return 0;
    *rounds = (uint32_t)value;
    return 1;
}

static int starts_with(const char *path, size_t length, const char *prefix) {
    size_t n = strlen(prefix);
    return length >= n && memcmp(path, prefix, n) == 0;
}

/* GET /file/NAME: the file /data/NAME (a plain name: no `/`), as much of it
 * as the reply holds. */
static void file_route(const char *name, size_t length, struct reply *reply) {
    char path[96];
    FILE *file = NULL;
    if (length > 0 && length <= 64 && !memchr(name, '/', length)) {
        snprintf(path, sizeof path, "/data/%.*s", (int)length, name);
        file = fopen(path, "rb");
    }
    if (!file) {
        reply->status = 404;
        reply->length = (size_t)snprintf(reply->body, sizeof reply->body, "no file %.*s\n", (int)length, name);
        return;
    }
    reply->length = fread(reply->body, 1, sizeof reply->body - 1, file); // BP: file_read
    fclose(file);
    reply->status = 200;
}

/* GET /env/NAME: the variable's value. */
static void env_route(const char *name, size_t length, struct reply *reply) {
    char key[64];
    const char *value = NULL;
    if (length > 0 && length < sizeof key) {
        memcpy(key, name, length);
        key[length] = 0;
        value = getenv(key);
    }
    reply->status = value ? 200 : 404;
    reply->length = (size_t)snprintf(reply->body, sizeof reply->body, "%s\n", value ? value : "not set");
    if (reply->length >= sizeof reply->body)
        reply->length = sizeof reply->body - 1;
}

static void route(uint8_t method, const char *path, size_t length, struct reply *reply) {
    size_t query = 0;
    while (query < length && path[query] != '?')
        query++;
    length = query;
    if (method == WASI_HTTP_TYPES_METHOD_GET && starts_with(path, length, "/hello/")) {
        reply->status = 200;                                            // BP: hello_route
        reply->length = greeting(reply->body, sizeof reply->body, path + 7, length - 7);
        return;
    }
    uint32_t rounds;
    if (method == WASI_HTTP_TYPES_METHOD_GET && starts_with(path, length, "/work/")
        && parse_rounds(path + 6, length - 6, &rounds)) {
        uint32_t sum = checksum(rounds);                                // BP: work_route
        reply->status = 200;
        reply->length = (size_t)snprintf(reply->body, sizeof reply->body, "%u rounds: %08x\n", rounds, sum);
        return;
    }
    if (method == WASI_HTTP_TYPES_METHOD_GET && length == 6 && memcmp(path, "/crash", 6) == 0)
        __builtin_trap();                                               // BP: crash
    if (method == WASI_HTTP_TYPES_METHOD_GET && starts_with(path, length, "/file/")) {
        file_route(path + 6, length - 6, reply);
        return;
    }
    if (method == WASI_HTTP_TYPES_METHOD_GET && starts_with(path, length, "/env/")) {
        env_route(path + 5, length - 5, reply);
        return;
    }
    reply->status = 404;
    reply->length = (size_t)snprintf(reply->body, sizeof reply->body, "not found: %.*s\n", (int)length, path);
    if (reply->length >= sizeof reply->body)
        reply->length = sizeof reply->body - 1;
}

/* Sends `reply` as a text/plain response. */
static void respond(wasi_http_types_own_response_outparam_t out, const struct reply *reply) {
    static const char name[] = "content-type", value[] = "text/plain; charset=utf-8";
    wasi_http_types_tuple2_field_name_field_value_t header = {
        .f0 = { (uint8_t *)name, sizeof name - 1 },
        .f1 = { (uint8_t *)value, sizeof value - 1 },
    };
    wasi_http_types_list_tuple2_field_name_field_value_t list = { &header, 1 };
    wasi_http_types_own_fields_t headers;
    wasi_http_types_header_error_t header_error;
    if (!wasi_http_types_static_fields_from_list(&list, &headers, &header_error))
        abort();
    wasi_http_types_own_outgoing_response_t response = wasi_http_types_constructor_outgoing_response(headers);
    wasi_http_types_borrow_outgoing_response_t borrowed = wasi_http_types_borrow_outgoing_response(response);
    wasi_http_types_method_outgoing_response_set_status_code(borrowed, reply->status);
    wasi_http_types_own_outgoing_body_t body;
    if (!wasi_http_types_method_outgoing_response_body(borrowed, &body))
        abort();
    wasi_http_types_result_own_outgoing_response_error_code_t result = { .is_err = false };
    result.val.ok = response;
    wasi_http_types_static_response_outparam_set(out, &result);

    wasi_http_types_own_output_stream_t stream;
    if (!wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(body), &stream))
        abort();
    proxy_list_u8_t bytes = { (uint8_t *)reply->body, reply->length };
    wasi_io_streams_stream_error_t stream_error;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
            wasi_io_streams_borrow_output_stream(stream), &bytes, &stream_error))
        abort();
    wasi_io_streams_output_stream_drop_own(stream);
    wasi_http_types_error_code_t body_error;
    if (!wasi_http_types_static_outgoing_body_finish(body, NULL, &body_error))
        abort();
}

void exports_wasi_http_incoming_handler_handle(exports_wasi_http_incoming_handler_own_incoming_request_t request,
                                               exports_wasi_http_incoming_handler_own_response_outparam_t out) {
    wasi_http_types_borrow_incoming_request_t borrowed = wasi_http_types_borrow_incoming_request(request);
    wasi_http_types_method_t method;
    wasi_http_types_method_incoming_request_method(borrowed, &method);
    proxy_string_t path = { 0 };
    int has_path = wasi_http_types_method_incoming_request_path_with_query(borrowed, &path);
    struct reply reply = { 0 };
    if (has_path)
        route(method.tag, (const char *)path.ptr, path.len, &reply);  // BP: handle
    else
        route(method.tag, "/", 1, &reply);
    respond(out, &reply);
    if (has_path)
        proxy_string_free(&path);
    wasi_http_types_method_free(&method);
    wasi_http_types_incoming_request_drop_own(request);
}
