/*
 * store.h - riskdesk's storage, behind a table of function pointers picked by
 * URL ("sqlite:PATH", "postgres://user@host/db"). Every query about an account is
 * keyed by its name: one account's rows never answer another's question.
 *
 * Ownership: rd_store_open returns a handle released with rd_store_close.
 * Row structs are caller-owned, fixed-size, filled by the store. List functions
 * call a visitor per row (no allocation handed to the caller); a visitor that
 * returns nonzero stops the walk and that value is returned.
 * Strings copied into fixed fields are cut to fit, never overflowed.
 *
 * The operations come in sub-tables by concern, each after its rows: trading,
 * the HTTP API, traders, performance, maintenance, the hierarchy's ledger.
 */
#ifndef RISKDESK_STORE_H
#define RISKDESK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/audit_chain.h"
#include "riskdesk/consolidate.h"
#include "riskdesk/config.h"
#include "riskdesk/kv.h"
#include "riskdesk/error.h"
#include "riskdesk/fork.h"
#include "riskdesk/gates.h"
#include "riskdesk/hierarchy.h"
#include "riskdesk/ledger.h"
#include "riskdesk/money.h"
#include "riskdesk/order.h"
#include "riskdesk/pnl.h"
#include "riskdesk/rec.h"
#include "riskdesk/replay.h"

struct rd_store;

/* ---- the trading operations ---- */

/* The account as riskdesk records it (not the broker's numbers). */
struct rd_account_row {
    char name[64];
    char tier[16];                /* last tier used */
    enum rd_trading_state state;
    int32_t halted_until;         /* day number the halt ends before; 0 = none (admin halt: -1) */
    char state_reason[128];
    int64_t updated_at;
};

/* A decision as stored: the verdicts are kept in full, and with them what
 * the gates read (in.recorded = 0 for decisions stored before riskdesk kept
 * it; a row written with in.recorded = 0 keeps none). */
struct rd_decision_row {
    int64_t id;
    char account[64];
    char rec_id[RD_REC_ID_MAX];
    int64_t decided_at;
    struct rd_decision d;
    struct rd_decision_inputs in;
};

struct rd_order_row {
    char client_order_id[49];
    char account[64];
    char rec_id[RD_REC_ID_MAX];           /* the entry's recommendation ("" for none) */
    int64_t decision_id;                  /* 0 for exits */
    char symbol[RD_SYMBOL_MAX];
    char underlying[RD_UNDERLYING_MAX];
    enum rd_order_side side;
    enum rd_order_intent intent;
    enum rd_strategy strategy;
    int64_t qty;
    int64_t multiplier;                   /* 100 options, 1 stock */
    rd_money ref_price;                   /* price the decision was sized on */
    enum rd_order_status status;
    char broker_order_id[64];
    int64_t filled_qty;
    rd_money fill_price;
    char reason[256];                     /* broker's rejection, or why the exit was placed */
    int64_t created_at, updated_at;
};

/* An open position as riskdesk tracks it (entry time and strategy, which the
 * broker does not know). Synced against the broker each cycle. */
struct rd_position_row {
    char account[64];
    char symbol[RD_SYMBOL_MAX];
    char underlying[RD_UNDERLYING_MAX];
    enum rd_strategy strategy;
    int64_t qty;
    int64_t multiplier;
    rd_money avg_price;                   /* per share */
    int64_t opened_at;
    char rec_id[RD_REC_ID_MAX];
};

/* A closed round trip, for Kelly and the PDT guard. */
struct rd_trade_row {
    char account[64];
    char symbol[RD_SYMBOL_MAX];
    int64_t qty, multiplier;
    rd_money entry_price, exit_price;
    rd_money pnl;                         /* (exit - entry) x qty x multiplier */
    int64_t opened_at, closed_at;
    int day_trade;                        /* opened and closed on the same ET date */
};

/* What the gates need from the store about one account at `now`
 * (the dispatcher fills the broker's part of rd_account_view itself). */
struct rd_activity_query {
    const char *account;
    const char *underlying;
    const char *symbol;
    int64_t day_start;          /* Unix s of today's ET midnight */
    int64_t minute_ago;         /* now - 60 */
    int64_t pdt_since;          /* start of the PDT window */
    int64_t kelly_since;        /* start of the Kelly lookback */
    unsigned parts;             /* RD_ACT_* bits of what to count; 0 = all */
};
#define RD_ACT_ENTRIES 1u       /* entries_today, last_entry_at (needs underlying) */
#define RD_ACT_MINUTE 2u        /* orders_last_minute */
#define RD_ACT_TRADES 4u        /* day_trades and the closed-trade counts */
struct rd_activity {
    /* Entries are orders with intent entry that were not rejected or canceled. */
    int32_t entries_today;      /* entries in underlying since day_start */
    int64_t last_entry_at;      /* latest entry's created_at in underlying; 0 = none */
    int32_t orders_last_minute; /* orders of any kind since minute_ago */
    int32_t day_trades;         /* trades with day_trade = 1 closed since pdt_since */
    int32_t closed_trades, winning_trades;   /* closed since kelly_since; win = pnl > 0 */
    rd_money gross_wins, gross_losses;       /* sum of winning pnl, of |losing pnl| */
};

/* The trading operations: accounts, recommendations, decisions, orders,
 * positions, trades and the key-value space (sqlite.c, postgres_trading.c). */
struct rd_store_trading_ops {
    int version;             /* 1; grows with the table */

    int (*account_put)(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err);
    /* RD_ENOTFOUND when absent. */
    int (*account_get)(struct rd_store *s, const char *name, struct rd_account_row *a,
                       struct rd_error *err);
    int (*account_list)(struct rd_store *s, int (*visit)(void *ctx, const struct rd_account_row *),
                        void *ctx, struct rd_error *err);

    /* RD_EEXIST when the id is taken (the stored one is left as it was). */
    int (*rec_add)(struct rd_store *s, const struct rd_rec *r, struct rd_error *err);
    int (*rec_get)(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err);
    /* Recommendations for every account or for this one (rec.account) with no
     * decision for this account, in the order the store took them, at most max,
     * into out[0..*n). Every recommendation has a place in that order (a number
     * that only grows, never reused); only those after *mark are looked at
     * (0: all). On return *mark is where the next call may start once
     * out[0..*n) are decided: the place of out[max - 1] when *n == max, else the
     * last place taken when the call began (all up to it were looked at). A
     * recommendation stored while the call runs is after the new mark. A mark
     * past the last place taken (the newest recommendations were deleted) is
     * taken as 0. */
    int (*rec_undecided)(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                         struct rd_rec *out, size_t *n, struct rd_error *err);

    /* RD_EEXIST when (account, rec_id) is already decided; RD_ENOTFOUND when the
     * recommendation is not in the store. Sets row->id. */
    int (*decision_add)(struct rd_store *s, struct rd_decision_row *row, struct rd_error *err);
    /* Newest first (decided_at, then the order they were made, both descending:
     * the decisions of one cycle share decided_at); limit 0 = all. */
    int (*decision_list)(struct rd_store *s, const char *account, size_t limit,
                         int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                         struct rd_error *err);

    /* RD_EEXIST when the client order id exists; RD_ENOTFOUND when decision_id
     * (nonzero) names no decision. */
    int (*order_add)(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err);
    /* Writes what the broker changes: status, broker_order_id, filled_qty,
     * fill_price, reason, updated_at, of the order (client_order_id, account);
     * RD_ENOTFOUND when that account has no such order. */
    int (*order_update)(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err);
    int (*order_get)(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                     struct rd_error *err);
    /* status < 0 for all statuses; oldest first. */
    int (*order_list)(struct rd_store *s, const char *account, int status,
                      int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                      struct rd_error *err);

    /* Replaces (account, symbol); qty 0 deletes it. */
    int (*position_put)(struct rd_store *s, const struct rd_position_row *p, struct rd_error *err);
    int (*position_list)(struct rd_store *s, const char *account,
                         int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                         struct rd_error *err);
    int (*trade_add)(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err);

    /* Every "since" bound is inclusive (created_at >= day_start...). */
    int (*activity)(struct rd_store *s, const struct rd_activity_query *q, struct rd_activity *out,
                    struct rd_error *err);

    /*
     * A small key-value space for backends that keep state in the store (the
     * paper broker). kv_get: RD_ENOTFOUND when absent; *val is rd_malloc'ed,
     * the caller frees it. kv_put's only_new is one of kv.h's RD_KV_* (on
     * PostgreSQL the SHARED forms try a transaction-scoped lock on the key).
     */
    int (*kv_get)(struct rd_store *s, const char *ns, const char *key, char **val,
                  struct rd_error *err);
    int (*kv_put)(struct rd_store *s, const char *ns, const char *key, const char *val,
                  int only_new, struct rd_error *err);

    /* version 2 */
    /*
     * One cycle's decisions and their orders, in the caller's transaction, as
     * decision_add of rows[0..n) in order (each id set) with, after row i, the
     * orders j whose order_row[j] == i (order_row ascending), each taking
     * rows[i].id as its decision_id. Errors as decision_add and order_add for
     * the first row that fails; the caller then rolls back. PostgreSQL writes
     * them a multi-row statement a table per 1,000 rows instead of a
     * statement a row. Call it through rd_store_decisions_record.
     */
    int (*decisions_record)(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                            struct rd_order_row *orders, const size_t *order_row, size_t norders,
                            struct rd_error *err);
    /* activity's RD_ACT_ENTRIES for n underlyings at once: count[i] entries
     * since day_start and last_at[i] the latest (0 = none) in underlyings[i].
     * One query on PostgreSQL. Call it through rd_store_activity_entries. */
    int (*activity_entries)(struct rd_store *s, const char *account, int64_t day_start,
                            const char *const *underlyings, size_t n, int32_t *count,
                            int64_t *last_at, struct rd_error *err);

    /* version 3 */
    /* kv_get of keys[0..n) in ns at once: vals[i] is rd_malloc'ed for the
     * caller, or NULL when that key is absent; on an error every vals[i] is
     * NULL. One query on PostgreSQL. Call it through rd_store_kv_get_many. */
    int (*kv_get_many)(struct rd_store *s, const char *ns, const char *const *keys, size_t n,
                       char **vals, struct rd_error *err);

    /* version 4 */
    /* kv_put of keys[0..n) (distinct) in ns with vals[i], only_new RD_KV_REPLACE
     * or RD_KV_NEW (RD_EEXIST when any key was there; the caller then rolls
     * back). A statement per 1,000 keys on PostgreSQL. Call it through
     * rd_store_kv_put_many. */
    int (*kv_put_many)(struct rd_store *s, const char *ns, const char *const *keys,
                       const char *const *vals, size_t n, int only_new, struct rd_error *err);

    /* version 5 */
    /* order_update of orders[0..n) (distinct client order ids) at once, each
     * with its audit entry; RD_ENOTFOUND names the first order that is not
     * there (the caller then rolls back). A statement per 1,000 orders on
     * PostgreSQL. Call it through rd_store_order_update_many. */
    int (*order_update_many)(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                             struct rd_error *err);
    /* position_put of rows[0..n) (distinct (account, symbol)) at once. A
     * statement per 1,000 rows kept and one per 1,000 deleted on PostgreSQL.
     * Call it through rd_store_position_put_many. */
    int (*position_put_many)(struct rd_store *s, const struct rd_position_row *rows, size_t n,
                             struct rd_error *err);

    /* version 6 */
    /* kv_put of keys[0..n) (distinct) in ns with vals[i] in a shared mode,
     * RD_KV_SHARED or RD_KV_SHARED_NEW (kv.h), never waiting for another
     * transaction: written[i] is 1 when keys[i] was written, 0 when it was
     * left (another open transaction is writing it, or, SHARED_NEW, it was
     * there). A statement per 1,000 keys on PostgreSQL. Call it through
     * rd_store_kv_put_shared_many. */
    int (*kv_put_shared_many)(struct rd_store *s, const char *ns, const char *const *keys,
                              const char *const *vals, size_t n, int mode, int *written,
                              struct rd_error *err);

    /* version 7 */
    /* Waits at most timeout_ms for recommendations added through another
     * handle (their transaction committed); *woken 1 when told of some, 0
     * on the timeout or a signal. A first call subscribes the handle and
     * returns at once. Call it through rd_store_rec_wait. */
    int (*rec_wait)(struct rd_store *s, unsigned timeout_ms, int *woken, struct rd_error *err);
};

/*
 * The backend's decisions_record, or for a trading table older than version 2
 * the same written one decision_add and order_add at a time.
 */
int rd_store_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                              struct rd_order_row *orders, const size_t *order_row, size_t norders,
                              struct rd_error *err);
/* The backend's activity_entries, or activity once an underlying. */
int rd_store_activity_entries(struct rd_store *s, const char *account, int64_t day_start,
                              const char *const *underlyings, size_t n, int32_t *count,
                              int64_t *last_at, struct rd_error *err);
int rd_store_activity_entries_each(struct rd_store *s, const char *account, int64_t day_start,
                                   const char *const *underlyings, size_t n, int32_t *count,
                                   int64_t *last_at, struct rd_error *err);
/* The backend's kv_get_many, or for a trading table older than version 3
 * kv_get once a key. */
int rd_store_kv_get_many(struct rd_store *s, const char *ns, const char *const *keys, size_t n,
                         char **vals, struct rd_error *err);
int rd_store_kv_get_many_each(struct rd_store *s, const char *ns, const char *const *keys,
                              size_t n, char **vals, struct rd_error *err);
/* The backend's kv_put_many, or for a trading table older than version 4
 * kv_put once a key. */
/* The backend's order_update_many and position_put_many, or for a trading
 * table older than version 5 the same written a row at a time. Two rows of
 * one call naming the same order, or the same (account, symbol), are
 * RD_EINVAL and nothing is written. */
int rd_store_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                               struct rd_error *err);
int rd_store_position_put_many(struct rd_store *s, const struct rd_position_row *rows, size_t n,
                               struct rd_error *err);
int rd_store_kv_put_many(struct rd_store *s, const char *ns, const char *const *keys,
                         const char *const *vals, size_t n, int only_new, struct rd_error *err);
/* The backend's kv_put_shared_many, or for a trading table older than version
 * 6 kv_put once a key: an RD_EEXIST of SHARED_NEW is a key left, any other
 * success a key written (a store with one writer, as SQLite, leaves none
 * else). RD_EINVAL for another mode. */
int rd_store_kv_put_shared_many(struct rd_store *s, const char *ns, const char *const *keys,
                                const char *const *vals, size_t n, int mode, int *written,
                                struct rd_error *err);
/* The backend's rec_wait; RD_EUNSUPPORTED, waiting for nothing, for a
 * trading table older than version 7 (a looping caller sleeps instead). */
int rd_store_rec_wait(struct rd_store *s, unsigned timeout_ms, int *woken, struct rd_error *err);
/* That one-at-a-time form itself, for a backend whose round trips cost nothing. */
int rd_store_decisions_record_each(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                                   struct rd_order_row *orders, const size_t *order_row,
                                   size_t norders, struct rd_error *err);

/* ---- the HTTP API's operations ---- */

struct rd_token_row {
    int64_t id;
    char hash[65];                /* SHA-256 of the whole token, lowercase hex */
    char prefix[16];              /* the token's first characters, to tell tokens apart */
    char role[16];                /* "admin" | "trader" | "viewer" */
    char user[64];                /* who the token is for */
    char label[128];
    int64_t created_at;
    int64_t revoked_at;           /* 0 = valid */
};

struct rd_user_row {
    char id[64];                  /* [A-Za-z0-9_.@-], 1-63 chars */
    char display_name[128];
    char department[64];
    char slack_user_id[32];
    char account[64];             /* current assignment; "" = none (assignment_add sets it) */
    int64_t created_at, updated_at;
};

struct rd_assignment_row {
    int64_t id;
    char user[64];
    char account[64];             /* "" = unassigned */
    char previous[64];            /* the account before; "" = none (filled by the store) */
    char strategy[32];            /* "manual", "least_loaded", ... */
    char assigned_by[64];         /* the user behind the request */
    char reason[256];
    int64_t at;
};

#define RD_ACCOUNT_DEF_MAX 8192

struct rd_account_def_row {
    char name[64];
    char def[RD_ACCOUNT_DEF_MAX]; /* config JSON of an API-made account; "" = in the config file */
    int64_t created_at, updated_at;
    int64_t closed_at;            /* 0 = open */
    char closed_by[64];
};

/* Filters of rec_list; zero/NULL/-1 fields do not filter. */
struct rd_rec_filter {
    int64_t since, until;         /* created_at >= since, < until; 0 = open */
    const char *underlying;
    const char *symbol;
    int action;                   /* enum rd_action, or -1 */
    int strategy;                 /* enum rd_strategy, or -1 */
    size_t limit;                 /* 0 = all */
    /* NULL: every recommendation. Else only those for every account (no
     * account) and those for this one ("": the former only). */
    const char *visible_to;
};

/* The HTTP API's operations (docs/api.md; sqlite_api.c, postgres_api.c). */
struct rd_store_api_ops {
    int version;             /* 2 with account_def_get; grows with the table */

    /* API tokens, kept as the SHA-256 of the token only. token_add sets t->id;
     * RD_EEXIST when the hash is taken. token_find: by hash, revoked ones too
     * (the caller checks revoked_at); RD_ENOTFOUND when absent. token_revoke
     * sets revoked_at (a second revoke keeps the first time); RD_ENOTFOUND. */
    int (*token_add)(struct rd_store *s, struct rd_token_row *t, struct rd_error *err);
    int (*token_find)(struct rd_store *s, const char *hash, struct rd_token_row *t,
                      struct rd_error *err);
    int (*token_list)(struct rd_store *s, int (*visit)(void *ctx, const struct rd_token_row *),
                      void *ctx, struct rd_error *err);
    int (*token_revoke)(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err);

    /* People. user_put with only_new = 1: RD_EEXIST when the id is taken;
     * only_new = 0 replaces the row (not its account: see assignment_add).
     * user_list is ordered by id. */
    int (*user_put)(struct rd_store *s, const struct rd_user_row *u, int only_new,
                    struct rd_error *err);
    int (*user_get)(struct rd_store *s, const char *id, struct rd_user_row *u,
                    struct rd_error *err);
    int (*user_list)(struct rd_store *s, int (*visit)(void *ctx, const struct rd_user_row *),
                     void *ctx, struct rd_error *err);

    /* Appends a row to the assignment history and sets the user's current
     * account to a->account ("" = unassigned), in one transaction. Sets a->id.
     * RD_ENOTFOUND when the user does not exist. */
    int (*assignment_add)(struct rd_store *s, struct rd_assignment_row *a, struct rd_error *err);
    /* History, newest first; user / account NULL = any; limit 0 = all. */
    int (*assignment_list)(struct rd_store *s, const char *user, const char *account,
                           size_t limit,
                           int (*visit)(void *ctx, const struct rd_assignment_row *), void *ctx,
                           struct rd_error *err);

    /* What the API knows of accounts beyond the config file: accounts made
     * through the API (def holds their config JSON) and closed accounts of
     * either kind. def_put with only_new = 1: RD_EEXIST when the name is taken.
     * A def_put that writes also counts one more change in the kv document
     * RD_STORE_DEFS_CHANGED_NS / _KEY (a decimal number), in the same
     * transaction: API servers sharing the store reload when it moves. */
    int (*account_def_put)(struct rd_store *s, const struct rd_account_def_row *a, int only_new,
                           struct rd_error *err);
    int (*account_def_list)(struct rd_store *s,
                            int (*visit)(void *ctx, const struct rd_account_def_row *), void *ctx,
                            struct rd_error *err);

    /* Recommendations matching f, newest first (created_at, id descending). */
    int (*rec_list)(struct rd_store *s, const struct rd_rec_filter *f,
                    int (*visit)(void *ctx, const struct rd_rec *), void *ctx,
                    struct rd_error *err);
    /* One decision by id; RD_ENOTFOUND when absent. */
    int (*decision_get)(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                        struct rd_error *err);
    /* Counts for /metrics. decision_counts: one call per (approved,
     * first_failed) pair; first_failed is RD_GATE_COUNT for approved ones.
     * order_counts: one call per status present. */
    int (*decision_counts)(struct rd_store *s, const char *account,
                           int (*visit)(void *ctx, int approved, enum rd_gate first_failed,
                                        int64_t n),
                           void *ctx, struct rd_error *err);
    int (*order_counts)(struct rd_store *s, const char *account,
                        int (*visit)(void *ctx, enum rd_order_status status, int64_t n),
                        void *ctx, struct rd_error *err);
    /* version 2 */
    /* The definition named name; RD_ENOTFOUND when none is. */
    int (*account_def_get)(struct rd_store *s, const char *name, struct rd_account_def_row *a,
                           struct rd_error *err);
};

/* The change counter of account_defs (account_def_put). */
#define RD_STORE_DEFS_CHANGED_NS "api"
#define RD_STORE_DEFS_CHANGED_KEY "account_defs_changed"

/* ---- the traders' operations (docs/traders.md) ---- */

/* A file imported by `traders import`: its SHA-256 makes a second import of
 * the same bytes a no-op. kind is an enum rd_fills_kind. */
struct rd_trader_import_row {
    int64_t id;
    int kind;
    char sha256[65];              /* lowercase hex */
    char path[512];               /* as given */
    int64_t bytes, rows, bad;     /* rows stored, bad rows skipped */
    int64_t imported_at;
};

/* One run of the traders' report from the store. Dates are day numbers
 * (0 = none); MSEs are of the cut as a fraction. */
struct rd_trader_report_row {
    int64_t id;
    int32_t report_day;
    int64_t created_at;
    int64_t active, restricted, limited, legacy;
    char system[16];              /* "model" | "rules" */
    char why[256];
    int32_t train_from, train_to, test_from, test_to;
    int64_t n_train, n_test;
    double model_mse, rules_mse;
};

/* The audit trail: one per trader per report, what was recommended and from what. */
struct rd_trader_prediction_row {
    int64_t id;
    int64_t report_id;
    char trader[128];
    int32_t day;                  /* the day judged: features as of its close */
    char features[512];           /* {"last_pnl": -1.2, ...} */
    int has_output;
    double output;                /* the model's predicted cut, a fraction (when fitted) */
    int64_t rules_cut;            /* ppm */
    char system[16];              /* the system that set the cut */
    int64_t cut;                  /* ppm, the recommendation */
    char level[16];               /* "high" | "moderate" | "low" */
    rd_money old_limit, new_limit;
};

/* What trader_fills_each hands on: n stored fills; anything but RD_OK stops it. */
typedef int (*rd_trader_fills_visit)(void *ctx, const struct rd_fill *f, size_t n,
                                     struct rd_error *err);

/* What trader_load reads. */
#define RD_TRADER_LOAD_FILLS 1u
#define RD_TRADER_LOAD_DAILY 2u
#define RD_TRADER_LOAD_LIMITS 4u

/* The traders' operations: fills, daily P&L, predictions (docs/traders.md;
 * sqlite_traders.c, postgres_traders.c). */
struct rd_store_traders_ops {
    int version;             /* 2; grows with the table */

    /* Records a file import and sets imp->id; RD_EEXIST, with the stored row
     * copied into *imp, when a file of the same kind and SHA-256 was imported.
     * import_get: by SHA-256 (any kind), RD_ENOTFOUND when absent. */
    int (*trader_import_add)(struct rd_store *s, struct rd_trader_import_row *imp,
                             struct rd_error *err);
    int (*trader_import_get)(struct rd_store *s, const char *sha256,
                             struct rd_trader_import_row *imp, struct rd_error *err);
    /* Bulk appends of fs->fills[first .. first + n) and fs->daily[first ..
     * first + n) under an import, in that order (names are fs's). One
     * transaction each unless one is open. */
    int (*trader_fills_add)(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                            size_t first, size_t n, struct rd_error *err);
    int (*trader_daily_add)(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                            size_t first, size_t n, struct rd_error *err);
    /* Every limit set in fs (limit[t] > 0) replaces the trader's stored one. */
    int (*trader_limits_put)(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                             struct rd_error *err);
    /* Adds what is stored to fs (RD_TRADER_LOAD_* bits): fills and daily rows
     * in the order they were stored, limits; names are interned into fs. */
    int (*trader_load)(struct rd_store *s, unsigned what, struct rd_fills *fs,
                       struct rd_error *err);
    /* The trader-days computed from everything stored: days_put replaces them
     * all; days_load fills pnl (released first; sorted as rd_pnl_compute
     * sorts) with names and limits interned into fs. */
    int (*trader_days_put)(struct rd_store *s, const struct rd_fills *fs, const struct rd_pnl *pnl,
                           struct rd_error *err);
    int (*trader_days_load)(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                            struct rd_error *err);
    /* A report run (sets r->id); the latest one for a date before `before`
     * (RD_ENOTFOUND when none). */
    int (*trader_report_add)(struct rd_store *s, struct rd_trader_report_row *r,
                             struct rd_error *err);
    int (*trader_report_last)(struct rd_store *s, int32_t before, struct rd_trader_report_row *r,
                              struct rd_error *err);
    /* The audit trail; list is oldest first, report_id 0 = every report. */
    int (*trader_prediction_add)(struct rd_store *s, struct rd_trader_prediction_row *p,
                                 struct rd_error *err);
    int (*trader_prediction_list)(struct rd_store *s, int64_t report_id,
                                  int (*visit)(void *ctx, const struct rd_trader_prediction_row *),
                                  void *ctx, struct rd_error *err);
    /* Version 2. The stored fills, in the order trader_load adds them, handed
     * to visit a batch at a time with ids in fs (every stored trader's and
     * symbol's name interned into it first, as trader_load does; its fills
     * array is left alone), so that they can be gone over in the memory of
     * one batch. The fills are the store's until visit returns; visit's
     * error stops the read and is returned. */
    int (*trader_fills_each)(struct rd_store *s, struct rd_fills *fs, rd_trader_fills_visit visit,
                             void *ctx, struct rd_error *err);
};

/* ---- the performance operations (docs/metrics.md) ---- */

/* One account's equity on one trading day (ET date): one row per (account,
 * day), replaced by a later snapshot of the same day. */
struct rd_snapshot_row {
    char account[64];
    int32_t day;                  /* ET trading date, day number */
    rd_money equity, cash, buying_power;
    int64_t taken_at;             /* when the broker was asked (Unix s) */
};

/* The audit trail of performance alerts: one per (account, kind, period). */
struct rd_perf_event_row {
    int64_t id;
    char account[64];
    char kind[32];                /* "daily_loss", "weekly_loss", "monthly_loss", "drawdown" */
    int32_t day;                  /* the snapshot that crossed */
    int32_t period;               /* what makes it one event (perf.h: rd_perf_alert.period) */
    int64_t value_ppm;            /* the loss, ppm */
    int64_t threshold_ppm;
    int64_t at;                   /* when it was recorded (Unix s) */
    char message[256];
};

/* The performance operations: snapshots, alerts, closed trades (docs/metrics.md;
 * sqlite_perf.c, postgres_perf.c). */
struct rd_store_perf_ops {
    int version;             /* 1; grows with the table */

    /* Replaces (account, day) when it exists. snapshot_get: RD_ENOTFOUND when
     * absent. snapshot_list: account's rows with from <= day <= to, ascending
     * (account NULL: every account, by account then day). snapshot_delete
     * removes (account, day); absent is not an error. */
    int (*snapshot_put)(struct rd_store *s, const struct rd_snapshot_row *r, struct rd_error *err);
    int (*snapshot_get)(struct rd_store *s, const char *account, int32_t day,
                        struct rd_snapshot_row *r, struct rd_error *err);
    int (*snapshot_list)(struct rd_store *s, const char *account, int32_t from, int32_t to,
                         int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                         struct rd_error *err);
    int (*snapshot_delete)(struct rd_store *s, const char *account, int32_t day,
                           struct rd_error *err);
    /* Sets e->id; RD_EEXIST when (account, kind, period) is already recorded.
     * event_list: oldest first (id); account NULL = all; limit 0 = all (the
     * newest `limit` when set, still oldest first). */
    int (*perf_event_add)(struct rd_store *s, struct rd_perf_event_row *e, struct rd_error *err);
    int (*perf_event_list)(struct rd_store *s, const char *account, size_t limit,
                           int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                           struct rd_error *err);
    /* Closed trades of an account with since <= closed_at < until (0 = open),
     * oldest first (closed_at). */
    int (*trade_list)(struct rd_store *s, const char *account, int64_t since, int64_t until,
                      int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                      struct rd_error *err);
};

/* ---- maintenance (docs/store.md, "Maintenance") ---- */

/* What keeps a store in shape; `riskdesk store vacuum` and `traders status`
 * (sqlite_maint.c, postgres_maint.c). */
struct rd_store_maint_ops {
    int version;             /* 1; grows with the table */

    /* The database's size in bytes: SQLite's pages (in use and free) times the
     * page size, PostgreSQL's pg_database_size. */
    int (*size)(struct rd_store *s, int64_t *bytes, struct rd_error *err);
    /* Compacts the store and refreshes the planner's statistics: SQLite VACUUM
     * (the file shrinks by its free pages), PostgreSQL VACUUM (ANALYZE). Never
     * inside a transaction: RD_EINVAL when one is open on the handle. */
    int (*vacuum)(struct rd_store *s, struct rd_error *err);

    /* version 2: encryption at rest (crypt.h; store_key.c checks the key) */
    /* The key check value into out[0..cap); RD_ENOTFOUND when the store has
     * none (it was never used with a key). key_check_set: sets it (text NULL:
     * removes it). */
    int (*key_check_get)(struct rd_store *s, char *out, size_t cap, struct rd_error *err);
    int (*key_check_set)(struct rd_store *s, const char *text, int64_t at, struct rd_error *err);
    /* *yes: whether a row holds an amount that a key seals (RD_STORE_SEALED_SQL). */
    int (*holds_amounts)(struct rd_store *s, int *yes, struct rd_error *err);
    /* Inside a transaction: every sealed amount read with s's key (or in
     * clear) and written again sealed with `to` (NULL: in clear). */
    int (*reseal)(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err);

    /* version 3 */
    /* key_check_set only when the store has no check value yet (else nothing
     * is written, and no error): of processes racing to open an empty store
     * with different keys, the first to write wins. */
    int (*key_check_take)(struct rd_store *s, const char *text, int64_t at,
                          struct rd_error *err);
};

/* ---- the hierarchy and its ledger (docs/hierarchy.md) ---- */

/* A node of the hierarchy: a paper account with a type and a state. */
struct rd_hier_node_row {
    char account[64];
    enum rd_node_type type;
    char parent[64];              /* "" for a root */
    enum rd_node_state state;
    int allow_negative;           /* P&L may take its books below 0 */
    int64_t created_at;
};

/* One state transition, as it happened. */
struct rd_hier_state_row {
    int64_t id;
    char account[64];
    enum rd_node_state from, to;
    char why[256];
    char who[64];
    int64_t op;                   /* the fork or consolidation; 0 = none */
    int64_t at;
};

/* An operation on the hierarchy that moves money between nodes: a fork, or
 * a consolidation. Its key makes it happen once. */
enum rd_hier_op_kind { RD_HIER_OP_FORK, RD_HIER_OP_MERGE, RD_HIER_OP_PARTIAL,
                       RD_HIER_OP_KIND_COUNT };
enum rd_hier_op_status { RD_HIER_OP_OPEN, RD_HIER_OP_DONE, RD_HIER_OP_FAILED,
                         RD_HIER_OP_STATUS_COUNT };
const char *rd_hier_op_kind_name(enum rd_hier_op_kind k);        /* "fork" | "merge" | "partial" */
const char *rd_hier_op_status_name(enum rd_hier_op_status s);    /* "open" | "done" | "failed" */

#define RD_HIER_OP_PARAMS_MAX 512
#define RD_HIER_OP_RESULT_MAX 2048

struct rd_hier_op_row {
    int64_t id;
    enum rd_hier_op_kind kind;
    char key[RD_LEDGER_KEY_MAX];  /* unique over every op */
    char account[64];             /* the source node */
    char params[RD_HIER_OP_PARAMS_MAX];   /* canonical: the same request, the same text */
    enum rd_hier_op_status status;
    char result[RD_HIER_OP_RESULT_MAX];   /* JSON once done; while open: "" (fork), its
                                           * target so far (consolidation) */
    int64_t created_at;
    int64_t finished_at;          /* 0 while open */
    char who[64];
};

/* A fork assessment as it was made, with its factors. */
struct rd_fork_assess_row {
    int64_t id;
    char account[64];
    rd_money surplus, amount;
    struct rd_fork_factors f;     /* factors, confidence (ppm) and action */
    int64_t op;                   /* the fork it led to; 0 = none */
    char who[64];
    int64_t at;
};

/* A consolidation assessment as it was made: what was asked (strategy,
 * --into as given, a partial's amount), what it found (target, triggers) and
 * its factors. */
struct rd_merge_assess_row {
    int64_t id;
    char account[64];
    enum rd_merge_strategy strategy;
    char into[64];                /* --into as asked; "" none */
    char target[64];              /* "" for a node the op would make */
    rd_money amount;              /* what would move */
    unsigned triggers;            /* 1 << enum rd_merge_trigger */
    struct rd_merge_factors f;    /* factors, confidence (ppm), action, safe */
    int64_t op;                   /* the consolidation it led to; 0 = none */
    char who[64];
    int64_t at;
};

/* The hierarchy's nodes, their transitions and the ledger (sqlite_ledger.c,
 * postgres_ledger.c). Ledger rows are append-only: nothing here updates or
 * deletes a transaction or an entry; a correction is a new transaction. */
struct rd_store_ledger_ops {
    int version;             /* 5 with node_sums; grows with the table */

    /* RD_EEXIST when the account is a node already. node_get: RD_ENOTFOUND
     * when it is not one. node_list: every node, by account. */
    int (*node_add)(struct rd_store *s, const struct rd_hier_node_row *n, struct rd_error *err);
    int (*node_get)(struct rd_store *s, const char *account, struct rd_hier_node_row *n,
                    struct rd_error *err);
    int (*node_list)(struct rd_store *s,
                     int (*visit)(void *ctx, const struct rd_hier_node_row *), void *ctx,
                     struct rd_error *err);
    /* Inside a transaction: holds the node against every other writer of it
     * until the transaction ends, so what the caller reads of its books next
     * stays true until it commits (PostgreSQL: the node's row FOR UPDATE;
     * SQLite: its transactions already write one at a time).
     * RD_ENOTFOUND when the account is no node. */
    int (*node_lock)(struct rd_store *s, const char *account, struct rd_error *err);
    /* Records t (sets t->id) and sets the node's state to t->to, in one
     * transaction; RD_ENOTFOUND when the account is no node. The state
     * machine is the caller's (hierarchy.h). state_list: account's
     * transitions (NULL: all), oldest first. */
    int (*state_add)(struct rd_store *s, struct rd_hier_state_row *t, struct rd_error *err);
    int (*state_list)(struct rd_store *s, const char *account,
                      int (*visit)(void *ctx, const struct rd_hier_state_row *), void *ctx,
                      struct rd_error *err);

    /* Appends a transaction and its n entries in one transaction, setting
     * t->id (and each entry's txn); RD_EEXIST, writing nothing, when t->key is
     * taken. Balance is the caller's (rd_ledger_balanced). */
    int (*txn_add)(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                   size_t n, struct rd_error *err);
    /* The transaction of key and up to cap of its entries (*n: how many it
     * has); RD_ENOTFOUND when no transaction has the key. */
    int (*txn_get)(struct rd_store *s, const char *key, struct rd_ledger_txn *t,
                   struct rd_ledger_entry *e, size_t cap, size_t *n, struct rd_error *err);
    /* Transactions that touch account's books (NULL: all), in the order they
     * were booked (id). entry_list: their entries, grouped by transaction in
     * that order, then in the order they were given. */
    int (*txn_list)(struct rd_store *s, const char *account,
                    int (*visit)(void *ctx, const struct rd_ledger_txn *), void *ctx,
                    struct rd_error *err);
    int (*entry_list)(struct rd_store *s, const char *account,
                      int (*visit)(void *ctx, const struct rd_ledger_entry *), void *ctx,
                      struct rd_error *err);
    /* Every book's balance (the store's own sum of its entries), by book;
     * account non-NULL: that node's books only. */
    int (*book_list)(struct rd_store *s, const char *account,
                     int (*visit)(void *ctx, const struct rd_ledger_balance *), void *ctx,
                     struct rd_error *err);

    /* version 2: the hierarchy's ops and fork assessments */
    /* Records o (sets o->id); RD_EEXIST, writing nothing and leaving the
     * caller's transaction going, when o->key is taken. op_get: by key,
     * RD_ENOTFOUND when none has it. op_finish: sets an open op's status,
     * result and finished_at; RD_ENOTFOUND when id names no open op.
     * op_list: account's ops (NULL: all), oldest first. */
    int (*op_add)(struct rd_store *s, struct rd_hier_op_row *o, struct rd_error *err);
    int (*op_get)(struct rd_store *s, const char *key, struct rd_hier_op_row *o,
                  struct rd_error *err);
    int (*op_finish)(struct rd_store *s, int64_t id, enum rd_hier_op_status status,
                     const char *result, int64_t finished_at, struct rd_error *err);
    int (*op_list)(struct rd_store *s, const char *account,
                   int (*visit)(void *ctx, const struct rd_hier_op_row *), void *ctx,
                   struct rd_error *err);
    /* Records a (sets a->id). assess_get: RD_ENOTFOUND when id names none.
     * assess_list: account's (NULL: all), oldest first. */
    int (*assess_add)(struct rd_store *s, struct rd_fork_assess_row *a, struct rd_error *err);
    int (*assess_get)(struct rd_store *s, int64_t id, struct rd_fork_assess_row *a,
                      struct rd_error *err);
    int (*assess_list)(struct rd_store *s, const char *account,
                       int (*visit)(void *ctx, const struct rd_fork_assess_row *), void *ctx,
                       struct rd_error *err);

    /* version 3: consolidation assessments, as the fork ones above */
    int (*merge_assess_add)(struct rd_store *s, struct rd_merge_assess_row *a,
                            struct rd_error *err);
    int (*merge_assess_get)(struct rd_store *s, int64_t id, struct rd_merge_assess_row *a,
                            struct rd_error *err);
    int (*merge_assess_list)(struct rd_store *s, const char *account,
                             int (*visit)(void *ctx, const struct rd_merge_assess_row *),
                             void *ctx, struct rd_error *err);
    /* version 4: what one operation reads, without reading every row */
    /* node_children: the nodes whose parent is parent ("": the roots), by
     * account. op_count: how many ops of kind are in status, every node's. */
    int (*node_children)(struct rd_store *s, const char *parent,
                         int (*visit)(void *ctx, const struct rd_hier_node_row *), void *ctx,
                         struct rd_error *err);
    int (*op_count)(struct rd_store *s, enum rd_hier_op_kind kind, enum rd_hier_op_status status,
                    int64_t *n, struct rd_error *err);

    /* version 5: a node's ledger sums (ledger.h: rd_ledger_sums_add of each
     * entry on its books with its transaction's kind) in one query, without
     * listing its transactions: grouped by kind, book and sign in SQL, or,
     * for sealed amounts, each entry opened and added here. Fills *sums (all
     * 0 for an account with no entry); RD_ESTORE when a sum overflows or an
     * amount does not open. `ledger verify` sums the entries on its own. */
    int (*node_sums)(struct rd_store *s, const char *account, struct rd_ledger_sums *sums,
                     struct rd_error *err);
};

/* ---- the audit trail (docs/audit.md; rd_audit_* in audit.h) ---- */

/* An administrative change with no row of its own elsewhere: an account's
 * trading state set by hand ("trading_state", detail "FROM -> TO: reason"),
 * the limits a dispatcher started with when they changed ("limits", detail
 * the limits as JSON). Append-only, each chained (kind "admin_event") on its
 * account's chain, or the firm's when account is "". */
struct rd_admin_event_row {
    int64_t id;                       /* set by rd_store_admin_event_add */
    char account[64];                 /* "" = firm-wide */
    int64_t at;                       /* Unix s */
    char actor[RD_AUDIT_ACTOR_MAX];   /* "" = the handle's (rd_audit_actor_set) */
    char kind[32];
    char detail[2048];
};

/* The chains' rows (sqlite_audit.c, postgres_audit.c). Entries are written by
 * the store itself as records are (audit.h); nothing else adds one. */
struct rd_store_audit_ops {
    int version;             /* 2; grows with the table */

    /* Inside a transaction: holds chain against every other writer of it
     * until the transaction ends (PostgreSQL: an account's chain under the
     * account's write lock, the firm's under a lock of its own; SQLite's
     * writers already take turns), then reads its last entry's chain, seq,
     * at and hash into *last (the other fields empty). RD_ENOTFOUND when the
     * chain has none. */
    int (*head)(struct rd_store *s, const char *chain, struct rd_audit_entry *last,
                struct rd_error *err);
    /* Appends e[0..n), consecutive entries of one chain (n at most
     * RD_AUDIT_PACK_MAX, audit_int.h), as they are (seq and hashes the
     * caller's): one row (docs/audit.md, "Storage"). */
    int (*add)(struct rd_store *s, const struct rd_audit_entry *e, size_t n,
               struct rd_error *err);
    /* chain's entries from seq `from` on, by seq (chain NULL: every chain's,
     * by chain then seq). */
    int (*list)(struct rd_store *s, const char *chain, int64_t from,
                int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx,
                struct rd_error *err);
    /* The last entry of every chain, by chain, as head reads it. */
    int (*heads)(struct rd_store *s, int (*visit)(void *ctx, const struct rd_audit_entry *),
                 void *ctx, struct rd_error *err);

    /* version 2: the admin events (migration 11); written through
     * rd_store_admin_event_add, which chains them. event_add sets e->id;
     * event_last reads account's newest of kind (RD_ENOTFOUND: none);
     * event_list visits account's ("" the firm's, NULL everyone's) by id. */
    int (*event_add)(struct rd_store *s, struct rd_admin_event_row *e, struct rd_error *err);
    int (*event_last)(struct rd_store *s, const char *account, const char *kind,
                      struct rd_admin_event_row *e, struct rd_error *err);
    int (*event_list)(struct rd_store *s, const char *account,
                      int (*visit)(void *ctx, const struct rd_admin_event_row *), void *ctx,
                      struct rd_error *err);
};

/* Appends e (at 0: now; actor "": the handle's) with its audit entry, in one
 * transaction; sets e->id. RD_EUNSUPPORTED on a store without the trail. */
int rd_store_admin_event_add(struct rd_store *s, struct rd_admin_event_row *e,
                             struct rd_error *err);

/*
 * A backend: the handle's life, transactions and locks here; every other
 * operation in a sub-table by concern, each with its own version (a table
 * grows by appending entries and bumping its version, as SQLite's VFS does).
 * Callers write s->ops->trading->rec_add(s, ...). A sub-table a backend does
 * not have is NULL.
 */
struct rd_store_ops {
    const char *name;        /* URL scheme: "sqlite" */
    int version;             /* 3 since the split into sub-tables, 4 with alive, 5 with maint,
                              6 with ledger, 7 with audit */

    int (*open)(const char *url, struct rd_store **out, struct rd_error *err);
    void (*close)(struct rd_store *s);

    /*
     * Transactions nest by counting: only the outermost commit really commits.
     * Rolling back an inner level marks the whole transaction: the outermost
     * commit then rolls everything back and returns RD_ESTORE. commit always
     * ends its level; when it fails the work is already rolled back (do not
     * call rollback after it). commit with no transaction open: RD_EINVAL;
     * rollback with none: nothing. A failed statement inside a transaction
     * (RD_EEXIST...) fails alone; the transaction goes on.
     */
    int (*begin)(struct rd_store *s, struct rd_error *err);
    int (*commit)(struct rd_store *s, struct rd_error *err);
    void (*rollback)(struct rd_store *s);

    /*
     * One dispatcher per account: takes an exclusive lock that the OS drops when
     * the process dies (SIGKILL included). RD_EBUSY when held, with the holder
     * ("pid 1234 since 2026-11-22T10:00:00Z") in the message. Held per handle:
     * a second lock of the same account, even from this process, is RD_EBUSY.
     * unlock_account of an account not held does nothing; close drops all.
     */
    int (*lock_account)(struct rd_store *s, const char *account, struct rd_error *err);
    void (*unlock_account)(struct rd_store *s, const char *account);

    const struct rd_store_trading_ops *trading;
    const struct rd_store_api_ops *api;
    const struct rd_store_traders_ops *traders;
    const struct rd_store_perf_ops *perf;
    const struct rd_store_ledger_ops *ledger;   /* since version 6 */

    /* version 4 */
    /* Whether the handle is still usable, judged without a round trip: 0 when
     * its connection is lost or the server has spoken while it sat idle (a
     * restart, an administrator's termination). A pool checks a handle with
     * it before lending it again. SQLite's handles are always usable. */
    int (*alive)(struct rd_store *s);

    /* version 5 */
    const struct rd_store_maint_ops *maint;

    /* version 7 */
    const struct rd_store_audit_ops *audit;
};

struct rd_audit_tx;

/* Every store handle starts with this. */
struct rd_store {
    const struct rd_store_ops *ops;
    char url[256];
    char actor[RD_AUDIT_ACTOR_MAX];   /* who writes through it (rd_audit_actor_set) */
    struct rd_audit_tx *audit;        /* the open transaction's entries (audit.c) */
    int keyed;                        /* amounts are sealed with key (crypt.h) */
    struct rd_encryption_key key;     /* wiped by rd_store_close */
};
/* A handle is used by one thread at a time; open one per thread. */

/* Opens the backend that the URL's scheme names ("sqlite:riskdesk.db",
 * "sqlite:riskdesk.db?sync=normal", "sqlite::memory:"; docs/store.md);
 * RD_EUNSUPPORTED naming the known schemes otherwise, or when the database was
 * written by a newer riskdesk (its schema version is named). */
int rd_store_open(const char *url, struct rd_store **out, struct rd_error *err);
/*
 * The same with the key that seals its amounts (NULL: none; docs/operations.md,
 * "Security"). A store keeps a check value sealed with the key it was first
 * used with; the open fails with RD_EAUTH, reading and writing nothing, when
 * the store has one and key is NULL or another key, and with RD_EINVAL when
 * key is given for a store that holds amounts in clear (the message says to
 * run `riskdesk store rekey`). A store with nothing to seal yet takes the key.
 */
int rd_store_open_keyed(const char *url, const struct rd_encryption_key *key,
                        struct rd_store **out, struct rd_error *err);
/* Seals every amount with `to` (NULL: leaves them in clear) in place of the
 * handle's key (or none), and the check value with them, in one transaction:
 * a failure, or the process killed midway, leaves the store as it was. The
 * handle then uses `to`. */
int rd_store_rekey(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err);
/* rd_store_open_keyed with the key that source names ("env:NAME",
 * "file:PATH", "secretsmanager:ID"; NULL or "": none), read from it for this
 * open and wiped after it; RD_ECONFIG naming the source when it cannot be
 * read or holds no key. */
int rd_store_open_key_source(const char *url, const char *source, struct rd_store **out,
                             struct rd_error *err);
/* rd_store_open_key_source with cfg's encryption.key. */
int rd_store_open_config(const char *url, const struct rd_config *cfg, struct rd_store **out,
                         struct rd_error *err);
void rd_store_close(struct rd_store *s);

extern const struct rd_store_ops rd_store_sqlite_ops;
extern const struct rd_store_ops rd_store_postgres_ops;

/* Writes url with any password (USER:PASSWORD@, password=...) shown as "***";
 * for showing a store URL to people. Cut to fit n. */
void rd_store_url_mask(const char *url, char *out, size_t n);

#endif
