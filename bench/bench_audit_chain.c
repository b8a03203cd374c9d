/*
 * bench_audit_chain: the audit chain's CPU a record, one part at a time, in
 * memory (no store): a decision's canonical form hashed (rd_audit_decision_hash,
 * with a verdicts text of 800 bytes, about what the shipped limits' 20 gates
 * store), an entry's own hash (rd_audit_entry_hash) and a commit's 1,000
 * entries written as their pack's text (rd_audit_pack_encode), beside SHA-256
 * alone over as many bytes, which no change to how the forms are written can
 * save. CPU time of the process, best of 5 (the machine is shared);
 * docs/benchmarks.md, "The audit trail".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"

#define ROUNDS 5
#define PACK 1000

static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct rd_decision_row row;
static char verdicts[801];
static struct rd_audit_entry entries[PACK];

static void setup(void)
{
    memset(verdicts, 'v', sizeof verdicts - 1);
    memcpy(verdicts, "v1;", 3);
    snprintf(row.account, sizeof row.account, "bench");
    snprintf(row.rec_id, sizeof row.rec_id, "b0012345");
    row.decided_at = 1795188600;
    row.d.first_failed = RD_GATE_COUNT;
    row.d.budget = 41800000;
    row.d.unit_risk = 1000000;
    row.d.unit_cost = 2000000;
    row.d.risk_pct = 200;
    for (int i = 0; i < PACK; i++) {
        struct rd_audit_entry *e = &entries[i];

        snprintf(e->chain, sizeof e->chain, "account:bench");
        e->seq = 100000 + i;
        e->at = 1795188600 + i / 100;
        snprintf(e->actor, sizeof e->actor, "dispatcher:bench");
        snprintf(e->kind, sizeof e->kind, "decision");
        snprintf(e->subject, sizeof e->subject, "%d", 12000 + i);
        rd_sha256_hex(&i, sizeof i, e->record_hash);
        memcpy(e->prev_hash, i ? entries[i - 1].hash : RD_AUDIT_ZERO_HASH, RD_SHA256_HEX);
        rd_audit_entry_hash(e, e->hash);
    }
}

static void decision_hash(long i)
{
    char hex[RD_SHA256_HEX];

    row.id = i;
    rd_audit_decision_hash(&row, verdicts, hex);
}

static void entry_hash(long i)
{
    char hex[RD_SHA256_HEX];

    rd_audit_entry_hash(&entries[i % PACK], hex);
}

static void pack_encode(long i)
{
    struct rd_error err = {0};
    char *text;
    size_t len;

    (void)i;
    if (rd_audit_pack_encode(entries, PACK, &text, &len, &err) != RD_OK) {
        fprintf(stderr, "bench_audit_chain: %s\n", err.msg);
        return;
    }
    rd_free(text);
}

static unsigned char data[1024];

static void sha_1024(long i)
{
    char hex[RD_SHA256_HEX];

    (void)i;
    rd_sha256_hex(data, sizeof data, hex);
}

static void sha_288(long i)
{
    char hex[RD_SHA256_HEX];

    (void)i;
    rd_sha256_hex(data, 288, hex);
}

/* fn run n times a round; the best round's ns a call, over per calls */
static void bench(const char *label, void (*fn)(long), long n, long per)
{
    double best = 1e9;

    for (int r = 0; r < ROUNDS; r++) {
        double t0 = cpu_seconds(), t;

        for (long i = 0; i < n; i++)
            fn(i);
        t = cpu_seconds() - t0;
        if (t < best)
            best = t;
    }
    printf("%-46s %10.0f ns\n", label, best * 1e9 / (double)(n * per));
}

int main(void)
{
    setup();
    bench("decision's form hashed (800 B of verdicts)", decision_hash, 200000, 1);
    bench("entry's own hash", entry_hash, 200000, 1);
    bench("entry in its pack's text (1,000 a pack)", pack_encode, 200, PACK);
    bench("SHA-256 alone, 1,024 bytes (a decision's form)", sha_1024, 200000, 1);
    bench("SHA-256 alone, 288 bytes (an entry's form)", sha_288, 200000, 1);
    return 0;
}
