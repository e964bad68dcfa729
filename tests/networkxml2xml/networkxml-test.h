/* The networkxml2xml test programs: fixtures live in
 * $MV_SOURCE_ROOT/tests/networkxml2xml. */
#pragma once

#define MV_TEST_FIXTURE_DIR "networkxml2xml"
#include "../common/xmltest.h"
