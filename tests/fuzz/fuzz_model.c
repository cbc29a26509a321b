/* fuzz_model.c -- libFuzzer harness for the model loader: any bytes as a
 * model file.  A file that loads must also score a row and write back; a
 * file that does not must fail cleanly. */
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
        void *scratch = ck_model_scratch(m);
        if (num && x && lev) {
            for (size_t k = 0; k < nf; k++) {
                num[k] = k % 2 ? NAN : 1.0;
                lev[k] = k % 3 ? 0 : -1;
            }
            ck_pipeline_encode(m->pl, num, lev, x);
            (void)ck_model_score(m, x, scratch);
        }
        free(ck_model_to_json(m));
        free(num);
        free(x);
        free(lev);
        free(scratch);
        ck_model_free(m);
    }
    free(text);
    return 0;
}
