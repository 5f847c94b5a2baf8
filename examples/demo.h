/*
 * demo.h - what the producer writes and the consumer expects: one place,
 * so the two programs cannot disagree about it.
 *
 * The buffer is a table of ROWS x 3 doubles, row i holding (i, i / 2, sin i):
 * the first two columns are exact, the third is irregular enough that a
 * misplaced row or a stale page shows.  The doubles are stored in the
 * machine's own byte order, "=f8", which the library records in canonical
 * form: "<f8" on a little-endian machine.  A reader on a machine of the
 * other byte order sees ">f8" and knows it must swap.
 */
#ifndef MMBUF_DEMO_H
#define MMBUF_DEMO_H

#include <math.h>
#include <stdint.h>

#define DEMO_DTYPE "=f8" /* native doubles */
#define DEMO_COLS 3
#define DEMO_ROWS_DEFAULT 1000000u

static inline void demo_row(uint64_t i, double row[DEMO_COLS])
{
	row[0] = (double)i;
	row[1] = (double)i * 0.5;
	row[2] = sin((double)i);
}

#endif /* MMBUF_DEMO_H */
