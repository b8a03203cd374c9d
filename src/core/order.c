/* order.c - the order status names every store and broker writes. */
#include "riskdesk/order.h"

#include <strings.h>

#include "riskdesk/error.h"
#include "riskdesk/banned.h"

static const char *const status_names[RD_ORDER_STATUS_COUNT] = {
    "pending", "accepted", "filled", "rejected", "canceled",
};

const char *rd_order_status_name(enum rd_order_status s)
{
    return (unsigned)s < RD_ORDER_STATUS_COUNT ? status_names[s] : "?";
}

int rd_order_status_parse(const char *s, enum rd_order_status *out)
{
    for (int i = 0; i < RD_ORDER_STATUS_COUNT; i++)
        if (!strcasecmp(s, status_names[i])) {
            *out = (enum rd_order_status)i;
            return RD_OK;
        }
    return RD_EINVAL;
}
