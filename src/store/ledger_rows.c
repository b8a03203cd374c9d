/*
 * ledger_rows.c - what both backends do alike with the hierarchy's rows:
 * the stored text of types, states and kinds read back, and refused with
 * the row named when it is not text this riskdesk wrote, and the
 * transaction level each write takes (ledger_sql.h).
 */
#include "store/ledger_sql.h"
#include "store/audit_int.h"

#include "riskdesk/banned.h"

int rd_store_node_read(struct rd_hier_node_row *n, const char *type, const char *state,
                       struct rd_error *err)
{
    if (rd_node_type_parse(type, &n->type) || rd_node_state_parse(state, &n->state))
        return rd_error_set(err, RD_ESTORE, "hier_nodes: node \"%s\": type \"%.16s\" or state "
                            "\"%.16s\" is not one riskdesk knows", n->account, type, state);
    return RD_OK;
}

int rd_store_state_read(struct rd_hier_state_row *t, const char *from, const char *to,
                        struct rd_error *err)
{
    if (rd_node_state_parse(from, &t->from) || rd_node_state_parse(to, &t->to))
        return rd_error_set(err, RD_ESTORE, "hier_states %lld: state \"%.16s\" or \"%.16s\" is "
                            "not one riskdesk knows", (long long)t->id, from, to);
    return RD_OK;
}

int rd_store_txn_read(struct rd_ledger_txn *t, const char *kind, struct rd_error *err)
{
    if (rd_ledger_kind_parse(kind, &t->kind))
        return rd_error_set(err, RD_ESTORE, "ledger_txns %lld: kind \"%.16s\" is not one "
                            "riskdesk knows", (long long)t->id, kind);
    return RD_OK;
}

int rd_store_ledger_names(const struct rd_hier_node_row *n, const char **type,
                          const char **state, struct rd_error *err)
{
    *type = rd_node_type_name(n->type);
    *state = rd_node_state_name(n->state);
    if (!*type || !*state)
        return rd_error_set(err, RD_EINVAL, "node %.64s: unknown type or state", n->account);
    return RD_OK;
}

int rd_store_ledger_tx(struct rd_store *s, int (*write)(struct rd_store *, void *, struct rd_error *),
                       void *arg, struct rd_error *err)
{
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = write(s, arg, err);
    if (rc == RD_EEXIST) {
        /* nothing was written: end this level without failing the caller's */
        struct rd_error sub = {0};
        int crc = s->ops->commit(s, &sub);

        return crc ? rd_error_set(err, crc, "%s", sub.msg) : RD_EEXIST;
    }
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s, err);
}

struct txn_args {
    struct rd_ledger_txn *t;
    struct rd_ledger_entry *e;
    size_t n;
    int (*write)(struct rd_store *, struct rd_ledger_txn *, struct rd_ledger_entry *, size_t,
                 struct rd_error *);
};

static int txn_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct txn_args *a = arg;
    int rc = a->write(s, a->t, a->e, a->n, err);

    return rc ? rc : rd_audit_txn(s, a->t, a->e, a->n, err);
}

int rd_store_ledger_txn_add(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                            size_t n,
                            int (*write)(struct rd_store *, struct rd_ledger_txn *,
                                         struct rd_ledger_entry *, size_t, struct rd_error *),
                            struct rd_error *err)
{
    struct txn_args a = {t, e, n, write};

    if (!rd_ledger_kind_name(t->kind))
        return rd_error_set(err, RD_EINVAL, "txn_add: %.128s: unknown kind", t->key);
    return rd_store_ledger_tx(s, txn_write, &a, err);
}

struct state_args {
    struct rd_hier_state_row *t;
    int (*write)(struct rd_store *, void *, struct rd_error *);
};

static int state_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct state_args *a = arg;
    int rc = a->write(s, a->t, err);

    return rc ? rc : rd_audit_state(s, a->t, err);
}

int rd_store_ledger_state_add(struct rd_store *s, struct rd_hier_state_row *t,
                              int (*write)(struct rd_store *, void *, struct rd_error *),
                              struct rd_error *err)
{
    struct state_args a = {t, write};

    if (!rd_node_state_name(t->from) || !rd_node_state_name(t->to))
        return rd_error_set(err, RD_EINVAL, "state_add: %.64s: unknown state", t->account);
    return rd_store_ledger_tx(s, state_write, &a, err);
}
