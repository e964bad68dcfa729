/* The capabilities document: build from host facts + guests, format as XML. */
#include "conf/capabilities.h"
#include "conf/capabilities-priv.h"
#include "conf/node-priv.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/error.h"

/* ---- guests ------------------------------------------------------------- */

MvCapsGuest *
mv_caps_guest_new(const char *os_type, const char *arch, int wordsize, const char *emulator)
{
    MvCapsGuest *guest = g_new0(MvCapsGuest, 1);

    guest->os_type = g_strdup(os_type);
    guest->arch = g_strdup(arch);
    guest->wordsize = wordsize;
    guest->emulator = g_strdup(emulator);
    guest->domain_types = g_new0(char *, 1);
    return guest;
}

void
mv_caps_guest_add_machine(MvCapsGuest *guest, const char *name, const char *canonical,
                          int max_cpus, bool deprecated)
{
    MvCapsMachine *m;

    guest->machines = g_renew(MvCapsMachine, guest->machines, guest->nmachines + 1);
    m = &guest->machines[guest->nmachines++];
    m->name = g_strdup(name);
    m->canonical = g_strdup(canonical);
    m->max_cpus = max_cpus;
    m->deprecated = deprecated;
}

static char **
caps_strv_append(char **strv, const char *s)
{
    guint n = strv ? g_strv_length(strv) : 0;

    strv = g_renew(char *, strv, n + 2);
    strv[n] = g_strdup(s);
    strv[n + 1] = NULL;
    return strv;
}

void
mv_caps_guest_add_domain_type(MvCapsGuest *guest, const char *type)
{
    guest->domain_types = caps_strv_append(guest->domain_types, type);
}

void
mv_caps_guest_add_feature(MvCapsGuest *guest, const char *name, bool has_toggle,
                          bool default_on, bool toggle)
{
    MvCapsFeature *f;

    guest->features = g_renew(MvCapsFeature, guest->features, guest->nfeatures + 1);
    f = &guest->features[guest->nfeatures++];
    f->name = g_strdup(name);
    f->has_toggle = has_toggle;
    f->default_on = default_on;
    f->toggle = toggle;
}

void
mv_caps_guest_free(MvCapsGuest *guest)
{
    if (!guest)
        return;
    g_free(guest->os_type);
    g_free(guest->arch);
    g_free(guest->emulator);
    for (size_t i = 0; i < guest->nmachines; i++) {
        g_free(guest->machines[i].name);
        g_free(guest->machines[i].canonical);
    }
    g_free(guest->machines);
    g_strfreev(guest->domain_types);
    for (size_t i = 0; i < guest->nfeatures; i++)
        g_free(guest->features[i].name);
    g_free(guest->features);
    g_free(guest);
}

/* ---- the document ------------------------------------------------------- */

MvCapabilities *
mv_capabilities_new(void)
{
    MvCapabilities *caps = g_new0(MvCapabilities, 1);

    caps->host.cpu_microcode = -1;
    caps->host.cpu_family = caps->host.cpu_model_number = caps->host.cpu_stepping = -1;
    caps->host.cpu_features = g_new0(char *, 1);
    caps->host.migration_transports = caps_strv_append(NULL, "tcp");
    caps->host.secmodel = g_strdup("none");
    caps->host.secmodel_doi = g_strdup("0");
    return caps;
}

void
mv_capabilities_add_guest(MvCapabilities *caps, MvCapsGuest *guest)
{
    caps->guests = g_renew(MvCapsGuest *, caps->guests, caps->nguests + 1);
    caps->guests[caps->nguests++] = guest;
}

void
mv_capabilities_free(MvCapabilities *caps)
{
    if (!caps)
        return;
    g_free(caps->host.uuid);
    g_free(caps->host.arch);
    g_free(caps->host.cpu_model);
    g_free(caps->host.cpu_vendor);
    g_strfreev(caps->host.cpu_features);
    mv_node_topology_free(caps->host.topology);
    g_strfreev(caps->host.migration_transports);
    g_free(caps->host.secmodel);
    g_free(caps->host.secmodel_doi);
    for (size_t i = 0; i < caps->nguests; i++)
        mv_caps_guest_free(caps->guests[i]);
    g_free(caps->guests);
    g_free(caps);
}

/* Kernel flag names that QEMU and libvirt spell differently. (The host CPU's
 * feature names in capabilities never contain '.', so sse4_1 stays as it is.) */
static const struct {
    const char *kernel;
    const char *name;
} caps_feature_renames[] = {
    { "pclmulqdq", "pclmuldq" },
    { "tsc_deadline_timer", "tsc-deadline" },
    { "sha_ni", "sha-ni" },
    { "arch_capabilities", "arch-capabilities" },
    { "md_clear", "md-clear" },
    { "avx_vnni", "avx-vnni" },
    { "avx512_bf16", "avx512-bf16" },
    { "avx512_fp16", "avx512-fp16" },
    { "avx512_vpopcntdq", "avx512-vpopcntdq" },
    { "avx512_vbmi2", "avx512vbmi2" },
    { "avx512_vnni", "avx512vnni" },
    { "avx512_bitalg", "avx512bitalg" },
    { "avx512_4vnniw", "avx512-4vnniw" },
    { "avx512_4fmaps", "avx512-4fmaps" },
    { "avx512_vp2intersect", "avx512-vp2intersect" },
    { "amx_bf16", "amx-bf16" },
    { "amx_tile", "amx-tile" },
    { "amx_int8", "amx-int8" },
};

/* Flags Linux synthesizes for itself; they are not CPUID bits a guest can get. */
static const char *const caps_feature_kernel_only[] = {
    "constant_tsc", "rep_good", "nopl", "xtopology", "nonstop_tsc", "cpuid",
    "tsc_known_freq", "cpuid_fault", "arch_perfmon", "pebs", "bts", "aperfmperf",
    "tsc_reliable", "pti", "ibrs_enhanced", "ept", "vpid", "flexpriority",
    "tpr_shadow", "vnmi", "ept_ad", "amd_dcm", "extd_apicid", "up",
};

char *
mv_capabilities_cpu_feature_name(const char *flag)
{
    for (size_t i = 0; i < G_N_ELEMENTS(caps_feature_kernel_only); i++) {
        if (g_str_equal(flag, caps_feature_kernel_only[i]))
            return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(caps_feature_renames); i++) {
        if (g_str_equal(flag, caps_feature_renames[i].kernel))
            return g_strdup(caps_feature_renames[i].name);
    }
    if (!*flag)
        return NULL;
    for (const char *p = flag; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return NULL;        /* not a name a client could send back */
    }
    return g_strdup(flag);
}

static bool
caps_dir_has_entries(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);

    return dir && g_dir_read_name(dir) != NULL;
}

MvCapabilities *
mv_capabilities_new_host_at(const char *root, const char *arch, guint page_size_kib,
                            GError **error)
{
    g_autoptr(MvCapabilities) caps = mv_capabilities_new();
    g_autoptr(MvNodeCpuId) id = NULL;
    g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func(g_free);
    MvNodeInfo info;

    if (!(caps->host.uuid = mv_node_get_uuid_at(root, error)) ||
        !mv_node_get_info_at(root, arch, &info, error) ||
        !(id = mv_node_get_cpu_id_at(root, error)) ||
        !(caps->host.topology = mv_node_get_topology_at(root, page_size_kib, error))) {
        g_prefix_error(error, "cannot describe the host: ");
        return NULL;
    }

    caps->host.arch = g_strdup(arch);
    /* Naming a CPU model needs a model map we do not have yet: no <model>. */
    caps->host.cpu_vendor = g_strdup(id->vendor);
    caps->host.cpu_microcode = id->microcode;
    caps->host.cpu_family = id->family;
    caps->host.cpu_model_number = id->model;
    caps->host.cpu_stepping = id->stepping;
    caps->host.sockets = info.sockets;
    caps->host.dies = 1;
    caps->host.cores = info.cores;
    caps->host.threads = info.threads;
    for (size_t i = 0; id->flags[i]; i++) {
        char *name = mv_capabilities_cpu_feature_name(id->flags[i]);
        if (name)
            g_ptr_array_add(features, name);
    }
    g_ptr_array_add(features, NULL);
    g_strfreev(caps->host.cpu_features);
    caps->host.cpu_features = (char **)g_ptr_array_free(g_steal_pointer(&features), FALSE);
    caps->host.iommu = caps_dir_has_entries(root, "sys/kernel/iommu_groups");
    return g_steal_pointer(&caps);
}

MvCapabilities *
mv_capabilities_new_host(GError **error)
{
    struct utsname uts;

    if (uname(&uts) < 0)
        return mv_error_set_errno(error, MV_FROM_CONF, errno, "uname failed"), NULL;
    return mv_capabilities_new_host_at("/", uts.machine, (guint)(sysconf(_SC_PAGESIZE) / 1024),
                                       error);
}

/* ---- formatting --------------------------------------------------------- */

static void G_GNUC_PRINTF(3, 4)
caps_line(GString *out, int depth, const char *fmt, ...)
{
    va_list ap;

    for (int i = 0; i < depth; i++)
        g_string_append(out, "  ");
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
    g_string_append_c(out, '\n');
}

/* <name>escaped text</name> */
static void
caps_text(GString *out, int depth, const char *name, const char *text)
{
    g_autofree char *esc = g_markup_escape_text(text, -1);
    caps_line(out, depth, "<%s>%s</%s>", name, esc, name);
}

static void
caps_format_host_cpu(GString *out, const MvCapsHost *host)
{
    caps_line(out, 2, "<cpu>");
    if (host->arch)
        caps_text(out, 3, "arch", host->arch);
    if (host->cpu_model)
        caps_text(out, 3, "model", host->cpu_model);
    if (host->cpu_vendor)
        caps_text(out, 3, "vendor", host->cpu_vendor);
    if (host->cpu_microcode > 0)
        caps_line(out, 3, "<microcode version='%" G_GINT64_FORMAT "'/>", host->cpu_microcode);
    if (host->cpu_family > 0)
        caps_line(out, 3, "<signature family='%d' model='%d' stepping='%d'/>",
                  host->cpu_family, MAX(host->cpu_model_number, 0), MAX(host->cpu_stepping, 0));
    if (host->sockets > 0)
        caps_line(out, 3, "<topology sockets='%d' dies='%d' cores='%d' threads='%d'/>",
                  host->sockets, MAX(host->dies, 1), host->cores, host->threads);
    for (size_t i = 0; host->cpu_features && host->cpu_features[i]; i++) {
        g_autofree char *esc = g_markup_escape_text(host->cpu_features[i], -1);
        caps_line(out, 3, "<feature name='%s'/>", esc);
    }
    for (size_t i = 0; host->topology && i < host->topology->npage_sizes; i++)
        caps_line(out, 3, "<pages unit='KiB' size='%u'/>", host->topology->page_sizes_kib[i]);
    caps_line(out, 2, "</cpu>");
}

static void
caps_format_cell(GString *out, const MvNodeCell *cell)
{
    caps_line(out, 4, "<cell id='%u'>", cell->id);
    caps_line(out, 5, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>", cell->memory_kib);
    for (size_t i = 0; i < cell->npages; i++)
        caps_line(out, 5, "<pages unit='KiB' size='%u'>%" G_GUINT64_FORMAT "</pages>",
                  cell->pages[i].size_kib, cell->pages[i].count);
    if (cell->ndistances) {
        caps_line(out, 5, "<distances>");
        for (size_t i = 0; i < cell->ndistances; i++)
            caps_line(out, 6, "<sibling id='%u' value='%u'/>", cell->distances[i].id,
                      cell->distances[i].value);
        caps_line(out, 5, "</distances>");
    }
    caps_line(out, 5, "<cpus num='%zu'>", cell->ncpus);
    for (size_t i = 0; i < cell->ncpus; i++) {
        const MvNodeCpu *cpu = &cell->cpus[i];
        g_autofree char *siblings = g_markup_escape_text(cpu->siblings ? cpu->siblings : "", -1);
        caps_line(out, 6, "<cpu id='%u' socket_id='%u' die_id='%u' core_id='%u' siblings='%s'/>",
                  cpu->id, cpu->socket_id, cpu->die_id, cpu->core_id, siblings);
    }
    caps_line(out, 5, "</cpus>");
    caps_line(out, 4, "</cell>");
}

static void
caps_format_host(GString *out, const MvCapsHost *host)
{
    caps_line(out, 1, "<host>");
    if (host->uuid)
        caps_text(out, 2, "uuid", host->uuid);
    caps_format_host_cpu(out, host);
    caps_line(out, 2, "<power_management/>");
    caps_line(out, 2, "<iommu support='%s'/>", host->iommu ? "yes" : "no");
    caps_line(out, 2, "<migration_features>");
    caps_line(out, 3, "<live/>");
    if (host->migration_transports && host->migration_transports[0]) {
        caps_line(out, 3, "<uri_transports>");
        for (size_t i = 0; host->migration_transports[i]; i++)
            caps_text(out, 4, "uri_transport", host->migration_transports[i]);
        caps_line(out, 3, "</uri_transports>");
    }
    caps_line(out, 2, "</migration_features>");
    if (host->topology) {
        caps_line(out, 2, "<topology>");
        caps_line(out, 3, "<cells num='%zu'>", host->topology->ncells);
        for (size_t i = 0; i < host->topology->ncells; i++)
            caps_format_cell(out, &host->topology->cells[i]);
        caps_line(out, 3, "</cells>");
        caps_line(out, 2, "</topology>");
    }
    if (host->secmodel) {
        caps_line(out, 2, "<secmodel>");
        caps_text(out, 3, "model", host->secmodel);
        caps_text(out, 3, "doi", host->secmodel_doi ? host->secmodel_doi : "0");
        caps_line(out, 2, "</secmodel>");
    }
    caps_line(out, 1, "</host>");
}

static void
caps_format_guest(GString *out, const MvCapsGuest *guest)
{
    g_autofree char *arch = g_markup_escape_text(guest->arch ? guest->arch : "", -1);

    caps_line(out, 1, "<guest>");
    caps_text(out, 2, "os_type", guest->os_type ? guest->os_type : "hvm");
    caps_line(out, 2, "<arch name='%s'>", arch);
    if (guest->wordsize > 0)
        caps_line(out, 3, "<wordsize>%d</wordsize>", guest->wordsize);
    if (guest->emulator)
        caps_text(out, 3, "emulator", guest->emulator);
    for (size_t i = 0; i < guest->nmachines; i++) {
        const MvCapsMachine *m = &guest->machines[i];
        g_autoptr(GString) attrs = g_string_new(NULL);
        g_autofree char *name = g_markup_escape_text(m->name, -1);

        if (m->canonical) {
            g_autofree char *esc = g_markup_escape_text(m->canonical, -1);
            g_string_append_printf(attrs, " canonical='%s'", esc);
        }
        if (m->max_cpus > 0)
            g_string_append_printf(attrs, " maxCpus='%d'", m->max_cpus);
        if (m->deprecated)
            g_string_append(attrs, " deprecated='yes'");
        caps_line(out, 3, "<machine%s>%s</machine>", attrs->str, name);
    }
    for (size_t i = 0; guest->domain_types && guest->domain_types[i]; i++) {
        g_autofree char *esc = g_markup_escape_text(guest->domain_types[i], -1);
        caps_line(out, 3, "<domain type='%s'/>", esc);
    }
    caps_line(out, 2, "</arch>");
    if (guest->nfeatures) {
        caps_line(out, 2, "<features>");
        for (size_t i = 0; i < guest->nfeatures; i++) {
            const MvCapsFeature *f = &guest->features[i];
            g_autofree char *esc = g_markup_escape_text(f->name, -1);
            if (f->has_toggle)
                caps_line(out, 3, "<%s default='%s' toggle='%s'/>", esc,
                          f->default_on ? "on" : "off", f->toggle ? "yes" : "no");
            else
                caps_line(out, 3, "<%s/>", esc);
        }
        caps_line(out, 2, "</features>");
    }
    caps_line(out, 1, "</guest>");
}

char *
mv_capabilities_format(const MvCapabilities *caps)
{
    GString *out = g_string_new("<capabilities>\n\n");

    caps_format_host(out, &caps->host);
    for (size_t i = 0; i < caps->nguests; i++) {
        g_string_append_c(out, '\n');
        caps_format_guest(out, caps->guests[i]);
    }
    g_string_append(out, "\n</capabilities>\n");
    return g_string_free(out, FALSE);
}
