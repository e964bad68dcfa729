/* The two entry points of a libFuzzer target (tests/fuzz/fuzz-<target>.c).
 * In the fuzzing build (meson -Dfuzzing=true, clang) libFuzzer's main() calls
 * them; in the normal build fuzz-main.c feeds them every corpus file. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input (libFuzzer calls it when defined;
 * every target here defines it). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs one input; returns 0. A crash, sanitizer report or abort() is a finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
