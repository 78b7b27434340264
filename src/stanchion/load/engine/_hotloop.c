/* The compiled per-request loop of `stanchion load` (closed model, plain HTTP/1.1).
 *
 * One epoll loop drives every keep-alive connection of a worker process. Per request it makes two system
 * calls (one read, one write), parses the response with llhttp (the parser httptools wraps, vendored beside
 * this file), reads the clock once and appends one integer: the latency in microseconds. Python drives it in
 * slices (`Loop.run(seconds)`) and drains what was recorded once a second (`Loop.take()`), so the
 * histograms, the samples, the warm-up and the progress line stay in Python (stanchion/load/engine/fast.py).
 *
 * It keeps the Python engine's semantics exactly: a request is counted as sent when it is written, or when
 * its connection could not be made (that attempt is its error); a keep-alive connection the server had
 * closed before any byte of the answer is resent on a fresh one and counted once; a response whose body
 * ends at the server's close completes at the close; timeouts are found by a sweep every 50 ms, not by a
 * timer per request; failed connects are retried after 10 ms. `close()` cuts the run off (the deadline of
 * `-d`, or Ctrl-C): every request still in flight is counted as unfinished, not waited for.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "llhttp.h"

#define NS 1000000000LL
#define SWEEP_NS 50000000LL /* timeout sweep period */
#define RETRY_NS 10000000LL /* after a failed connect, so a refusing server does not spin the loader */
#define MAX_EVENTS 256
#define READ_SIZE 65536
#define NSTATUS 600

enum { K_REFUSED, K_RESET, K_TIMEOUT, K_MALFORMED, K_OTHER, NKINDS };
static const char *KIND_NAMES[NKINDS] = {"refused", "reset", "timeout", "malformed", "other"};

enum { C_DOWN, C_CONNECTING, C_IDLE, C_BUSY };

typedef struct Loop Loop;

typedef struct {
    Loop *loop;
    int fd;
    int state;
    int target;
    int want_out;      /* EPOLLOUT is registered */
    int64_t sent_ns;   /* C_BUSY: when the request was sent; C_CONNECTING: when the connect began */
    int64_t retry_at;  /* C_DOWN: not before this time */
    size_t written;    /* bytes of the request in flight already written */
    long served;       /* responses completed on this connection */
    int got_bytes;     /* a byte of the answer in flight has arrived */
    int warm;          /* the request in flight was sent during warm-up: its answer is not measured */
    int at_eof;        /* completing at the server's close: send nothing more */
    int close_after;   /* the answer just completed said the connection ends */
    int write_failed;  /* a write inside the completion callback failed */
    llhttp_t parser;
} Conn;

struct Loop {
    PyObject_HEAD
    int epfd;
    int head;
    int ntargets;
    struct sockaddr_storage *addrs;
    socklen_t *addrlens;
    PyObject *requests; /* tuple of bytes, one per target (kept alive for req_data) */
    const char **req_data; /* each target's request bytes and length, looked up once */
    size_t *req_len;
    Conn *conns;
    int nconns;
    int64_t timeout_ns;
    llhttp_settings_t settings;
    long long remaining; /* requests still to send */
    int stopping;        /* no new requests, no reconnects */
    int64_t last_sweep;
    int attention;       /* a connection went idle or down, or the budget changed: look at them all */
    int64_t next_retry;  /* the earliest retry of a connection that is down (0: none) */
    int busy;            /* connections busy or connecting, as of the last look */
    /* recorded since the last take() */
    int64_t *lat;
    Py_ssize_t nlat, cap;
    long long status[NSTATUS];
    long long bytes_in;
    long long sent;
    long long errors[NKINDS];
    long long unfinished; /* requests in flight when close() cut the run off */
    long long opened;     /* connections established */
    int oom;
};

static char read_buf[READ_SIZE];

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static int kind_of_errno(int err) {
    switch (err) {
    case ECONNREFUSED: return K_REFUSED;
    case ETIMEDOUT: return K_TIMEOUT;
    case ECONNRESET: case EPIPE: case ECONNABORTED: return K_RESET;
    default: return K_OTHER;
    }
}

static void set_events(Conn *c, int want_out) {
    struct epoll_event ev;
    if (c->want_out == want_out) return;
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
    ev.data.ptr = c;
    epoll_ctl(c->loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want_out;
}

static void close_fd(Conn *c) {
    c->loop->attention = 1;
    if (c->fd >= 0) {
        close(c->fd); /* also removes it from the epoll set */
        c->fd = -1;
    }
    c->state = C_DOWN;
    c->want_out = 0;
}

static void record(Conn *c, int64_t now) {
    Loop *loop = c->loop;
    if (c->warm) {
        c->warm = 0;
        return;
    }
    if (loop->nlat == loop->cap) {
        Py_ssize_t cap = loop->cap ? loop->cap * 2 : 4096;
        int64_t *grown = PyMem_Realloc(loop->lat, (size_t)cap * sizeof(int64_t));
        if (grown == NULL) {
            loop->oom = 1;
            return;
        }
        loop->lat = grown;
        loop->cap = cap;
    }
    loop->lat[loop->nlat++] = (now - c->sent_ns) / 1000;
    int code = c->parser.status_code;
    if (code >= 0 && code < NSTATUS) loop->status[code]++;
}

/* Write what is left of the request; 0 when done or waiting for EPOLLOUT, -1 with errno on failure. */
static int write_more(Conn *c) {
    const char *data = c->loop->req_data[c->target];
    size_t len = c->loop->req_len[c->target];
    while (c->written < len) {
        ssize_t n = send(c->fd, data + c->written, len - c->written, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_events(c, 1);
                return 0;
            }
            return -1;
        }
        c->written += (size_t)n;
    }
    if (c->want_out) set_events(c, 0);
    return 0;
}

static void lost(Conn *c, int kind, int clean, int64_t now);

static void start_request(Conn *c, int64_t now) {
    Loop *loop = c->loop;
    loop->remaining--;
    loop->sent++;
    c->state = C_BUSY;
    c->sent_ns = now;
    c->written = 0;
    c->got_bytes = 0;
    if (write_more(c) < 0) lost(c, kind_of_errno(errno), errno == EPIPE || errno == ECONNRESET, now);
}

/* The connection is free: give it the next request, or leave it idle. */
static void ready(Conn *c, int64_t now) {
    Loop *loop = c->loop;
    if (!loop->stopping && loop->remaining > 0) {
        start_request(c, now);
    } else {
        c->state = C_IDLE;
        loop->attention = 1;
    }
}

/* The connection broke or the server closed it. `clean`: no error beyond the close itself. */
static void lost(Conn *c, int kind, int clean, int64_t now) {
    Loop *loop = c->loop;
    if (c->state == C_BUSY) {
        if (c->warm) {
            c->warm = 0; /* a warm-up request: neither resent nor counted */
        } else if (c->served > 0 && !c->got_bytes && clean) {
            /* a keep-alive connection the server had already closed: resend on a fresh one */
            loop->sent--;
            if (!loop->stopping) loop->remaining++;
            loop->attention = 1;
        } else {
            loop->errors[kind]++;
        }
    }
    close_fd(c);
    c->retry_at = now;
}

static void connect_failed(Conn *c, int kind, int64_t now) {
    Loop *loop = c->loop;
    close_fd(c);
    if (!loop->stopping && loop->remaining > 0) {
        loop->remaining--;
        loop->sent++;
        loop->errors[kind]++;
    }
    c->retry_at = now + RETRY_NS;
}

static void start_connect(Conn *c, int64_t now) {
    Loop *loop = c->loop;
    const struct sockaddr_storage *addr = &loop->addrs[c->target];
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        connect_failed(c, K_OTHER, now);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    c->served = 0;
    c->got_bytes = 0;
    c->warm = 0;
    c->at_eof = 0;
    llhttp_init(&c->parser, HTTP_RESPONSE, &loop->settings);
    c->parser.data = c;
    struct epoll_event ev;
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = c;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        connect_failed(c, K_OTHER, now);
        return;
    }
    c->want_out = 1;
    c->state = C_CONNECTING;
    c->sent_ns = now;
    if (connect(fd, (const struct sockaddr *)addr, loop->addrlens[c->target]) < 0 && errno != EINPROGRESS)
        connect_failed(c, kind_of_errno(errno), now);
}

static void connected(Conn *c, int64_t now) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        connect_failed(c, kind_of_errno(err), now);
        return;
    }
    set_events(c, 0);
    c->loop->opened++;
    ready(c, now);
}

/* -- llhttp callbacks ---------------------------------------------------------------------------------- */

static int on_headers_complete(llhttp_t *parser) {
    Conn *c = parser->data;
    return c->loop->head ? 1 : 0; /* an answer to HEAD has no body, whatever its Content-Length says */
}

static int on_message_complete(llhttp_t *parser) {
    Conn *c = parser->data;
    Loop *loop = c->loop;
    int code = parser->status_code;
    if (code >= 100 && code < 200 && code != 101) return 0; /* an interim answer (100, 103): the answer follows */
    int64_t now = now_ns();
    record(c, now);
    c->served++;
    c->got_bytes = 0;
    size_t len = loop->req_len[c->target];
    /* an answer that came before the whole request was written (a 413 to a large body): the unsent rest
     * would be read as the next request, so this connection is not reused */
    if (c->at_eof || !llhttp_should_keep_alive(parser) || c->written < len) {
        c->close_after = 1;
        c->state = C_IDLE;
        loop->attention = 1;
    } else if (!loop->stopping && loop->remaining > 0) {
        /* the next request goes out at once: one clock reading ends this answer and starts the next */
        loop->remaining--;
        loop->sent++;
        c->sent_ns = now;
        c->written = 0;
        if (write_more(c) < 0) c->write_failed = errno ? errno : EPIPE;
    } else {
        c->state = C_IDLE;
        loop->attention = 1;
    }
    return 0;
}

/* -- events -------------------------------------------------------------------------------------------- */

static void readable(Conn *c, int64_t now) {
    Loop *loop = c->loop;
    ssize_t n = recv(c->fd, read_buf, READ_SIZE, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        lost(c, kind_of_errno(errno), 0, now);
        return;
    }
    if (n == 0) { /* the server closed */
        if (c->state == C_BUSY && c->got_bytes && llhttp_message_needs_eof(&c->parser)) {
            c->at_eof = 1;
            if (llhttp_finish(&c->parser) == HPE_OK && c->state != C_BUSY) {
                close_fd(c); /* completed at the close (recorded by on_message_complete) */
                c->retry_at = now;
                return;
            }
        }
        lost(c, K_RESET, 1, now);
        return;
    }
    loop->bytes_in += n;
    if (c->state != C_BUSY) { /* an answer nobody asked for (a 408 before an idle close): not a request's */
        close_fd(c);
        c->retry_at = now;
        return;
    }
    c->got_bytes = 1;
    c->close_after = 0;
    c->write_failed = 0;
    llhttp_errno_t err = llhttp_execute(&c->parser, read_buf, (size_t)n);
    if (err != HPE_OK) {
        if (c->state != C_BUSY) c->state = C_BUSY; /* the error belongs to the answer in flight */
        c->got_bytes = 1;
        lost(c, K_MALFORMED, 0, now);
        return;
    }
    if (c->write_failed) {
        int e = c->write_failed;
        lost(c, kind_of_errno(e), e == EPIPE || e == ECONNRESET, now);
    } else if (c->close_after) {
        close_fd(c);
        c->retry_at = now;
    }
}

static void sweep(Loop *loop, int64_t now) {
    loop->last_sweep = now;
    for (int i = 0; i < loop->nconns; i++) {
        Conn *c = &loop->conns[i];
        if (c->state == C_BUSY && now - c->sent_ns > loop->timeout_ns) {
            if (!c->warm) loop->errors[K_TIMEOUT]++;
            close_fd(c);
            c->retry_at = now;
        } else if (c->state == C_CONNECTING && now - c->sent_ns > loop->timeout_ns) {
            connect_failed(c, K_TIMEOUT, now);
        }
    }
}

/* -- the Python type ----------------------------------------------------------------------------------- */

static void Loop_close_all(Loop *loop) {
    for (int i = 0; i < loop->nconns; i++) {
        Conn *c = &loop->conns[i];
        if (c->state == C_BUSY && !c->warm) loop->unfinished++; /* sent, never answered: cut off */
        close_fd(c);
    }
}

static void Loop_dealloc(Loop *loop) {
    if (loop->conns) Loop_close_all(loop);
    if (loop->epfd >= 0) close(loop->epfd);
    PyMem_Free(loop->conns);
    PyMem_Free(loop->addrs);
    PyMem_Free(loop->addrlens);
    PyMem_Free(loop->lat);
    PyMem_Free(loop->req_data);
    PyMem_Free(loop->req_len);
    Py_XDECREF(loop->requests);
    Py_TYPE(loop)->tp_free((PyObject *)loop);
}

static int parse_address(PyObject *item, struct sockaddr_storage *out, socklen_t *len) {
    int family, port;
    const char *host;
    if (!PyArg_ParseTuple(item, "isi", &family, &host, &port)) return -1;
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) goto bad;
        *len = sizeof *sin;
    } else if (family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) goto bad;
        *len = sizeof *sin6;
    } else {
        goto bad;
    }
    return 0;
bad:
    PyErr_Format(PyExc_ValueError, "not a numeric IPv4/IPv6 address: %s", host);
    return -1;
}

static int Loop_init(Loop *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"addresses", "requests", "connections", "timeout", "head", NULL};
    PyObject *addresses, *requests;
    int connections, head = 0;
    double timeout;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!id|p", kwlist, &PyTuple_Type, &addresses, &PyTuple_Type,
                                     &requests, &connections, &timeout, &head))
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(addresses);
    if (n == 0 || PyTuple_GET_SIZE(requests) != n || connections < 1) {
        PyErr_SetString(PyExc_ValueError, "one request per address, at least one address and one connection");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(requests, i))) {
            PyErr_SetString(PyExc_TypeError, "requests must be bytes");
            return -1;
        }
    }
    self->ntargets = (int)n;
    self->addrs = PyMem_Calloc((size_t)n, sizeof *self->addrs);
    self->addrlens = PyMem_Calloc((size_t)n, sizeof *self->addrlens);
    self->conns = PyMem_Calloc((size_t)connections, sizeof *self->conns);
    if (!self->addrs || !self->addrlens || !self->conns) {
        PyErr_NoMemory();
        return -1;
    }
    self->nconns = connections;
    int64_t now = now_ns();
    for (int i = 0; i < connections; i++) { /* before anything can fail: dealloc closes only real sockets */
        Conn *c = &self->conns[i];
        c->loop = self;
        c->fd = -1;
        c->state = C_DOWN;
        c->target = i % self->ntargets;
        c->retry_at = now;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (parse_address(PyTuple_GET_ITEM(addresses, i), &self->addrs[i], &self->addrlens[i]) < 0) return -1;
    Py_INCREF(requests);
    self->requests = requests;
    self->req_data = PyMem_Calloc((size_t)n, sizeof *self->req_data);
    self->req_len = PyMem_Calloc((size_t)n, sizeof *self->req_len);
    if (!self->req_data || !self->req_len) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        self->req_data[i] = PyBytes_AS_STRING(PyTuple_GET_ITEM(requests, i));
        self->req_len[i] = (size_t)PyBytes_GET_SIZE(PyTuple_GET_ITEM(requests, i));
    }
    self->timeout_ns = (int64_t)(timeout * NS);
    self->head = head;
    self->remaining = 0;
    llhttp_settings_init(&self->settings);
    self->settings.on_headers_complete = on_headers_complete;
    self->settings.on_message_complete = on_message_complete;
    self->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (self->epfd < 0) {
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    self->last_sweep = now;
    self->attention = 1;
    return 0;
}

static PyObject *Loop_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    Loop *self = (Loop *)type->tp_alloc(type, 0);
    if (self) self->epfd = -1;
    return (PyObject *)self;
}

/* run(seconds) -> bool: drive the connections for up to `seconds`; True once every request is answered. */
static PyObject *Loop_run(Loop *self, PyObject *arg) {
    double seconds = PyFloat_AsDouble(arg);
    if (seconds == -1.0 && PyErr_Occurred()) return NULL;
    struct epoll_event events[MAX_EVENTS];
    int64_t now = now_ns();
    int64_t deadline = now + (int64_t)(seconds * NS);
    for (;;) {
        if (self->attention || (self->next_retry && now >= self->next_retry)) {
            /* a connection went idle or down, or the budget changed: (re)start what can be, count the busy */
            self->attention = 0;
            self->next_retry = 0;
            self->busy = 0;
            for (int i = 0; i < self->nconns; i++) {
                Conn *c = &self->conns[i];
                int wanted = !self->stopping && self->remaining > 0;
                if (c->state == C_DOWN && wanted) {
                    if (c->retry_at <= now) start_connect(c, now);
                    else if (!self->next_retry || c->retry_at < self->next_retry) self->next_retry = c->retry_at;
                } else if (c->state == C_IDLE && wanted) {
                    ready(c, now); /* a resend put a request back in the budget */
                }
                if (c->state == C_BUSY || c->state == C_CONNECTING) self->busy++;
            }
        }
        int64_t wake = deadline;
        if (self->next_retry && self->next_retry < wake) wake = self->next_retry;
        int busy = self->busy;
        if (self->oom) return PyErr_NoMemory();
        if (busy == 0 && (self->stopping || self->remaining <= 0)) Py_RETURN_TRUE;
        if (now >= deadline) Py_RETURN_FALSE;
        if (busy && self->last_sweep + SWEEP_NS < wake) wake = self->last_sweep + SWEEP_NS;
        int64_t wait_ns = wake - now;
        int timeout_ms = wait_ns <= 0 ? 0 : (int)((wait_ns + 999999) / 1000000);
        int n;
        Py_BEGIN_ALLOW_THREADS
        n = epoll_wait(self->epfd, events, MAX_EVENTS, timeout_ms);
        Py_END_ALLOW_THREADS
        now = now_ns();
        if (n < 0) {
            if (errno != EINTR) return PyErr_SetFromErrno(PyExc_OSError);
            if (PyErr_CheckSignals() < 0) return NULL;
            continue;
        }
        for (int i = 0; i < n; i++) {
            Conn *c = events[i].data.ptr;
            uint32_t ev = events[i].events;
            if (c->fd < 0) continue; /* closed by an earlier event of this batch */
            if (c->state == C_CONNECTING) {
                if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) connected(c, now);
                continue;
            }
            if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) readable(c, now);
            if (c->fd >= 0 && (ev & EPOLLOUT) && c->state == C_BUSY && c->want_out) {
                if (write_more(c) < 0) lost(c, kind_of_errno(errno), errno == EPIPE || errno == ECONNRESET, now);
            }
        }
        if (now - self->last_sweep >= SWEEP_NS) sweep(self, now);
    }
}

/* take() -> (latencies as native int64 bytes, {status: n}, {error kind: n}, bytes in, sent, unfinished,
 * connections opened) since the last. */
static PyObject *Loop_take(Loop *self, PyObject *unused) {
    PyObject *lat = PyBytes_FromStringAndSize((const char *)self->lat, self->nlat * (Py_ssize_t)sizeof(int64_t));
    PyObject *status = PyDict_New();
    PyObject *errors = PyDict_New();
    if (!lat || !status || !errors) goto fail;
    for (int code = 0; code < NSTATUS; code++) {
        if (!self->status[code]) continue;
        PyObject *k = PyLong_FromLong(code), *v = PyLong_FromLongLong(self->status[code]);
        int rc = (k && v) ? PyDict_SetItem(status, k, v) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (rc < 0) goto fail;
        self->status[code] = 0;
    }
    for (int kind = 0; kind < NKINDS; kind++) {
        if (!self->errors[kind]) continue;
        PyObject *v = PyLong_FromLongLong(self->errors[kind]);
        int rc = v ? PyDict_SetItemString(errors, KIND_NAMES[kind], v) : -1;
        Py_XDECREF(v);
        if (rc < 0) goto fail;
        self->errors[kind] = 0;
    }
    PyObject *out = Py_BuildValue("(NNNLLLL)", lat, status, errors, self->bytes_in, self->sent, self->unfinished,
                                  self->opened);
    self->nlat = 0;
    self->bytes_in = 0;
    self->sent = 0;
    self->unfinished = 0;
    self->opened = 0;
    return out;
fail:
    Py_XDECREF(lat);
    Py_XDECREF(status);
    Py_XDECREF(errors);
    return NULL;
}

/* stop(): send nothing more; requests in flight still complete. */
static PyObject *Loop_stop(Loop *self, PyObject *unused) {
    self->stopping = 1;
    self->remaining = 0;
    self->attention = 1;
    Py_RETURN_NONE;
}

/* mark_warm(): answers to the requests in flight now are not measured (the end of the warm-up). */
static PyObject *Loop_mark_warm(Loop *self, PyObject *unused) {
    for (int i = 0; i < self->nconns; i++)
        if (self->conns[i].state == C_BUSY) self->conns[i].warm = 1;
    Py_RETURN_NONE;
}

/* close(): drop every connection at once (the deadline, an interrupt, or the end of the run); requests in
 * flight are counted as unfinished. */
static PyObject *Loop_close(Loop *self, PyObject *unused) {
    self->stopping = 1;
    self->remaining = 0;
    Loop_close_all(self);
    Py_RETURN_NONE;
}

static PyObject *Loop_get_remaining(Loop *self, void *closure) { return PyLong_FromLongLong(self->remaining); }

static int Loop_set_remaining(Loop *self, PyObject *value, void *closure) {
    long long v = value ? PyLong_AsLongLong(value) : -1;
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < 0) {
        PyErr_SetString(PyExc_ValueError, "remaining must be a count");
        return -1;
    }
    self->remaining = v;
    self->attention = 1;
    return 0;
}

static PyObject *Loop_get_stopping(Loop *self, void *closure) { return PyBool_FromLong(self->stopping); }

static PyMethodDef Loop_methods[] = {
    {"run", (PyCFunction)Loop_run, METH_O, "run(seconds) -> True once every request is answered"},
    {"take", (PyCFunction)Loop_take, METH_NOARGS,
     "take() -> (latencies, status, errors, bytes_in, sent, unfinished, opened)"},
    {"stop", (PyCFunction)Loop_stop, METH_NOARGS, "send nothing more"},
    {"mark_warm", (PyCFunction)Loop_mark_warm, METH_NOARGS, "do not measure the requests in flight"},
    {"close", (PyCFunction)Loop_close, METH_NOARGS, "drop every connection; requests in flight are unfinished"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Loop_getset[] = {
    {"remaining", (getter)Loop_get_remaining, (setter)Loop_set_remaining, "requests still to send", NULL},
    {"stopping", (getter)Loop_get_stopping, NULL, "stop() was called", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject LoopType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stanchion.load.engine._hotloop.Loop",
    .tp_basicsize = sizeof(Loop),
    .tp_dealloc = (destructor)Loop_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Loop(addresses, requests, connections, timeout, head=False): the compiled closed-model loop",
    .tp_methods = Loop_methods,
    .tp_getset = Loop_getset,
    .tp_init = (initproc)Loop_init,
    .tp_new = Loop_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hotloop", "The compiled per-request loop of stanchion load.", -1, NULL,
};

PyMODINIT_FUNC PyInit__hotloop(void) {
    if (PyType_Ready(&LoopType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&LoopType);
    if (PyModule_AddObject(m, "Loop", (PyObject *)&LoopType) < 0) {
        Py_DECREF(&LoopType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
