/* Network port XML: parse, format (stubs for now). */
#include "network-port-def.h"

#include "util/error.h"

MvNetworkPortDef *
mv_network_port_def_parse(const char *xml, unsigned int flags, GError **error)
{
    (void)xml;
    (void)flags;
    mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_SUPPORT,
                 "network port XML: not implemented yet");
    return NULL;
}

char *
mv_network_port_def_format(const MvNetworkPortDef *def, unsigned int flags)
{
    (void)def;
    (void)flags;
    return g_strdup("<networkport/>\n");
}

MvNetworkPortDef *
mv_network_port_def_copy(const MvNetworkPortDef *def)
{
    (void)def;
    return g_new0(MvNetworkPortDef, 1);
}

void
mv_network_port_def_free(MvNetworkPortDef *def)
{
    g_free(def);
}

const char *
mv_network_port_plug_type_to_string(MvNetworkPortPlugType type)
{
    (void)type;
    return "none";
}

int
mv_network_port_plug_type_from_string(const char *str)
{
    (void)str;
    return -1;
}
