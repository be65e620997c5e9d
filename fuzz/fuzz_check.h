// FUZZ_CHECK: a property of the code under test that must hold for every input. A failure
// aborts, which both libFuzzer and the regression driver report as a crash with its input.
#ifndef NEXUS_FUZZ_FUZZ_CHECK_H_
#define NEXUS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#endif  // NEXUS_FUZZ_FUZZ_CHECK_H_
