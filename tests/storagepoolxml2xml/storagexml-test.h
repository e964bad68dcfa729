/* The storagepoolxml2xml test programs: fixtures live in
 * $MV_SOURCE_ROOT/tests/storagepoolxml2xml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "storagepoolxml2xml"
#include "../common/xmltest.h"
