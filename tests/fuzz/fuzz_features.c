/* fuzz_features.c -- libFuzzer harness for the feature builder's inputs:
 * the bytes are cut at "\n===\n" into the accounts, users, sessions,
 * events, catalogue, NPS and revenue files, which are written to a private
 * directory, and the builder runs at a fixed snapshot: with the default
 * groups, then with every group (the trend ones read past the snapshot). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "churnkit/date.h"
#include "churnkit/features.h"

static char dir[64];

/* Leaves nothing behind when the process ends (libFuzzer runs or replay). */
static void cleanup(void)
{
    static const char *files[] = {"accounts.csv", "users.csv", "sessions.csv", "events.csv",
                                  "features.csv", "nps.csv", "revenue.csv", "out.csv"};
    char path[128];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        unlink(path);
    }
    rmdir(dir);
}

static void put(const char *name, const uint8_t *p, size_t n, char *path, size_t psz)
{
    snprintf(path, psz, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(p, 1, n, fp);
        fclose(fp);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *names[7] = {"accounts.csv", "users.csv", "sessions.csv", "events.csv",
                                   "features.csv", "nps.csv", "revenue.csv"};
    char paths[7][128], out[128];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/churnkit-fuzz-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    const uint8_t *p = data, *end = data + size;
    for (int k = 0; k < 7; k++) {
        const uint8_t *cut = NULL;
        for (const uint8_t *q = p; q + 5 <= end; q++)
            if (memcmp(q, "\n===\n", 5) == 0) {
                cut = q;
                break;
            }
        size_t n = k == 6 || !cut ? (size_t)(end - p) : (size_t)(cut - p);
        put(names[k], p, n, paths[k], sizeof paths[k]);
        p = cut && k < 6 ? cut + 5 : end;
    }
    snprintf(out, sizeof out, "%s/out.csv", dir);
    ck_features_inputs in = {paths[0], paths[1], paths[2], paths[3], paths[4], paths[5], paths[6]};
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-04-01", &o.snapshot);
    ck_error err;
    ck_warnings w;
    ck_warnings_init(&w);
    (void)ck_features_build(&in, &o, out, NULL, &w, &err);
    o.groups = CK_FEATURES_ALL;
    (void)ck_features_build(&in, &o, out, NULL, &w, &err);
    ck_warnings_fini(&w);
    return 0;
}
