/*
 * store_int.h - what the store backends share and the public API does not
 * show: the text forms of enums as they are kept in the database, and the
 * compact, versioned encoding of a decision's verdicts (docs/store.md).
 * Every backend stores the same text, so a database can move between them.
 *
 * Nothing here allocates; encoders write into caller-owned buffers.
 */
#ifndef RISKDESK_STORE_INT_H
#define RISKDESK_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/crypt.h"
#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/gates.h"
#include "riskdesk/store.h"

/* Room for the encoding of RD_GATE_COUNT verdicts with the longest names and
 * 20-digit values; rd_store_verdicts_encode refuses anything longer. */
#define RD_STORE_VERDICTS_MAX 4096

/*
 * Encodes d->nverdicts verdicts as "v1;GATE,PASSED,REASON,KIND,OBSERVED,THRESHOLD;..."
 * (names from gates.h, KIND one letter, numbers in decimal). With inputs that
 * were recorded (in not NULL, in->recorded) the text is "v2;" the same items
 * and a last one "=in,TIER,STATE,..." holding them (codec.c, put_inputs).
 * RD_EINVAL names the verdict when a gate, reason or kind is out of range.
 */
int rd_store_verdicts_encode(const struct rd_decision *d, const struct rd_decision_inputs *in,
                             char *buf, size_t n, struct rd_error *err);
/* Fills d->nverdicts and d->verdicts, and *in when not NULL (in->recorded 0
 * for a v1 text), from text written by any version so far; RD_ESTORE naming
 * the item when the text is not a known encoding. */
int rd_store_verdicts_decode(const char *s, size_t len, struct rd_decision *d,
                             struct rd_decision_inputs *in, struct rd_error *err);

/* Enum <-> stored text. *_name returns NULL when out of range; *_parse
 * returns RD_OK or RD_EINVAL (case-sensitive: the store writes exact names). */
const char *rd_store_side_name(enum rd_order_side s);       /* "buy" | "sell" */
int rd_store_side_parse(const char *s, enum rd_order_side *out);
const char *rd_store_intent_name(enum rd_order_intent i);   /* "entry" | "exit" */
int rd_store_intent_parse(const char *s, enum rd_order_intent *out);
const char *rd_store_state_name(enum rd_trading_state s);   /* "ACTIVE"... */
int rd_store_state_parse(const char *s, enum rd_trading_state *out);
const char *rd_store_gate_name(enum rd_gate g);             /* "trading_state"... */
int rd_store_gate_parse(const char *s, enum rd_gate *out);
const char *rd_store_action_name(enum rd_action a);         /* "BUY_CALL"... */
int rd_store_action_parse(const char *s, enum rd_action *out);
const char *rd_store_strategy_name(enum rd_strategy s);     /* "day" | "swing" */
int rd_store_strategy_parse(const char *s, enum rd_strategy *out);

/* The SQLite backend's schema (sqlite_schema.c): migration `version` is the
 * SQL that takes a database from version - 1 to version. In ascending order. */
struct rd_sqlite_migration {
    int version;
    const char *sql;
};
extern const struct rd_sqlite_migration rd_sqlite_migrations[];
extern const int rd_sqlite_migration_count;

/* Whether any row holds in clear an amount that a key seals (one row, 0 or 1), in
 * SQL both backends run (maint ops' holds_amounts); the tables are those
 * docs/operations.md, "Security", lists as encrypted. */
#define RD_STORE_SEALED_SQL                                                        \
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE sealed IS NULL) "    \
    "OR EXISTS (SELECT 1 FROM perf_snapshots WHERE sealed IS NULL) "                 \
    "OR EXISTS (SELECT 1 FROM kv WHERE ns = 'paper.account' AND val NOT LIKE 'enc1:%') " \
    "OR EXISTS (SELECT 1 FROM trader_daily WHERE sealed IS NULL) "                   \
    "OR EXISTS (SELECT 1 FROM trader_days WHERE sealed IS NULL) "                    \
    "THEN 1 ELSE 0 END"

/*
 * The handle's key (store_key.c). rd_store_key_use: the open's check
 * (store.h, rd_store_open_keyed), taking the key into s when it passes.
 * rd_store_key_check_write: the check value for key (NULL: none) written.
 * rd_store_seal_amounts: v[0..n) (n <= RD_STORE_SEALED_MAX) sealed with
 * key as one value, at its place "TABLE/ROW/COLUMN" (crypt.h); out
 * holds RD_CRYPT_TEXT_LEN(8 * n). rd_store_open_amounts: RD_ESTORE naming
 * the place when text is NULL or not n amounts sealed there with key.
 */
#define RD_STORE_SEALED_MAX 8
int rd_store_key_use(struct rd_store *s, const struct rd_encryption_key *key, struct rd_error *err);
int rd_store_key_check_write(struct rd_store *s, const struct rd_encryption_key *key,
                             struct rd_error *err);
int rd_store_seal_amounts(const struct rd_encryption_key *key, const char *table, const char *row,
                          const char *column, const int64_t *v, size_t n, char *out, size_t cap,
                          struct rd_error *err);
int rd_store_open_amounts(const struct rd_encryption_key *key, const char *table, const char *row,
                          const char *column, const char *text, int64_t *v, size_t n,
                          struct rd_error *err);

/*
 * The amounts each table seals, one pair per table (sealed_rows.c): what the
 * row is called in the associated data, which of its amounts go into its
 * `sealed` column, and the text's size. seal: into out[cap]; open: the row's
 * other fields already read, its amounts filled from text (NULL: none stored).
 */
#define RD_STORE_ENTRY_SEALED RD_CRYPT_TEXT_LEN(8)      /* ledger_entries: amount */
#define RD_STORE_SNAPSHOT_SEALED RD_CRYPT_TEXT_LEN(24)  /* perf_snapshots: equity, cash, bp */
int rd_store_entry_seal(const struct rd_encryption_key *key,
                        const struct rd_ledger_entry *e, char *out,
                        size_t cap, struct rd_error *err);
int rd_store_entry_open(const struct rd_encryption_key *key,
                        struct rd_ledger_entry *e, const char *text,
                        struct rd_error *err);
int rd_store_snapshot_seal(const struct rd_encryption_key *key,
                           const struct rd_snapshot_row *r, char *out,
                           size_t cap, struct rd_error *err);
int rd_store_snapshot_open(const struct rd_encryption_key *key,
                           struct rd_snapshot_row *r, const char *text,
                           struct rd_error *err);
/* trader_daily: one day's imported P&L of the trader whose trader_names id
 * is trader_id (d->day set). */
#define RD_STORE_DAILY_SEALED RD_CRYPT_TEXT_LEN(8)
int rd_store_daily_seal(const struct rd_encryption_key *key, int64_t trader_id,
                        const struct rd_daily_pnl *d, char *out, size_t cap,
                        struct rd_error *err);
int rd_store_daily_open(const struct rd_encryption_key *key, int64_t trader_id,
                        struct rd_daily_pnl *d, const char *text, struct rd_error *err);
/* trader_days: a computed day's realized, fees and net sealed as one value,
 * at "trader_days/TRADER_ID:DAY/sealed"; open fills them in d. */
#define RD_STORE_DAYS_SEALED RD_CRYPT_TEXT_LEN(24)
struct rd_pnl_day;
int rd_store_days_seal(const struct rd_encryption_key *key, int64_t trader_id,
                       const struct rd_pnl_day *d, char *out, size_t cap, struct rd_error *err);
int rd_store_days_open(const struct rd_encryption_key *key, int64_t trader_id,
                       struct rd_pnl_day *d, const char *text, struct rd_error *err);
/* kv: whether documents of namespace ns are sealed (RD_STORE_KV_SEALED_NS,
 * the paper broker's accounts); seal: val's text sealed whole into *out
 * (heap, rd_free); open: text[0..len) opened into *out (heap, rd_free). */
#define RD_STORE_KV_SEALED_NS "paper.account"
int rd_store_kv_sealed(const char *ns);
int rd_store_kv_seal(const struct rd_encryption_key *key, const char *ns, const char *k,
                     const char *val, char **out, struct rd_error *err);
int rd_store_kv_open(const struct rd_encryption_key *key, const char *ns, const char *k,
                     const char *text, size_t len, char **out, struct rd_error *err);

/* decisions_record's order_row: each below n, ascending; RD_EINVAL naming
 * the first that is not (store.c). */
int rd_store_order_rows_check(const size_t *order_row, size_t norders, size_t n,
                              struct rd_error *err);

#endif
