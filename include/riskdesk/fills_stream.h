/*
 * fills_stream.h - a fills CSV read in parallel and handed on in file order,
 * a window at a time, so that memory follows the window, not the file.
 *
 * The file is read in windows of threads x part_size bytes cut at a line end;
 * each window is split at line ends into one part a thread, the parts are
 * parsed at once (pthreads), then their fills go to the sink in file order,
 * their bad rows to opts->on_bad in order too. The sink and on_bad are called
 * from one thread of the reader's, one call at a time, while the caller's
 * thread parses the next window (and calls on_read as it reads): a sink and
 * an on_read that share state must guard it. What the sink gets, the bad rows
 * and the counts are those of rd_fills_read over the same file, whatever the
 * number of threads or the part size.
 *
 * Ownership: names is caller-owned (fills_csv.h's container); the traders and
 * symbols are interned into it in order of first appearance, as rd_fills_read
 * would, and its fills array is left alone. The fills handed to the sink are
 * the reader's until the sink returns.
 */
#ifndef RISKDESK_FILLS_STREAM_H
#define RISKDESK_FILLS_STREAM_H

#include <stddef.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/fills_csv.h"

struct rd_fills_stream_options {
    int threads;                /* parsing threads; 0 = the cores online */
    size_t part_size;           /* bytes a thread parses at a time; 0 = 8 MiB, less
                                   past 4 threads so that a window stays 32 MiB */
};

/* Gets n fills (ids in names), in file order; anything but RD_OK stops the read. */
typedef int (*rd_fills_sink)(void *ctx, const struct rd_fill *f, size_t n,
                             struct rd_error *err);

/*
 * Streams the fills CSV at path (a regular file) to sink. opts (strict,
 * buf_size, on_bad, on_read) and stats as for rd_fills_read. Returns RD_OK,
 * the sink's error, or rd_fills_read's errors; RD_EUNSUPPORTED (err says why)
 * when the file cannot be read in parts: it is not a regular file, or a record
 * spans lines (a quoted line break) or is longer than the whole-file reader's
 * buffer. Fills and bad rows before that point have been handed on by then;
 * read the file whole with rd_fills_read instead.
 */
int rd_fills_stream(struct rd_fills *names, const char *path, const struct rd_fills_options *opts,
                    const struct rd_fills_stream_options *so, rd_fills_sink sink, void *ctx,
                    struct rd_fills_stats *stats, struct rd_error *err);

#endif
