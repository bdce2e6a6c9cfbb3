/* macro: small preprocessor helpers shared by common/ and daemon/. */
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
