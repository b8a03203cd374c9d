/*
 * fills_spill.h - fills set aside in a temporary file and read back in the
 * order they were added, so that a caller who must go over a long run of
 * fills twice (hash them, then store them) keeps none of them in memory.
 * The file is made in $TMPDIR (else /tmp) and unlinked at once: it takes 40
 * bytes a fill of disk there and is gone when the spill is freed or the
 * process ends.
 *
 * Ownership: rd_fills_spill_new makes the spill, rd_fills_spill_free (NULL
 * does nothing) closes and frees it. Fills added are copied.
 */
#ifndef RISKDESK_FILLS_SPILL_H
#define RISKDESK_FILLS_SPILL_H

#include <stddef.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"

struct rd_fills_spill;

int rd_fills_spill_new(struct rd_fills_spill **out, struct rd_error *err);
void rd_fills_spill_free(struct rd_fills_spill *sp);

/* Appends f[0..n). RD_EIO when the file cannot be written (a full disk). */
int rd_fills_spill_add(struct rd_fills_spill *sp, const struct rd_fill *f, size_t n,
                       struct rd_error *err);
/* The fills added so far. */
size_t rd_fills_spill_count(const struct rd_fills_spill *sp);

/* Starts reading from the first fill. Adds between reads go after the last fill. */
int rd_fills_spill_rewind(struct rd_fills_spill *sp, struct rd_error *err);
/* Reads the next fills into f[0..max): *n of them, 0 at the end. RD_EIO. */
int rd_fills_spill_read(struct rd_fills_spill *sp, struct rd_fill *f, size_t max, size_t *n,
                        struct rd_error *err);

#endif
