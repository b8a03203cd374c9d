/*
 * traders_import.h - `traders import`: a fills, daily P&L or limits CSV into
 * the store, and the trader-days recomputed from everything stored.
 *
 * Ownership: everything is caller-owned; the store handle is borrowed.
 *
 * A file is known by the SHA-256 of its bytes, checked before it is parsed
 * (standard input: after), and a fills or daily file also by the SHA-256 of
 * its parsed rows (names, dates, times, sides, quantities, prices, fees in
 * file order): importing the same bytes, or the same rows written otherwise
 * (CRLF or LF, a BOM, quoting), again adds nothing (the result says which
 * import had them). A file that overlaps an earlier one without having the
 * same rows is not detected. Daily P&L rows for a
 * trader-day already stored with the same P&L are skipped as duplicates; with
 * another P&L they are bad rows. Bad rows are reported through on_bad with
 * their line and skipped, or with strict stop the import: then, as on any
 * error, nothing is stored. After a fills or daily import the trader-days of
 * every trader are recomputed (FIFO over all stored fills, in the order they
 * were stored) and replaced, in the same transaction. Legacy traders (_OLD)
 * are stored like any other.
 *
 * Memory: a fills file that is a regular file is streamed. Parsed in
 * parallel and fed to the FIFO after the stored fills, it takes memory for
 * the open lots, the trader-days and the fills stored before it (not for its
 * own fills, which wait in a temporary file in $TMPDIR, 40 bytes a fill, until
 * they are stored). When the fills are not in time order they are sorted in
 * memory as rd_pnl_compute does (40 bytes a fill), and on_note says so.
 * Standard input, daily P&L and limits files are read whole into memory.
 * The stored rows are the same either way.
 */
#ifndef RISKDESK_TRADERS_IMPORT_H
#define RISKDESK_TRADERS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/store.h"

struct rd_traders_import_opts {
    int strict;                 /* stop at the first bad row; nothing is stored */
    int64_t now;                /* imported_at (Unix s); 0 = the clock */
    /* Each bad row skipped; may be NULL. */
    void (*on_bad)(void *ctx, const char *path, long line, const char *why);
    /* Progress: phase "read" (bytes of the file) or "store" (rows); may be NULL. */
    void (*on_progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
    /* Once when a fills file is not streamed after all (not in time order, or
     * not to be read in parts) and why; may be NULL. */
    void (*on_note)(void *ctx, const char *msg);
    void *ctx;
};

struct rd_traders_import_result {
    enum rd_fills_kind kind;
    char sha256[65];            /* of the bytes */
    char rows_sha256[65];       /* of the parsed rows (fills, daily; "" when not computed) */
    int already;                /* the same bytes or rows were imported before: nothing added */
    int same_rows;              /* already, found by the rows (other bytes) */
    int64_t import_id;          /* this import, or the earlier one when already */
    int64_t bytes;
    int64_t rows;               /* rows stored */
    int64_t bad;                /* bad rows skipped */
    int64_t duplicates;         /* daily rows already stored (same trader, day and P&L) */
    int64_t traders;            /* traders in the store after the import */
    int64_t days;               /* trader-days in the store after the import */
};

/* Imports path ("-" is standard input) as a CSV of the given kind. */
int rd_traders_import(struct rd_store *s, enum rd_fills_kind kind, const char *path,
                      const struct rd_traders_import_opts *o, struct rd_traders_import_result *res,
                      struct rd_error *err);

/* The kind of a CSV from its header line: "symbol" makes fills, "pnl" or
 * "net_pnl" daily P&L, "daily_loss_limit" or "limit" limits. RD_EINVAL when
 * none fits. */
int rd_traders_csv_kind(const char *path, enum rd_fills_kind *kind, struct rd_error *err);

/* The SHA-256 of a file's bytes as lowercase hex (hex has room for 65). */
int rd_traders_file_sha256(const char *path, char *hex, struct rd_error *err);

/* Hashes path's bytes into hex and looks them up: RD_OK with *import_id the
 * import that holds those bytes' rows, RD_ENOTFOUND when new, or an error. */
int rd_traders_import_known(struct rd_store *s, const char *path, char *hex, int64_t *import_id,
                            struct rd_error *err);

/* "fills", "daily" or "limits". */
const char *rd_fills_kind_name(enum rd_fills_kind kind);

#endif
