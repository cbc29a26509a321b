/* cleanup.c -- temporary files removed on SIGINT, SIGTERM, SIGHUP (see
 * cleanup.h). */
#include "churnkit/cleanup.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* A slot's state: free, being filled (the handler skips it), or live. */
enum { SLOT_FREE, SLOT_FILLING, SLOT_LIVE };

/* The one table (see cleanup.h for why it is global).  atomic_int is
 * lock-free on every platform churnkit builds on, which is what makes it
 * safe to read in a handler, from whichever thread the signal lands on. */
static atomic_int slot_state[CK_CLEANUP_SLOTS];
static char slot_path[CK_CLEANUP_SLOTS][CK_CLEANUP_PATH];

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int sig)
{
    for (int i = 0; i < CK_CLEANUP_SLOTS; i++)
        if (atomic_load(&slot_state[i]) == SLOT_LIVE)
            (void)unlink(slot_path[i]);
    /* SA_RESETHAND put the default action back; the signal is blocked
     * while this runs and ends the process as soon as it returns (so the
     * errno unlink may have changed is never seen) */
    (void)raise(sig);
}

void ck_cleanup_install(void)
{
    for (size_t k = 0; k < sizeof caught / sizeof *caught; k++) {
        struct sigaction old, sa;
        if (sigaction(caught[k], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
            continue; /* ignored (nohup) or the caller's own: left alone */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        /* one cleanup, not two racing ones, when a second signal follows */
        for (size_t j = 0; j < sizeof caught / sizeof *caught; j++)
            sigaddset(&sa.sa_mask, caught[j]);
        (void)sigaction(caught[k], &sa, NULL);
    }
}

int ck_cleanup_add(const char *path)
{
    size_t n = strlen(path);
    if (n >= CK_CLEANUP_PATH)
        return -1;
    for (int i = 0; i < CK_CLEANUP_SLOTS; i++) {
        int expect = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&slot_state[i], &expect, SLOT_FILLING))
            continue;
        memcpy(slot_path[i], path, n + 1);
        atomic_store(&slot_state[i], SLOT_LIVE); /* seq_cst: the path is complete first */
        return i;
    }
    return -1;
}

void ck_cleanup_remove(int slot)
{
    if (slot >= 0 && slot < CK_CLEANUP_SLOTS)
        atomic_store(&slot_state[slot], SLOT_FREE);
}
