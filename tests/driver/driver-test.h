/* A family of test objects for the driver frame's unit tests. */
#pragma once

#include <string.h>

#include "driver/object.h"
#include "util/error.h"

typedef struct {
    MV_DRIVER_OBJECT_HEADER;
    int state;              /* 1 running, 3 paused, 5 shut off */
    gint *finalized;        /* incremented when freed */
} TestObj;

static void
test_obj_finalize(MvDriverObject *obj)
{
    TestObj *t = (TestObj *)obj;

    if (t->finalized)
        (*t->finalized)++;
}

/* Same texts and codes as qemud's domains. */
static const MvDriverObjectClass test_class = {
    .noun = "domain",
    .error_from = MV_FROM_QEMU,
    .conf_from = MV_FROM_DOMAIN,
    .no_object = MV_ERR_NO_DOMAIN,
    .not_found = "Domain not found",
    .not_active = "domain is not running",
    .finalize = test_obj_finalize,
};

/* A new object named @name with a UUID made from @seed (one reference). */
static inline TestObj *
test_obj_new(const char *name, guint8 seed)
{
    TestObj *t = g_new0(TestObj, 1);
    guint8 uuid[16];

    memset(uuid, seed, sizeof(uuid));
    mv_driver_object_init(MV_DRIVER_OBJECT(t), &test_class, name, uuid);
    t->state = 5;
    return t;
}
