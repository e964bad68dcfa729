/* One dnsmasq per network: its config text, its files, and its supervision.
 *
 * dnsmasq runs as networkd's child with --keep-in-foreground (not
 * daemonized), so networkd notices its exit at once through a pidfd and
 * starts it again with a backoff. It keeps running when networkd exits or
 * is killed; the next networkd takes it back (mv_network_dnsmasq_reattach:
 * pidfile + /proc/PID/cmdline naming our config file + start time) and
 * watches it through a pidfd even though it is no longer its child.
 * Leases go through the lease helper into the lease file (network-leases.h).
 * docs/network.md, "Host plumbing", has the picture. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "network-def.h"
#include "util/paths.h"

G_BEGIN_DECLS

/* Where one network's dnsmasq files live. All absolute, owned by the struct. */
typedef struct {
    char *dir;          /* <lib>/network/dnsmasq */
    char *conf;         /* <dir>/<network>.conf */
    char *hostsfile;    /* <dir>/<network>.hostsfile (dhcp hosts, reread on SIGHUP) */
    char *addnhosts;    /* <dir>/<network>.addnhosts (dns hosts, reread on SIGHUP) */
    char *leases;       /* <dir>/<network>.leases (network-leases.h) */
    char *run_dir;      /* <run>/network/dnsmasq */
    char *pidfile;      /* <run_dir>/<network>.pid (written by dnsmasq) */
    char *startfile;    /* <run_dir>/<network>.start ("PID STARTTIME", written by us) */
    char *log;          /* <run_dir>/<network>.log (dnsmasq's stderr) */
} MvNetworkDnsmasqFiles;

/**
 * mv_network_dnsmasq_files_new:
 * The file names for network @network under the --root layout @paths.
 * Creates nothing. Free with mv_network_dnsmasq_files_free().
 */
MvNetworkDnsmasqFiles *mv_network_dnsmasq_files_new(const MvPaths *paths, const char *network);

/** mv_network_dnsmasq_files_free: NULL is a no-op. */
void mv_network_dnsmasq_files_free(MvNetworkDnsmasqFiles *files);

/**
 * mv_network_dnsmasq_needed:
 * True when @def needs a dnsmasq: networkd creates its bridge, it has an IP
 * address, and DNS is on or some address serves DHCP or IPv6 router
 * advertisements.
 */
bool mv_network_dnsmasq_needed(const MvNetworkDef *def);

/* Unexpected exits: called on the options' context after dnsmasq died
 * (@wait_status as waitpid gives it, or -1 when it was not our child) and a
 * restart was scheduled in @restart_ms. */
typedef void (*MvNetworkDnsmasqExitFunc)(const char *network, pid_t pid, int wait_status,
                                         guint restart_ms, gpointer user_data);

typedef struct {
    const char *binary;         /* NULL: "dnsmasq" from $PATH */
    const char *lease_helper;   /* absolute path of modvirt-leasehelper; required */
    const char *user;           /* "user=" for _start/_reattach; NULL: _pick_user() */
    GMainContext *context;      /* where exits are seen and restarts run; NULL: the default */
    int ready_timeout_ms;       /* 0: 5000 */
    MvNetworkDnsmasqExitFunc on_exit;   /* optional */
    gpointer user_data;
} MvNetworkDnsmasqOptions;

/**
 * mv_network_dnsmasq_config:
 * The dnsmasq config text for @def with the files of @files and the helper
 * and user of @opts (user NULL: no "user=" line; lines: bind-interfaces on the bridge and its
 * addresses, dhcp ranges with lease times, hostsfile, addn-hosts, srv-host,
 * txt-record, server=, port=0 when DNS is off, domain/local, dhcp-boot,
 * enable-ra, no-ping, leasefile-ro + dhcp-script, pid-file). Deterministic:
 * the goldens in tests/networkxml2conf compare it byte for byte.
 */
char *mv_network_dnsmasq_config(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                                const MvNetworkDnsmasqOptions *opts);

/**
 * mv_network_dnsmasq_hostsfile:
 * The dhcp-hostsfile text of @def (one static DHCP host a line).
 */
char *mv_network_dnsmasq_hostsfile(const MvNetworkDef *def);

/**
 * mv_network_dnsmasq_addnhosts:
 * The addn-hosts text of @def (its <dns><host> entries, hosts(5) syntax).
 */
char *mv_network_dnsmasq_addnhosts(const MvNetworkDef *def);

/**
 * mv_network_dnsmasq_pick_user:
 * The "user=" networkd passes: NULL (dnsmasq drops to nobody) when nobody can
 * reach @files->dir (every directory above it has o+x), "root" otherwise —
 * a root made by mktemp -d is 0700, and dnsmasq rereads the hosts files as
 * its user on SIGHUP. Static string, do not free.
 */
const char *mv_network_dnsmasq_pick_user(const MvNetworkDnsmasqFiles *files);

typedef struct _MvNetworkDnsmasq MvNetworkDnsmasq;

/**
 * mv_network_dnsmasq_start:
 * Writes the config, hostsfile and addn-hosts of @def (creating the
 * directories), starts dnsmasq for it, and returns once dnsmasq serves (its
 * pidfile is written after its DHCP and DNS sockets are bound), after
 * stopping one an earlier networkd left (_kill_stale). From then on
 * an exit is answered by a restart after 100 ms, doubling up to 10 s while it
 * keeps dying within 30 s. A dnsmasq that does not start is
 * MV_ERR_OPERATION_FAILED with its own message. Free with _stop or _detach.
 */
MvNetworkDnsmasq *mv_network_dnsmasq_start(const MvNetworkDef *def,
                                           const MvNetworkDnsmasqFiles *files,
                                           const MvNetworkDnsmasqOptions *opts, GError **error);

/**
 * mv_network_dnsmasq_reattach:
 * Takes back the dnsmasq of @def that an earlier networkd started: the pid
 * in its pidfile must be a live process (not a zombie) whose command line
 * names our config file, started at the time recorded in the start file.
 * True with *@ret set and supervised as after _start (the files are
 * rewritten; a changed config restarts it, changed hosts are reloaded);
 * true with *@ret = NULL when there is none to take back (stale files are
 * removed, a dnsmasq that never got to serve is stopped); false on an error.
 */
bool mv_network_dnsmasq_reattach(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                                 const MvNetworkDnsmasqOptions *opts, MvNetworkDnsmasq **ret,
                                 GError **error);

/**
 * mv_network_dnsmasq_kill_stale:
 * Stops a dnsmasq of @files that no networkd supervises (named by the
 * pidfile or, when it was killed before serving, the start file; checked as
 * for _reattach) and removes those two files. For networks that are not to
 * run after a networkd restart; _start calls it itself.
 */
bool mv_network_dnsmasq_kill_stale(const MvNetworkDnsmasqFiles *files, GError **error);

/**
 * mv_network_dnsmasq_update:
 * Rewrites the files for the changed @def: changed hosts or DNS records only
 * are reloaded with SIGHUP (dnsmasq keeps running); any other change of the
 * config restarts it (waiting until it serves again).
 */
bool mv_network_dnsmasq_update(MvNetworkDnsmasq *dm, const MvNetworkDef *def, GError **error);

/**
 * mv_network_dnsmasq_stop:
 * Stops supervising, terminates dnsmasq (SIGTERM, SIGKILL after 2 s), waits
 * until it is gone, removes the pidfile and start file and frees @dm (also
 * on error). The config and lease files stay.
 */
bool mv_network_dnsmasq_stop(MvNetworkDnsmasq *dm, GError **error);

/**
 * mv_network_dnsmasq_detach:
 * Stops supervising and frees @dm, leaving dnsmasq running (networkd
 * exiting: the next one reattaches). NULL is a no-op.
 */
void mv_network_dnsmasq_detach(MvNetworkDnsmasq *dm);

/**
 * mv_network_dnsmasq_get_pid:
 * The pid of the current dnsmasq, or 0 while it is being restarted.
 */
pid_t mv_network_dnsmasq_get_pid(MvNetworkDnsmasq *dm);

/**
 * mv_network_dnsmasq_get_restarts:
 * How many times the supervisor restarted dnsmasq after an exit.
 */
guint mv_network_dnsmasq_get_restarts(MvNetworkDnsmasq *dm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkDnsmasqFiles, mv_network_dnsmasq_files_free)

G_END_DECLS
