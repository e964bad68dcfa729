/* modvirt-proxyd's main, in the core library so tests can link it. */
#pragma once

/**
 * mv_proxy_daemon_main:
 * Runs modvirt-proxyd with @argc/@argv (--root, --config, --timeout,
 * --verbose). Returns the process exit status.
 */
int mv_proxy_daemon_main(int argc, char **argv);
