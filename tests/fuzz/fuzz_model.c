/* fuzz_model.c -- libFuzzer harness for the model loader: any bytes as a
 * model file.  A file that loads must also score and explain a row and
 * write back, and what it writes must load and write the same text again;
 * a file that does not load must fail cleanly. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ck_model *m;
    ck_error err;
    if (ck_model_parse(&m, text, "fuzz", &err) == CK_OK) {
        size_t nf = m->pl->nfeat, w = m->pl->width;
        double *num = calloc(nf ? nf : 1, sizeof *num), *x = calloc(w ? w : 1, sizeof *x);
        int32_t *lev = calloc(nf ? nf : 1, sizeof *lev);
        double *c = calloc(w ? w : 1, sizeof *c);
        void *scratch = NULL;
        if (num && x && lev && c && ck_model_scratch(m, &scratch, NULL) == CK_OK) {
            for (size_t k = 0; k < nf; k++) {
                num[k] = k % 2 ? NAN : 1.0;
                lev[k] = k % 3 ? 0 : -1;
            }
            ck_pipeline_encode(m->pl, num, lev, x);
            (void)ck_model_score(m, x, scratch);
            (void)ck_model_contributions(m, x, c, scratch);
        }
        char *once = ck_model_to_json(m);
        ck_model *again = NULL;
        if (once && ck_model_parse(&again, once, "fuzz-again", &err) == CK_OK) {
            char *twice = ck_model_to_json(again);
            if (twice && strcmp(once, twice) != 0)
                abort(); /* writing is not a fixed point: a field changes */
            free(twice);
        } else if (once) {
            abort(); /* churnkit wrote a model file it cannot read */
        }
        ck_model_free(again);
        free(once);
        free(c);
        free(num);
        free(x);
        free(lev);
        ck_model_scratch_free(m, scratch);
        ck_model_free(m);
    }
    free(text);
    return 0;
}
