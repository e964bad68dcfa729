/* The nwfilter family's entries of filterd's typed vtable (main.c fills them). */
#pragma once

#include "remote-driver.h"

/** mv_filter_nwfilter_handlers_fill: sets the nwfilter and binding entries of @driver. */
void mv_filter_nwfilter_handlers_fill(MvRemoteNWFilterDriver *driver);
