/* metricsserver.h - a tiny HTTP server with one endpoint, GET /metrics,
 * for Prometheus to scrape.
 *
 * Non-blocking, driven by poll() between the exporter's ticks, so a slow
 * or silent client never delays sampling: each connection gets a bounded
 * request (8 KiB), a deadline (5 s for the whole exchange), one response,
 * then Connection: close.  At most 16 connections at once; more wait in
 * the kernel's backlog.  Any other path is 404, any other method 405. */
#ifndef LEAKTOP_METRICSSERVER_H
#define LEAKTOP_METRICSSERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct metricsserver;

/* Splits "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" into host and port.
 * Without a host it is 127.0.0.1 (loopback unless an address is given).
 * false with a message in err when malformed. */
bool metricsserver_parse_addr(const char *spec, char *host, size_t hostsz,
                              char *port, size_t portsz, char *err,
                              size_t errsz);

/* How a request head (NUL-terminated) is answered: the status code, its
 * reason phrase and any extra header lines ("" or lines ending in CRLF).
 * 200 only for "GET /metrics[?...] HTTP/1.x" with a document to give
 * (has_body); 503 without one; 405 for another method, 404 for another
 * path, 414 for a request line of METRICS_LINE_MAX bytes or more, 400 for
 * anything else. */
#define METRICS_LINE_MAX 2100
struct metrics_answer {
	int code;
	const char *reason, *headers;
};
struct metrics_answer metricsserver_answer(const char *head, bool has_body);

/* Listens on spec.  NULL with a message in err (bad address, bind
 * refused, port in use). */
struct metricsserver *metricsserver_open(const char *spec, char *err,
                                         size_t errsz);

/* The address actually bound ("127.0.0.1:9753", "[::1]:9753"): tells the
 * port when 0 was asked for. */
const char *metricsserver_address(const struct metricsserver *s);

/* The document GET /metrics answers with from now on.  The server keeps
 * the pointer until the next call (each response copies it). */
void metricsserver_set_body(struct metricsserver *s, const char *body,
                            size_t len);

/* Serves until the monotonic time deadline or until a signal arrives
 * (ppoll with mask, so signals blocked otherwise are taken only here). */
void metricsserver_serve(struct metricsserver *s, double deadline,
                         const sigset_t *mask);

void metricsserver_close(struct metricsserver *s);

#endif
