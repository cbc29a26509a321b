/*
 * mem.h -- large arrays backed by huge pages where the kernel offers them.
 */
#ifndef CHURNKIT_MEM_H
#define CHURNKIT_MEM_H

#include <stddef.h>

/* Arrays at least this large are worth the advice below. */
#define CK_MEM_HUGE_MIN (4u << 20)

/* Advises the kernel to back p[0..bytes) -- a large malloc'd array about to
 * be filled -- with transparent huge pages (Linux's madvise MADV_HUGEPAGE,
 * where "transparent_hugepage" is in "madvise" mode): one page fault every
 * 2 MiB instead of every 4 KiB, which on a virtual machine is much of the
 * time spent filling a table of a million rows.  Only advice: nothing
 * changes in what p holds, and where it is not offered nothing happens.
 * Smaller arrays are left alone. */
void ck_mem_huge(void *p, size_t bytes);

#endif
