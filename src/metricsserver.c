/* metricsserver.c - see metricsserver.h. */
#include "metricsserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clocks.h"
#include "metrics.h"

#define MAX_CLIENTS 16
#define REQUEST_MAX 8192
#define CLIENT_SECONDS 5.0

struct client {
	int fd;                  /* -1: free slot */
	double deadline;
	size_t reqlen;
	char req[REQUEST_MAX];
	char *resp;              /* the response, once the request is read */
	size_t resplen, sent;
};

struct metricsserver {
	int lfd;
	char addr[80];
	const char *body;
	size_t bodylen;
	struct client c[MAX_CLIENTS];
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool metricsserver_parse_addr(const char *spec, char *host, size_t hostsz,
                              char *port, size_t portsz, char *err,
                              size_t errsz)
{
	const char *h = "127.0.0.1", *p = spec;
	size_t hlen = strlen(h);
	const char *colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errsz, "'%s': expected [IPV6]:PORT", spec);
			return false;
		}
		h = spec + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
	} else if (colon) {
		if (strchr(spec, ':') != colon) {
			snprintf(err, errsz, "'%s': an IPv6 address needs brackets, "
			         "as in [::1]:9753", spec);
			return false;
		}
		if (colon != spec) {
			h = spec;
			hlen = (size_t)(colon - spec);
		}
		p = colon + 1;
	}
	long n = all_digits(p) && strlen(p) <= 5 ? strtol(p, NULL, 10) : -1;
	if (n < 0 || n > 65535) {
		snprintf(err, errsz, "'%s': the port must be a number from 0 to 65535",
		         spec);
		return false;
	}
	if (hlen == 0 || hlen >= hostsz) {
		snprintf(err, errsz, "'%s': bad host", spec);
		return false;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	snprintf(port, portsz, "%ld", n);
	return true;
}

static void name_bound(struct metricsserver *s)
{
	union {
		struct sockaddr any;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
		struct sockaddr_storage room;
	} a;
	memset(&a, 0, sizeof a);   /* read below even if the call fails */
	socklen_t len = sizeof a;
	char h[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (getsockname(s->lfd, &a.any, &len) == 0) {
		if (a.any.sa_family == AF_INET6) {
			inet_ntop(AF_INET6, &a.v6.sin6_addr, h, sizeof h);
			port = ntohs(a.v6.sin6_port);
		} else {
			inet_ntop(AF_INET, &a.v4.sin_addr, h, sizeof h);
			port = ntohs(a.v4.sin_port);
		}
	}
	snprintf(s->addr, sizeof s->addr, a.any.sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	         h, port);
}

struct metricsserver *metricsserver_open(const char *spec, char *err,
                                         size_t errsz)
{
	char host[256], port[8];
	if (!metricsserver_parse_addr(spec, host, sizeof host, port, sizeof port,
	                              err, errsz))
		return NULL;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                          .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	int r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0) {
		snprintf(err, errsz, "'%s': %s", spec, gai_strerror(r));
		return NULL;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errsz, "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return NULL;
	}
	freeaddrinfo(ai);
	struct metricsserver *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->lfd = fd;
	for (int i = 0; i < MAX_CLIENTS; i++)
		s->c[i].fd = -1;
	name_bound(s);
	return s;
}

const char *metricsserver_address(const struct metricsserver *s)
{
	return s->addr;
}

void metricsserver_set_body(struct metricsserver *s, const char *body,
                            size_t len)
{
	s->body = body;
	s->bodylen = len;
}

static void drop(struct client *c)
{
	close(c->fd);
	free(c->resp);
	c->fd = -1;
	c->resp = NULL;
}

static void respond(struct metricsserver *s, struct client *c, int code,
                    const char *reason, const char *extra)
{
	bool ok = code == 200;
	const char *body = ok ? s->body : reason;
	size_t blen = ok ? s->bodylen : strlen(reason);
	char head[256];
	int hlen = snprintf(head, sizeof head,
	                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	                    "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
	                    code, reason, ok ? METRICS_CONTENT_TYPE
	                                     : "text/plain; charset=utf-8",
	                    blen + (ok ? 0 : 1), extra);
	c->resp = malloc((size_t)hlen + blen + 1);
	if (!c->resp) {
		drop(c);
		return;
	}
	memcpy(c->resp, head, (size_t)hlen);
	memcpy(c->resp + hlen, body, blen);
	c->resplen = (size_t)hlen + blen;
	if (!ok)
		c->resp[c->resplen++] = '\n';
	c->sent = 0;
}

/* Only the request line counts ("GET /metrics HTTP/1.1"); headers are not
 * needed: the document has one format. */
struct metrics_answer metricsserver_answer(const char *head, bool has_body)
{
	char line[METRICS_LINE_MAX], method[16], target[2048], version[16];
	size_t n = strcspn(head, "\r\n");
	if (n >= sizeof line)
		return (struct metrics_answer){ 414, "URI Too Long", "" };
	memcpy(line, head, n);
	line[n] = '\0';
	if (sscanf(line, "%15s %2047s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0)
		return (struct metrics_answer){ 400, "Bad Request", "" };
	target[strcspn(target, "?")] = '\0';
	if (strcmp(method, "GET") != 0)
		return (struct metrics_answer){ 405, "Method Not Allowed", "Allow: GET\r\n" };
	if (strcmp(target, "/metrics") != 0)
		return (struct metrics_answer){ 404, "Not Found", "" };
	if (!has_body)
		return (struct metrics_answer){ 503, "Service Unavailable", "" };
	return (struct metrics_answer){ 200, "OK", "" };
}

static void answer(struct metricsserver *s, struct client *c)
{
	struct metrics_answer a = metricsserver_answer(c->req, s->body != NULL);
	respond(s, c, a.code, a.reason, a.headers);
}

static void on_readable(struct metricsserver *s, struct client *c)
{
	ssize_t n = recv(c->fd, c->req + c->reqlen, REQUEST_MAX - 1 - c->reqlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	c->reqlen += (size_t)n;
	c->req[c->reqlen] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		answer(s, c);
	else if (c->reqlen == REQUEST_MAX - 1)
		respond(s, c, 431, "Request Header Fields Too Large", "");
}

static void on_writable(struct client *c)
{
	ssize_t n = send(c->fd, c->resp + c->sent, c->resplen - c->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		drop(c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent == c->resplen) {
		shutdown(c->fd, SHUT_WR);
		drop(c);
	}
}

/* false when accepting failed for want of resources (EMFILE, ENOBUFS...):
 * the listener would stay readable and poll spin. */
static bool accept_clients(struct metricsserver *s, double now)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &s->c[i];
		if (c->fd >= 0)
			continue;
		c->fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c->fd < 0)
			return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED;
		c->deadline = now + CLIENT_SECONDS;
		c->reqlen = 0;
		c->req[0] = '\0';
	}
	return true;
}

void metricsserver_serve(struct metricsserver *s, double deadline,
                         const sigset_t *mask)
{
	bool accepting = true;   /* until the next tick, after a hard failure */
	for (;;) {
		struct pollfd pf[MAX_CLIENTS + 1];
		struct client *who[MAX_CLIENTS + 1];
		nfds_t n = 0;
		double now = mono_seconds(), wake = deadline;
		bool room = false;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &s->c[i];
			if (c->fd >= 0 && now >= c->deadline)
				drop(c);
			if (c->fd < 0) {
				room = true;
				continue;
			}
			if (c->deadline < wake)
				wake = c->deadline;
			pf[n] = (struct pollfd){ c->fd, c->resp ? POLLOUT : POLLIN, 0 };
			who[n++] = c;
		}
		if (now >= deadline)
			return;
		/* Full: new connections wait in the backlog. */
		if (room && accepting) {
			pf[n] = (struct pollfd){ s->lfd, POLLIN, 0 };
			who[n++] = NULL;
		}
		double left = wake - now;
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
		int r = ppoll(pf, n, &ts, mask);
		if (r < 0 && errno == EINTR)
			return;
		if (r <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (!pf[i].revents)
				continue;
			if (!who[i])
				accepting = accept_clients(s, now);
			else if (pf[i].revents & (POLLERR | POLLNVAL))
				drop(who[i]);
			else if (who[i]->resp)
				on_writable(who[i]);
			else
				on_readable(s, who[i]);
		}
	}
}

void metricsserver_close(struct metricsserver *s)
{
	if (!s)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (s->c[i].fd >= 0)
			drop(&s->c[i]);
	close(s->lfd);
	free(s);
}
