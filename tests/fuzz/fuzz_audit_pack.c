/*
 * fuzz_audit_pack - rd_audit_pack_visit on arbitrary bytes: the stored text
 * of a pack of audit entries (docs/audit.md, "Storage"). Whatever reads must
 * write back (rd_audit_pack_encode) to a text that reads to the same entries;
 * whatever does not must say why with RD_ESTORE naming the pack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 64
#define PREV "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct seen {
    struct rd_audit_entry e[MAX];
    size_t n;
};

static int see(void *ctx, const struct rd_audit_entry *e)
{
    struct seen *s = ctx;

    if (s->n == MAX)
        return 1;
    s->e[s->n++] = *e;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seen a, b;
    struct rd_error err = {0};
    char *text;
    size_t len;
    int rc;

    a.n = b.n = 0;
    rc = rd_audit_pack_visit("firm", PREV, (const char *)data, size, INT64_MIN, see, &a, &err);
    if (rc == 1 || (rc == RD_OK && a.n == 0))
        return 0;                 /* too many entries to keep, or none */
    if (rc != RD_OK) {
        if (rc != RD_ESTORE || !strstr(err.msg, "audit pack of firm"))
            abort();
        return 0;
    }
    rc = rd_audit_pack_encode(a.e, a.n, &text, &len, &err);
    if (rc == RD_EINVAL)          /* a text that is not UTF-8 (JSON allows escaped surrogates) */
        return 0;
    if (rc != RD_OK ||
        rd_audit_pack_visit("firm", PREV, text, len, INT64_MIN, see, &b, &err) != RD_OK ||
        b.n != a.n || memcmp(a.e, b.e, a.n * sizeof a.e[0]) != 0)
        abort();
    rd_free(text);
    return 0;
}
