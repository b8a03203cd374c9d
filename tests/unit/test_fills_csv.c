#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"

/* Bad rows seen, as "LINE: why" lines. */
struct bad_log {
    char text[4096];
    size_t len;
    int n;
};

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct bad_log *b = ctx;
    int w = snprintf(b->text + b->len, sizeof b->text - b->len, "%s:%ld: %s\n", path, line, why);

    if (w > 0 && b->len + (size_t)w < sizeof b->text)
        b->len += (size_t)w;
    b->n++;
}

struct parsed {
    struct rd_fills fs;
    struct rd_fills_stats stats;
    struct bad_log bad;
    struct rd_error err;
    int rc;
};

static void parse_kind(struct parsed *p, enum rd_fills_kind kind, const char *csv, int strict,
                       size_t buf_size)
{
    struct rd_fills_options o = {.strict = strict, .buf_size = buf_size, .on_bad = on_bad};

    memset(p, 0, sizeof *p);
    rd_fills_init(&p->fs);
    o.ctx = &p->bad;
    p->rc = rd_fills_parse(&p->fs, kind, "t.csv", csv, strlen(csv), &o, &p->stats, &p->err);
}

static void parse(struct parsed *p, const char *csv)
{
    parse_kind(p, RD_FILLS_CSV, csv, 0, 0);
}

static int32_t ymd(int y, int m, int d)
{
    return rd_date_from_ymd(y, m, d);
}

static void test_basic_row(void **state)
{
    struct parsed p;
    const struct rd_fill *f;

    (void)state;
    parse(&p, "trader_id,date,symbol,side,qty,price\nalice,01/02/2024,AAPL,B,100,187.25\n");
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.stats.rows, 1);
    assert_int_equal(p.stats.bad, 0);
    assert_int_equal(p.fs.nfills, 1);
    f = &p.fs.fills[0];
    assert_string_equal(p.fs.traders.name[f->trader], "alice");
    assert_string_equal(p.fs.symbols.name[f->symbol], "AAPL");
    assert_int_equal(f->day, ymd(2024, 1, 2));
    assert_int_equal(f->time_ms, RD_FILL_NO_TIME);
    assert_int_equal(f->qty, 100);
    assert_int_equal(f->price, 1872500);
    assert_int_equal(f->fees, 0);
    rd_fills_release(&p.fs);
}

/* BOM, CRLF, header case and spaces, aliases, unknown columns, quoted fields. */
static void test_format_variants(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "\xEF\xBB\xBF Trader , Date,Account,SYMBOL,Side,Quantity,Price,Time\r\n"
              "\"bob, jr\",2024-03-01,X1,\"MS\"\"FT\",sell,\"1,000\",10,9:30\r\n"
              "bob,3/1/2024,X1,MSFT,Buy,200,10.5,09:30:15.250\r\n"
              "\r\n"
              "carol,03/01/2024,\"X\n1\",IBM,s,5,1,16:00\r\n"      /* a quoted newline, not in a name */
              "dave,03/01/2024,X1,IBM,BUY,5,1,\r\n");
    assert_int_equal(p.rc, RD_OK);
    /* "1,000" is not a whole number: reported with its line, the rest goes on */
    assert_int_equal(p.stats.bad, 1);
    assert_string_equal(p.bad.text,
                        "t.csv:2: bad qty \"1,000\": expected a whole number of shares "
                        "from 1 to 1000000000\n");
    assert_int_equal(p.stats.rows, 3);
    assert_string_equal(p.fs.traders.name[p.fs.fills[0].trader], "bob");
    assert_int_equal(p.fs.fills[0].time_ms, (9 * 3600 + 30 * 60 + 15) * 1000 + 250);
    assert_int_equal(p.fs.fills[0].qty, 200);
    assert_string_equal(p.fs.traders.name[p.fs.fills[1].trader], "carol");
    assert_int_equal(p.fs.fills[1].qty, -5);
    assert_int_equal(p.fs.fills[1].time_ms, 16 * 3600 * 1000);
    assert_int_equal(p.fs.fills[2].time_ms, RD_FILL_NO_TIME);
    rd_fills_release(&p.fs);

    /* a quoted field with "" and a comma inside is one field */
    parse(&p, "trader_id,date,symbol,side,qty,price\n\"x\"\"y,z\",2024-01-02,\"A,B\",B,1,1\n");
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.stats.rows, 1);
    assert_string_equal(p.fs.traders.name[0], "x\"y,z");
    assert_string_equal(p.fs.symbols.name[0], "A,B");
    rd_fills_release(&p.fs);
}

static void test_fees(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "trader_id,date,symbol,side,qty,price,comm,ecn,sec,taf,nscc,clr,misc\n"
              "a,01/02/2024,X,B,100,10,0.35,-0.20,0.0084,0.0166,0.002,0.02,\n"
              "a,01/02/2024,X,S,100,10,,,,,,,\n");
    assert_int_equal(p.rc, RD_OK);
    /* 0.35 - 0.20 + 0.0084 + 0.0166 + 0.002 + 0.02 = 0.197 */
    assert_int_equal(p.fs.fills[0].fees, 1970);
    assert_int_equal(p.fs.fills[1].fees, 0);
    rd_fills_release(&p.fs);

    /* any subset of the breakdown */
    parse(&p, "trader_id,date,symbol,side,qty,price,sec,comm\na,01/02/2024,X,B,1,1,0.01,1.5\n");
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.fs.fills[0].fees, 15100);
    rd_fills_release(&p.fs);

    parse(&p, "trader_id,date,symbol,side,qty,price,fees\na,01/02/2024,X,B,1,1,2.125\n");
    assert_int_equal(p.fs.fills[0].fees, 21250);
    rd_fills_release(&p.fs);

    /* both kinds of fee columns: refused at the header */
    parse(&p, "trader_id,date,symbol,side,qty,price,fees,comm\n");
    assert_int_equal(p.rc, RD_EINVAL);
    assert_non_null(strstr(p.err.msg, "t.csv:1: both a 'fees' column and fee breakdown"));
    rd_fills_release(&p.fs);

    parse(&p, "trader_id,date,symbol,side,qty,price,comm\na,01/02/2024,X,B,1,1,1.2.3\n");
    assert_int_equal(p.stats.bad, 1);
    assert_non_null(strstr(p.bad.text, "t.csv:2: bad comm: \"1.2.3\" is not a valid decimal"));
    rd_fills_release(&p.fs);
}

struct bad_case {
    const char *row;
    const char *why;            /* expected message after "t.csv:2: " */
};

static void test_bad_rows(void **state)
{
    static const struct bad_case cases[] = {
        {"a,13/02/2024,X,B,1,1,", "bad date \"13/02/2024\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,02/30/2024,X,B,1,1,", "bad date \"02/30/2024\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,02/29/2023,X,B,1,1,", "bad date \"02/29/2023\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,2024-02-30,X,B,1,1,", "bad date \"2024-02-30\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,2024/01/02,X,B,1,1,", "bad date \"2024/01/02\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,1/2/24,X,B,1,1,", "bad date \"1/2/24\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,,X,B,1,1,", "bad date \"\": expected MM/DD/YYYY or YYYY-MM-DD"},
        {"a,01/02/2024,X,SS,1,1,", "bad side \"SS\": expected B, S, BUY or SELL"},
        {"a,01/02/2024,X,,1,1,", "bad side \"\": expected B, S, BUY or SELL"},
        {"a,01/02/2024,X,B,0,1,", "bad qty \"0\": expected a whole number of shares from 1 to 1000000000"},
        {"a,01/02/2024,X,B,-5,1,", "bad qty \"-5\": expected a whole number of shares from 1 to 1000000000"},
        {"a,01/02/2024,X,B,1.5,1,", "bad qty \"1.5\": expected a whole number of shares from 1 to 1000000000"},
        {"a,01/02/2024,X,B,1e3,1,", "bad qty \"1e3\": expected a whole number of shares from 1 to 1000000000"},
        {"a,01/02/2024,X,B,1000000001,1,", "bad qty \"1000000001\": expected a whole number of shares from 1 to 1000000000"},
        {"a,01/02/2024,X,B,1,abc,", "bad price: \"abc\" is not a valid decimal: expected digits with an optional sign and point"},
        {"a,01/02/2024,X,B,1,,", "bad price: \"\" is not a valid decimal: empty"},
        {"a,01/02/2024,X,B,1,-1,", "bad price \"-1\": negative"},
        {"a,01/02/2024,X,B,1,1,25:00", "bad time \"25:00\": expected HH:MM[:SS[.fff]]"},
        {"a,01/02/2024,X,B,1,1,9:3", "bad time \"9:3\": expected HH:MM[:SS[.fff]]"},
        {"a,01/02/2024,X,B,1,1,09:30:60", "bad time \"09:30:60\": expected HH:MM[:SS[.fff]]"},
        {"a,01/02/2024,X,B,1,1,9:30 AM", "bad time \"9:30 AM\": expected HH:MM[:SS[.fff]]"},
        {",01/02/2024,X,B,1,1,", "empty trader_id"},
        {"a,01/02/2024,,B,1,1,", "empty symbol"},
        {"a,01/02/2024,X,B,1,1", "expected 7 fields as in the header, found 6"},
        {"a,01/02/2024,X,B,1,1,,", "expected 7 fields as in the header, found 8"},
        {"a\"\"b,01/02/2024,X,B,1,1,", "quote inside unquoted field 1"},
        {"\"a\"b,01/02/2024,X,B,1,1,", "text after the closing quote of field 1"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[512], want[512];
        struct parsed p;

        snprintf(csv, sizeof csv, "trader_id,date,symbol,side,qty,price,time\n%s\n"
                 "ok,01/02/2024,X,B,1,1,\n", cases[i].row);
        parse(&p, csv);
        assert_int_equal(p.rc, RD_OK);
        snprintf(want, sizeof want, "t.csv:2: %s\n", cases[i].why);
        assert_string_equal(p.bad.text, want);
        assert_int_equal(p.stats.bad, 1);
        assert_int_equal(p.stats.rows, 1);          /* the import went on */
        assert_int_equal(p.fs.nfills, 1);
        rd_fills_release(&p.fs);

        /* --strict stops at it, with the same words */
        parse_kind(&p, RD_FILLS_CSV, csv, 1, 0);
        assert_int_equal(p.rc, RD_EINVAL);
        want[strlen(want) - 1] = '\0';
        assert_string_equal(p.err.msg, want);
        assert_int_equal(p.bad.n, 0);
        rd_fills_release(&p.fs);
    }
}

static void test_line_numbers(void **state)
{
    struct parsed p;

    (void)state;
    /* a quoted newline counts (a bad row: a newline in a name); blank lines count; the
     * bad rows are 3, 6 and 9 */
    parse(&p, "trader_id,date,symbol,side,qty,price\n"
              "a,01/02/2024,X,B,1,1\n"
              "\"a\nb\",01/02/2024,X,B,1,1\n"
              "\n"
              "a,01/02/2024,X,Q,1,1\n"
              "a,01/02/2024,X,B,1,1\n"
              "\r\n"
              "a,01/02/2024,X,B,1\n"
              "a,01/02/2024,X,B,1,1");                   /* no final newline */
    assert_int_equal(p.rc, RD_OK);
    assert_string_equal(p.bad.text, "t.csv:3: control character 0x0a (a newline) in trader_id "
                                    "(at byte 2 of the field)\n"
                                    "t.csv:6: bad side \"Q\": expected B, S, BUY or SELL\n"
                                    "t.csv:9: expected 6 fields as in the header, found 5\n");
    assert_int_equal(p.stats.rows, 3);
    rd_fills_release(&p.fs);

    /* a lone quote inside a field opens a quoted run to the end of the file: one bad row */
    parse(&p, "trader_id,date,symbol,side,qty,price\n"
              "a\"b,01/02/2024,X,B,1,1\n"
              "a,01/02/2024,X,B,1,1\n");
    assert_int_equal(p.rc, RD_OK);
    assert_string_equal(p.bad.text, "t.csv:2: unclosed quote\n");
    assert_int_equal(p.stats.rows, 0);
    rd_fills_release(&p.fs);

    /* an unclosed quote runs to the end of the file: one bad row */
    parse(&p, "trader_id,date,symbol,side,qty,price\n"
              "a,01/02/2024,X,B,1,1\n"
              "\"a,01/02/2024,X,B,1,1\n"
              "a,01/02/2024,X,B,1,1\n");
    assert_int_equal(p.rc, RD_OK);
    assert_string_equal(p.bad.text, "t.csv:3: unclosed quote\n");
    assert_int_equal(p.stats.rows, 1);
    rd_fills_release(&p.fs);
}

static const char *const many_rows =
    "trader_id,date,symbol,side,qty,price,time,fees\r\n"
    "alice,01/02/2024,AAPL,B,100,10.00,09:30:00,1.00\r\n"
    "\"al\"\"ice\",01/02/2024,\"AA,PL\",S,100,10.00,09:30:00,1.00\r\n"
    "\"x\ny\",01/02/2024,MSFT,B,1,1,,0\r\n"
    "bob,2024-01-03,MSFT,SELL,7,99.99,,0\r\n"
    "bob,2024-01-03,MSFT,X,7,99.99,,0\r\n"
    "carol,1/4/2024,IBM,b,1,1,10:00,\r\n";

/* A tiny buffer makes records straddle refills: same result as a large one. */
static void test_small_buffer(void **state)
{
    struct parsed big, small;

    (void)state;
    parse_kind(&big, RD_FILLS_CSV, many_rows, 0, 0);
    assert_int_equal(big.rc, RD_OK);
    assert_int_equal(big.stats.rows, 4);
    assert_string_equal(big.bad.text, "t.csv:4: control character 0x0a (a newline) in trader_id "
                                      "(at byte 2 of the field)\n"
                                      "t.csv:7: bad side \"X\": expected B, S, BUY or SELL\n");
    for (size_t bs = 64; bs <= 128; bs++) {
        parse_kind(&small, RD_FILLS_CSV, many_rows, 0, bs);
        assert_int_equal(small.rc, RD_OK);
        assert_int_equal(small.stats.rows, 4);
        assert_string_equal(small.bad.text, big.bad.text);
        assert_memory_equal(small.fs.fills, big.fs.fills, 4 * sizeof *big.fs.fills);
        assert_string_equal(small.fs.traders.name[1], "al\"ice");
        assert_string_equal(small.fs.symbols.name[1], "AA,PL");
        rd_fills_release(&small.fs);
    }
    rd_fills_release(&big.fs);

    /* a record longer than the buffer is a bad row; reading resumes on the next line */
    parse_kind(&small, RD_FILLS_CSV,
               "trader_id,date,symbol,side,qty,price\n"
               "a,01/02/2024,XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX,B,1,1\n"
               "a,01/02/2024,X,B,1,1\n", 0, 48);
    assert_int_equal(small.rc, RD_OK);
    assert_string_equal(small.bad.text, "t.csv:2: record longer than 48 bytes\n");
    assert_int_equal(small.stats.rows, 1);
    rd_fills_release(&small.fs);
}

/* Control characters in a name (trader_id, symbol) make the row bad, quoted or not, in
 * every kind; an ignored column may hold them. */
static void test_control_chars(void **state)
{
    static const struct bad_case cases[] = {
        {"\"a\nb\",01/02/2024,X,B,1,1",
         "control character 0x0a (a newline) in trader_id (at byte 2 of the field)"},
        {"\"a\rb\",01/02/2024,X,B,1,1",
         "control character 0x0d (a carriage return) in trader_id (at byte 2 of the field)"},
        {"a,01/02/2024,\"X\tY\",B,1,1", "control character 0x09 (a tab) in symbol (at byte 2 of "
                                         "the field)"},
        {"a\x1b[31m,01/02/2024,X,B,1,1", "control character 0x1b in trader_id (at byte 2 of the "
                                         "field)"},
        {"a,01/02/2024,XY\x7f,B,1,1", "control character 0x7f in symbol (at byte 3 of the field)"},
    };
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[512], want[512];

        snprintf(csv, sizeof csv, "trader_id,date,symbol,side,qty,price\n%s\n"
                 "ok,01/02/2024,X,B,1,1\n", cases[i].row);
        parse(&p, csv);
        assert_int_equal(p.rc, RD_OK);
        snprintf(want, sizeof want, "t.csv:2: %s\n", cases[i].why);
        assert_string_equal(p.bad.text, want);
        assert_int_equal(p.stats.rows, 1);
        assert_int_equal(p.fs.traders.count, 1);
        rd_fills_release(&p.fs);
        parse_kind(&p, RD_FILLS_CSV, csv, 1, 0);
        assert_int_equal(p.rc, RD_EINVAL);
        want[strlen(want) - 1] = '\0';
        assert_string_equal(p.err.msg, want);
        rd_fills_release(&p.fs);
    }
    /* daily and limits files: the trader_id; the line is where the record starts */
    parse_kind(&p, RD_FILLS_DAILY_CSV, "trader_id,date,pnl\nok,2024-01-02,1\n\"d\n\",2024-01-02,1\n",
               0, 0);
    assert_int_equal(p.rc, RD_OK);
    assert_string_equal(p.bad.text, "t.csv:3: control character 0x0a (a newline) in trader_id "
                                    "(at byte 2 of the field)\n");
    assert_int_equal(p.fs.ndaily, 1);
    rd_fills_release(&p.fs);
    parse_kind(&p, RD_FILLS_LIMITS_CSV, "trader_id,daily_loss_limit\n\"\x01x\",100\n", 0, 0);
    assert_int_equal(p.rc, RD_OK);
    assert_string_equal(p.bad.text, "t.csv:2: control character 0x01 in trader_id (at byte 1 of "
                                    "the field)\n");
    assert_int_equal(p.fs.traders.count, 0);
    rd_fills_release(&p.fs);
    /* a column that is not read may hold a quoted newline; spaces and tabs around a value
     * are trimmed, not refused */
    parse(&p, "trader_id,date,symbol,side,qty,price,note\n"
              "\ta ,01/02/2024,X,B,1,1,\"two\nlines\"\n");
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.stats.bad, 0);
    assert_string_equal(p.fs.traders.name[0], "a");
    rd_fills_release(&p.fs);
}

/* A NUL byte anywhere in a row: a bad row, never a name (found by the fuzzer). */
static void test_nul_byte(void **state)
{
    static const char csv[] = "trader_id,daily_loss_limit\na\0b,100\nab,100\n";
    struct rd_fills fs;
    struct rd_fills_stats st = {0};
    struct rd_error err = {0};
    struct bad_log bad = {0};
    struct rd_fills_options o = {.on_bad = on_bad, .ctx = &bad};

    (void)state;
    rd_fills_init(&fs);
    assert_int_equal(rd_fills_parse(&fs, RD_FILLS_LIMITS_CSV, "t.csv", csv, sizeof csv - 1, &o,
                                    &st, &err), RD_OK);
    assert_string_equal(bad.text, "t.csv:2: NUL byte in the row\n");
    assert_int_equal(st.rows, 1);
    assert_int_equal(rd_names_find(&fs.traders, "a\0b", 3), -1);
    assert_int_equal(rd_names_find(&fs.traders, "abc", 3), -1);
    assert_int_equal(rd_names_find(&fs.traders, "ab", 2), 0);
    rd_fills_release(&fs);
}

static void test_header_errors(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "");
    assert_int_equal(p.rc, RD_EINVAL);
    assert_string_equal(p.err.msg, "t.csv: no header line");
    rd_fills_release(&p.fs);

    parse(&p, "\n\r\n");
    assert_int_equal(p.rc, RD_EINVAL);
    rd_fills_release(&p.fs);

    parse(&p, "trader_id,date,symbol,side,qty\n");
    assert_int_equal(p.rc, RD_EINVAL);
    assert_non_null(strstr(p.err.msg, "t.csv:1: not a fills CSV header: expected columns"));
    rd_fills_release(&p.fs);

    parse(&p, "trader_id,date,symbol,side,qty,price,Qty\n");
    assert_int_equal(p.rc, RD_EINVAL);
    assert_string_equal(p.err.msg, "t.csv:1: column 'qty' appears twice");
    rd_fills_release(&p.fs);

    parse(&p, "\"trader_id,date\n");
    assert_int_equal(p.rc, RD_EINVAL);
    assert_string_equal(p.err.msg, "t.csv:1: bad header line: unclosed quote");
    rd_fills_release(&p.fs);

    /* a header alone is an empty, valid file */
    parse(&p, "trader_id,date,symbol,side,qty,price\n");
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.fs.nfills, 0);
    rd_fills_release(&p.fs);
}

static void test_daily_and_limits(void **state)
{
    struct parsed p;

    (void)state;
    parse_kind(&p, RD_FILLS_DAILY_CSV,
               "trader_id,date,pnl\nann,01/02/2024,-120.50\nann,2024-01-03,99\n"
               "ann,01/04/2024,x\n", 0, 0);
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.fs.ndaily, 2);
    assert_int_equal(p.fs.daily[0].pnl, -1205000);
    assert_int_equal(p.fs.daily[0].line, 2);
    assert_int_equal(p.fs.daily[1].day, ymd(2024, 1, 3));
    assert_string_equal(p.bad.text,
                        "t.csv:4: bad pnl: \"x\" is not a valid decimal: expected digits with "
                        "an optional sign and point\n");
    rd_fills_release(&p.fs);

    parse_kind(&p, RD_FILLS_LIMITS_CSV,
               "trader_id,daily_loss_limit\nann,7500\nbob,0\nann,100\ncid,2500.50\n", 0, 0);
    assert_int_equal(p.rc, RD_OK);
    assert_int_equal(p.fs.traders.count, 2);     /* bob's row was refused before interning */
    assert_int_equal(p.fs.limit[0], RD_DOLLARS(7500));
    assert_int_equal(p.fs.limit[1], 25005000);
    assert_string_equal(p.bad.text, "t.csv:3: bad daily_loss_limit \"0\": must be above 0\n"
                                    "t.csv:4: second limit for ann (first on line 2)\n");
    rd_fills_release(&p.fs);
}

static void test_legacy_and_dates(void **state)
{
    struct rd_error err = {0};
    int32_t d;

    (void)state;
    assert_true(rd_trader_is_legacy("jsmith_OLD"));
    assert_true(rd_trader_is_legacy("_OLD"));
    assert_false(rd_trader_is_legacy("jsmith_old"));
    assert_false(rd_trader_is_legacy("OLD_jsmith"));
    assert_false(rd_trader_is_legacy("jsmith_OLDER"));
    assert_false(rd_trader_is_legacy("j_OLD_smith"));
    assert_false(rd_trader_is_legacy("OLD"));
    assert_int_equal(rd_fills_date_parse("02/29/2024", 10, &d, &err), RD_OK);
    assert_int_equal(d, ymd(2024, 2, 29));
    assert_int_equal(rd_fills_date_parse("12/31/1999", 10, &d, &err), RD_OK);
    assert_int_equal(d, ymd(1999, 12, 31));
    assert_int_equal(rd_fills_date_parse("2100-02-29", 10, &d, &err), RD_EINVAL);
    assert_int_equal(rd_fills_date_parse("2000-02-29", 10, &d, &err), RD_OK);
}

static void test_read_file(void **state)
{
    struct rd_fills fs;
    struct rd_error err = {0};
    struct rd_fills_stats st = {0};
    char path[4096];
    const char *src = getenv("RD_SOURCE_DIR");

    (void)state;
    rd_fills_init(&fs);
    assert_int_equal(rd_fills_read(&fs, RD_FILLS_CSV, "/nonexistent/f.csv", NULL, NULL, &err),
                     RD_EIO);
    assert_non_null(strstr(err.msg, "cannot open /nonexistent/f.csv"));
    if (src) {
        snprintf(path, sizeof path, "%s/tests/data/traders/basic.csv", src);
        assert_int_equal(rd_fills_read(&fs, RD_FILLS_CSV, path, NULL, &st, &err), RD_OK);
        assert_int_equal(st.rows, 7);
        assert_int_equal(fs.traders.count, 2);
    }
    rd_fills_release(&fs);
}

/* Every allocation failing in turn: RD_ENOMEM, nothing leaked (ASan/valgrind). */
static void test_alloc_failures(void **state)
{
    int saw_ok = 0;

    (void)state;
    for (long n = 1; n < 200 && !saw_ok; n++) {
        struct parsed p;

        rd_alloc_fail_after(n);
        parse(&p, many_rows);
        rd_alloc_fail_after(0);
        if (p.rc == RD_OK)
            saw_ok = 1;
        else
            assert_int_equal(p.rc, RD_ENOMEM);
        rd_fills_release(&p.fs);
    }
    assert_true(saw_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_row),       cmocka_unit_test(test_format_variants),
        cmocka_unit_test(test_fees),            cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_line_numbers),    cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_header_errors),   cmocka_unit_test(test_daily_and_limits),
        cmocka_unit_test(test_legacy_and_dates), cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_alloc_failures),  cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_control_chars),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
