/* fuzz_svm_model.c -- libFuzzer harness for the SVM part of model files
 * (svm_text.c), which once went to libsvm's trusting loader unchecked.
 * The first byte picks the encoded width (1..16), the second the task
 * (odd: regression); the rest is libsvm model text.  Text that reads must
 * score a row with libsvm and write back to text that reads again and
 * writes the same; text that does not read must fail cleanly. */
#include <libsvm/svm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/svm_text.h"

static void score(const struct svm_model *m, size_t width, int regression)
{
    struct svm_node x[17];
    double dec, prob[2];
    for (size_t j = 0; j < width; j++) {
        x[j].index = (int)j + 1;
        x[j].value = (double)(j % 3) - 1;
    }
    x[width].index = -1;
    svm_predict_values(m, x, &dec);
    if (!regression)
        svm_predict_probability(m, x, prob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t width = 1 + data[0] % 16;
    int regression = data[1] & 1;
    char *text = malloc(size - 1);
    if (!text)
        return 0;
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    struct svm_model *m = NULL, *again = NULL;
    ck_error err;
    if (ck_svm_text_read(text, width, regression, &m, &err) == CK_OK) {
        score(m, width, regression);
        char *once = ck_svm_text_write(m);
        if (once && ck_svm_text_read(once, width, regression, &again, &err) != CK_OK)
            abort(); /* churnkit wrote SVM text it cannot read */
        char *twice = again ? ck_svm_text_write(again) : NULL;
        if (twice && strcmp(once, twice) != 0)
            abort(); /* writing is not a fixed point */
        free(twice);
        free(once);
        svm_free_and_destroy_model(&again);
        svm_free_and_destroy_model(&m);
    } else if (m) {
        abort(); /* a failed read leaves nothing */
    }
    free(text);
    return 0;
}
