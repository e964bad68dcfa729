/* virNetworkUpdate on an MvNetworkDef (stubs for now). */
#include "network-def.h"

#include "util/error.h"

bool
mv_network_def_update(MvNetworkDef *def, unsigned int command, unsigned int section,
                      int parent_index, const char *xml, unsigned int flags, GError **error)
{
    (void)def;
    (void)command;
    (void)section;
    (void)parent_index;
    (void)xml;
    (void)flags;
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_SUPPORT,
                        "network update: not implemented yet");
}

const char *
mv_network_update_section_to_string(unsigned int section)
{
    (void)section;
    return NULL;
}
