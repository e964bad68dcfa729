/* The storagevolxml2xml test programs: fixtures live in
 * $MV_SOURCE_ROOT/tests/storagevolxml2xml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "storagevolxml2xml"
#include "../common/xmltest.h"
