/*
 * kv.h - how a key-value document is written (the store's kv_put and the
 * broker state's put, which the account runner maps onto it).
 *
 *   RD_KV_REPLACE      insert or replace
 *   RD_KV_NEW          insert; RD_EEXIST when the key is there
 *   RD_KV_SHARED       a document several accounts write with values that
 *                      agree (the paper market): written only when no other
 *                      open transaction is writing it, else left to that one,
 *                      and never waited for, so one account's long
 *                      transaction never holds up another's
 *   RD_KV_SHARED_NEW   both: RD_EEXIST when it was not written, whether it
 *                      existed or another transaction was writing it
 */
#ifndef RISKDESK_KV_H
#define RISKDESK_KV_H

#define RD_KV_REPLACE 0
#define RD_KV_NEW 1
#define RD_KV_SHARED 2
#define RD_KV_SHARED_NEW (RD_KV_SHARED | RD_KV_NEW)

#endif
