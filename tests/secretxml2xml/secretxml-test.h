/* The secretxml2xml test program: fixtures live in
 * $MV_SOURCE_ROOT/tests/secretxml2xml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "secretxml2xml"
#include "../common/xmltest.h"
