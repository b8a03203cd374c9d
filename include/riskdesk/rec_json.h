/*
 * rec_json.h - recommendations as JSON: one object, or JSON Lines files.
 *
 *   {"id", "created_at", "underlying", "symbol", "action", "strategy", "confidence",
 *    "volume_ratio", "price", "stop_price"?, "expires_at"?, "vix"?, "account"?, "qty"?}
 *
 * created_at / expires_at are RFC 3339 strings or Unix seconds; price and
 * stop_price JSON numbers or decimal strings (exact); confidence, volume_ratio
 * and vix numbers or decimal strings; account the one account the
 * recommendation is for (absent: every account); qty a whole number capping
 * the size the gates allow. Unknown keys are refused with the key named.
 * The caller owns every struct; nothing is kept.
 */
#ifndef RISKDESK_REC_JSON_H
#define RISKDESK_REC_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "riskdesk/rec.h"

/* Parses and validates one object. The message names the field and what was expected. */
int rd_rec_from_json(const char *text, size_t len, struct rd_rec *out, struct rd_error *err);

/* Writes a recommendation as one JSON object (no newline) into buf. */
int rd_rec_to_json(const struct rd_rec *r, char *buf, size_t n);

/*
 * Reads JSON Lines from f: calls accept() for each valid line, and bad() with
 * "PATH:LINE: message" for each malformed one (which is skipped). Blank lines
 * are skipped. Lines longer than 64 KiB are bad lines. Returns RD_OK unless
 * reading failed or accept() returned nonzero (that value is returned).
 */
int rd_rec_read_jsonl(FILE *f, const char *path,
                      int (*accept)(void *ctx, const struct rd_rec *r, long line),
                      void (*bad)(void *ctx, const char *msg), void *ctx, struct rd_error *err);

#endif
