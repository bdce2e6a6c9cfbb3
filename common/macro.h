/* macro: small preprocessor and inline helpers shared by common/ and daemon/. */
#pragma once

/* The number of elements of an array (never a pointer: sizeof would lie). */
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Exchanges two lvalues of the same type. */
#define SWAP(a, b)                        \
        do {                              \
                __typeof__(a) swap_ = (a); \
                (a) = (b);                \
                (b) = swap_;              \
        } while (0)

/* The value of one hex digit (either case), or -1. */
static inline int hex_digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}
