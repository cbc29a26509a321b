/*
 * html.h -- the evaluation as one self-contained HTML page: the summary,
 * the verdict, and charts drawn as inline SVG (ROC, precision-recall,
 * reliability, cumulative gains, confusion matrices, coefficient forest
 * plots; predicted against actual for regressions; for survival models the
 * data's Kaplan-Meier curve with its interval against each model's mean
 * predicted survival, and a calibration chart per horizon).  No script, no
 * network, no external file.
 */
#ifndef CHURNKIT_HTML_H
#define CHURNKIT_HTML_H

#include <stdio.h>

#include "churnkit/eval.h"

void ck_report_html(FILE *out, const ck_eval *ev);

#endif
