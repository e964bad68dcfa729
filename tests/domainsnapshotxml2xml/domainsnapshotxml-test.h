/* The domainsnapshotxml2xml test program: fixtures live in
 * $MV_SOURCE_ROOT/tests/domainsnapshotxml2xml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "domainsnapshotxml2xml"
#include "../common/xmltest.h"
