/*
 * replay_json.h - a replay's result (replay.h) for scripts and for people;
 * the JSON shape is documented in docs/replay.md. Appends to a caller-owned
 * struct rd_buf.
 */
#ifndef RISKDESK_REPLAY_JSON_H
#define RISKDESK_REPLAY_JSON_H

#include "riskdesk/buf.h"
#include "riskdesk/replay.h"

int rd_replay_to_json(const struct rd_replay *r, const char *account, struct rd_buf *out);
int rd_replay_to_text(const struct rd_replay *r, const char *account, struct rd_buf *out);

#endif
