/* Network XML: parse, check, format (stubs for now). */
#include "network-def.h"

#include "util/error.h"

MvNetworkDef *
mv_network_def_parse(const char *xml, unsigned int flags, GError **error)
{
    (void)xml;
    (void)flags;
    mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_SUPPORT, "network XML: not implemented yet");
    return NULL;
}

char *
mv_network_def_format(const MvNetworkDef *def, unsigned int flags)
{
    (void)def;
    (void)flags;
    return g_strdup("<network/>\n");
}

bool
mv_network_def_check(const MvNetworkDef *def, GError **error)
{
    (void)def;
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_SUPPORT,
                        "network XML: not implemented yet");
}

MvNetworkDef *
mv_network_def_copy(const MvNetworkDef *def)
{
    (void)def;
    return g_new0(MvNetworkDef, 1);
}

void
mv_network_def_free(MvNetworkDef *def)
{
    g_free(def);
}

void
mv_network_bandwidth_free(MvNetworkBandwidth *bw)
{
    g_free(bw);
}

MvNetworkBandwidth *
mv_network_bandwidth_copy(const MvNetworkBandwidth *bw)
{
    (void)bw;
    return NULL;
}

const char *
mv_network_forward_mode_to_string(MvNetworkForwardMode mode)
{
    (void)mode;
    return "none";
}

int
mv_network_forward_mode_from_string(const char *str)
{
    (void)str;
    return -1;
}

bool
mv_network_def_creates_bridge(const MvNetworkDef *def)
{
    return def->forward.mode != MV_NETWORK_FORWARD_BRIDGE;
}

const MvNetworkPortGroupDef *
mv_network_def_find_portgroup(const MvNetworkDef *def, const char *name)
{
    (void)def;
    (void)name;
    return NULL;
}

guint64
mv_network_lease_seconds(const MvNetworkLease *lease)
{
    (void)lease;
    return 0;
}
