/* What survives modvirt-networkd about a network, besides its definition
 * (the driver frame's store: <etc>/network/NAME.xml + autostart/): the live
 * status of a started network in <run>/network/NAME.xml
 *
 *   <networkstatus phase='starting|active' persistent='yes|no' bridge-ifindex='N'
 *                  dnsmasq-pid='N' dnsmasq-start='T' forwarding='yes|no'
 *                  firewall='yes|no'>
 *     <network>…the live definition…</network>
 *   </networkstatus>
 *
 * A start writes phase='starting' before it creates anything and again after
 * each thing it made, so a daemon killed at any point finds what to undo; the
 * finished start writes phase='active'. Ports live beside it, see
 * network-ports.h. */
#pragma once

#include "network-driver.h"

G_BEGIN_DECLS

/* A status file read back at start-up. */
typedef struct {
    char *path;
    bool starting;              /* the daemon died before the start finished */
    bool persistent;
    MvNetworkRuntime rt;        /* dnsmasq handle unset */
    MvNetworkDef *live;
} MvNetworkStatus;

void mv_network_status_free(MvNetworkStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkStatus, mv_network_status_free)

/**
 * mv_network_status_write:
 * Writes the status of network @live (persistent or not) with what the start
 * made so far (@rt), in phase starting or active. Atomic against a killed
 * daemon (not fsynced: live status dies with the host).
 */
bool mv_network_status_write(MvNetworkDriver *driver, const MvNetworkDef *live,
                             bool persistent, const MvNetworkRuntime *rt, bool starting,
                             GError **error);

/** mv_network_status_save: the status of the active @net (lock held), phase active. */
bool mv_network_status_save(MvNetworkDriver *driver, MvNetworkObj *net, GError **error);

/** mv_network_status_delete: removes <run>/network/NAME.xml (no error when missing). */
void mv_network_status_delete(MvNetworkDriver *driver, const char *name);

/**
 * mv_network_status_parse:
 * Reads a status file's @text (from @path). NULL with @error when it is not
 * one (the caller then removes it).
 */
MvNetworkStatus *mv_network_status_parse(const char *path, const char *text, GError **error);

G_END_DECLS
