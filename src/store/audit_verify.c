/*
 * audit_verify.c - rd_audit_verify (audit.h): walks each chain's links, then
 * re-hashes the records the chain covers against the last entry of each, and
 * looks for records no entry covers (docs/audit.md, "Verifying"); and the
 * genesis of an old database's chains (audit_int.h), which walks the same
 * records to note an entry for each.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* What verify keeps of an entry. */
struct link {
    int64_t seq;
    char kind[RD_AUDIT_KIND_MAX];
    char subject[RD_AUDIT_SUBJECT_MAX];
    char record_hash[RD_SHA256_HEX];
    int seen;                 /* a record matched it */
};

struct walk {
    struct rd_store *s;
    const char *chain;
    const char *anchor;
    struct link *v;
    size_t n, cap;
    struct rd_audit_entry last;   /* seq 0: none yet */
    struct rd_audit_problem *probs;   /* the records' problems, reported after the links */
    size_t nprobs, capprobs;
    int (*problem)(void *ctx, const struct rd_audit_problem *p);
    void *ctx;
    struct rd_audit_summary *sum;
    int nomem;
    int genesis;              /* note an entry for each record instead of checking it */
    int note_rc;              /* genesis: the first failed note */
    struct rd_error *err;
};

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    void *p;
    size_t c;

    if (n < *cap)
        return 1;
    c = *cap ? 2 * *cap : 64;
    p = rd_realloc(*v, c * size);
    if (!p)
        return 0;
    *v = p;
    *cap = c;
    return 1;
}

static void set_problem(struct rd_audit_problem *p, const char *chain, int64_t seq,
                        const char *kind, const char *subject)
{
    memset(p, 0, sizeof *p);
    snprintf(p->chain, sizeof p->chain, "%s", chain);
    p->seq = seq;
    snprintf(p->kind, sizeof p->kind, "%s", kind);
    snprintf(p->subject, sizeof p->subject, "%s", subject);
}

static void report(struct walk *w, struct rd_audit_problem *p)
{
    w->sum->problems++;
    if (w->problem)
        w->problem(w->ctx, p);
}

/* A problem of a record, kept to report in seq order after the links. */
static void record_problem(struct walk *w, int64_t seq, const char *kind, const char *subject,
                           const char *what)
{
    struct rd_audit_problem *p;

    if (!grow((void **)&w->probs, &w->capprobs, w->nprobs, sizeof *w->probs)) {
        w->nomem = 1;
        return;
    }
    p = &w->probs[w->nprobs++];
    set_problem(p, w->chain, seq, kind, subject);
    snprintf(p->what, sizeof p->what, "%s", what);
}

static int visit_entry(void *ctx, const struct rd_audit_entry *e)
{
    struct walk *w = ctx;
    struct rd_audit_problem p;
    char hash[RD_SHA256_HEX];
    struct rd_error cerr;
    int64_t want = w->last.seq + 1;
    const char *prev = w->last.seq ? w->last.hash : RD_AUDIT_ZERO_HASH;

    w->sum->entries++;
    set_problem(&p, e->chain, e->seq, e->kind, e->subject);
    if (rd_audit_entry_check(e, &cerr) != RD_OK) {
        snprintf(p.what, sizeof p.what, "the entry is malformed: %s", cerr.msg);
        report(w, &p);
    } else if (e->seq != want) {
        snprintf(p.what, sizeof p.what,
                 "entry #%" PRId64 " follows #%" PRId64 ": entries were deleted or inserted",
                 e->seq, w->last.seq);
        report(w, &p);
    } else if (strcmp(e->prev_hash, prev) != 0) {
        snprintf(p.what, sizeof p.what,
                 "its prev_hash %.12s... is not the hash of entry #%" PRId64 " (%.12s...)",
                 e->prev_hash, w->last.seq, prev);
        report(w, &p);
    } else {
        rd_audit_entry_hash(e, hash);
        if (strcmp(hash, e->hash) != 0) {
            snprintf(p.what, sizeof p.what,
                     "the entry was edited: its fields hash to %.12s..., it says %.12s...",
                     hash, e->hash);
            report(w, &p);
        }
    }
    if (w->anchor && strcmp(w->anchor, e->hash) == 0)
        w->sum->anchor_found = 1;
    w->last = *e;
    if (!grow((void **)&w->v, &w->cap, w->n, sizeof *w->v)) {
        w->nomem = 1;
        return 1;
    }
    w->v[w->n].seq = e->seq;
    snprintf(w->v[w->n].kind, sizeof w->v[w->n].kind, "%s", e->kind);
    snprintf(w->v[w->n].subject, sizeof w->v[w->n].subject, "%s", e->subject);
    memcpy(w->v[w->n].record_hash, e->record_hash, RD_SHA256_HEX);
    w->v[w->n].seen = 0;
    w->n++;
    return 0;
}

/* By kind, subject, then seq descending: the latest entry of a record first. */
static int by_subject(const void *a, const void *b)
{
    const struct link *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);

    if (!c)
        c = strcmp(x->subject, y->subject);
    return c ? c : (x->seq < y->seq) - (x->seq > y->seq);
}

/* The latest entry of (kind, subject), or NULL. */
static struct link *latest(struct walk *w, const char *kind, const char *subject)
{
    struct link key;
    size_t lo = 0, hi = w->n;

    memset(&key, 0, sizeof key);
    snprintf(key.kind, sizeof key.kind, "%s", kind);
    snprintf(key.subject, sizeof key.subject, "%s", subject);
    key.seq = INT64_MAX;
    /* the first at or after key: bsearch cannot find a lower bound */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (by_subject(&w->v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < w->n && strcmp(w->v[lo].kind, kind) == 0 && strcmp(w->v[lo].subject, subject) == 0)
        return &w->v[lo];
    return NULL;
}

/* One record as it is now, against the chain. */
static void check_record(struct walk *w, const char *kind, const char *subject,
                         const char hex[RD_SHA256_HEX])
{
    struct link *l;
    char what[200];

    w->sum->records++;
    if (w->genesis) {
        if (w->note_rc == RD_OK)
            w->note_rc = rd_audit_note(w->s, w->chain, kind, subject, hex, w->err);
        return;
    }
    l = latest(w, kind, subject);
    if (!l) {
        record_problem(w, 0, kind, subject,
                       "the record has no audit entry: it was inserted outside riskdesk");
        return;
    }
    l->seen = 1;
    if (strcmp(l->record_hash, hex) != 0) {
        snprintf(what, sizeof what, "the record was changed after its last entry: it hashes "
                 "to %.12s... now, the entry holds %.12s...", hex, l->record_hash);
        record_problem(w, l->seq, kind, subject, what);
    }
}

/* A record whose subject is a number (its id). */
static int check_id(struct walk *w, const char *kind, int64_t id, const char hex[RD_SHA256_HEX])
{
    char text[24];

    rd_audit_i64_text(id, text);
    check_record(w, kind, text, hex);
    return 0;
}

/* A record whose subject is a text field of n bytes (it may lack its NUL). */
static int check_named(struct walk *w, const char *kind, const char *field, size_t n,
                       const char hex[RD_SHA256_HEX])
{
    char text[RD_AUDIT_SUBJECT_MAX];

    snprintf(text, sizeof text, "%.*s", (int)strnlen(field, n), field);
    check_record(w, kind, text, hex);
    return 0;
}

static int on_decision(void *ctx, const struct rd_decision_row *r)
{
    char hex[RD_SHA256_HEX];

    rd_audit_decision_hash(r, NULL, hex);
    return check_id(ctx, "decision", r->id, hex);
}

static int on_order(void *ctx, const struct rd_order_row *o)
{
    char hex[RD_SHA256_HEX];

    rd_audit_order_hash(o, hex);
    return check_named(ctx, "order", o->client_order_id, sizeof o->client_order_id, hex);
}

static int on_state(void *ctx, const struct rd_hier_state_row *t)
{
    char hex[RD_SHA256_HEX];

    rd_audit_state_hash(t, hex);
    return check_id(ctx, "hier_state", t->id, hex);
}

static int on_token(void *ctx, const struct rd_token_row *t)
{
    char hex[RD_SHA256_HEX];

    rd_audit_token_hash(t, hex);
    return check_id(ctx, "token", t->id, hex);
}

static int on_user(void *ctx, const struct rd_user_row *u)
{
    char hex[RD_SHA256_HEX];

    rd_audit_user_hash(u, hex);
    return check_named(ctx, "user", u->id, sizeof u->id, hex);
}

static int on_assignment(void *ctx, const struct rd_assignment_row *a)
{
    char hex[RD_SHA256_HEX];

    rd_audit_assignment_hash(a, hex);
    return check_id(ctx, "assignment", a->id, hex);
}

/* The API's definition of the chain's account (walk.chain "account:NAME"). */
static int on_def(void *ctx, const struct rd_account_def_row *a)
{
    struct walk *w = ctx;
    const char *name = w->chain + 8;
    char hex[RD_SHA256_HEX];

    if (strncmp(a->name, name, sizeof a->name) != 0)
        return 0;
    rd_audit_account_def_hash(a, hex);
    check_record(w, "account_def", name, hex);
    return 0;
}

static int on_event(void *ctx, const struct rd_admin_event_row *e)
{
    char hex[RD_SHA256_HEX];

    rd_audit_event_hash(e, hex);
    return check_id(ctx, "admin_event", e->id, hex);
}

/* The admin events of account ("" the firm's), on a store that keeps them. */
static int check_events(struct walk *w, const char *account, struct rd_error *err)
{
    const struct rd_store_audit_ops *a = w->s->ops->audit;

    return a->version >= 2 ? a->event_list(w->s, account, on_event, w, err) : RD_OK;
}

/* Ledger transactions' keys, read first: each is then read whole. */
struct keys {
    char (*k)[RD_LEDGER_KEY_MAX];
    size_t n, cap;
    int nomem;
};

static int on_txn(void *ctx, const struct rd_ledger_txn *t)
{
    struct keys *k = ctx;

    if (!grow((void **)&k->k, &k->cap, k->n, sizeof *k->k)) {
        k->nomem = 1;
        return 1;
    }
    memcpy(k->k[k->n++], t->key, sizeof t->key);
    return 0;
}

static int check_ledger(struct walk *w, struct rd_error *err)
{
    struct keys k = {0};
    struct rd_ledger_entry e[64];
    int rc = w->s->ops->ledger->txn_list(w->s, NULL, on_txn, &k, err);

    if (rc == RD_OK && k.nomem)
        rc = rd_error_set(err, RD_ENOMEM, "audit verify: ledger transactions");
    for (size_t i = 0; rc == RD_OK && i < k.n; i++) {
        struct rd_ledger_txn t;
        char hex[RD_SHA256_HEX], key[RD_LEDGER_KEY_MAX + 1];
        size_t n = 0;

        rc = w->s->ops->ledger->txn_get(w->s, k.k[i], &t, e, sizeof e / sizeof e[0], &n, err);
        if (rc)
            break;
        if (n > sizeof e / sizeof e[0])
            n = sizeof e / sizeof e[0];
        rd_audit_txn_hash(&t, e, n, hex);
        snprintf(key, sizeof key, "%.*s", (int)strnlen(k.k[i], RD_LEDGER_KEY_MAX), k.k[i]);
        check_record(w, "ledger_txn", key, hex);
    }
    rd_free(k.k);
    return rc;
}

static int check_records(struct walk *w, const char *account, struct rd_error *err)
{
    struct rd_store *s = w->s;
    int rc;

    if (account) {
        rc = s->ops->trading->decision_list(s, account, 0, on_decision, w, err);
        if (rc == RD_OK)
            rc = s->ops->trading->order_list(s, account, -1, on_order, w, err);
        if (rc == RD_OK && s->ops->ledger)
            rc = s->ops->ledger->state_list(s, account, on_state, w, err);
        if (rc == RD_OK)
            rc = s->ops->api->account_def_list(s, on_def, w, err);
        if (rc == RD_OK)
            rc = check_events(w, account, err);
        return rc;
    }
    rc = s->ops->api->token_list(s, on_token, w, err);
    if (rc == RD_OK)
        rc = s->ops->api->user_list(s, on_user, w, err);
    if (rc == RD_OK)
        rc = s->ops->api->assignment_list(s, NULL, NULL, 0, on_assignment, w, err);
    if (rc == RD_OK && s->ops->ledger)
        rc = check_ledger(w, err);
    if (rc == RD_OK)
        rc = check_events(w, "", err);
    return rc;
}

static int by_seq(const void *a, const void *b)
{
    const struct rd_audit_problem *x = a, *y = b;
    uint64_t sx = (uint64_t)x->seq - 1, sy = (uint64_t)y->seq - 1;   /* 0 (no entry) last */
    int c = (sx > sy) - (sx < sy);

    return c ? c : strcmp(x->subject, y->subject);
}

static int verify_chain(struct walk *w, const char *account, struct rd_error *err)
{
    char chain[RD_AUDIT_CHAIN_MAX];
    int rc = rd_audit_chain_name(account, chain, err);

    if (rc)
        return rc;
    w->chain = chain;
    w->n = 0;
    w->nprobs = 0;
    memset(&w->last, 0, sizeof w->last);
    w->sum->chains++;
    rc = w->s->ops->audit->list(w->s, chain, 1, visit_entry, w, err);
    if (rc == RD_OK && !w->nomem) {
        if (w->n)
            qsort(w->v, w->n, sizeof *w->v, by_subject);
        rc = check_records(w, account, err);
    }
    for (size_t i = 0; rc == RD_OK && !w->nomem && i < w->n; i++) {
        /* only the latest entry of each record is matched against it */
        if (i > 0 && strcmp(w->v[i].kind, w->v[i - 1].kind) == 0 &&
            strcmp(w->v[i].subject, w->v[i - 1].subject) == 0)
            continue;
        if (!w->v[i].seen)
            record_problem(w, w->v[i].seq, w->v[i].kind, w->v[i].subject,
                           "the record is gone: it was deleted after its last entry");
    }
    if (rc == RD_OK && w->nomem)
        rc = rd_error_set(err, RD_ENOMEM, "audit verify: chain %s", chain);
    if (rc == RD_OK) {
        if (w->nprobs)
            qsort(w->probs, w->nprobs, sizeof *w->probs, by_seq);
        for (size_t i = 0; i < w->nprobs; i++)
            report(w, &w->probs[i]);
    }
    return rc;
}

/* The accounts to verify: those with a chain, and those the store knows. */
struct names {
    char (*v)[64];
    size_t n, cap;
    int nomem;
};

static void add_name(struct names *nm, const char *name, size_t len)
{
    for (size_t i = 0; i < nm->n; i++)
        if (strlen(nm->v[i]) == len && memcmp(nm->v[i], name, len) == 0)
            return;
    if (len >= sizeof nm->v[0] || !grow((void **)&nm->v, &nm->cap, nm->n, sizeof *nm->v)) {
        nm->nomem = 1;
        return;
    }
    memcpy(nm->v[nm->n], name, len);
    nm->v[nm->n++][len] = '\0';
}

static int on_head(void *ctx, const struct rd_audit_entry *e)
{
    static const char acct[] = "account:";

    if (strncmp(e->chain, acct, sizeof acct - 1) == 0)
        add_name(ctx, e->chain + sizeof acct - 1, strlen(e->chain + sizeof acct - 1));
    return 0;
}

static int on_account(void *ctx, const struct rd_account_row *a)
{
    add_name(ctx, a->name, strnlen(a->name, sizeof a->name));
    return 0;
}

static int on_def_name(void *ctx, const struct rd_account_def_row *a)
{
    add_name(ctx, a->name, strnlen(a->name, sizeof a->name));
    return 0;
}

/* Every account the store knows: its dispatchers' and the API's. */
static int known_accounts(struct rd_store *s, struct names *nm, struct rd_error *err)
{
    int rc = s->ops->trading->account_list(s, on_account, nm, err);

    if (rc == RD_OK)
        rc = s->ops->api->account_def_list(s, on_def_name, nm, err);
    if (rc == RD_OK && nm->nomem)
        rc = rd_error_set(err, RD_ENOMEM, "audit: the accounts");
    return rc;
}

/* The accounts whose chains have no entry yet, and the firm's. */
static int genesis_chains(struct rd_store *s, struct walk *w, struct names *nm,
                          struct rd_error *err)
{
    char chain[RD_AUDIT_CHAIN_MAX];
    struct rd_audit_entry head;
    int rc = known_accounts(s, nm, err);

    for (size_t i = 0; rc == RD_OK && i <= nm->n; i++) {
        const char *account = i < nm->n ? nm->v[i] : NULL;

        rc = rd_audit_chain_name(account, chain, err);
        if (rc == RD_OK)
            rc = s->ops->audit->head(s, chain, &head, err);
        if (rc == RD_OK)
            continue;           /* chained already */
        if (rc != RD_ENOTFOUND)
            break;
        w->chain = chain;
        rc = check_records(w, account, err);
        if (rc == RD_OK)
            rc = w->note_rc;
    }
    return rc;
}

int rd_audit_genesis(struct rd_store *s, struct rd_error *err)
{
    struct rd_audit_summary sum;
    struct walk w = {.s = s, .sum = &sum, .genesis = 1, .err = err};
    struct names nm = {0};
    char *mark = NULL, at[24];
    int rc;

    if (!s->ops->audit)
        return RD_OK;
    rc = s->ops->trading->kv_get(s, "audit", "genesis", &mark, err);
    rd_free(mark);
    if (rc != RD_ENOTFOUND)
        return rc;
    rc = s->ops->begin(s, err);
    if (rc)
        return rc;
    snprintf(at, sizeof at, "%lld", (long long)time(NULL));
    rc = s->ops->trading->kv_put(s, "audit", "genesis", at, 1, err);
    if (rc == RD_EEXIST) {      /* another process did it first */
        s->ops->commit(s, NULL);
        return RD_OK;
    }
    if (rc == RD_OK) {
        char actor[RD_AUDIT_ACTOR_MAX];

        snprintf(actor, sizeof actor, "%s", s->actor);
        rd_audit_actor_set(s, "genesis");
        rc = genesis_chains(s, &w, &nm, err);
        rd_audit_actor_set(s, actor);
    }
    rd_free(nm.v);
    if (rc) {
        s->ops->rollback(s);
        return rd_error_prefix(err, "audit genesis");
    }
    return s->ops->commit(s, err);
}

int rd_audit_verify(struct rd_store *s, const char *account, const char *anchor,
                    int (*problem)(void *ctx, const struct rd_audit_problem *p), void *ctx,
                    struct rd_audit_summary *sum, struct rd_error *err)
{
    struct walk w = {.s = s, .anchor = anchor, .problem = problem, .ctx = ctx, .sum = sum};
    struct names nm = {0};
    int rc = RD_OK;

    memset(sum, 0, sizeof *sum);
    if (!s->ops->audit)
        return rd_error_set(err, RD_EUNSUPPORTED, "audit verify: the %s store keeps no audit trail",
                            s->ops->name);
    if (account) {
        add_name(&nm, account, strlen(account));
    } else {
        rc = s->ops->audit->heads(s, on_head, &nm, err);
        if (rc == RD_OK)
            rc = known_accounts(s, &nm, err);
    }
    for (size_t i = 0; rc == RD_OK && i < nm.n; i++)
        rc = verify_chain(&w, nm.v[i], err);
    if (rc == RD_OK && !account)
        rc = verify_chain(&w, NULL, err);
    if (rc == RD_OK && anchor && !sum->anchor_found) {
        struct rd_audit_problem p;

        char chain[RD_AUDIT_CHAIN_MAX];

        if (!account || rd_audit_chain_name(account, chain, NULL) != RD_OK)
            memcpy(chain, "(all)", 6);
        set_problem(&p, chain, 0, "anchor", anchor);
        snprintf(p.what, sizeof p.what,
                 "no entry of the chains walked has this hash: the chain it was the head of "
                 "was rewritten at or before it");
        report(&w, &p);
    }
    rd_free(w.v);
    rd_free(w.probs);
    rd_free(nm.v);
    return rc;
}
