/*
 * fills_stream.c - a fills CSV parsed in parallel, one part a thread, and
 * handed on in file order (see fills_stream.h). The header is read once
 * (fills_csv_int.h); each window of the file is cut after its last line end
 * and split at line ends; every part is parsed into its own container with
 * its own name ids, which are mapped to the caller's, in order, as the part
 * is handed on, so ids come out as a single reader would give them.
 *
 * Parsing and handing on overlap: the parts of two windows are kept (two
 * sets), and a handing-on thread gives one window's fills to the sink while
 * the caller's thread reads and parses the next. The caller's thread keeps
 * its errors apart (merr) from the handing on's (err): the one earlier in the
 * file wins, and that is always the handing on's, which is behind.
 */
#include "riskdesk/fills_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "io/fills_csv_int.h"
#include "riskdesk/banned.h"

#define DEFAULT_PART ((size_t)8 << 20)
#define DEFAULT_WINDOW ((size_t)32 << 20)          /* parts shrink past 4 threads */
#define DEFAULT_SERIAL_CAP ((size_t)1 << 20)       /* fills_csv.c's default buffer */
#define MAX_THREADS 64

struct bad {
    size_t at;                      /* fills of the part before it */
    long line;                      /* in the part, from 1 */
    char *why;
};

struct part {
    const struct rd_fills_layout *lay;
    const char *name;
    size_t serial_cap;
    char *data;
    size_t len;
    struct rd_fills fs;             /* the part's fills, with its own name ids */
    struct rd_fills_stats stats;
    struct rd_fills_part res;
    struct bad *bad;
    size_t nbad, bad_cap;
    int nomem, rc;
    struct rd_error err;
    pthread_t thread;
    int started;
};

struct stream {
    struct rd_fills *names;
    const char *path;
    const struct rd_fills_options *opts;
    rd_fills_sink sink;
    void *ctx;
    struct rd_fills_stats *stats;
    struct rd_error *err;           /* the handing on's (the caller's err) */
    struct rd_error merr;           /* the reading and parsing's */
    long base;                      /* file line of the next part's first line: the
                                       handing on's (drain() before reading it) */
    int fd, eof;
    char *buf;
    size_t cap, len;
    struct part *sets[2];           /* window w's parts are sets[w % 2] */
    int nparts;
    pthread_t hand_thread;
    int hand_started;
    pthread_mutex_t mu;             /* guards what follows */
    pthread_cond_t cv;
    long parsed, handed;            /* windows */
    int closing;                    /* no more windows */
    int hrc;                        /* the handing on's first error */
};

static void collect_bad(void *ctx, const char *path, long line, const char *why)
{
    struct part *p = ctx;
    char *w;

    (void)path;
    if (p->nbad == p->bad_cap) {
        size_t cap = p->bad_cap ? p->bad_cap * 2 : 16;
        struct bad *nb = rd_realloc(p->bad, cap * sizeof *nb);

        if (!nb) {
            p->nomem = 1;
            return;
        }
        p->bad = nb;
        p->bad_cap = cap;
    }
    w = rd_strdup(why);
    if (!w) {
        p->nomem = 1;
        return;
    }
    p->bad[p->nbad++] = (struct bad){p->fs.nfills, line, w};
}

static void part_clear(struct part *p)
{
    for (size_t i = 0; i < p->nbad; i++)
        rd_free(p->bad[i].why);
    p->nbad = 0;
    rd_fills_release(&p->fs);
    memset(&p->stats, 0, sizeof p->stats);
    memset(&p->res, 0, sizeof p->res);
    memset(&p->err, 0, sizeof p->err);
    p->nomem = p->rc = p->started = 0;
}

static void *parse_part(void *arg)
{
    struct part *p = arg;
    struct rd_fills_options o = {.on_bad = collect_bad, .ctx = p};

    p->rc = rd_fills_csv_part(&p->fs, p->lay, p->name, p->data, p->len, p->serial_cap, &o,
                              &p->stats, &p->res, &p->err);
    if (p->rc == RD_OK && p->nomem)
        p->rc = rd_error_set(&p->err, RD_ENOMEM, "out of memory reading %s", p->name);
    return NULL;
}

/* Maps a part's name ids to the caller's (interning new names in order). */
static int map_names(struct rd_names *to, const struct rd_names *from, uint32_t **map,
                     struct rd_error *err)
{
    *map = rd_malloc((from->count ? from->count : 1) * sizeof **map);
    if (!*map)
        return rd_error_set(err, RD_ENOMEM, "out of memory mapping names");
    for (uint32_t i = 0; i < from->count; i++) {
        int rc = rd_names_intern(to, from->name[i], strlen(from->name[i]), &(*map)[i], err);

        if (rc != RD_OK)
            return rc;
    }
    return RD_OK;
}

/* Hands a parsed part on: its fills to the sink and its bad rows to on_bad, in order. */
static int hand_on(struct stream *st, struct part *p)
{
    const struct rd_fills_options *o = st->opts;
    uint32_t *tmap = NULL, *smap = NULL;
    size_t at = 0;
    int rc;

    if (p->res.unsplittable) {
        rc = rd_error_set(st->err, RD_EUNSUPPORTED,
                          "%s: a record after line %ld spans lines (a quoted line break) or is "
                          "as long as the reader's buffer", st->path, st->base - 1);
        goto out;
    }
    rc = map_names(&st->names->traders, &p->fs.traders, &tmap, st->err);
    if (rc == RD_OK)
        rc = map_names(&st->names->symbols, &p->fs.symbols, &smap, st->err);
    if (rc != RD_OK)
        goto out;
    for (size_t i = 0; i < p->fs.nfills; i++) {
        p->fs.fills[i].trader = tmap[p->fs.fills[i].trader];
        p->fs.fills[i].symbol = smap[p->fs.fills[i].symbol];
    }
    for (size_t i = 0; i < p->nbad; i++) {
        long line = st->base + p->bad[i].line - 1;

        if (p->bad[i].at > at) {
            rc = st->sink(st->ctx, p->fs.fills + at, p->bad[i].at - at, st->err);
            if (rc != RD_OK)
                goto out;
            at = p->bad[i].at;
        }
        if (o && o->strict) {
            if (st->stats)
                st->stats->rows += (long)p->bad[i].at;     /* a fill a row */
            rc = rd_error_set(st->err, RD_EINVAL, "%s:%ld: %s", st->path, line, p->bad[i].why);
            goto out;
        }
        if (st->stats)
            st->stats->bad++;
        if (o && o->on_bad)
            o->on_bad(o->ctx, st->path, line, p->bad[i].why);
    }
    if (p->fs.nfills > at) {
        rc = st->sink(st->ctx, p->fs.fills + at, p->fs.nfills - at, st->err);
        if (rc != RD_OK)
            goto out;
    }
    if (st->stats)
        st->stats->rows += p->stats.rows;
    if (p->rc != RD_OK) {
        *st->err = p->err;
        rc = p->rc;
        goto out;
    }
    st->base += p->res.lines;
out:
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

/* Reads until the buffer is full or the file ends. */
static int fill(struct stream *st)
{
    while (st->len < st->cap && !st->eof) {
        ssize_t n = read(st->fd, st->buf + st->len, st->cap - st->len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rd_error_set(&st->merr, RD_EIO, "%s: read failed: %s", st->path,
                                strerror(errno));
        if (n == 0) {
            st->eof = 1;
            break;
        }
        if (st->opts && st->opts->on_read)
            st->opts->on_read(st->opts->ctx, st->buf + st->len, (size_t)n);
        st->len += (size_t)n;
    }
    return RD_OK;
}

/* Doubles the buffer (a line longer than the window) and reads on. */
static int grow(struct stream *st)
{
    char *nb = rd_realloc(st->buf, st->cap * 2);

    if (!nb)
        return rd_error_set(&st->merr, RD_ENOMEM, "out of memory reading %s", st->path);
    st->buf = nb;
    st->cap *= 2;
    return fill(st);
}

/* Hands the next parsed window on and clears its parts (on the handing-on
 * thread, or the caller's when that could not start). */
static void hand_window(struct stream *st)
{
    struct part *parts = st->sets[st->handed % 2];
    int rc;

    pthread_mutex_lock(&st->mu);
    rc = st->hrc;
    pthread_mutex_unlock(&st->mu);
    for (int k = 0; k < st->nparts && rc == RD_OK; k++)
        rc = hand_on(st, &parts[k]);
    for (int k = 0; k < st->nparts; k++)
        part_clear(&parts[k]);
    pthread_mutex_lock(&st->mu);
    st->handed++;
    if (rc != RD_OK && st->hrc == RD_OK)
        st->hrc = rc;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

static void *hand_loop(void *arg)
{
    struct stream *st = arg;

    for (;;) {
        int more;

        pthread_mutex_lock(&st->mu);
        while (st->handed == st->parsed && !st->closing)
            pthread_cond_wait(&st->cv, &st->mu);
        more = st->handed < st->parsed;
        pthread_mutex_unlock(&st->mu);
        if (!more)
            return NULL;
        hand_window(st);
    }
}

/* Waits until every parsed window is handed on; the handing on's error. */
static int drain(struct stream *st)
{
    int rc;

    pthread_mutex_lock(&st->mu);
    while (st->hand_started && st->handed < st->parsed)
        pthread_cond_wait(&st->cv, &st->mu);
    rc = st->hrc;
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* Parses buf[start, cut) in nparts parts at once into a free set and passes
 * it to the handing on; the handing on's error when it has failed. */
static int window(struct stream *st, size_t start, size_t cut)
{
    size_t total = cut - start, from = start;
    int nparts = st->nparts, rc;
    struct part *parts;

    pthread_mutex_lock(&st->mu);
    while (st->parsed - st->handed >= 2 && st->hrc == RD_OK)
        pthread_cond_wait(&st->cv, &st->mu);
    rc = st->hrc;
    pthread_mutex_unlock(&st->mu);
    if (rc != RD_OK)
        return rc;
    parts = st->sets[st->parsed % 2];
    for (int k = 0; k < nparts; k++) {
        size_t end = cut;

        if (k < nparts - 1) {
            size_t target = start + total / (size_t)nparts * (size_t)(k + 1);
            char *nl;

            if (target < from)
                target = from;
            nl = memchr(st->buf + target, '\n', cut - target);
            end = nl ? (size_t)(nl - st->buf) + 1 : cut;
        }
        parts[k].data = st->buf + from;
        parts[k].len = end - from;
        from = end;
    }
    for (int k = 1; k < nparts; k++)
        parts[k].started = parts[k].len &&
                           pthread_create(&parts[k].thread, NULL, parse_part, &parts[k]) == 0;
    parse_part(&parts[0]);
    for (int k = 1; k < nparts; k++) {
        if (parts[k].started)
            pthread_join(parts[k].thread, NULL);
        else
            parse_part(&parts[k]);
    }
    pthread_mutex_lock(&st->mu);
    st->parsed++;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    if (!st->hand_started)
        hand_window(st);
    pthread_mutex_lock(&st->mu);
    rc = st->hrc;
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static int run(struct stream *st, size_t serial_cap)
{
    struct rd_fills_layout lay;
    struct rd_fills_part hdr;
    size_t start;
    int rc;

    for (;;) {
        rc = fill(st);
        if (rc == RD_OK)
            rc = rd_fills_csv_header(RD_FILLS_CSV, st->path, st->buf, st->len, st->eof,
                                     serial_cap, &lay, &hdr, &st->merr);
        if (rc != RD_OK)
            return rc;
        if (!hdr.unsplittable)
            break;
        if (st->eof || st->cap > serial_cap * 2 || hdr.used >= serial_cap)
            return rd_error_set(&st->merr, RD_EUNSUPPORTED, "%s: the header spans lines or is "
                                "longer than %zu bytes", st->path, st->cap);
        rc = grow(st);
        if (rc != RD_OK)
            return rc;
    }
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < st->nparts; k++) {
            st->sets[w][k].lay = &lay;
            st->sets[w][k].name = st->path;
            st->sets[w][k].serial_cap = serial_cap;
        }
    st->base = 1 + hdr.lines;
    start = hdr.used;
    st->hand_started = pthread_create(&st->hand_thread, NULL, hand_loop, st) == 0;
    for (;;) {
        size_t cut = st->len;

        if (!st->eof) {
            while (cut > start && st->buf[cut - 1] != '\n')
                cut--;
            if (cut == start) {             /* no line end: a longer line than the window */
                if (st->cap > serial_cap * 2) {
                    if ((rc = drain(st)) != RD_OK)
                        return rc;
                    return rd_error_set(&st->merr, RD_EUNSUPPORTED, "%s: a line after line "
                                        "%ld is longer than %zu bytes", st->path,
                                        st->base - 1, st->cap);
                }
                rc = grow(st);
                if (rc != RD_OK)
                    return rc;
                continue;
            }
        }
        if (cut > start && (rc = window(st, start, cut)) != RD_OK)
            return rc;
        if (st->eof)
            return RD_OK;
        memmove(st->buf, st->buf + cut, st->len - cut);
        st->len -= cut;
        start = 0;
        rc = fill(st);
        if (rc != RD_OK)
            return rc;
    }
}

int rd_fills_stream(struct rd_fills *names, const char *path, const struct rd_fills_options *opts,
                    const struct rd_fills_stream_options *so, rd_fills_sink sink, void *ctx,
                    struct rd_fills_stats *stats, struct rd_error *err)
{
    struct stream st;
    struct part *parts = NULL;
    size_t part_size = so && so->part_size ? so->part_size : DEFAULT_PART;
    size_t serial_cap = opts && opts->buf_size ? opts->buf_size : DEFAULT_SERIAL_CAP;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int nparts = so && so->threads > 0 ? so->threads : online > 0 ? (int)online : 1;
    struct stat sb;
    int rc;

    memset(&st, 0, sizeof st);
    st.names = names;
    st.path = path;
    st.opts = opts;
    st.sink = sink;
    st.ctx = ctx;
    st.stats = stats;
    st.err = err;
    if (nparts > MAX_THREADS)
        nparts = MAX_THREADS;
    if (!(so && so->part_size) && part_size * (size_t)nparts > DEFAULT_WINDOW)
        part_size = DEFAULT_WINDOW / (size_t)nparts;
    if (serial_cap < 16)
        serial_cap = 16;                    /* fills_csv.c's least buffer */
    st.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (st.fd < 0)
        return rd_error_set(err, RD_EIO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(st.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = rd_error_set(err, RD_EUNSUPPORTED, "%s: not a regular file", path);
        close(st.fd);
        return rc;
    }
    pthread_mutex_init(&st.mu, NULL);
    pthread_cond_init(&st.cv, NULL);
    st.nparts = nparts;
    st.cap = part_size * (size_t)nparts;
    st.buf = rd_malloc(st.cap);
    parts = rd_calloc(2 * (size_t)nparts, sizeof *parts);
    if (!st.buf || !parts) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory reading %s", path);
        goto out;
    }
    st.sets[0] = parts;
    st.sets[1] = parts + nparts;
    rc = run(&st, serial_cap);
    /* the windows parsed are handed on before the handing on ends */
    pthread_mutex_lock(&st.mu);
    st.closing = 1;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
    if (st.hand_started)
        pthread_join(st.hand_thread, NULL);
    if (st.hrc != RD_OK)
        rc = st.hrc;                        /* earlier in the file; err is set */
    else if (rc != RD_OK)
        *err = st.merr;
out:
    if (parts)
        for (int k = 0; k < 2 * nparts; k++) {
            part_clear(&parts[k]);
            rd_free(parts[k].bad);
        }
    rd_free(parts);
    rd_free(st.buf);
    close(st.fd);
    pthread_cond_destroy(&st.cv);
    pthread_mutex_destroy(&st.mu);
    return rc;
}
