/*
 * order_id.h - client order ids derived from what the order is for, so that a
 * restart, a retry or two racing dispatchers always produce the same id for the
 * same order and a broker refuses the second copy.
 */
#ifndef RISKDESK_ORDER_ID_H
#define RISKDESK_ORDER_ID_H

#include <stddef.h>
#include <stdint.h>

/* Buffer size for an id: "rd-" + 32 hex digits + NUL = 36 (Alpaca allows 48). */
#define RD_CLIENT_ORDER_ID_SIZE 36

/*
 * Entry orders: id = "rd-" + 128-bit hash of (account, recommendation id).
 * Exit orders: the same over (account, "exit", symbol, opened_at) and, from
 * the second attempt on, the attempt number: one position gets one exit order
 * per attempt however often a cycle is retried, and an exit the broker refused
 * can be placed again under a new id (attempt 1, 2, ...).
 */
void rd_client_order_id_entry(const char *account, const char *rec_id,
                              char out[RD_CLIENT_ORDER_ID_SIZE]);
void rd_client_order_id_exit(const char *account, const char *symbol, int64_t opened_at,
                             int attempt, char out[RD_CLIENT_ORDER_ID_SIZE]);
/* A consolidation's exit: the same over (account, "op-exit", op, symbol,
 * opened_at[, attempt]), so the exits of consolidation op are its own. */
void rd_client_order_id_op_exit(const char *account, int64_t op, const char *symbol,
                                int64_t opened_at, int attempt,
                                char out[RD_CLIENT_ORDER_ID_SIZE]);

#endif
