/* list-guests [URI]: print every domain with its state.
 *
 *   cc list-guests.c $(pkg-config --cflags --libs modvirt) -o list-guests
 */
#include <stdio.h>

#include <modvirt/modvirt.h>

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvConnect) conn = NULL;
    MvDomain **doms;
    gsize count = 0;

    if (!(conn = mv_connect_open(argc > 1 ? argv[1] : NULL, MV_CONNECT_READ_ONLY, &error))) {
        fprintf(stderr, "list-guests: %s\n", error->message);
        return 1;
    }
    if (!(doms = mv_connect_list_domains(conn, 0, &count, &error))) {
        fprintf(stderr, "list-guests: %s\n", error->message);
        return 1;
    }
    printf("%zu domain(s) on %s\n", count, mv_connect_get_uri(conn));
    for (MvDomain **d = doms; *d; d++) {
        MvDomainState state = MV_DOMAIN_STATE_NONE;

        if (!mv_domain_get_state(*d, 0, &state, NULL, &error)) {
            fprintf(stderr, "list-guests: %s: %s\n", mv_domain_get_name(*d), error->message);
            g_clear_error(&error);
            continue;
        }
        printf("%-20s %s\n", mv_domain_get_name(*d), mv_domain_state_name(state));
    }
    mv_domain_list_free(doms);
    return 0;
}
