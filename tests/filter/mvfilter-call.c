/* mvfilter-call: the tests' driver of filterd's private FILTER program, through
 * networkd's own client code (daemons/network/network-firewall.c).
 *
 *   mvfilter-call SOCKET apply NAME BRIDGE isolated|nat|route|open [ip=ADDR/PREFIX]...
 *                 [dev=IF] [nat=START-END] [ports=START-END] [nat6=1]
 *                 [services=dhcp,dns,tftp]
 *   mvfilter-call SOCKET remove NAME [missing-ok]
 *   mvfilter-call SOCKET list
 *   mvfilter-call SOCKET check|repair    a line per difference: KIND<TAB>TABLE<TAB>CHAIN<TAB>TEXT
 *
 * Exit status 0 on success, 1 with the error on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter-private.h"
#include "link/daemon-link.h"
#include "network-firewall.h"

static int
fail(GError *err)
{
    fprintf(stderr, "error: %s\n", err->message);
    g_error_free(err);
    return 1;
}

static bool
parse_range(const char *s, char **a, char **b)
{
    const char *dash = strrchr(s, '-');

    if (!dash)
        return false;
    *a = g_strndup(s, dash - s);
    *b = g_strdup(dash + 1);
    return true;
}

static int
do_apply(const char *socket, int argc, char **argv)
{
    static const char *const modes[] = { "isolated", "nat", "route", "open" };
    MvNetworkFirewall fw = { .name = argv[0], .bridge = argv[1], .forward = 99 };
    g_autoptr(GArray) ips = g_array_new(FALSE, TRUE, sizeof(MvNetworkFirewallIp));
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    GError *err = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (g_str_equal(argv[2], modes[i]))
            fw.forward = (MvNetworkFirewallForward)i;
    }
    for (int i = 3; i < argc; i++) {
        const char *v = strchr(argv[i], '=');
        char *a = NULL, *b = NULL;

        if (!v)
            continue;
        v++;
        if (g_str_has_prefix(argv[i], "ip=")) {
            MvNetworkFirewallIp ip = { 0 };
            const char *slash = strchr(v, '/');

            ip.address = a = g_strndup(v, slash ? (gsize)(slash - v) : strlen(v));
            ip.prefix = slash ? (unsigned int)atoi(slash + 1) : 0;
            g_ptr_array_add(keep, a);
            g_array_append_val(ips, ip);
        } else if (g_str_has_prefix(argv[i], "dev=")) {
            fw.forward_dev = v;
        } else if (g_str_has_prefix(argv[i], "nat=") && parse_range(v, &a, &b)) {
            fw.nat_address_start = a;
            fw.nat_address_end = b;
            g_ptr_array_add(keep, a);
            g_ptr_array_add(keep, b);
        } else if (g_str_has_prefix(argv[i], "ports=") && parse_range(v, &a, &b)) {
            fw.nat_port_start = (unsigned int)atoi(a);
            fw.nat_port_end = (unsigned int)atoi(b);
            g_free(a);
            g_free(b);
        } else if (g_str_has_prefix(argv[i], "nat6=")) {
            fw.nat_ipv6 = atoi(v) != 0;
        } else if (g_str_has_prefix(argv[i], "services=")) {
            fw.dhcp = strstr(v, "dhcp") != NULL;
            fw.dns = strstr(v, "dns") != NULL;
            fw.tftp = strstr(v, "tftp") != NULL;
        }
    }
    fw.ips = (const MvNetworkFirewallIp *)(void *)ips->data;
    fw.n_ips = ips->len;
    if (!mv_network_firewall_apply(socket, &fw, &err))
        return fail(err);
    return 0;
}

static int
do_doctor(const char *socket, bool repair)
{
    MvDaemonLinkConfig config = {
        .program = "modvirt-filterd", .socket = socket, .uri = "nwfilter:///system",
        .open_flags = repair ? 0 : MV_DAEMON_LINK_OPEN_READ_ONLY,
    };
    g_autoptr(MvDaemonLink) link = NULL;
    mv_filter_private_doctor_check_args args = { 0 };
    mv_filter_private_doctor_check_ret ret = { 0 };
    mv_filter_private_doctor_repair_args rargs = { 0 };
    mv_filter_private_doctor_repair_ret rret = { 0 };
    mv_filter_private_difference *diffs;
    u_int n;
    GError *err = NULL;
    bool ok;

    if (!link && !(link = mv_daemon_link_open(&config, &err)))
        return fail(err);
    if (repair)
        ok = mv_filter_private_doctor_repair(mv_daemon_link_rpc(link), &rargs, &rret, &err);
    else
        ok = mv_filter_private_doctor_check(mv_daemon_link_rpc(link), &args, &ret, &err);
    if (!ok)
        return fail(err);
    diffs = repair ? rret.differences.differences_val : ret.differences.differences_val;
    n = repair ? rret.differences.differences_len : ret.differences.differences_len;
    for (u_int i = 0; i < n; i++) {
        mv_filter_private_difference *d = &diffs[i];

        printf("%s\t%s\t%s\t%s\n", d->kind, d->table, d->chain, d->text);
    }
    xdr_free((xdrproc_t)xdr_mv_filter_private_doctor_repair_ret, (char *)&rret);
    xdr_free((xdrproc_t)xdr_mv_filter_private_doctor_check_ret, (char *)&ret);
    mv_daemon_link_close(g_steal_pointer(&link));
    return 0;
}

int
main(int argc, char **argv)
{
    GError *err = NULL;

    if (argc < 3)
        goto usage;
    if (g_str_equal(argv[2], "apply") && argc >= 6)
        return do_apply(argv[1], argc - 3, argv + 3);
    if (g_str_equal(argv[2], "remove") && argc >= 4) {
        bool missing_ok = argc >= 5 && g_str_equal(argv[4], "missing-ok");

        if (!mv_network_firewall_remove(argv[1], argv[3], missing_ok, &err))
            return fail(err);
        return 0;
    }
    if (g_str_equal(argv[2], "list")) {
        g_auto(GStrv) names = mv_network_firewall_list(argv[1], &err);

        if (!names)
            return fail(err);
        for (guint i = 0; names[i]; i++)
            printf("%s\n", names[i]);
        return 0;
    }
    if (g_str_equal(argv[2], "check") || g_str_equal(argv[2], "repair"))
        return do_doctor(argv[1], g_str_equal(argv[2], "repair"));
usage:
    fprintf(stderr, "usage: mvfilter-call SOCKET apply|remove|list|check|repair ...\n");
    return 2;
}
