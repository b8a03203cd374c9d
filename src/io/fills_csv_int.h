/*
 * fills_csv_int.h - the fills CSV reader of fills_csv.c in two steps, for a
 * file read in parts (fills_stream.c): the header once, then each part of the
 * data rows on its own, in place (the reader may rewrite the bytes it is
 * given: "" in a quoted field becomes ").
 *
 * A part must start at a line start. Its reading says whether it was sound to
 * read it apart (unsplittable = 0): no record spanned lines (a quoted line
 * break, an unclosed quote) and none was as long as the whole-file reader's
 * buffer (serial_cap), which would have reported it as too long. When it is
 * not, the file must be read whole (rd_fills_read) instead.
 */
#ifndef RISKDESK_IO_FILLS_CSV_INT_H
#define RISKDESK_IO_FILLS_CSV_INT_H

#include <stddef.h>

#include "riskdesk/fills_csv.h"

#define RD_FILLS_COLS 17

/* Which field holds which column, from the header. */
struct rd_fills_layout {
    enum rd_fills_kind kind;
    int ncols;
    int col[RD_FILLS_COLS];
};

/* What reading a header or a part found, beside the rows. */
struct rd_fills_part {
    size_t used;                /* bytes read (the header: through its line end) */
    long lines;                 /* physical lines read */
    int unsplittable;           /* see above */
};

/*
 * Reads the header at the start of data[0, len) (eof: data is the whole
 * file). RD_OK with res->unsplittable set when the header does not end within
 * data, spans lines or is as long as serial_cap (0 = the default); otherwise RD_OK with lay filled, or the error
 * rd_fills_read would give for that header.
 */
int rd_fills_csv_header(enum rd_fills_kind kind, const char *name, char *data, size_t len,
                        int eof, size_t serial_cap, struct rd_fills_layout *lay,
                        struct rd_fills_part *res, struct rd_error *err);

/*
 * Reads the data rows of data[0, len) into fs as rd_fills_read reads the rows
 * after a header laid out as lay; line numbers in on_bad and errors count from
 * 1 at data's first line. serial_cap: the whole-file reader's buffer (0 = its
 * default).
 */
int rd_fills_csv_part(struct rd_fills *fs, const struct rd_fills_layout *lay, const char *name,
                      char *data, size_t len, size_t serial_cap,
                      const struct rd_fills_options *opts, struct rd_fills_stats *stats,
                      struct rd_fills_part *res, struct rd_error *err);

#endif
