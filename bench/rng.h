/*
 * rng.h -- the benchmark generators' seeded random numbers: SplitMix64,
 * uniforms on (0, 1) and Box-Muller normals, so that a file is the same on
 * every machine.  One state per program (each generator is one file).
 */
#ifndef CK_BENCH_RNG_H
#define CK_BENCH_RNG_H

#include <math.h>
#include <stdint.h>

static uint64_t state;

static uint64_t splitmix64(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return ((double)(splitmix64() >> 11) + 0.5) * 0x1p-53;
}

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

#endif
