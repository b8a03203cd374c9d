/*
 * traders_pnl.c - a fills CSV to trader-days, streamed when it can be (see
 * traders_pnl.h): the parallel reader feeds the FIFO; when that stops (fills
 * out of time order, a file that cannot be split), the file is read again
 * whole, and the bad rows already reported are not reported twice.
 */
#include "riskdesk/traders_pnl.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "riskdesk/banned.h"

struct relay {
    const struct rd_fills_options *user;
    long reported;                  /* the last line whose bad row was reported */
    int again;                      /* reading again: skip lines up to reported */
};

static void relay_bad(void *ctx, const char *path, long line, const char *why)
{
    struct relay *r = ctx;

    if (r->again && line <= r->reported)
        return;
    r->reported = line;
    if (r->user && r->user->on_bad)
        r->user->on_bad(r->user->ctx, path, line, why);
}

static void relay_read(void *ctx, const void *data, size_t n)
{
    struct relay *r = ctx;

    r->user->on_read(r->user->ctx, data, n);
}

struct feed {
    struct rd_pnl_feed *pf;
    int out_of_order;
};

static int feed(void *ctx, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    struct feed *fd = ctx;
    int rc = rd_pnl_feed_add(fd->pf, f, n, err);

    fd->out_of_order = rc == RD_EUNSUPPORTED;
    return rc;
}

/* Reads path whole and computes, as before streaming. */
static int whole(struct rd_fills *fs, const char *path, const struct rd_fills_options *fo,
                 const char *daily, struct rd_pnl *out, struct rd_fills_stats *stats,
                 struct rd_error *err)
{
    int rc = rd_fills_read(fs, RD_FILLS_CSV, path, fo, stats, err);

    if (rc == RD_OK && daily)
        rc = rd_fills_read(fs, RD_FILLS_DAILY_CSV, daily, fo, stats, err);
    return rc == RD_OK ? rd_pnl_compute(fs, out, err) : rc;
}

int rd_traders_pnl_read(struct rd_fills *fs, const char *path,
                        const struct rd_traders_pnl_options *opts, struct rd_pnl *out,
                        struct rd_fills_stats *stats, struct rd_error *err)
{
    const struct rd_fills_options *user = opts ? opts->read : NULL;
    struct relay relay = {user, 0, 0};
    struct rd_fills_options fo = {0};
    struct rd_fills_stats local = {0};
    struct feed fd = {NULL, 0};
    struct stat sb;
    const char *daily = opts ? opts->daily : NULL;
    char note[RD_ERROR_MSG_MAX + 96];
    int rc;

    if (!stats)
        stats = &local;
    if (user)
        fo = *user;
    fo.on_bad = relay_bad;
    fo.on_read = user && user->on_read ? relay_read : NULL;
    fo.ctx = &relay;
    if (!strcmp(path, "-") || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return whole(fs, path, &fo, daily, out, stats, err);
    rc = rd_pnl_feed_new(fs, &fd.pf, err);
    if (rc == RD_OK)
        rc = rd_fills_stream(fs, path, &fo, opts ? &opts->stream : NULL, feed, &fd, stats, err);
    if (rc == RD_OK && daily)
        rc = rd_fills_read(fs, RD_FILLS_DAILY_CSV, daily, &fo, stats, err);
    if (rc == RD_OK)
        rc = rd_pnl_feed_finish(fd.pf, out, err);
    rd_pnl_feed_free(fd.pf);
    if (rc != RD_EUNSUPPORTED)
        return rc;
    /* not in time order, or not to be read in parts: read it whole */
    if (opts && opts->on_note) {
        if (fd.out_of_order)
            snprintf(note, sizeof note, "%s: the fills are not in time order; reading it "
                     "again and sorting them in memory (40 bytes a fill)", path);
        else
            snprintf(note, sizeof note, "%s; reading it whole", err->msg);
        opts->on_note(opts->ctx, note);
    }
    rd_fills_release(fs);
    rd_fills_init(fs);
    memset(stats, 0, sizeof *stats);
    relay.again = 1;
    return whole(fs, path, &fo, daily, out, stats, err);
}
