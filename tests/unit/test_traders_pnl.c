/*
 * test_traders_pnl.c - the streamed, parallel traders' P&L (traders_pnl.h,
 * fills_stream.h) against the whole-file algorithm: rd_fills_parse over the
 * same bytes, then rd_pnl_compute. Every case compares the trader-days, the
 * counts, the bad rows reported (line and why, in order) and the error, for
 * several thread counts and part sizes (parts of 7 bytes split every line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/fills_csv.h"
#include "riskdesk/money.h"
#include "riskdesk/pnl.h"
#include "riskdesk/traders_pnl.h"

#define OUT_MAX (1 << 22)

/* The whole-file reader's buffer for both sides (0 = its default): with a small one,
 * long records are bad rows there, and the stream must give way to it. */
static size_t buf_size;

/* What a read produced, as text: the days, the counts, the bad rows, the error. */
struct outcome {
    char *text;
    size_t len;
    int notes;
    char note[1024];
};

static void put(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct outcome *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(o->text + o->len, OUT_MAX - o->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && o->len + (size_t)n < OUT_MAX);
    o->len += (size_t)n;
}

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    put(ctx, "bad %s:%ld: %s\n", path, line, why);
}

static void on_note(void *ctx, const char *msg)
{
    struct outcome *o = ctx;

    o->notes++;
    snprintf(o->note, sizeof o->note, "%s", msg);
}

static void describe(struct outcome *o, int rc, const struct rd_error *err,
                     const struct rd_fills *fs, const struct rd_pnl *p,
                     const struct rd_fills_stats *st)
{
    put(o, "rc %d %s\nrows %ld bad %ld\n", rc, rc ? err->msg : "", st->rows, st->bad);
    if (rc)
        return;
    put(o, "open lots %zu\n", p->open_lots);
    for (size_t i = 0; i < p->ndays; i++) {
        const struct rd_pnl_day *d = &p->days[i];

        put(o, "%s %d %lld %lld %lld %lld %ld\n", fs->traders.name[d->trader], d->day,
            (long long)d->trades, (long long)d->realized, (long long)d->fees,
            (long long)d->net, d->daily_line);
    }
}

/* The algorithm before streaming: the whole file parsed, then computed. */
static void whole(struct outcome *o, const char *name, const char *csv, size_t len,
                  const char *daily, int strict)
{
    struct rd_fills fs;
    struct rd_pnl p;
    struct rd_error err = {0};
    struct rd_fills_stats st = {0};
    struct rd_fills_options fo = {.strict = strict, .buf_size = buf_size, .on_bad = on_bad,
                                  .ctx = o};
    int rc;

    rd_fills_init(&fs);
    rd_pnl_init(&p);
    rc = rd_fills_parse(&fs, RD_FILLS_CSV, name, csv, len, &fo, &st, &err);
    if (rc == RD_OK && daily)
        rc = rd_fills_parse(&fs, RD_FILLS_DAILY_CSV, "daily.csv", daily, strlen(daily), &fo, &st,
                            &err);
    if (rc == RD_OK)
        rc = rd_pnl_compute(&fs, &p, &err);
    describe(o, rc, &err, &fs, &p, &st);
    rd_pnl_release(&p);
    rd_fills_release(&fs);
}

static void streamed(struct outcome *o, const char *path, const char *daily_path, int strict,
                     int threads, size_t part, size_t *kept)
{
    struct rd_fills fs;
    struct rd_pnl p;
    struct rd_error err = {0};
    struct rd_fills_stats st = {0};
    struct rd_fills_options fo = {.strict = strict, .buf_size = buf_size, .on_bad = on_bad,
                                  .ctx = o};
    struct rd_traders_pnl_options po = {.read = &fo, .stream = {threads, part},
                                        .daily = daily_path, .on_note = on_note, .ctx = o};
    int rc;

    rd_fills_init(&fs);
    rd_pnl_init(&p);
    rc = rd_traders_pnl_read(&fs, path, &po, &p, &st, &err);
    describe(o, rc, &err, &fs, &p, &st);
    *kept = fs.nfills;
    rd_pnl_release(&p);
    rd_fills_release(&fs);
}

static char *write_temp(const char *data, size_t len)
{
    char *path = test_malloc(64);
    int fd;

    snprintf(path, 64, "/tmp/rd-test-pnl-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/*
 * Streams csv with each thread count and part size and checks the outcome is
 * the whole-file one. notes: how many times it must say it read the file whole
 * (0: it streamed, and kept no fill in memory).
 */
static void same(const char *csv, size_t len, const char *daily, int strict, int notes)
{
    static const int threads[] = {1, 2, 3, 5};
    static const size_t parts[] = {7, 64, 1000, 0};
    char *path = write_temp(csv, len), *dpath = daily ? write_temp(daily, strlen(daily)) : NULL;
    struct outcome want = {test_malloc(OUT_MAX), 0, 0, ""};
    struct outcome got = {test_malloc(OUT_MAX), 0, 0, ""};

    /* messages name the file as the stream does */
    whole(&want, path, csv, len, daily, strict);
    if (dpath) {                                /* the daily file's name, likewise */
        char *at;

        while ((at = strstr(want.text, "daily.csv")) != NULL) {
            memmove(at + strlen(dpath), at + 9, strlen(at + 9) + 1);
            memcpy(at, dpath, strlen(dpath));
        }
    }
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++)
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            size_t kept = 0;

            got.len = 0;
            got.text[0] = '\0';
            got.notes = 0;
            streamed(&got, path, dpath, strict, threads[t], parts[k], &kept);
            if (strcmp(want.text, got.text) != 0)
                fail_msg("threads %d, part %zu:\n--- whole\n%s--- streamed\n%s", threads[t],
                         parts[k], want.text, got.text);
            assert_int_equal(got.notes, notes);
            if (!notes)
                assert_int_equal(kept, 0);
        }
    unlink(path);
    test_free(path);
    if (dpath) {
        unlink(dpath);
        test_free(dpath);
    }
    test_free(want.text);
    test_free(got.text);
}

/* ---------------------------------------------------------------- generated fills */

struct gen {
    uint64_t seed;
    int traders, symbols, days, rows;
    int shuffled;           /* rows in a scrambled order instead of time order */
    int crlf, bom;
    int bad_every;          /* a bad row every N rows, 0 = none */
    int quoted;             /* trader names quoted, with a comma inside */
};

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* Rows in time order: traders buy and sell in lots that close partly, flip
 * sides and carry across days; some rows have no time (before the day's timed
 * ones); money with up to 4 decimals and fees in breakdown columns. */
static char *generate(const struct gen *g, size_t *len)
{
    size_t cap = (size_t)g->rows * 160 + 256, n = 0;
    char *buf = test_malloc(cap), **lines = test_malloc((size_t)g->rows * sizeof *lines);
    const char *eol = g->crlf ? "\r\n" : "\n";
    uint64_t s = g->seed;
    int per_day = g->rows / g->days + 1;

    if (g->bom)
        n += (size_t)snprintf(buf + n, cap - n, "\xEF\xBB\xBF");
    n += (size_t)snprintf(buf + n, cap - n, "trader_id,date,time,symbol,side,qty,price,comm,ecn"
                          "%s", eol);
    for (int i = 0; i < g->rows; i++) {
        char line[200];
        int day = 1 + i / per_day, sec = (i % per_day) * 3;
        int t = (int)(rnd(&s) % (uint32_t)g->traders);
        int qty = 1 + (int)(rnd(&s) % 400), px = 1000 + (int)(rnd(&s) % 90000);
        int notime = rnd(&s) % 17 == 0 && i % per_day == 0;
        char time[16] = "";

        if (!notime)
            snprintf(time, sizeof time, "%02d:%02d:%02d", 9 + sec / 3600, sec / 60 % 60, sec % 60);
        if (g->bad_every && i % g->bad_every == g->bad_every - 1)
            snprintf(line, sizeof line, "%st%d%s,2024-03-%02d,%s,S%u,X,%d,%d.%04d,0,0",
                     g->quoted ? "\"" : "", t, g->quoted ? ",x\"" : "", day, time,
                     rnd(&s) % (uint32_t)g->symbols, qty, px / 10000, px % 10000);
        else
            snprintf(line, sizeof line, "%st%d%s,2024-03-%02d,%s,S%u,%s,%d,%d.%04d,%d.%02d,-0.%02u",
                     g->quoted ? "\"" : "", t, g->quoted ? ",x\"" : "", day, time,
                     rnd(&s) % (uint32_t)g->symbols, rnd(&s) % 2 ? "B" : "SELL", qty,
                     px / 10000, px % 10000, qty / 100, qty % 100, rnd(&s) % 100);
        lines[i] = test_malloc(strlen(line) + 1);
        memcpy(lines[i], line, strlen(line) + 1);
    }
    if (g->shuffled)
        for (int i = g->rows - 1; i > 0; i--) {
            int j = (int)(rnd(&s) % (uint32_t)(i + 1));
            char *tmp = lines[i];

            lines[i] = lines[j];
            lines[j] = tmp;
        }
    for (int i = 0; i < g->rows; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", lines[i], eol);
        test_free(lines[i]);
    }
    test_free(lines);
    *len = n;
    return buf;
}

static void check_generated(const struct gen *g, const char *daily, int strict, int notes)
{
    size_t len;
    char *csv = generate(g, &len);

    same(csv, len, daily, strict, notes);
    test_free(csv);
}

static void test_in_order(void **state)
{
    struct gen g = {.seed = 1, .traders = 4, .symbols = 3, .days = 6, .rows = 3000};

    (void)state;
    check_generated(&g, NULL, 0, 0);
    g.traders = 1;                      /* one trader, one symbol: one long queue */
    g.symbols = 1;
    g.seed = 2;
    check_generated(&g, NULL, 0, 0);
}

static void test_out_of_order(void **state)
{
    struct gen g = {.seed = 3, .traders = 5, .symbols = 4, .days = 5, .rows = 2000, .shuffled = 1};

    (void)state;
    check_generated(&g, NULL, 0, 1);
}

/* Out of order only at the very end: most of the file streamed first, its bad
 * row reported then, and not again when the file is read again. */
static void test_out_of_order_late(void **state)
{
    static const char csv[] = "trader_id,date,time,symbol,side,qty,price\n"
                              "a,2024-01-02,09:30:00,X,B,100,10\n"
                              "c,2024-01-02,09:30:30,X,Q,1,1\n"
                              "b,2024-01-02,09:31:00,X,S,50,10\n"
                              "a,2024-01-03,09:30:00,X,S,60,11\n"
                              "a,2024-01-03,10:00:00,Y,B,5,1\n"
                              "a,2024-01-02,11:00:00,X,S,40,12\n";

    (void)state;
    same(csv, sizeof csv - 1, NULL, 0, 1);
}

static void test_crlf_bom(void **state)
{
    struct gen g = {.seed = 4, .traders = 3, .symbols = 2, .days = 3, .rows = 500, .crlf = 1,
                    .bom = 1};

    (void)state;
    check_generated(&g, NULL, 0, 0);
}

static void test_bad_rows(void **state)
{
    struct gen g = {.seed = 5, .traders = 3, .symbols = 2, .days = 4, .rows = 1200,
                    .bad_every = 97};

    (void)state;
    check_generated(&g, NULL, 0, 0);
    check_generated(&g, NULL, 1, 0);        /* strict: the same first bad row stops it */
}

/* Quoted names (a comma inside) stream; a quoted line break cannot be split,
 * so the file is read whole: the same answer, said once. */
static void test_quoted(void **state)
{
    struct gen g = {.seed = 6, .traders = 3, .symbols = 2, .days = 3, .rows = 400, .quoted = 1};
    static const char broken[] = "trader_id,date,symbol,side,qty,price\n"
                                 "a,2024-01-02,X,B,100,10\n"
                                 "\"b\nc\",2024-01-02,X,B,100,10\n"
                                 "a,2024-01-02,X,S,100,12\n";

    (void)state;
    check_generated(&g, NULL, 0, 0);
    same(broken, sizeof broken - 1, NULL, 0, 1);
}

static void test_tiny(void **state)
{
    static const char *const cases[] = {
        "",
        "\n\n",
        "trader_id,date,symbol,side,qty,price",
        "trader_id,date,symbol,side,qty,price\n",
        "trader_id,date,symbol,side,qty,price\na,2024-01-02,X,B,1,1",
        "\xEF\xBB\xBFtrader_id,date,symbol,side,qty,price\r\n\r\na,01/02/2024,X,B,1,1\r\n",
        "trader_id,date,symbol\na,2024-01-02,X\n",
        "not,a,header\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        same(cases[i], strlen(cases[i]), NULL, 0, 0);
}

static void test_daily_rows(void **state)
{
    struct gen g = {.seed = 7, .traders = 2, .symbols = 2, .days = 3, .rows = 300};

    (void)state;
    check_generated(&g, "trader_id,date,pnl\nz,2024-03-01,12.50\nt1,2024-02-28,-3\n", 0, 0);
    /* a daily row on a trader-day that has fills: the same refusal */
    check_generated(&g, "trader_id,date,pnl\nt1,2024-03-01,1\n", 0, 0);
}

/* Records as long as the whole-file reader's buffer are its bad rows ("record
 * longer than..."), the header too: the stream reads such a file whole. */
static void test_small_buffer(void **state)
{
    static const char rows[] = "trader_id,date,symbol,side,qty,price\n"
                               "a,2024-01-02,X,B,100,10\n"
                               "a,2024-01-02,XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX,B,1,1\n"
                               "a,2024-01-02,X,S,100,12\n";
    static const char header[] = "trader_id,date,symbol,side,qty,price,"
                                 "a_column_nobody_reads_with_a_long_name\n"
                                 "a,2024-01-02,X,B,100,10,\n";

    (void)state;
    buf_size = 48;
    same(rows, sizeof rows - 1, NULL, 0, 1);
    same(header, sizeof header - 1, NULL, 0, 1);
    buf_size = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),      cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_out_of_order_late), cmocka_unit_test(test_crlf_bom),
        cmocka_unit_test(test_bad_rows),      cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_tiny),          cmocka_unit_test(test_daily_rows),
        cmocka_unit_test(test_small_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
