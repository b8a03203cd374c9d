/*
 * returns_csv.h - reads return series from CSV in one pass.
 *
 * Accepted files (a header line is required; names are case-insensitive):
 *   date,return             one series of per-period simple returns
 *   date,value              one series of values (equity), turned into returns
 *   date,account,return     many accounts at once (also date,account,value)
 * Dates are YYYY-MM-DD and strictly ascending within a series (rows of
 * different accounts may interleave). An empty field, "NaN" or "nan" is a
 * missing return (NaN); "inf"/"Infinity" with a sign are accepted. A UTF-8 BOM
 * and CRLF line ends are tolerated, blank lines skipped, spaces around fields
 * trimmed. Quoted fields are not supported. Every error names the file and
 * line.
 *
 * Values become returns per series: r = v / (last non-missing v) - 1; the
 * first row only seeds the value (so a series of n values gives n-1 returns,
 * dated from the second row), and a missing value gives a NaN return.
 *
 * Ownership: struct rd_returns_set is caller-owned: rd_returns_set_init, fill
 * it with rd_returns_csv_read/_parse (which allocate through rd_malloc), then
 * rd_returns_set_release. The input bytes are borrowed, never kept.
 */
#ifndef RISKDESK_RETURNS_CSV_H
#define RISKDESK_RETURNS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"

/* Largest input accepted (bytes). */
#define RD_RETURNS_CSV_MAX ((size_t)1 << 34)

struct rd_returns_set {
    int multi;              /* 1 for date,account,... files */
    int from_values;        /* 1 if the file held values, not returns */
    size_t naccounts;       /* 1 for a single-series file (its name is "") */
    char **names;           /* naccounts NUL-terminated names, first-seen order */
    size_t *offset;         /* naccounts+1: series a is rows offset[a]..offset[a+1]-1 */
    int32_t *days;          /* nrows dates, days since 1970-01-01, grouped by series */
    double *returns;        /* nrows returns, same layout */
    size_t nrows;
    char *names_arena;      /* storage of the names */
};

void rd_returns_set_init(struct rd_returns_set *s);
void rd_returns_set_release(struct rd_returns_set *s);

/*
 * Parses len bytes of CSV; `name` names the input in messages. On error the
 * set is left empty (released) and err says "<name> line N: ...".
 */
int rd_returns_csv_parse(const char *data, size_t len, const char *name,
                         struct rd_returns_set *out, struct rd_error *err);

/* The same with the rows split among `threads` threads (1: one pass on the
 * calling thread). rd_returns_csv_parse uses all cores (up to 8) for inputs
 * of 8 MiB or more. The result and any error are the same as a serial parse:
 * on an error, the input is parsed again serially to report the first one. */
int rd_returns_csv_parse_mt(const char *data, size_t len, const char *name, int threads,
                            struct rd_returns_set *out, struct rd_error *err);

/* Reads and parses a file ("-" is standard input). */
int rd_returns_csv_read(const char *path, struct rd_returns_set *out, struct rd_error *err);

/*
 * Aligns benchmark series `bench` (ascending dates) to the dates
 * days[0..n-1] (ascending): out[i] is the benchmark's return on days[i], NaN
 * when the benchmark has no row for that date. Benchmark dates absent from
 * days are ignored. Pure; no allocation.
 */
void rd_returns_align(const int32_t *days, size_t n, const int32_t *bdays, const double *bret,
                      size_t nb, double *out);

/* Parses one number field as the reader does: decimal text, "", "NaN", "inf".
 * Returns 0, or -1 when the text is not a number. Exposed for tests. */
int rd_returns_parse_number(const char *s, size_t len, double *out);

/* Parses YYYY-MM-DD (exactly 10 bytes) into days since 1970-01-01; 0 or -1. */
int rd_returns_parse_date(const char *s, size_t len, int32_t *out);

#endif
