/* Shared by the fuzz targets: a contract check that stops the run with the
 * failed condition, so libFuzzer keeps the input that broke it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                         \
        do {                                                                                \
                if (!(cond)) {                                                              \
                        fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, \
                                #cond);                                                     \
                        abort();                                                            \
                }                                                                           \
        } while (0)
