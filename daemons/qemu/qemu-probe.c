/* Probing the installed QEMU, with a process-lifetime memory cache and a disk
 * cache keyed by the binary's identity. */
#define MV_LOG_CATEGORY "qemu.probe"

#include "qemu-probe.h"
#include "qemu-probe-priv.h"
#include "qemu-json.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mv-config.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/file.h"
#include "util/log.h"
#include "util/spawn.h"

/* Bump when the cache layout or the meaning of a probed value changes. */
#define PROBE_CACHE_FORMAT 1
#define PROBE_TIMEOUT_MS 30000
#define PROBE_MAX_OUTPUT (4 * 1024 * 1024)
/* QEMU loads accelerators and devices from here; an upgrade changes its mtime. */
#define PROBE_MODULE_DIR "/usr/lib/x86_64-linux-gnu/qemu"

/* ---- parsers ------------------------------------------------------------ */

bool
mv_qemu_probe_parse_version(const char *text, unsigned int *ret_version,
                            char **ret_package, GError **error)
{
    const char *p = text ? strstr(text, "version ") : NULL;
    unsigned long parts[3] = { 0, 0, 0 };
    char *end = NULL;
    int n = 0;

    if (!p)
        goto bad;
    p += strlen("version ");
    while (n < 3) {
        if (!g_ascii_isdigit(*p))
            goto bad;
        parts[n++] = strtoul(p, &end, 10);
        p = end;
        if (*p != '.')
            break;
        p++;
    }
    if (n < 2 || parts[0] > 999 || parts[1] > 999 || parts[2] > 999)
        goto bad;

    if (ret_package) {
        const char *open, *close;

        *ret_package = NULL;
        while (*p == ' ')
            p++;
        if (*p == '(' && (close = strchr(p, ')')) && !memchr(p, '\n', close - p)) {
            open = p + 1;
            if (close > open)
                *ret_package = g_strndup(open, close - open);
        }
    }
    *ret_version = (unsigned int)(parts[0] * 1000000 + parts[1] * 1000 + parts[2]);
    return true;

 bad:
    {
        g_autofree char *first = g_strndup(text ? text : "", strcspn(text ? text : "", "\n"));
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "cannot parse the QEMU version from '%s'", first);
    }
}

void
mv_qemu_machines_free(MvQemuMachine *machines, size_t n)
{
    for (size_t i = 0; machines && i < n; i++) {
        g_free(machines[i].name);
        g_free(machines[i].canonical);
    }
    g_free(machines);
}

static bool
probe_is_machine_name(const char *s, size_t len)
{
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isalnum(s[i]) && !strchr("._-", s[i]))
            return false;
    }
    return true;
}

bool
mv_qemu_probe_parse_machines(const char *text, MvQemuMachine **ret_machines, size_t *ret_n,
                             GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    g_autoptr(GArray) machines = g_array_new(FALSE, TRUE, sizeof(MvQemuMachine));

    for (char **l = lines; *l; l++) {
        char *line = g_strchomp(*l);          /* also drops a trailing \r */
        size_t namelen = strcspn(line, " \t");
        const char *desc = line + namelen;
        const char *alias;
        MvQemuMachine m = { 0 };
        bool dup = false;

        /* the header ("Supported machines are:"), blank lines, indented
         * continuations, anything odd */
        if (g_str_has_suffix(line, ":") || !probe_is_machine_name(line, namelen))
            continue;
        m.name = g_strndup(line, namelen);
        for (guint i = 0; i < machines->len && !dup; i++)
            dup = g_str_equal(g_array_index(machines, MvQemuMachine, i).name, m.name);
        if (dup) {
            g_free(m.name);
            continue;
        }
        if ((alias = strstr(desc, "(alias of "))) {
            const char *start = alias + strlen("(alias of ");
            size_t len = strcspn(start, ") \t");
            if (start[len] == ')' && probe_is_machine_name(start, len))
                m.canonical = g_strndup(start, len);
        }
        m.is_default = strstr(desc, "(default)") != NULL;
        m.deprecated = strstr(desc, "(deprecated)") != NULL;
        g_array_append_val(machines, m);
    }

    if (machines->len == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "QEMU listed no machine types");
    *ret_n = machines->len;
    *ret_machines = (MvQemuMachine *)g_array_free(g_steal_pointer(&machines), FALSE);
    return true;
}

bool
mv_qemu_probe_parse_accels(const char *text, char ***ret_accels, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func(g_free);

    for (char **l = lines; *l; l++) {
        char *name = g_strstrip(*l);
        if (!probe_is_machine_name(name, strlen(name)))
            continue;           /* "Accelerators supported in QEMU binary:" */
        g_ptr_array_add(accels, g_strdup(name));
    }
    if (accels->len == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "QEMU listed no accelerators");
    g_ptr_array_add(accels, NULL);
    *ret_accels = (char **)g_ptr_array_free(g_steal_pointer(&accels), FALSE);
    return true;
}

static MvQemuMachine *
probe_find(MvQemuMachine *machines, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++) {
        if (g_str_equal(machines[i].name, name))
            return &machines[i];
    }
    return NULL;
}

bool
mv_qemu_probe_parse_qmp_machines(const char *text, const char *id, MvQemuMachine *machines,
                                 size_t n, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

    for (char **l = lines; *l; l++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        JsonArray *list;
        JsonNode *root;

        if (!g_strstrip(*l)[0] || !json_parser_load_from_data(parser, *l, -1, NULL))
            continue;
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
            continue;
        obj = json_node_get_object(root);
        if (!json_object_has_member(obj, "id") ||
            g_strcmp0(mv_qemu_json_get_string(obj, "id", ""), id) != 0)
            continue;
        if (json_object_has_member(obj, "error")) {
            JsonObject *err = mv_qemu_json_get_object(obj, "error");
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                "QMP query-machines failed: %s",
                                mv_qemu_json_get_string(err, "desc", "?"));
        }
        if (!json_object_has_member(obj, "return") ||
            !JSON_NODE_HOLDS_ARRAY(json_object_get_member(obj, "return")))
            break;
        list = json_object_get_array_member(obj, "return");
        for (guint i = 0; i < json_array_get_length(list); i++) {
            JsonNode *node = json_array_get_element(list, i);
            JsonObject *m;
            const char *name, *alias;
            gint64 max;
            MvQemuMachine *found;

            if (!JSON_NODE_HOLDS_OBJECT(node))
                continue;
            m = json_node_get_object(node);
            name = mv_qemu_json_get_string(m, "name", NULL);
            alias = mv_qemu_json_get_string(m, "alias", NULL);
            max = mv_qemu_json_get_int(m, "cpu-max", 0);
            if (max <= 0 || max > G_MAXINT)
                continue;
            if ((found = probe_find(machines, n, name)))
                found->max_cpus = (int)max;
            if ((found = probe_find(machines, n, alias)))
                found->max_cpus = (int)max;
        }
        return true;
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                        "QEMU did not answer QMP query-machines");
}

/* ---- running QEMU ------------------------------------------------------- */

static bool
probe_run(const char *binary, const char *arg1, const char *arg2, char **ret_out,
          GError **error)
{
    const char *argv[] = { binary, arg1, arg2, NULL };

    if (!mv_spawn_sync(argv, NULL, PROBE_TIMEOUT_MS, ret_out, NULL, NULL, error)) {
        g_prefix_error(error, "cannot run '%s %s%s%s': ", binary, arg1, arg2 ? " " : "",
                       arg2 ? arg2 : "");
        return false;
    }
    return true;
}

/* Reads @fd until EOF, @deadline (monotonic us) or PROBE_MAX_OUTPUT. */
static bool
probe_read_until_eof(int fd, gint64 deadline, GString *out, GError **error)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
        char buf[16384];
        ssize_t got;
        int rc;

        if (left_ms <= 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                                "QEMU did not answer QMP within %d ms", PROBE_TIMEOUT_MS);
        rc = poll(&pfd, 1, (int)MIN(left_ms, G_MAXINT));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return mv_error_set_errno(error, MV_FROM_QEMU, errno, "poll failed");
        if (rc == 0)
            continue;
        got = read(fd, buf, sizeof(buf));
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got < 0)
            return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot read QMP replies");
        if (got == 0)
            return true;
        if (out->len + got > PROBE_MAX_OUTPUT)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                "QEMU sent more than %d bytes of QMP replies",
                                PROBE_MAX_OUTPUT);
        g_string_append_len(out, buf, got);
    }
}

/* One short QMP session over stdin/stdout: the commands are queued in a pipe
 * before QEMU starts, the last one is "quit", so QEMU exits on its own. */
static bool
probe_run_qmp(const char *binary, const char *commands, char **ret_out, GError **error)
{
    const char *argv[] = { binary, "-machine", "none", "-qmp", "stdio", "-nodefaults",
                           "-no-user-config", "-display", "none", NULL };
    int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 };
    MV_AUTOCLOSE int in_r = -1;
    MV_AUTOCLOSE int in_w = -1;
    MV_AUTOCLOSE int out_r = -1;
    MV_AUTOCLOSE int out_w = -1;
    MvChildOptions opts = { .argv = argv };
    g_autoptr(MvChild) child = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + (gint64)PROBE_TIMEOUT_MS * 1000;
    size_t len = strlen(commands);

    /* the commands fit in the pipe buffer: write them all before the spawn */
    if (len >= 4096)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "QMP script too long");
    if (!g_unix_open_pipe(in_pipe, FD_CLOEXEC, NULL))
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create a pipe");
    in_r = in_pipe[0];
    in_w = in_pipe[1];
    if (!g_unix_open_pipe(out_pipe, FD_CLOEXEC, NULL))
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create a pipe");
    out_r = out_pipe[0];
    out_w = out_pipe[1];
    if (write(in_w, commands, len) != (ssize_t)len)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot queue QMP commands");
    mv_close_fdp(&in_w);

    opts.in = (MvChildStdio){ .kind = MV_CHILD_STDIO_FD, .fd = in_r };
    opts.out = (MvChildStdio){ .kind = MV_CHILD_STDIO_FD, .fd = out_w };
    if (!(child = mv_child_spawn(&opts, error)))
        return false;
    mv_close_fdp(&in_r);
    mv_close_fdp(&out_w);       /* so that QEMU's exit gives us EOF */

    if (!probe_read_until_eof(out_r, deadline, out, error) ||
        !mv_child_wait(child, (int)MAX((deadline - g_get_monotonic_time()) / 1000, 1),
                       NULL, error)) {
        mv_child_terminate(child, 0, NULL);     /* kills and reaps */
        return false;
    }
    *ret_out = g_string_free(g_steal_pointer(&out), FALSE);
    return true;
}

/* What QEMU would say when QMP is unavailable: the per-family limits of 7.x. */
static int
probe_fallback_max_cpus(const MvQemuMachine *m)
{
    const char *name = m->canonical ? m->canonical : m->name;

    if (strstr(name, "q35") || g_str_equal(name, "microvm"))
        return 288;
    if (strstr(name, "i440fx") || g_str_equal(name, "pc"))
        return 255;
    if (g_str_equal(name, "isapc") || g_str_equal(name, "none"))
        return 1;
    return 0;
}

static bool
probe_spawn_all(MvQemuProbe *probe, GError **error)
{
    g_autofree char *out = NULL;
    g_autoptr(GError) qmp_error = NULL;

    if (!probe_run(probe->binary, "--version", NULL, &out, error) ||
        !mv_qemu_probe_parse_version(out, &probe->version, &probe->package, error))
        return false;
    g_clear_pointer(&out, g_free);

    if (!probe_run(probe->binary, "-machine", "help", &out, error) ||
        !mv_qemu_probe_parse_machines(out, &probe->machines, &probe->nmachines, error))
        return false;
    g_clear_pointer(&out, g_free);

    if (!probe_run(probe->binary, "-accel", "help", &out, &qmp_error) ||
        !mv_qemu_probe_parse_accels(out, &probe->accels, &qmp_error)) {
        mv_log_debug("no accelerator list (%s); assuming tcg", qmp_error->message);
        g_clear_error(&qmp_error);
        probe->accels = g_strsplit("tcg", ",", -1);
    }
    g_clear_pointer(&out, g_free);

    if (!probe_run_qmp(probe->binary,
                       "{\"execute\":\"qmp_capabilities\"}\n"
                       "{\"execute\":\"query-machines\",\"id\":\"mv-machines\"}\n"
                       "{\"execute\":\"quit\"}\n", &out, &qmp_error) ||
        !mv_qemu_probe_parse_qmp_machines(out, "mv-machines", probe->machines,
                                          probe->nmachines, &qmp_error)) {
        mv_log_debug("using built-in CPU limits: %s", qmp_error->message);
        for (size_t i = 0; i < probe->nmachines; i++)
            probe->machines[i].max_cpus = probe_fallback_max_cpus(&probe->machines[i]);
    }
    /* an alias has the limit of its machine, whatever the source said */
    for (size_t i = 0; i < probe->nmachines; i++) {
        MvQemuMachine *m = &probe->machines[i];
        const MvQemuMachine *target = probe_find(probe->machines, probe->nmachines,
                                                 m->canonical);
        if (target) {
            m->max_cpus = target->max_cpus;
            m->deprecated = target->deprecated;
        }
    }
    return true;
}

/* ---- disk cache --------------------------------------------------------- */

/* The identity of the binary (and its module directory): any change => reprobe. */
typedef struct {
    guint64 size;
    gint64 mtime_ns;
    gint64 ctime_ns;
    guint64 inode;
    gint64 modules_mtime_ns;
} ProbeStamp;

static bool
probe_stamp(const char *binary, ProbeStamp *ret, GError **error)
{
    struct stat st;

    if (stat(binary, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot stat '%s'", binary);
    ret->size = st.st_size;
    ret->mtime_ns = st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
    ret->ctime_ns = st.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_ctim.tv_nsec;
    ret->inode = st.st_ino;
    ret->modules_mtime_ns = 0;
    if (stat(PROBE_MODULE_DIR, &st) == 0)
        ret->modules_mtime_ns = st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) +
                                st.st_mtim.tv_nsec;
    return true;
}

static char *
probe_cache_path(const char *cache_dir, const char *binary)
{
    g_autofree char *base = g_path_get_basename(binary);
    g_autofree char *name = g_strdup_printf("%s.cache", base);
    return g_build_filename(cache_dir, name, NULL);
}

static void
probe_stamp_to_keyfile(GKeyFile *kf, const char *binary, const ProbeStamp *s)
{
    g_key_file_set_integer(kf, "cache", "format", PROBE_CACHE_FORMAT);
    g_key_file_set_string(kf, "cache", "modvirt", MV_VERSION);
    g_key_file_set_string(kf, "cache", "binary", binary);
    g_key_file_set_uint64(kf, "cache", "size", s->size);
    g_key_file_set_int64(kf, "cache", "mtime_ns", s->mtime_ns);
    g_key_file_set_int64(kf, "cache", "ctime_ns", s->ctime_ns);
    g_key_file_set_uint64(kf, "cache", "inode", s->inode);
    g_key_file_set_int64(kf, "cache", "modules_mtime_ns", s->modules_mtime_ns);
}

/* True when @kf was written by this modvirt for exactly this binary. */
static bool
probe_cache_matches(GKeyFile *kf, const char *binary, const ProbeStamp *s)
{
    g_autoptr(GKeyFile) want = g_key_file_new();
    g_auto(GStrv) keys = NULL;

    probe_stamp_to_keyfile(want, binary, s);
    keys = g_key_file_get_keys(want, "cache", NULL, NULL);
    for (char **k = keys; k && *k; k++) {
        g_autofree char *a = g_key_file_get_value(want, "cache", *k, NULL);
        g_autofree char *b = g_key_file_get_value(kf, "cache", *k, NULL);
        if (g_strcmp0(a, b) != 0) {
            mv_log_debug("QEMU cache is stale: %s was '%s', is '%s'", *k, b ? b : "", a);
            return false;
        }
    }
    return true;
}

static bool
probe_cache_read(const char *path, const char *binary, const ProbeStamp *stamp,
                 MvQemuProbe *probe)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) accels = NULL;
    g_autoptr(GArray) machines = g_array_new(FALSE, TRUE, sizeof(MvQemuMachine));
    guint64 version;
    gint64 count;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            mv_log_debug("ignoring QEMU cache %s: %s", path, local->message);
        return false;
    }
    if (!probe_cache_matches(kf, binary, stamp))
        return false;

    version = g_key_file_get_uint64(kf, "qemu", "version", &local);
    count = g_key_file_get_int64(kf, "qemu", "machines", local ? NULL : &local);
    accels = g_key_file_get_string_list(kf, "qemu", "accels", NULL, local ? NULL : &local);
    if (local || version == 0 || version > G_MAXUINT || count <= 0 || count > 10000 ||
        !accels || !accels[0])
        goto bad;

    for (gint64 i = 0; i < count; i++) {
        g_autofree char *group = g_strdup_printf("machine %" G_GINT64_FORMAT, i);
        MvQemuMachine m = { 0 };
        gint64 max;

        m.name = g_key_file_get_string(kf, group, "name", NULL);
        m.canonical = g_key_file_get_string(kf, group, "canonical", NULL);
        max = g_key_file_get_int64(kf, group, "max_cpus", NULL);
        m.max_cpus = max > 0 && max <= G_MAXINT ? (int)max : 0;
        m.is_default = g_key_file_get_boolean(kf, group, "default", NULL);
        m.deprecated = g_key_file_get_boolean(kf, group, "deprecated", NULL);
        g_array_append_val(machines, m);
        if (!m.name || !probe_is_machine_name(m.name, strlen(m.name)))
            goto bad;
    }

    probe->version = (unsigned int)version;
    probe->package = g_key_file_get_string(kf, "qemu", "package", NULL);
    probe->accels = g_steal_pointer(&accels);
    probe->nmachines = machines->len;
    probe->machines = (MvQemuMachine *)g_array_free(g_steal_pointer(&machines), FALSE);
    return true;

 bad:
    mv_log_debug("ignoring malformed QEMU cache %s", path);
    for (guint i = 0; i < machines->len; i++) {
        g_free(g_array_index(machines, MvQemuMachine, i).name);
        g_free(g_array_index(machines, MvQemuMachine, i).canonical);
    }
    return false;
}

static bool
probe_cache_write(const char *cache_dir, const char *path, const ProbeStamp *stamp,
                  const MvQemuProbe *probe, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *data = NULL;
    gsize len = 0;

    probe_stamp_to_keyfile(kf, probe->binary, stamp);
    g_key_file_set_uint64(kf, "qemu", "version", probe->version);
    if (probe->package)
        g_key_file_set_string(kf, "qemu", "package", probe->package);
    g_key_file_set_string_list(kf, "qemu", "accels", (const char *const *)probe->accels,
                               g_strv_length(probe->accels));
    g_key_file_set_int64(kf, "qemu", "machines", (gint64)probe->nmachines);
    for (size_t i = 0; i < probe->nmachines; i++) {
        const MvQemuMachine *m = &probe->machines[i];
        g_autofree char *group = g_strdup_printf("machine %zu", i);

        g_key_file_set_string(kf, group, "name", m->name);
        if (m->canonical)
            g_key_file_set_string(kf, group, "canonical", m->canonical);
        g_key_file_set_integer(kf, group, "max_cpus", m->max_cpus);
        g_key_file_set_boolean(kf, group, "default", m->is_default);
        g_key_file_set_boolean(kf, group, "deprecated", m->deprecated);
    }
    data = g_key_file_to_data(kf, &len, NULL);
    return mv_file_mkdir_p(cache_dir, 0755, error) &&
           mv_file_write_atomic(path, data, len, 0644, error);
}

/* ---- the probe ---------------------------------------------------------- */

void
mv_qemu_probe_free(MvQemuProbe *probe)
{
    if (!probe)
        return;
    g_free(probe->binary);
    g_free(probe->package);
    mv_qemu_machines_free(probe->machines, probe->nmachines);
    g_strfreev(probe->accels);
    g_free(probe);
}

static char *
probe_resolve_binary(const char *binary, GError **error)
{
    g_autofree char *path = NULL;

    if (!binary || !*binary)
        binary = MV_QEMU_BINARY;
    if (strchr(binary, '/'))
        path = g_canonicalize_filename(binary, NULL);
    else
        path = g_find_program_in_path(binary);
    if (!path || access(path, X_OK) < 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "cannot find the QEMU binary '%s'%s: install qemu-system-x86 "
                            "or set qemu_binary", binary,
                            strchr(binary, '/') ? "" : " in $PATH"), NULL;
    return g_steal_pointer(&path);
}

/* /dev/kvm must open read-write: that is what QEMU does with -accel kvm. */
static bool
probe_kvm_usable(const MvQemuProbe *probe)
{
    int fd;

    if (!mv_qemu_probe_has_accel(probe, "kvm"))
        return false;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        mv_log_debug("KVM is not usable: /dev/kvm: %s", g_strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

MvQemuProbe *
mv_qemu_probe_load(const char *binary, const char *cache_dir, bool *ret_spawned,
                   GError **error)
{
    g_autoptr(MvQemuProbe) probe = g_new0(MvQemuProbe, 1);
    g_autofree char *cache_path = NULL;
    g_autoptr(GError) local = NULL;
    ProbeStamp stamp;
    bool spawned = false;

    if (!(probe->binary = probe_resolve_binary(binary, error)) ||
        !probe_stamp(probe->binary, &stamp, error))
        return NULL;

    if (cache_dir)
        cache_path = probe_cache_path(cache_dir, probe->binary);
    if (!cache_path || !probe_cache_read(cache_path, probe->binary, &stamp, probe)) {
        spawned = true;
        if (!probe_spawn_all(probe, error)) {
            g_prefix_error(error, "cannot probe QEMU '%s': ", probe->binary);
            return NULL;
        }
        if (cache_path && !probe_cache_write(cache_dir, cache_path, &stamp, probe, &local))
            mv_log_debug("cannot write the QEMU cache: %s", local->message);
    }

    probe->kvm_usable = probe_kvm_usable(probe);
    if (ret_spawned)
        *ret_spawned = spawned;
    return g_steal_pointer(&probe);
}

static GMutex probe_lock;
static GHashTable *probe_table;   /* requested binary ("" = default) -> MvQemuProbe */

const MvQemuProbe *
mv_qemu_probe_get(const char *binary, const char *cache_dir, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&probe_lock);
    const char *key = binary ? binary : "";
    MvQemuProbe *probe;

    /* Probing under the lock makes concurrent first callers wait for one probe. */
    if (!probe_table)
        probe_table = g_hash_table_new(g_str_hash, g_str_equal);
    if ((probe = g_hash_table_lookup(probe_table, key)))
        return probe;
    if (!(probe = mv_qemu_probe_load(binary, cache_dir, NULL, error)))
        return NULL;
    g_hash_table_insert(probe_table, g_strdup(key), probe);
    return probe;
}

const MvQemuMachine *
mv_qemu_probe_find_machine(const MvQemuProbe *probe, const char *name)
{
    return probe_find(probe->machines, probe->nmachines, name);
}

const MvQemuMachine *
mv_qemu_probe_get_default_machine(const MvQemuProbe *probe)
{
    for (size_t i = 0; i < probe->nmachines; i++) {
        if (probe->machines[i].is_default && !probe->machines[i].canonical)
            return &probe->machines[i];
    }
    for (size_t i = 0; i < probe->nmachines; i++) {
        if (probe->machines[i].is_default)
            return &probe->machines[i];
    }
    return NULL;
}

bool
mv_qemu_probe_has_accel(const MvQemuProbe *probe, const char *name)
{
    return probe->accels && g_strv_contains((const char *const *)probe->accels, name);
}

/* qemu-system-<arch> -> the capabilities' arch name and word size. */
static void
probe_guest_arch(const char *binary, char **ret_arch, int *ret_wordsize)
{
    g_autofree char *base = g_path_get_basename(binary);
    const char *arch = g_str_has_prefix(base, "qemu-system-") ? base + 12 : "x86_64";

    if (g_str_equal(arch, "i386"))
        arch = "i686";
    *ret_arch = g_strdup(arch);
    *ret_wordsize = (g_str_equal(arch, "i686") || g_str_equal(arch, "arm") ||
                     g_str_equal(arch, "ppc") || g_str_equal(arch, "riscv32")) ? 32 : 64;
}

static void
probe_add_caps_machine(MvCapsGuest *guest, const MvQemuMachine *m)
{
    if (!g_str_equal(m->name, "none"))
        mv_caps_guest_add_machine(guest, m->name, m->canonical, m->max_cpus, m->deprecated);
}

/* @m and then every alias of it, each once. */
static void
probe_add_caps_machine_family(const MvQemuProbe *probe, MvCapsGuest *guest,
                              const MvQemuMachine *m, bool *done)
{
    done[m - probe->machines] = true;
    probe_add_caps_machine(guest, m);
    for (size_t j = 0; j < probe->nmachines; j++) {
        if (!done[j] && g_strcmp0(probe->machines[j].canonical, m->name) == 0) {
            done[j] = true;
            probe_add_caps_machine(guest, &probe->machines[j]);
        }
    }
}

MvCapsGuest *
mv_qemu_probe_to_caps_guest(const MvQemuProbe *probe)
{
    g_autofree char *arch = NULL;
    g_autofree bool *done = g_new0(bool, probe->nmachines + 1);
    const MvQemuMachine *def = mv_qemu_probe_get_default_machine(probe);
    MvCapsGuest *guest;
    int wordsize;

    probe_guest_arch(probe->binary, &arch, &wordsize);
    guest = mv_caps_guest_new("hvm", arch, wordsize, probe->binary);

    if (def)
        probe_add_caps_machine_family(probe, guest, def, done);
    for (size_t i = 0; i < probe->nmachines; i++) {
        const MvQemuMachine *m = &probe->machines[i];
        const MvQemuMachine *target = mv_qemu_probe_find_machine(probe, m->canonical);

        /* an alias comes with its machine, the machine with its aliases */
        if (!done[i])
            probe_add_caps_machine_family(probe, guest, target ? target : m, done);
    }

    mv_caps_guest_add_domain_type(guest, "qemu");
    if (probe->kvm_usable)
        mv_caps_guest_add_domain_type(guest, "kvm");

    mv_caps_guest_add_feature(guest, "acpi", true, true, true);
    mv_caps_guest_add_feature(guest, "apic", true, true, false);
    if (wordsize == 32 && g_str_equal(arch, "i686")) {
        mv_caps_guest_add_feature(guest, "pae", false, false, false);
        mv_caps_guest_add_feature(guest, "nonpae", false, false, false);
    }
    mv_caps_guest_add_feature(guest, "cpuselection", false, false, false);
    mv_caps_guest_add_feature(guest, "deviceboot", false, false, false);
    mv_caps_guest_add_feature(guest, "disksnapshot", true, true, false);
    return guest;
}
