/*
 * fuzz_audit_entry - rd_audit_entry_parse on arbitrary bytes: an audit
 * entry's line (docs/audit.md). Whatever parses must pass the entry check,
 * print back to a line that parses to the same entry, and hash the same
 * after the round trip; whatever does not must say why with RD_EINVAL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/audit_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_audit_entry e, again;
    struct rd_error err = {0};
    char line[1024], h1[RD_SHA256_HEX], h2[RD_SHA256_HEX];
    int n;

    if (rd_audit_entry_parse((const char *)data, size, &e, &err) != RD_OK) {
        if (err.code != RD_EINVAL || !strstr(err.msg, "audit entry"))
            abort();
        return 0;
    }
    if (rd_audit_entry_check(&e, &err) != RD_OK)
        abort();
    n = snprintf(line, sizeof line, "%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s", e.chain,
                 (long long)e.seq, (long long)e.at, e.actor, e.kind, e.subject, e.record_hash,
                 e.prev_hash, e.hash);
    if (n < 0 || (size_t)n >= sizeof line)
        abort();
    if (rd_audit_entry_parse(line, (size_t)n, &again, &err) != RD_OK ||
        memcmp(&e, &again, sizeof e) != 0)
        abort();
    rd_audit_entry_hash(&e, h1);
    rd_audit_entry_hash(&again, h2);
    if (strcmp(h1, h2) != 0 || !rd_audit_hash_valid(h1))
        abort();
    return 0;
}
