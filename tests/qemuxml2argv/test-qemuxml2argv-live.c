/* qemuxml2argv-live: every <case>.args golden beside this file, launched with the
 * real QEMU. One TAP case each (/qemuxml2argv-live/<case>).
 *
 * The golden's argv is used as written, except:
 *  - argv[0] is the installed QEMU (MV_QEMU_BINARY);
 *  - every absolute path under the fixture roots (/run/mv, /var/lib/mv,
 *    /var/log/mv) and every other absolute path that does not exist here is
 *    replaced by one in a temporary directory, created as the option needs it:
 *    a qcow2 or raw image for a -blockdev file node (the format node that uses
 *    it decides), a loop device over a temporary file for a host_device node
 *    (a real block device: QEMU refuses a regular file there), a kernel QEMU's
 *    x86 loader accepts for -kernel, an empty file for -initrd, and the parent
 *    directory for sockets, logs, chardev files and the pidfile; an existing
 *    host file (SeaBIOS, /dev/urandom, installed OVMF) is used as is;
 *  - a tap,fd=N netdev gets a real tap (TUNSETIFF) as fd N.
 * The program moves itself into a private network namespace first (loopback up
 * only), so taps, VNC/SPICE ports and 0.0.0.0 listeners never touch the host.
 * QEMU must reach the QMP greeting on the golden's monitor socket (paused: the
 * goldens have -S, nothing executes), accept qmp_capabilities and quit, and
 * exit 0. A case whose golden needs KVM, root or a loop device skips, saying why.
 * Each case takes well under a second. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/loop.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mv-config.h"
#include "util/error.h"
#include "util/spawn.h"

#define DATA MV_TEST_DATA_DIR
#define QMP_TIMEOUT_MS 30000
#define IMAGE_SIZE (1024 * 1024)

static char *qemu_binary;           /* NULL: not installed */
static char *netns_error;           /* NULL: we are in a private network namespace */

typedef struct {
    char *dir;                      /* the case's temporary directory */
    GHashTable *paths;              /* golden path -> temporary path */
    GHashTable *format_of;          /* storage node-name -> format driver */
    GArray *keep_fds;               /* loop devices and taps (closed at the end) */
    GArray *child_fds;              /* MvChildFd for the taps */
    char *monitor;                  /* the QMP socket (after substitution) */
    char *skip;                     /* a reason to skip the case */
} Live;

static void
live_clear(Live *lv)
{
    for (guint i = 0; i < lv->keep_fds->len; i++)
        close(g_array_index(lv->keep_fds, int, i));
    g_array_unref(lv->keep_fds);
    g_array_unref(lv->child_fds);
    g_hash_table_unref(lv->paths);
    g_hash_table_unref(lv->format_of);
    g_free(lv->monitor);
    g_free(lv->skip);
    if (lv->dir) {
        const char *rm[] = { "rm", "-rf", lv->dir, NULL };

        mv_spawn_sync(rm, NULL, 30000, NULL, NULL, NULL, NULL);
        g_free(lv->dir);
    }
}

/* ---- environment ---------------------------------------------------------- */

/* A private network namespace with the loopback up (needs CAP_SYS_ADMIN). */
static void
enter_private_netns(void)
{
    struct ifreq ifr = { .ifr_name = "lo" };
    int s;

    if (unshare(CLONE_NEWNET) < 0) {
        netns_error = g_strdup_printf("cannot create a private network namespace "
                                      "(needs root): %s", g_strerror(errno));
        return;
    }
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        g_error("loopback: %s", g_strerror(errno));
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        g_error("loopback up: %s", g_strerror(errno));
    close(s);
}

/* ---- files the golden names ------------------------------------------------ */

/* A kernel QEMU's x86 Linux loader accepts: a boot sector with a setup header
 * ("HdrS", boot protocol 2.15, loaded high) and zeros. Paused, it never runs. */
static void
write_fake_kernel(const char *path)
{
    g_autofree guint8 *buf = g_malloc0(64 * 1024);
    guint16 version = GUINT16_TO_LE(0x020f);
    guint32 initrd_max = GUINT32_TO_LE(0x37ffffff), cmdline_size = GUINT32_TO_LE(2048);
    g_autoptr(GError) error = NULL;

    buf[0x1f1] = 4;                         /* setup sectors */
    buf[0x1fe] = 0x55;
    buf[0x1ff] = 0xaa;
    memcpy(buf + 0x202, "HdrS", 4);
    memcpy(buf + 0x206, &version, 2);
    buf[0x211] = 0x01;                      /* LOADED_HIGH */
    memcpy(buf + 0x22c, &initrd_max, 4);
    memcpy(buf + 0x238, &cmdline_size, 4);
    if (!g_file_set_contents(path, (const char *)buf, 64 * 1024, &error))
        g_error("%s", error->message);
}

static void
write_raw(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || ftruncate(fd, IMAGE_SIZE) < 0)
        g_error("%s: %s", path, g_strerror(errno));
    close(fd);
}

static void
write_qcow2(const char *path)
{
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL };
    g_autoptr(GError) error = NULL;

    if (!mv_spawn_sync(argv, NULL, 30000, NULL, NULL, NULL, &error))
        g_error("qemu-img: %s", error->message);
}

/* A loop device (autoclear: it goes away when @lv's fd and QEMU's are closed)
 * over a new raw file; its path, or NULL with lv->skip set. */
static char *
make_loop_device(Live *lv, const char *backing)
{
    int ctl, back, dev = -1;
    char *path = NULL;

    write_raw(backing);
    if ((ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC)) < 0) {
        lv->skip = g_strdup_printf("host_device needs a loop device: /dev/loop-control: %s",
                                   g_strerror(errno));
        return NULL;
    }
    if ((back = open(backing, O_RDWR | O_CLOEXEC)) < 0)
        g_error("%s: %s", backing, g_strerror(errno));
    /* another process may take the free device first: try again */
    for (int attempt = 0; attempt < 20 && dev < 0; attempt++) {
        struct loop_config cfg = { .fd = back, .info.lo_flags = LO_FLAGS_AUTOCLEAR };
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);

        if (n < 0)
            break;
        g_free(path);
        path = g_strdup_printf("/dev/loop%d", n);
        if ((dev = open(path, O_RDWR | O_CLOEXEC)) < 0)
            continue;
        if (ioctl(dev, LOOP_CONFIGURE, &cfg) < 0) {
            close(dev);
            dev = -1;
        }
    }
    close(back);
    close(ctl);
    if (dev < 0) {
        lv->skip = g_strdup_printf("host_device needs a loop device; none could be set up: %s",
                                   g_strerror(errno));
        g_clear_pointer(&path, g_free);
        return NULL;
    }
    g_array_append_val(lv->keep_fds, dev);
    return path;
}

/* An attached tap in our namespace, passed to QEMU as @child_fd. */
static void
make_tap(Live *lv, int child_fd)
{
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
    MvChildFd cfd;
    int fd;

    g_strlcpy(ifr.ifr_name, "mvtap%d", IFNAMSIZ);
    if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0)
        g_error("tap for fd=%d: %s", child_fd, g_strerror(errno));
    g_array_append_val(lv->keep_fds, fd);
    cfd = (MvChildFd) { .parent_fd = fd, .child_fd = child_fd };
    g_array_append_val(lv->child_fds, cfd);
}

static bool
is_fixture_path(const char *p)
{
    return g_str_has_prefix(p, "/run/mv/") || g_str_has_prefix(p, "/var/lib/mv/")
           || g_str_has_prefix(p, "/var/log/mv/");
}

/* The temporary path standing for @path (same for every mention), its parent
 * directory created. */
static const char *
temp_path(Live *lv, const char *path)
{
    char *tmp = g_hash_table_lookup(lv->paths, path);
    g_autofree char *parent = NULL;

    if (tmp)
        return tmp;
    tmp = g_build_filename(lv->dir, "root", path, NULL);
    parent = g_path_get_dirname(tmp);
    if (g_mkdir_with_parents(parent, 0700) < 0)
        g_error("%s: %s", parent, g_strerror(errno));
    g_hash_table_insert(lv->paths, g_strdup(path), tmp);
    return tmp;
}

/* ---- rewriting the golden --------------------------------------------------- */

/* One "key=value" of a QEMU option string, unescaped (",," -> ","). */
typedef struct {
    char *key;                      /* NULL for a bare value ("1", "user", "pty") */
    char *value;
} Opt;

static GPtrArray *
opts_split(const char *s)
{
    GPtrArray *opts = g_ptr_array_new();
    GString *cur = g_string_new(NULL);

    for (const char *p = s;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            Opt *o = g_new0(Opt, 1);
            char *eq = strchr(cur->str, '=');

            o->key = eq ? g_strndup(cur->str, eq - cur->str) : NULL;
            o->value = g_strdup(eq ? eq + 1 : cur->str);
            g_ptr_array_add(opts, o);
            g_string_truncate(cur, 0);
            if (!*p)
                break;
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, TRUE);
    return opts;
}

static char *
opts_join(GPtrArray *opts)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < opts->len; i++) {
        Opt *o = opts->pdata[i];
        g_auto(GStrv) parts = g_strsplit(o->value, ",", -1);
        g_autofree char *escaped = g_strjoinv(",,", parts);

        if (i)
            g_string_append_c(s, ',');
        if (o->key)
            g_string_append_printf(s, "%s=", o->key);
        g_string_append(s, escaped);
    }
    return g_string_free(s, FALSE);
}

static void
opts_free(GPtrArray *opts)
{
    for (guint i = 0; i < opts->len; i++) {
        Opt *o = opts->pdata[i];

        g_free(o->key);
        g_free(o->value);
        g_free(o);
    }
    g_ptr_array_free(opts, TRUE);
}

static const char *
opts_get(GPtrArray *opts, const char *key)
{
    for (guint i = 0; i < opts->len; i++) {
        Opt *o = opts->pdata[i];

        if (o->key && g_str_equal(o->key, key))
            return o->value;
    }
    return NULL;
}

/* Needs replacing: a fixture path, or a path this host does not have. */
static bool
needs_temp(const char *value)
{
    return value[0] == '/' && (is_fixture_path(value) || !g_file_test(value, G_FILE_TEST_EXISTS));
}

/* Rewrites one option string of @flag ("-blockdev", "-chardev", …). */
static char *
rewrite_opts(Live *lv, const char *flag, const char *arg)
{
    GPtrArray *opts = opts_split(arg);
    const char *driver = opts->len ? ((Opt *)opts->pdata[0])->value : "";
    char *out;

    if (g_str_equal(flag, "-blockdev"))
        driver = opts_get(opts, "driver") ? opts_get(opts, "driver") : "";
    for (guint i = 0; i < opts->len; i++) {
        Opt *o = opts->pdata[i];
        char *tmp;

        if (o->key && g_str_equal(flag, "-netdev") && g_str_equal(o->key, "fd"))
            make_tap(lv, atoi(o->value));
        if (!o->key || !needs_temp(o->value))
            continue;
        if (g_str_equal(flag, "-blockdev") && g_str_equal(driver, "host_device")) {
            g_autofree char *backing = g_strdup(temp_path(lv, o->value));

            if (!(tmp = make_loop_device(lv, backing)))
                tmp = g_strdup(o->value);
        } else {
            tmp = g_strdup(temp_path(lv, o->value));
            if (g_str_equal(flag, "-blockdev") && g_str_equal(o->key, "filename")) {
                const char *node = opts_get(opts, "node-name");
                const char *fmt = node ? g_hash_table_lookup(lv->format_of, node) : NULL;

                if (g_strcmp0(fmt, "qcow2") == 0)
                    write_qcow2(tmp);
                else
                    write_raw(tmp);
            }
        }
        if (g_str_equal(flag, "-chardev") && o->key && g_str_equal(o->key, "path")
            && opts_get(opts, "id") && g_str_equal(opts_get(opts, "id"), "monitor"))
            lv->monitor = g_strdup(tmp);
        g_free(o->value);
        o->value = tmp;
    }
    out = opts_join(opts);
    opts_free(opts);
    return out;
}

/* Which format driver sits on each storage node ("file=NODE" of a -blockdev). */
static void
collect_formats(Live *lv, char **golden)
{
    for (size_t i = 0; golden[i] && golden[i + 1]; i++) {
        GPtrArray *opts;

        if (!g_str_equal(golden[i], "-blockdev"))
            continue;
        opts = opts_split(golden[i + 1]);
        if (opts_get(opts, "file") && opts_get(opts, "driver"))
            g_hash_table_insert(lv->format_of, g_strdup(opts_get(opts, "file")),
                                g_strdup(opts_get(opts, "driver")));
        opts_free(opts);
    }
}

/* The golden's argv with this host's QEMU, temporary paths and real fds. */
static GPtrArray *
rewrite_golden(Live *lv, char **golden)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    bool paused = false;

    collect_formats(lv, golden);
    g_ptr_array_add(argv, g_strdup(qemu_binary));
    for (size_t i = 1; golden[i]; i++) {
        const char *prev = golden[i - 1];
        const char *arg = golden[i];

        paused |= g_str_equal(arg, "-S");
        if (arg[0] == '-') {
            g_ptr_array_add(argv, g_strdup(arg));
        } else if (arg[0] == '/') {                 /* -kernel, -initrd, -pidfile, -bios */
            if (!needs_temp(arg)) {
                g_ptr_array_add(argv, g_strdup(arg));
                continue;
            }
            g_ptr_array_add(argv, g_strdup(temp_path(lv, arg)));
            if (g_str_equal(prev, "-kernel"))
                write_fake_kernel(g_ptr_array_index(argv, argv->len - 1));
            else if (g_str_equal(prev, "-initrd") || g_str_equal(prev, "-bios"))
                write_raw(g_ptr_array_index(argv, argv->len - 1));
        } else if (g_str_equal(prev, "-append") || g_str_equal(prev, "-name")) {
            g_ptr_array_add(argv, g_strdup(arg));
        } else {
            g_ptr_array_add(argv, rewrite_opts(lv, prev, arg));
        }
    }
    if (!paused)                                    /* never let a guest run */
        g_ptr_array_insert(argv, 1, g_strdup("-S"));
    g_ptr_array_add(argv, NULL);
    return argv;
}

/* ---- QMP ------------------------------------------------------------------- */

/* One line from @fd within the deadline (monotonic µs); NULL on EOF/timeout. */
static char *
read_line(int fd, GString *buf, gint64 deadline)
{
    for (;;) {
        char *nl = memchr(buf->str, '\n', buf->len);
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char chunk[4096];
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        ssize_t n;

        if (nl) {
            char *line = g_strndup(buf->str, nl - buf->str);

            g_string_erase(buf, 0, nl - buf->str + 1);
            return line;
        }
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return NULL;
        if ((n = read(fd, chunk, sizeof(chunk))) <= 0)
            return NULL;
        g_string_append_len(buf, chunk, n);
    }
}

/* Sends @cmd and returns the first reply line ("return" or "error"). */
static char *
qmp_command(int fd, GString *buf, const char *cmd, gint64 deadline)
{
    if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
        return NULL;
    for (;;) {
        char *line = read_line(fd, buf, deadline);

        if (!line || strstr(line, "\"return\"") || strstr(line, "\"error\""))
            return line;
        g_free(line);                               /* an event */
    }
}

/* Connects to @path as soon as QEMU listens there; -1 once @child exited. */
static int
qmp_connect(MvChild *child, const char *path, gint64 deadline)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    while (g_get_monotonic_time() < deadline) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return fd;
        close(fd);
        if (mv_child_wait(child, 20, NULL, NULL))
            return -1;
    }
    return -1;
}

/* ---- the test ---------------------------------------------------------------- */

/* Failures of this host, not of the golden: QEMU got past its command line
 * (devices realized) and then died. Reported as TAP TODO (expected failure),
 * named in docs/testing.md "Known gaps"; any other failure fails. */
static const struct {
    const char *signature;          /* in QEMU's output */
    const char *why;
} host_gaps[] = {
    { "failed to set MSR 0x10a",
      "QEMU 7.2 under this (nested) KVM aborts resetting a -cpu host/max vCPU: "
      "the hypervisor refuses MSR 0x10a (IA32_ARCH_CAPABILITIES)" },
};

static void
fail_with_log(const char *what, const char *log, GPtrArray *argv)
{
    g_autofree char *text = NULL;
    g_autofree char *joined = g_strjoinv(" ", (char **)argv->pdata);

    g_file_get_contents(log, &text, NULL, NULL);
    g_test_message("%s\nQEMU output:\n%s\nargv: %s", what, text ? text : "", joined);
    for (size_t i = 0; text && i < G_N_ELEMENTS(host_gaps); i++) {
        if (strstr(text, host_gaps[i].signature)) {
            g_test_incomplete(host_gaps[i].why);
            return;
        }
    }
    g_test_fail();
}

static void
test_live(gconstpointer data)
{
    const char *name = data;
    g_autofree char *path = g_strdup_printf("%s/%s.args", DATA, name);
    g_autofree char *text = NULL;
    g_autofree char *log = NULL;
    const char *failure = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_auto(GStrv) golden = NULL;
    Live lv = {
        .paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .format_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .keep_fds = g_array_new(FALSE, FALSE, sizeof(int)),
        .child_fds = g_array_new(FALSE, FALSE, sizeof(MvChildFd)),
    };
    MvChildOptions opts = { 0 };
    MvChild *child;
    gint64 deadline;
    int fd, status;

    if (!qemu_binary || netns_error) {
        g_test_skip(!qemu_binary ? MV_QEMU_BINARY " is not installed" : netns_error);
        live_clear(&lv);
        return;
    }
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    golden = g_strsplit(g_strchomp(text), "\n", -1);
    if (strstr(text, "accel=kvm") && access("/dev/kvm", R_OK | W_OK) < 0) {
        g_test_skip("the golden runs under KVM and /dev/kvm is not usable here");
        live_clear(&lv);
        return;
    }
    if (!(lv.dir = g_dir_make_tmp("mv-xml2argv-live-XXXXXX", &error)))
        g_error("%s", error->message);
    argv = rewrite_golden(&lv, golden);
    if (lv.skip) {
        g_test_skip(lv.skip);
        live_clear(&lv);
        return;
    }
    if (!lv.monitor) {
        g_test_message("%s has no QMP monitor (-chardev socket,id=monitor,path=…)", path);
        g_test_fail();
        live_clear(&lv);
        return;
    }

    log = g_build_filename(lv.dir, "qemu.log", NULL);
    opts.argv = (const char *const *)argv->pdata;
    opts.out = (MvChildStdio) { .kind = MV_CHILD_STDIO_FILE, .path = log };
    opts.err = opts.out;
    opts.fds = (const MvChildFd *)(void *)lv.child_fds->data;
    opts.n_fds = lv.child_fds->len;
    if (!(child = mv_child_spawn(&opts, &error)))
        g_error("%s: %s", name, error->message);

    deadline = g_get_monotonic_time() + QMP_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    if ((fd = qmp_connect(child, lv.monitor, deadline)) < 0) {
        failure = "QEMU exited (or never listened) before the QMP greeting";
    } else {
        g_autofree char *greeting = read_line(fd, buf, deadline);
        g_autofree char *caps = NULL;
        g_autofree char *reply = NULL;

        if (!greeting || !g_str_has_prefix(greeting, "{\"QMP\":"))
            failure = "no QMP greeting";
        else if (!(caps = qmp_command(fd, buf, "{\"execute\":\"qmp_capabilities\"}\n",
                                      deadline)) || !strstr(caps, "\"return\""))
            failure = "qmp_capabilities failed";
        else if (!(reply = qmp_command(fd, buf, "{\"execute\":\"quit\"}\n", deadline)))
            failure = "no reply to quit";
        close(fd);
    }
    if (!failure && !mv_child_wait(child, 10000, &status, NULL))
        failure = "QEMU did not exit after quit";
    else if (!failure && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        failure = "QEMU did not exit 0 after quit";
    g_assert_true(mv_child_terminate(child, 3000, NULL));    /* reaped in any case */
    if (failure)                                              /* its output is complete */
        fail_with_log(failure, log, argv);
    mv_child_free(child);
    live_clear(&lv);
}

/* A golden with a TPM needs qemud's swtpm beside QEMU: those command lines are
 * started for real by test_domain_tpm.py (qemud runs swtpm, then this same
 * builder's QEMU), not here. */
static bool
needs_swtpm(const char *entry)
{
    g_autofree char *path = g_build_filename(DATA, entry, NULL);
    g_autofree char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return strstr(text, "\n-tpmdev\n") != NULL;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry;

    enter_private_netns();              /* before any thread exists */
    g_test_init(&argc, &argv, NULL);
    qemu_binary = g_find_program_in_path(MV_QEMU_BINARY);
    signal(SIGPIPE, SIG_IGN);

    g_assert_nonnull(dir = g_dir_open(DATA, 0, NULL));
    while ((entry = g_dir_read_name(dir)))
        if (g_str_has_suffix(entry, ".args") && !needs_swtpm(entry))
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 5));
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *p = g_strdup_printf("/qemuxml2argv-live/%s",
                                             (char *)names->pdata[i]);

        g_test_add_data_func(p, names->pdata[i], test_live);
    }
    return g_test_run();
}
