/* modvirt-proxyd: the front door for stock libvirt clients (UNIX sockets and
 * TLS), forwarding each call to the daemon that owns the object.
 *
 * Privileges kept (as root): binding the TLS/TCP ports below 1024 when so
 * configured, and being root towards the other daemons, which accept a
 * forwarded client identity (CONNECT_SET_IDENTITY) only from a root peer.
 * It links no driver code and touches no guest, network or storage. */
#include "proxy.h"

int
main(int argc, char **argv)
{
    return mv_daemon_main(&mv_proxy_daemon, argc, argv);
}
