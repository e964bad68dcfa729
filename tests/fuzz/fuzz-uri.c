/* Fuzz target "uri": libmodvirt's connection URI parser (client/uri.c).
 *
 * The input is the URI text. A URI that parses must name a driver, a path
 * and what CONNECT_OPEN sends, and its transport a known name; a remote one
 * has a host and a port in 1..65535. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-priv.h"
#include "fuzz.h"

static G_NORETURN void
finding(const char *what, const char *text)
{
    fprintf(stderr, "fuzz-uri: %s: '%s'\n", what, text);
    abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    g_autoptr(MvUri) uri = NULL;
    g_autoptr(GError) err = NULL;

    if (!(uri = mv_uri_parse(text, &err))) {
        if (!err || !err->message || !*err->message)
            finding("refused without an error message", text);
        return 0;
    }
    if (!uri->driver || !*uri->driver || !uri->path || !uri->open_name)
        finding("parsed without a driver, path or open name", text);
    if (g_str_equal(mv_uri_transport_name(uri->transport), "unknown"))
        finding("parsed with an unknown transport", text);
    if (uri->transport == MV_TRANSPORT_UNIX ? uri->host != NULL
                                            : (!uri->host || uri->port <= 0 || uri->port > 65535))
        finding("host and port do not match the transport", text);
    return 0;
}
