/*
 * fuzz_calendar_parse - rd_time_parse and rd_date_parse on arbitrary bytes.
 *
 * Whatever parses must format back to text that parses to the same value; a
 * date's text must come back byte for byte. Errors must name the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_4DIGIT (-62167219200LL)     /* 0000-01-01T00:00:00Z */
#define MAX_4DIGIT 253402300799LL       /* 9999-12-31T23:59:59Z */

static void check_time(const char *s, size_t len)
{
    struct rd_error err = {0};
    int64_t t, again;
    char buf[40];
    int n;

    if (rd_time_parse(s, len, &t, &err) != RD_OK) {
        if (err.code != RD_EINVAL || !strstr(err.msg, "is not a valid time"))
            abort();
        return;
    }
    n = rd_time_format(t, buf, sizeof buf);
    if (n < 20 || (size_t)n >= sizeof buf || strlen(buf) != (size_t)n || buf[n - 1] != 'Z')
        abort();
    if (n != 20) {
        /* an offset can carry 0000-01-01 or 9999-12-31 out of four-digit years */
        if (t >= MIN_4DIGIT && t <= MAX_4DIGIT)
            abort();
        return;
    }
    if (rd_time_parse(buf, (size_t)n, &again, &err) != RD_OK || again != t)
        abort();
    /* a canonical input (no fraction, no offset, no leap second) comes back as is */
    if (len == 20 && s[10] == 'T' && s[19] == 'Z' && memcmp(s + 17, "60", 2) != 0 &&
        memcmp(s, buf, 20) != 0)
        abort();
}

static void check_date(const char *s, size_t len)
{
    struct rd_error err = {0};
    int32_t day, again;
    char buf[16];
    int n;

    if (rd_date_parse(s, len, &day, &err) != RD_OK) {
        if (err.code != RD_EINVAL || !strstr(err.msg, "YYYY-MM-DD"))
            abort();
        return;
    }
    n = rd_date_format(day, buf, sizeof buf);
    if (n != 10 || len != 10 || memcmp(buf, s, 10) != 0)
        abort();
    if (rd_date_parse(buf, (size_t)n, &again, &err) != RD_OK || again != day)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's buffer is exactly size bytes with no NUL: ASan catches any
     * read past len */
    check_time((const char *)data, size);
    check_date((const char *)data, size);
    return 0;
}
