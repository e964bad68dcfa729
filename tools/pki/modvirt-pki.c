/* modvirt-pki: a certificate authority, server and client certificates for
 * remote access to modvirt-proxyd over TLS, made with gnutls and laid out
 * where the proxy and stock libvirt clients look for them.
 *
 *   modvirt-pki [--root DIR] init [--client-dir DIR]   CA + server + one client, one command
 *   modvirt-pki [--root DIR] ca                         the CA only
 *   modvirt-pki [--root DIR] server [--name N]...        server certificate for this host
 *   modvirt-pki [--root DIR] client DIR [--cn CN]        client files (a libvirt pkipath)
 *   modvirt-pki dn CERT                                  the DN the proxy matches allowed_dn
 *                                                        against
 *
 * Layout (PKI = <etc>/pki, i.e. /etc/modvirt/pki or ROOT/etc/pki):
 *   PKI/CA/cacert.pem PKI/CA/cakey.pem (0600)        the authority
 *   PKI/cacert.pem PKI/servercert.pem PKI/serverkey.pem (0600)   what the proxy reads
 *   DIR/cacert.pem DIR/clientcert.pem DIR/clientkey.pem (0600)   ?pkipath=DIR for clients
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mv-config.h"

#define DAY (24 * 60 * 60)

static char *opt_root;
static char *opt_pki;
static char *opt_cn;
static char *opt_org;
static char *opt_country;
static char **opt_names;
static char *opt_client_dir;
static char *opt_ca_dir;
static int opt_days = 3650;
static gboolean opt_expired;
static gboolean opt_force;
static int opt_bits = 3072;

typedef struct {
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_t key;
} Pair;

static void
die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

static void
die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "modvirt-pki: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void
check(int rc, const char *what)
{
    if (rc < 0)
        die("%s: %s", what, gnutls_strerror(rc));
}

static char *
pki_dir(void)
{
    if (opt_pki)
        return g_canonicalize_filename(opt_pki, NULL);
    if (opt_root) {
        g_autofree char *root = g_canonicalize_filename(opt_root, NULL);
        return g_build_filename(root, "etc", "pki", NULL);
    }
    return g_strdup("/etc/modvirt/pki");
}

static char *
ca_dir(void)
{
    g_autofree char *pki = pki_dir();

    return opt_ca_dir ? g_canonicalize_filename(opt_ca_dir, NULL)
                      : g_build_filename(pki, "CA", NULL);
}

static void
write_file(const char *dir, const char *name, const gnutls_datum_t *data, int mode)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    if (g_mkdir_with_parents(dir, 0755) < 0)
        die("cannot create %s: %s", dir, g_strerror(errno));
    if (!opt_force && g_file_test(path, G_FILE_TEST_EXISTS))
        die("%s exists already (use --force to replace it)", path);
    if (!g_file_set_contents_full(path, (const char *)data->data, data->size,
                                  G_FILE_SET_CONTENTS_CONSISTENT, mode, &err))
        die("%s", err->message);
    printf("wrote %s\n", path);
}

static void
save_pair(const Pair *p, const char *dir, const char *cert_name, const char *key_name)
{
    gnutls_datum_t out = { NULL, 0 };

    check(gnutls_x509_crt_export2(p->crt, GNUTLS_X509_FMT_PEM, &out), "export certificate");
    write_file(dir, cert_name, &out, 0644);
    gnutls_free(out.data);
    if (!key_name)
        return;
    check(gnutls_x509_privkey_export2(p->key, GNUTLS_X509_FMT_PEM, &out), "export key");
    write_file(dir, key_name, &out, 0600);
    gnutls_free(out.data);
}

static void
load_pair(const char *dir, Pair *p)
{
    g_autofree char *cert = g_build_filename(dir, "cacert.pem", NULL);
    g_autofree char *key = g_build_filename(dir, "cakey.pem", NULL);
    gnutls_datum_t data = { NULL, 0 };

    if (gnutls_load_file(cert, &data) < 0)
        die("cannot read the CA certificate %s: create the CA first with 'modvirt-pki ca'", cert);
    check(gnutls_x509_crt_init(&p->crt), "init");
    check(gnutls_x509_crt_import(p->crt, &data, GNUTLS_X509_FMT_PEM), cert);
    gnutls_free(data.data);
    if (gnutls_load_file(key, &data) < 0)
        die("cannot read the CA key %s", key);
    check(gnutls_x509_privkey_init(&p->key), "init");
    check(gnutls_x509_privkey_import(p->key, &data, GNUTLS_X509_FMT_PEM), key);
    gnutls_free(data.data);
}

static void
set_dn(gnutls_x509_crt_t crt, const char *cn)
{
    check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COUNTRY_NAME, 0,
                                        opt_country ? opt_country : "GB",
                                        strlen(opt_country ? opt_country : "GB")),
          "set country");
    check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                        opt_org ? opt_org : "modvirt",
                                        strlen(opt_org ? opt_org : "modvirt")),
          "set organization");
    check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)),
          "set common name");
}

/* A new key and certificate for @cn, signed by @issuer (self-signed when NULL). */
static void add_san(gnutls_x509_crt_t crt, const char *name);

static Pair
make_cert(const char *cn, const Pair *issuer, bool is_ca, const char *purpose, GPtrArray *sans)
{
    Pair p;
    guint8 serial[16];
    time_t now = time(NULL);
    guint8 id[64];
    size_t idlen = sizeof(id);

    check(gnutls_x509_privkey_init(&p.key), "init key");
    check(gnutls_x509_privkey_generate(p.key, GNUTLS_PK_RSA, opt_bits, 0), "generate key");
    check(gnutls_x509_crt_init(&p.crt), "init certificate");
    check(gnutls_x509_crt_set_version(p.crt, 3), "set version");
    check(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), "random serial");
    serial[0] &= 0x7f;
    check(gnutls_x509_crt_set_serial(p.crt, serial, sizeof(serial)), "set serial");
    if (opt_expired && !is_ca) {
        /* for tests: a certificate whose validity ended yesterday */
        check(gnutls_x509_crt_set_activation_time(p.crt, now - 30 * DAY), "activation");
        check(gnutls_x509_crt_set_expiration_time(p.crt, now - DAY), "expiration");
    } else {
        check(gnutls_x509_crt_set_activation_time(p.crt, now - 60 * 60), "activation");
        check(gnutls_x509_crt_set_expiration_time(p.crt, now + (time_t)opt_days * DAY),
              "expiration");
    }
    set_dn(p.crt, cn);
    check(gnutls_x509_crt_set_key(p.crt, p.key), "set key");
    check(gnutls_x509_crt_set_basic_constraints(p.crt, is_ca, -1), "basic constraints");
    if (is_ca) {
        check(gnutls_x509_crt_set_key_usage(p.crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
              "key usage");
    } else {
        check(gnutls_x509_crt_set_key_usage(p.crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                       GNUTLS_KEY_KEY_ENCIPHERMENT),
              "key usage");
        check(gnutls_x509_crt_set_key_purpose_oid(p.crt, purpose, 0), "key purpose");
    }
    for (guint i = 0; sans && i < sans->len; i++)
        add_san(p.crt, sans->pdata[i]);
    check(gnutls_x509_crt_get_key_id(p.crt, 0, id, &idlen), "key id");
    check(gnutls_x509_crt_set_subject_key_id(p.crt, id, idlen), "subject key id");
    if (issuer) {
        idlen = sizeof(id);
        check(gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen, NULL), "CA key id");
        check(gnutls_x509_crt_set_authority_key_id(p.crt, id, idlen), "authority key id");
    }
    check(gnutls_x509_crt_sign2(p.crt, issuer ? issuer->crt : p.crt,
                                issuer ? issuer->key : p.key, GNUTLS_DIG_SHA256, 0),
          "sign");
    return p;
}

static void
free_pair(Pair *p)
{
    gnutls_x509_crt_deinit(p->crt);
    gnutls_x509_privkey_deinit(p->key);
}

static void
add_san(gnutls_x509_crt_t crt, const char *name)
{
    guint8 addr[16];

    if (inet_pton(AF_INET, name, addr) == 1)
        check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr, 4,
                                                   GNUTLS_FSAN_APPEND), name);
    else if (inet_pton(AF_INET6, name, addr) == 1)
        check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr, 16,
                                                   GNUTLS_FSAN_APPEND), name);
    else
        check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, strlen(name),
                                                   GNUTLS_FSAN_APPEND), name);
}

static void
cmd_ca(void)
{
    g_autofree char *dir = ca_dir();
    Pair ca = make_cert(opt_cn ? opt_cn : "modvirt CA", NULL, true, NULL, NULL);

    save_pair(&ca, dir, "cacert.pem", "cakey.pem");
    free_pair(&ca);
}

static void
copy_ca_cert(const Pair *ca, const char *dir)
{
    Pair only = { ca->crt, NULL };

    save_pair(&only, dir, "cacert.pem", NULL);
}

static void
cmd_server(void)
{
    g_autofree char *pki = pki_dir();
    g_autofree char *cadir = ca_dir();
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *host = g_get_host_name();
    Pair ca, srv;

    load_pair(cadir, &ca);
    /* this host's names and loopback, plus --name; the client checks the URI's host */
    g_ptr_array_add(names, g_strdup(host));
    g_ptr_array_add(names, g_strdup("localhost"));
    g_ptr_array_add(names, g_strdup("127.0.0.1"));
    g_ptr_array_add(names, g_strdup("::1"));
    for (char **n = opt_names; n && *n; n++)
        g_ptr_array_add(names, g_strdup(*n));
    srv = make_cert(opt_cn ? opt_cn : host, &ca, false, GNUTLS_KP_TLS_WWW_SERVER, names);
    copy_ca_cert(&ca, pki);
    save_pair(&srv, pki, "servercert.pem", "serverkey.pem");
    free_pair(&srv);
    free_pair(&ca);
}

static void
cmd_client(const char *dir)
{
    g_autofree char *cadir = ca_dir();
    Pair ca, cli;

    load_pair(cadir, &ca);
    cli = make_cert(opt_cn ? opt_cn : g_get_user_name(), &ca, false, GNUTLS_KP_TLS_WWW_CLIENT,
                    NULL);
    copy_ca_cert(&ca, dir);
    save_pair(&cli, dir, "clientcert.pem", "clientkey.pem");
    free_pair(&cli);
    free_pair(&ca);
}

static void
cmd_dn(const char *path)
{
    gnutls_datum_t data = { NULL, 0 }, dn = { NULL, 0 };
    gnutls_x509_crt_t crt;

    if (gnutls_load_file(path, &data) < 0)
        die("cannot read %s", path);
    check(gnutls_x509_crt_init(&crt), "init");
    check(gnutls_x509_crt_import(crt, &data, GNUTLS_X509_FMT_PEM), path);
    check(gnutls_x509_crt_get_dn2(crt, &dn), "read the DN");
    printf("%.*s\n", (int)dn.size, (const char *)dn.data);
    gnutls_free(dn.data);
    gnutls_free(data.data);
    gnutls_x509_crt_deinit(crt);
}

int
main(int argc, char **argv)
{
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root,
          "Use ROOT/etc/pki (the proxy's --root layout) instead of /etc/modvirt/pki", "ROOT" },
        { "pki-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_pki, "Use DIR as the PKI directory", "DIR" },
        { "ca-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca_dir,
          "The CA lives in DIR (default PKI/CA)", "DIR" },
        { "cn", 0, 0, G_OPTION_ARG_STRING, &opt_cn, "Common name of the new certificate", "CN" },
        { "org", 0, 0, G_OPTION_ARG_STRING, &opt_org, "Organization (default modvirt)", "O" },
        { "country", 0, 0, G_OPTION_ARG_STRING, &opt_country, "Country (default GB)", "C" },
        { "name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_names,
          "server: another DNS name or IP address clients use (repeatable)", "NAME" },
        { "client-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_client_dir,
          "init: where the client files go (default PKI/client)", "DIR" },
        { "days", 0, 0, G_OPTION_ARG_INT, &opt_days, "Validity in days (default 3650)", "N" },
        { "expired", 0, 0, G_OPTION_ARG_NONE, &opt_expired,
          "Make a certificate that expired yesterday (for tests)", NULL },
        { "bits", 0, 0, G_OPTION_ARG_INT, &opt_bits, "RSA key size (default 3072)", "N" },
        { "force", 0, 0, G_OPTION_ARG_NONE, &opt_force, "Replace existing files", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("init|ca|server|client DIR|dn CERT");
    g_autoptr(GError) err = NULL;
    const char *cmd;

    g_option_context_set_summary(ctx, "Certificates for remote access to modvirt-proxyd over TLS.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        die("%s", err->message);
    if (version) {
        printf("modvirt-pki %s\n", MV_VERSION);
        return 0;
    }
    if (argc < 2)
        die("which command? init, ca, server, client DIR or dn CERT (see --help)");
    if (opt_days < 1)
        die("--days must be at least 1");
    cmd = argv[1];
    if (g_str_equal(cmd, "ca") && argc == 2) {
        cmd_ca();
    } else if (g_str_equal(cmd, "server") && argc == 2) {
        cmd_server();
    } else if (g_str_equal(cmd, "client") && argc == 3) {
        cmd_client(argv[2]);
    } else if (g_str_equal(cmd, "dn") && argc == 3) {
        cmd_dn(argv[2]);
    } else if (g_str_equal(cmd, "init") && argc == 2) {
        g_autofree char *pki = pki_dir();
        g_autofree char *client = opt_client_dir ? g_canonicalize_filename(opt_client_dir, NULL)
                                                 : g_build_filename(pki, "client", NULL);
        char *cn = g_steal_pointer(&opt_cn);

        cmd_ca();
        cmd_server();
        opt_cn = cn;
        cmd_client(client);
        printf("\nNext: set [tls] listen = 0.0.0.0:16514 in the proxy's config, restart it, and\n"
               "connect with: virsh -c 'qemu+tls://%s/system?pkipath=%s'\n",
               g_get_host_name(), client);
    } else {
        die("unknown command or wrong arguments: %s (see --help)", cmd);
    }
    return 0;
}
