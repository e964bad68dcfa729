/* placeholder: implemented next */
#include "storage-vol-def.h"
