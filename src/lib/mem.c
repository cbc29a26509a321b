/* mem.c -- huge-page advice for large arrays (see mem.h). */
#include "churnkit/mem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void ck_mem_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    long page = sysconf(_SC_PAGESIZE);
    if (!p || bytes < CK_MEM_HUGE_MIN || page <= 0)
        return;
    /* madvise wants a page-aligned start: the whole pages inside the array */
    uintptr_t a = (uintptr_t)p, first = (a + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    if (first < a + bytes)
        (void)madvise((void *)first, a + bytes - first, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}
