/* The domainxml test programs: fixtures live in $MV_SOURCE_ROOT/tests/domainxml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "domainxml"
#include "../common/xmltest.h"
