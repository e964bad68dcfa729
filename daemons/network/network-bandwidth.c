/* tc shaping of a network's bridge: see network-bandwidth.h. */
#include "network-bandwidth.h"

#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/netlink.h>
#include <netlink/route/action.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>
#include <string.h>

#include "network-bandwidth-priv.h"
#include "util/netlink.h"
#include "util/error.h"

typedef struct nl_sock MvBwSock;
typedef struct rtnl_qdisc MvBwQdisc;
typedef struct rtnl_class MvBwClass;
typedef struct rtnl_cls MvBwCls;
typedef struct rtnl_act MvBwAct;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvBwSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvBwQdisc, rtnl_qdisc_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvBwClass, rtnl_class_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvBwCls, rtnl_cls_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvBwAct, rtnl_act_put)

/* What to call a tc object the kernel refused, and the option that builds it in. */
static const struct {
    const char *kind;
    const char *what;
    const char *config;
} mv_tc_features[] = {
    { "htb", "the HTB queueing discipline", "CONFIG_NET_SCH_HTB" },
    { "ingress", "the ingress queueing discipline", "CONFIG_NET_SCH_INGRESS" },
    { "u32", "the u32 classifier", "CONFIG_NET_CLS_U32" },
    { "mirred", "the mirred action", "CONFIG_NET_ACT_MIRRED" },
    { "ifb", "ifb devices", "CONFIG_IFB" },
};

static bool
mv_tc_error(GError **error, const char *kind, const char *link, int err)
{
    /* the kernel answers ENOENT (or EOPNOTSUPP) for a kind it was built without */
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP || err == -NLE_NOATTR) {
        for (gsize i = 0; i < G_N_ELEMENTS(mv_tc_features); i++) {
            if (strcmp(kind, mv_tc_features[i].kind) == 0)
                return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_UNSUPPORTED,
                                    "Cannot apply bandwidth limits on '%s': this kernel lacks "
                                    "%s (%s)", link, mv_tc_features[i].what,
                                    mv_tc_features[i].config);
        }
        {
            g_autofree char *upper = g_ascii_strup(kind, -1);

            return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_UNSUPPORTED,
                                "Cannot apply bandwidth limits on '%s': this kernel lacks tc "
                                "'%s' (CONFIG_NET_SCH_%s)", link, kind, upper);
        }
    }
    return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                        "Cannot apply bandwidth limits on '%s' (tc %s): %s", link, kind,
                        nl_geterror(err));
}

static MvBwSock *
mv_tc_open(GError **error)
{
    g_autoptr(MvBwSock) sock = nl_socket_alloc();
    int err;

    if (!sock || (err = nl_connect(sock, NETLINK_ROUTE)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_SYSTEM_ERROR,
                            "Cannot open a netlink socket for tc"), NULL;
    return g_steal_pointer(&sock);
}

static int
mv_tc_ifindex(MvBwSock *sock, const char *name)
{
    struct rtnl_link *link = NULL;
    int ifindex;

    if (rtnl_link_get_kernel(sock, 0, name, &link) < 0)
        return 0;
    ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    return ifindex;
}

char *
mv_network_bandwidth_ifb_name(const char *bridge)
{
    g_autoptr(MvBwSock) sock = mv_tc_open(NULL);
    int ifindex = sock ? mv_tc_ifindex(sock, bridge) : 0;

    return ifindex ? g_strdup_printf("mvifb%d", ifindex) : NULL;
}

bool
mv_network_bandwidth_check(const MvNetworkBandwidth *bw, GError **error)
{
    const MvNetworkBandwidthRate *dirs[] = { bw ? bw->in : NULL, bw ? bw->out : NULL };
    const char *names[] = { "inbound", "outbound" };

    for (gsize i = 0; i < 2; i++) {
        const MvNetworkBandwidthRate *r = dirs[i];

        if (!r)
            continue;
        if (r->floor)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_CONFIG_UNSUPPORTED,
                                "bandwidth %s 'floor' is not supported by modvirt-networkd: "
                                "remove it", names[i]);
        if (!r->average)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_CONFIG_UNSUPPORTED,
                                "bandwidth %s needs an 'average' rate", names[i]);
        if (r->peak && r->peak < r->average)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_CONFIG_UNSUPPORTED,
                                "bandwidth %s 'peak' (%" G_GUINT64_FORMAT ") is below its "
                                "'average' (%" G_GUINT64_FORMAT ")", names[i], r->peak,
                                r->average);
    }
    return true;
}

static bool
mv_tc_qdisc_add(MvBwSock *sock, int ifindex, const char *link, guint32 parent, guint32 handle,
                const char *kind, GError **error)
{
    g_autoptr(MvBwQdisc) q = rtnl_qdisc_alloc();
    int err;

    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    rtnl_tc_set_handle(TC_CAST(q), handle);
    if ((err = rtnl_tc_set_kind(TC_CAST(q), kind)) < 0)
        return mv_tc_error(error, kind, link, err);
    if (strcmp(kind, "htb") == 0)
        rtnl_htb_set_defcls(q, TC_HANDLE(1, 1));   /* everything into 1:1 */
    if ((err = rtnl_qdisc_add(sock, q, NLM_F_CREATE | NLM_F_REPLACE)) < 0)
        return mv_tc_error(error, kind, link, err);
    return true;
}

bool
mv_network_bandwidth_root_qdisc_add_(int ifindex, const char *kind, GError **error)
{
    g_autoptr(MvBwSock) sock = mv_tc_open(error);

    return sock && mv_tc_qdisc_add(sock, ifindex, "test", TC_H_ROOT, TC_HANDLE(1, 0), kind,
                                   error);
}

/* HTB root 1: with class 1:1 shaped to @rate on @ifindex's egress. */
static bool
mv_tc_htb_apply(MvBwSock *sock, int ifindex, const char *link, const MvNetworkBandwidthRate *rate,
                GError **error)
{
    g_autoptr(MvBwClass) cls = rtnl_class_alloc();
    guint64 avg = rate->average * 1024;
    guint64 ceil = (rate->peak ? rate->peak : rate->average) * 1024;
    int err;

    if (!mv_tc_qdisc_add(sock, ifindex, link, TC_H_ROOT, TC_HANDLE(1, 0), "htb", error))
        return false;
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), TC_HANDLE(1, 0));
    rtnl_tc_set_handle(TC_CAST(cls), TC_HANDLE(1, 1));
    rtnl_tc_set_kind(TC_CAST(cls), "htb");
    rtnl_htb_set_rate64(cls, avg);
    rtnl_htb_set_ceil64(cls, ceil);
    if (rate->burst) {
        guint64 burst = MIN(rate->burst * 1024, (guint64)G_MAXUINT32);

        rtnl_htb_set_rbuffer(cls, (guint32)burst);
        rtnl_htb_set_cbuffer(cls, (guint32)burst);
    }
    if ((err = rtnl_class_add(sock, cls, NLM_F_CREATE | NLM_F_REPLACE)) < 0)
        return mv_tc_error(error, "htb", link, err);
    return true;
}

/* Ingress of @ifindex: everything redirected to the egress of @ifb_index. */
static bool
mv_tc_redirect_ingress(MvBwSock *sock, int ifindex, const char *link, int ifb_index,
                       GError **error)
{
    g_autoptr(MvBwCls) cls = rtnl_cls_alloc();
    g_autoptr(MvBwAct) act = rtnl_act_alloc();
    int err;

    if (!mv_tc_qdisc_add(sock, ifindex, link, TC_H_INGRESS, TC_HANDLE(0xffffU, 0), "ingress",
                         error))
        return false;
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), TC_HANDLE(0xffffU, 0));
    if ((err = rtnl_tc_set_kind(TC_CAST(cls), "u32")) < 0)
        return mv_tc_error(error, "u32", link, err);
    rtnl_cls_set_protocol(cls, ETH_P_ALL);
    rtnl_cls_set_prio(cls, 1);
    rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0);   /* matches every packet */
    rtnl_u32_set_cls_terminal(cls);
    if ((err = rtnl_tc_set_kind(TC_CAST(act), "mirred")) < 0)
        return mv_tc_error(error, "mirred", link, err);
    rtnl_mirred_set_action(act, TCA_EGRESS_REDIR);
    rtnl_mirred_set_policy(act, TC_ACT_STOLEN);
    rtnl_mirred_set_ifindex(act, (guint32)ifb_index);
    rtnl_u32_add_action(cls, act);               /* takes its own reference */
    if ((err = rtnl_cls_add(sock, cls, NLM_F_CREATE | NLM_F_EXCL)) < 0)
        return mv_tc_error(error, strstr(nl_geterror(err), "ction") ? "mirred" : "u32", link,
                           err);
    return true;
}

static void
mv_tc_qdisc_del(MvBwSock *sock, int ifindex, guint32 parent)
{
    g_autoptr(MvBwQdisc) q = rtnl_qdisc_alloc();

    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), parent);
    (void)rtnl_qdisc_delete(sock, q);   /* none there is fine */
}

bool
mv_network_bandwidth_clear(const char *bridge, GError **error)
{
    g_autoptr(MvBwSock) sock = mv_tc_open(error);
    g_autofree char *ifb = NULL;
    bool exists = false;
    int ifindex;

    if (!sock)
        return false;
    if (!(ifindex = mv_tc_ifindex(sock, bridge)))
        return true;
    mv_tc_qdisc_del(sock, ifindex, TC_H_ROOT);
    mv_tc_qdisc_del(sock, ifindex, TC_H_INGRESS);
    ifb = g_strdup_printf("mvifb%d", ifindex);
    if (!mv_netlink_link_exists(ifb, &exists, error))
        return false;
    return !exists || mv_netlink_link_delete(ifb, error);
}

static bool
mv_network_bandwidth_apply(MvBwSock *sock, const char *bridge, int ifindex,
                           const MvNetworkBandwidth *bw, GError **error)
{
    g_autofree char *ifb = NULL;
    int ifb_index;

    if (bw->in && !mv_tc_htb_apply(sock, ifindex, bridge, bw->in, error))
        return false;
    if (!bw->out)
        return true;
    ifb = g_strdup_printf("mvifb%d", ifindex);
    if (!mv_netlink_link_create(ifb, "ifb", error)) {
        if (g_error_matches(*error, MV_ERROR, MV_ERR_OPERATION_FAILED) &&
            strstr((*error)->message, "no ifb support")) {
            g_clear_error(error);
            return mv_tc_error(error, "ifb", bridge, -NLE_OPNOTSUPP);
        }
        return false;
    }
    if (!mv_netlink_link_set_up(ifb, true, error) || !(ifb_index = mv_tc_ifindex(sock, ifb)))
        return false;
    return mv_tc_htb_apply(sock, ifb_index, ifb, bw->out, error) &&
           mv_tc_redirect_ingress(sock, ifindex, bridge, ifb_index, error);
}

bool
mv_network_bandwidth_set(const char *bridge, const MvNetworkBandwidth *bw, GError **error)
{
    g_autoptr(MvBwSock) sock = NULL;
    g_autoptr(GError) local = NULL;
    int ifindex;

    if (!mv_network_bandwidth_check(bw, error) || !mv_network_bandwidth_clear(bridge, error))
        return false;
    if (!bw || (!bw->in && !bw->out))
        return true;
    if (!(sock = mv_tc_open(error)))
        return false;
    if (!(ifindex = mv_tc_ifindex(sock, bridge)))
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot apply bandwidth limits: interface '%s' does not exist",
                            bridge);
    if (mv_network_bandwidth_apply(sock, bridge, ifindex, bw, &local))
        return true;
    (void)mv_network_bandwidth_clear(bridge, NULL);
    g_propagate_error(error, g_steal_pointer(&local));
    return false;
}
