/*
 * libFuzzer targets: reading an input's bytes as little-endian values
 * (zeros once they run out)
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_FUZZ_FUZZ_READER_H
#define TESTS_FUZZ_FUZZ_READER_H

typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static inline unsigned byte(Reader *r)
{
    if (!r->left) {
        return 0;
    }
    r->left--;
    return *r->p++;
}

static inline uint32_t word(Reader *r)
{
    return byte(r) | byte(r) << 8 | byte(r) << 16 | (uint32_t)byte(r) << 24;
}

#endif
