/* version.h -- churnkit's version, and the model-file format version it
 * writes (and the newest it reads). */
#ifndef CHURNKIT_VERSION_H
#define CHURNKIT_VERSION_H

#define CK_VERSION "0.1.0"

#endif
