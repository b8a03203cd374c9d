/*
 * order.h - the order vocabulary that brokers, the dispatcher and the stores
 * share: an order's side, why it was placed, and where it stands.
 *
 * Ownership: the names returned are static strings.
 */
#ifndef RISKDESK_ORDER_H
#define RISKDESK_ORDER_H

enum rd_order_status {
    RD_ORDER_PENDING,     /* recorded, not yet confirmed by the broker */
    RD_ORDER_ACCEPTED,    /* the broker has it, not filled yet */
    RD_ORDER_FILLED,
    RD_ORDER_REJECTED,    /* the broker said no; reason holds its words */
    RD_ORDER_CANCELED,
    RD_ORDER_STATUS_COUNT
};

enum rd_order_side { RD_SIDE_BUY, RD_SIDE_SELL };
enum rd_order_intent { RD_INTENT_ENTRY, RD_INTENT_EXIT };

/* "pending", "accepted", "filled", "rejected", "canceled"; "?" out of range. */
const char *rd_order_status_name(enum rd_order_status s);
/* The name back to the status, any case; RD_EINVAL when it is none. */
int rd_order_status_parse(const char *s, enum rd_order_status *out);

#endif
