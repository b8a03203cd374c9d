#ifndef RISKDESK_VERSION_H
#define RISKDESK_VERSION_H
#define RD_VERSION "0.1.0"
#endif
