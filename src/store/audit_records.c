/*
 * audit_records.c - the canonical form of each record the audit trail covers
 * (docs/audit.md, "Canonical forms"), and the notes the backends make when
 * they write one. The form is built from the row as the store keeps it, so
 * the same row read back later hashes the same on either backend.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define TEXT(c, name, f) rd_audit_canon_text((c), (name), (f), sizeof(f))

/* A build to measure the chain only (cmake -DRD_BENCH_NO_CHAIN=ON, which
 * bench/bench_audit.sh alone uses: docs/benchmarks.md, "The audit trail")
 * notes nothing: the writes below skip their record's hash, read-back and
 * entry, so it runs as if there were no audit trail. Never shipped. */
#ifdef RD_BENCH_NO_CHAIN
enum { CHAINED = 0 };
#else
enum { CHAINED = 1 };
#endif

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

void rd_audit_decision_hash(const struct rd_decision_row *r, const char *verdicts,
                            char hex[RD_SHA256_HEX])
{
    const struct rd_decision *d = &r->d;
    char encoded[RD_STORE_VERDICTS_MAX];
    struct rd_audit_canon c;

    if (!verdicts) {
        if (rd_store_verdicts_encode(d, &r->in, encoded, sizeof encoded, NULL) != RD_OK)
            encoded[0] = '\0';
        verdicts = encoded;
    }
    rd_audit_canon_init(&c, "decision");
    rd_audit_canon_i64(&c, "id", r->id);
    TEXT(&c, "account", r->account);
    TEXT(&c, "rec_id", r->rec_id);
    rd_audit_canon_i64(&c, "decided_at", r->decided_at);
    rd_audit_canon_i64(&c, "approved", d->approved);
    rd_audit_canon_i64(&c, "size", d->size);
    rd_audit_canon_str(&c, "first_failed",
                       d->first_failed == RD_GATE_COUNT ? "" : or_empty(rd_store_gate_name(d->first_failed)));
    rd_audit_canon_i64(&c, "budget", d->budget);
    rd_audit_canon_i64(&c, "unit_risk", d->unit_risk);
    rd_audit_canon_i64(&c, "unit_cost", d->unit_cost);
    rd_audit_canon_i64(&c, "risk_pct", d->risk_pct);
    rd_audit_canon_i64(&c, "kelly_used", d->kelly_used);
    rd_audit_canon_str(&c, "verdicts", verdicts);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_order_hash(const struct rd_order_row *o, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "order");
    TEXT(&c, "client_order_id", o->client_order_id);
    TEXT(&c, "account", o->account);
    TEXT(&c, "rec_id", o->rec_id);
    rd_audit_canon_i64(&c, "decision_id", o->decision_id);
    TEXT(&c, "symbol", o->symbol);
    TEXT(&c, "underlying", o->underlying);
    rd_audit_canon_str(&c, "side", or_empty(rd_store_side_name(o->side)));
    rd_audit_canon_str(&c, "intent", or_empty(rd_store_intent_name(o->intent)));
    rd_audit_canon_str(&c, "strategy", or_empty(rd_store_strategy_name(o->strategy)));
    rd_audit_canon_i64(&c, "qty", o->qty);
    rd_audit_canon_i64(&c, "multiplier", o->multiplier);
    rd_audit_canon_i64(&c, "ref_price", o->ref_price);
    rd_audit_canon_str(&c, "status", or_empty(rd_order_status_name(o->status)));
    TEXT(&c, "broker_order_id", o->broker_order_id);
    rd_audit_canon_i64(&c, "filled_qty", o->filled_qty);
    rd_audit_canon_i64(&c, "fill_price", o->fill_price);
    TEXT(&c, "reason", o->reason);
    rd_audit_canon_i64(&c, "created_at", o->created_at);
    rd_audit_canon_i64(&c, "updated_at", o->updated_at);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_state_hash(const struct rd_hier_state_row *t, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "hier_state");
    rd_audit_canon_i64(&c, "id", t->id);
    TEXT(&c, "account", t->account);
    rd_audit_canon_str(&c, "from", or_empty(rd_node_state_name(t->from)));
    rd_audit_canon_str(&c, "to", or_empty(rd_node_state_name(t->to)));
    TEXT(&c, "why", t->why);
    TEXT(&c, "who", t->who);
    rd_audit_canon_i64(&c, "op", t->op);
    rd_audit_canon_i64(&c, "at", t->at);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_txn_hash(const struct rd_ledger_txn *t, const struct rd_ledger_entry *e, size_t n,
                       char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "ledger_txn");
    rd_audit_canon_i64(&c, "id", t->id);
    TEXT(&c, "key", t->key);
    rd_audit_canon_str(&c, "kind", or_empty(rd_ledger_kind_name(t->kind)));
    TEXT(&c, "who", t->who);
    TEXT(&c, "why", t->why);
    rd_audit_canon_i64(&c, "op", t->op);
    rd_audit_canon_i64(&c, "at", t->at);
    rd_audit_canon_i64(&c, "entries", (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        TEXT(&c, "book", e[i].book);
        rd_audit_canon_i64(&c, "amount", e[i].amount);
    }
    rd_audit_canon_end(&c, hex);
}

void rd_audit_token_hash(const struct rd_token_row *t, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "token");
    rd_audit_canon_i64(&c, "id", t->id);
    TEXT(&c, "hash", t->hash);
    TEXT(&c, "prefix", t->prefix);
    TEXT(&c, "role", t->role);
    TEXT(&c, "user", t->user);
    TEXT(&c, "label", t->label);
    rd_audit_canon_i64(&c, "created_at", t->created_at);
    rd_audit_canon_i64(&c, "revoked_at", t->revoked_at);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_user_hash(const struct rd_user_row *u, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "user");
    TEXT(&c, "id", u->id);
    TEXT(&c, "display_name", u->display_name);
    TEXT(&c, "department", u->department);
    TEXT(&c, "slack_user_id", u->slack_user_id);
    TEXT(&c, "account", u->account);
    rd_audit_canon_i64(&c, "created_at", u->created_at);
    rd_audit_canon_i64(&c, "updated_at", u->updated_at);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_assignment_hash(const struct rd_assignment_row *a, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "assignment");
    rd_audit_canon_i64(&c, "id", a->id);
    TEXT(&c, "user", a->user);
    TEXT(&c, "account", a->account);
    TEXT(&c, "previous", a->previous);
    TEXT(&c, "strategy", a->strategy);
    TEXT(&c, "assigned_by", a->assigned_by);
    TEXT(&c, "reason", a->reason);
    rd_audit_canon_i64(&c, "at", a->at);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_account_def_hash(const struct rd_account_def_row *a, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "account_def");
    TEXT(&c, "name", a->name);
    TEXT(&c, "def", a->def);
    rd_audit_canon_i64(&c, "created_at", a->created_at);
    rd_audit_canon_i64(&c, "updated_at", a->updated_at);
    rd_audit_canon_i64(&c, "closed_at", a->closed_at);
    TEXT(&c, "closed_by", a->closed_by);
    rd_audit_canon_end(&c, hex);
}

void rd_audit_event_hash(const struct rd_admin_event_row *e, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "admin_event");
    rd_audit_canon_i64(&c, "id", e->id);
    TEXT(&c, "account", e->account);
    rd_audit_canon_i64(&c, "at", e->at);
    TEXT(&c, "actor", e->actor);
    TEXT(&c, "kind", e->kind);
    TEXT(&c, "detail", e->detail);
    rd_audit_canon_end(&c, hex);
}

/* ---- notes ---- */

static int note(struct rd_store *s, const char *account, size_t account_size, const char *kind,
                const char *subject, const char hex[RD_SHA256_HEX], struct rd_error *err)
{
    char chain[RD_AUDIT_CHAIN_MAX], name[96];
    size_t len = account ? strnlen(account, account_size) : 0;
    int rc;

    if (len >= sizeof name)
        len = sizeof name - 1;
    if (account) {
        memcpy(name, account, len);
        name[len] = '\0';
    }
    rc = rd_audit_chain_name(account ? name : NULL, chain, err);
    return rc ? rc : rd_audit_note(s, chain, kind, subject, hex, err);
}

static void id_text(int64_t id, char out[24])
{
    rd_audit_i64_text(id, out);
}

int rd_audit_decision(struct rd_store *s, const struct rd_decision_row *r, const char *verdicts,
                      struct rd_error *err)
{
    char hex[RD_SHA256_HEX], id[24];

    if (!CHAINED)
        return RD_OK;
    rd_audit_decision_hash(r, verdicts, hex);
    id_text(r->id, id);
    return note(s, r->account, sizeof r->account, "decision", id, hex, err);
}

int rd_audit_order(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    char hex[RD_SHA256_HEX], coid[sizeof o->client_order_id + 1];

    if (!CHAINED)
        return RD_OK;
    rd_audit_order_hash(o, hex);
    snprintf(coid, sizeof coid, "%.*s", (int)strnlen(o->client_order_id, sizeof o->client_order_id),
             o->client_order_id);
    return note(s, o->account, sizeof o->account, "order", coid, hex, err);
}

int rd_audit_state(struct rd_store *s, const struct rd_hier_state_row *t, struct rd_error *err)
{
    char hex[RD_SHA256_HEX], id[24];

    if (!CHAINED)
        return RD_OK;
    rd_audit_state_hash(t, hex);
    id_text(t->id, id);
    return note(s, t->account, sizeof t->account, "hier_state", id, hex, err);
}

int rd_audit_txn(struct rd_store *s, const struct rd_ledger_txn *t,
                 const struct rd_ledger_entry *e, size_t n, struct rd_error *err)
{
    char hex[RD_SHA256_HEX], key[sizeof t->key + 1];

    if (!CHAINED)
        return RD_OK;
    rd_audit_txn_hash(t, e, n, hex);
    snprintf(key, sizeof key, "%.*s", (int)strnlen(t->key, sizeof t->key), t->key);
    return note(s, NULL, 0, "ledger_txn", key, hex, err);
}

int rd_audit_event(struct rd_store *s, const struct rd_admin_event_row *e, struct rd_error *err)
{
    char hex[RD_SHA256_HEX], id[24];

    if (!CHAINED)
        return RD_OK;
    rd_audit_event_hash(e, hex);
    id_text(e->id, id);
    return note(s, e->account[0] ? e->account : NULL, sizeof e->account, "admin_event", id, hex,
                err);
}

int rd_audit_token(struct rd_store *s, const struct rd_token_row *t, struct rd_error *err)
{
    char hex[RD_SHA256_HEX], id[24];

    if (!CHAINED)
        return RD_OK;
    rd_audit_token_hash(t, hex);
    id_text(t->id, id);
    return note(s, NULL, 0, "token", id, hex, err);
}

struct token_find {
    int64_t id;
    struct rd_token_row row;
    int found;
};

static int find_token(void *ctx, const struct rd_token_row *t)
{
    struct token_find *f = ctx;

    if (t->id == f->id) {
        f->row = *t;
        f->found = 1;
    }
    return 0;
}

int rd_audit_token_changed(struct rd_store *s, int64_t id, struct rd_error *err)
{
    struct token_find f = {.id = id};
    int rc;

    if (!CHAINED)
        return RD_OK;
    rc = s->ops->api->token_list(s, find_token, &f, err);
    if (rc)
        return rc;
    if (!f.found)
        return rd_error_set(err, RD_ENOTFOUND, "audit: token %" PRId64 " is not in the store", id);
    return rd_audit_token(s, &f.row, err);
}

int rd_audit_user_changed(struct rd_store *s, const char *id, struct rd_error *err)
{
    struct rd_user_row u;
    char hex[RD_SHA256_HEX];
    int rc;

    if (!CHAINED)
        return RD_OK;
    rc = s->ops->api->user_get(s, id, &u, err);
    if (rc)
        return rc;
    rd_audit_user_hash(&u, hex);
    return note(s, NULL, 0, "user", id, hex, err);
}

static int newest_assignment(void *ctx, const struct rd_assignment_row *a)
{
    *(struct rd_assignment_row *)ctx = *a;
    return 0;
}

int rd_audit_assignment_added(struct rd_store *s, const char *user, struct rd_error *err)
{
    struct rd_assignment_row a = {.id = -1};
    char hex[RD_SHA256_HEX], id[24];
    int rc;

    if (!CHAINED)
        return RD_OK;
    rc = s->ops->api->assignment_list(s, user, NULL, 1, newest_assignment, &a, err);
    if (rc)
        return rc;
    if (a.id < 0)
        return rd_error_set(err, RD_ENOTFOUND, "audit: no assignment of \"%s\"", user);
    rd_audit_assignment_hash(&a, hex);
    id_text(a.id, id);
    rc = note(s, NULL, 0, "assignment", id, hex, err);
    return rc ? rc : rd_audit_user_changed(s, user, err);
}

int rd_audit_account_def_changed(struct rd_store *s, const struct rd_account_def_row *changed,
                                 struct rd_error *err)
{
    char name[sizeof changed->name + 1], hex[RD_SHA256_HEX];
    struct rd_account_def_row *a;
    int rc;

    if (!CHAINED)
        return RD_OK;
    a = rd_malloc(sizeof *a);   /* 8 KiB: off small stacks */
    if (!a)
        return rd_error_set(err, RD_ENOMEM, "audit: out of memory");
    snprintf(name, sizeof name, "%.*s", (int)strnlen(changed->name, sizeof changed->name),
             changed->name);
    rc = s->ops->api->account_def_get(s, name, a, err);
    if (rc == RD_OK)
        rd_audit_account_def_hash(a, hex);
    rd_free(a);
    if (rc == RD_ENOTFOUND)
        return rd_error_set(err, RD_ENOTFOUND, "audit: account definition \"%s\" is not in the "
                            "store", name);
    if (rc)
        return rc;
    return note(s, name, sizeof name, "account_def", name, hex, err);
}
