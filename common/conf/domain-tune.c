/* <cputune>, <memtune>, <blkiotune>, <numatune> ↔ MvDomainTuneDef. The schema
 * (schemas/domain-tune.rng) has checked the shapes; this file checks ranges,
 * duplicates and cross-references, and formats the canonical form. */
#include <string.h>

#include "conf/domain-iothreads.h"
#include "conf/domain-priv.h"
#include "conf/domain-tune.h"
#include "util/error.h"
#include "util/xml.h"

#define MEMTUNE_MAX_KIB (MV_DOMAIN_TUNE_MEMORY_UNLIMITED)

static const char *const numatune_modes[] = {
    [MV_DOMAIN_NUMATUNE_NONE] = NULL,
    [MV_DOMAIN_NUMATUNE_STRICT] = "strict",
    [MV_DOMAIN_NUMATUNE_PREFERRED] = "preferred",
    [MV_DOMAIN_NUMATUNE_INTERLEAVE] = "interleave",
    [MV_DOMAIN_NUMATUNE_RESTRICTIVE] = "restrictive",
};

const char *
mv_domain_numatune_mode_to_string(MvDomainNumatuneMode mode)
{
    return (guint)mode < G_N_ELEMENTS(numatune_modes) ? numatune_modes[mode] : NULL;
}

int
mv_domain_numatune_mode_from_string(const char *str)
{
    for (guint i = 1; str && i < G_N_ELEMENTS(numatune_modes); i++)
        if (g_str_equal(str, numatune_modes[i]))
            return (int)i;
    return -1;
}

/* ---- cpusets ---- */

static bool
set_range(guint8 *map, guint64 lo, guint64 hi, bool on)
{
    if (lo > hi || hi >= MV_DOMAIN_CPUSET_MAX)
        return false;
    for (guint64 c = lo; c <= hi; c++) {
        if (on)
            map[c / 8] |= 1u << (c % 8);
        else
            map[c / 8] &= ~(1u << (c % 8));
    }
    return true;
}

bool
mv_domain_cpuset_parse(const char *text, const char *what, guint8 **ret_map, GError **error)
{
    g_autofree guint8 *map = g_malloc0(MV_DOMAIN_CPUSET_MAX / 8);
    g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);
    bool any = false;

    for (char **p = parts; *p; p++) {
        g_autofree char *item = g_strstrip(g_strdup(*p));
        bool neg = item[0] == '^';
        const char *body = neg ? item + 1 : item;
        const char *dash = strchr(body, '-');
        g_autofree char *lo_text = dash ? g_strndup(body, dash - body) : g_strdup(body);
        guint64 lo, hi;

        if (!g_ascii_string_to_unsigned(lo_text, 10, 0, MV_DOMAIN_CPUSET_MAX - 1, &lo, NULL) ||
            (dash && !g_ascii_string_to_unsigned(dash + 1, 10, 0, MV_DOMAIN_CPUSET_MAX - 1, &hi,
                                                 NULL)) ||
            !set_range(map, lo, dash ? hi : lo, !neg))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid %s '%s': expected CPU numbers from 0 to %d and ranges "
                                "like '0-3,^2,6'", what, text ? text : "",
                                MV_DOMAIN_CPUSET_MAX - 1);
    }
    for (guint i = 0; i < MV_DOMAIN_CPUSET_MAX / 8; i++)
        any = any || map[i];
    if (!any)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid %s '%s': it selects no CPU", what, text ? text : "");
    *ret_map = g_steal_pointer(&map);
    return true;
}

char *
mv_domain_cpuset_format(const guint8 *map, guint nbits)
{
    GString *out = g_string_new(NULL);

    for (guint c = 0; c < nbits; c++) {
        guint end = c;

        if (!(map[c / 8] & (1u << (c % 8))))
            continue;
        while (end + 1 < nbits && (map[(end + 1) / 8] & (1u << ((end + 1) % 8))))
            end++;
        if (out->len)
            g_string_append_c(out, ',');
        if (end == c)
            g_string_append_printf(out, "%u", c);
        else
            g_string_append_printf(out, "%u-%u", c, end);
        c = end;
    }
    return g_string_free(out, FALSE);
}

/* A cpuset attribute in canonical form, errors at @node. */
static bool
cpuset_prop(const xmlNode *node, const char *name, char **ret, GError **error)
{
    g_autofree char *text = mv_xml_get_prop(node, name);
    g_autofree guint8 *map = NULL;
    g_autoptr(GError) err = NULL;

    if (!mv_domain_cpuset_parse(text, name, &map, &err))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node, "%s",
                               err->message);
    *ret = mv_domain_cpuset_format(map, MV_DOMAIN_CPUSET_MAX);
    return true;
}

/* ---- free, copy ---- */

void
mv_domain_tune_def_free(MvDomainTuneDef *tune)
{
    if (!tune)
        return;
    for (size_t i = 0; i < tune->nvcpupins; i++)
        g_free(tune->vcpupins[i].cpuset);
    g_free(tune->vcpupins);
    g_free(tune->emulatorpin);
    for (size_t i = 0; i < tune->nblkio_devices; i++)
        g_free(tune->blkio_devices[i].path);
    g_free(tune->blkio_devices);
    g_free(tune->numa_nodeset);
    g_free(tune);
}

MvDomainTuneDef *
mv_domain_tune_def_copy(const MvDomainTuneDef *tune)
{
    MvDomainTuneDef *ret;

    if (!tune)
        return NULL;
    ret = g_memdup2(tune, sizeof(*tune));
    ret->vcpupins = g_new0(MvDomainVcpuPin, tune->nvcpupins + 1);
    for (size_t i = 0; i < tune->nvcpupins; i++) {
        ret->vcpupins[i].vcpu = tune->vcpupins[i].vcpu;
        ret->vcpupins[i].cpuset = g_strdup(tune->vcpupins[i].cpuset);
    }
    ret->emulatorpin = g_strdup(tune->emulatorpin);
    ret->blkio_devices = g_new0(MvDomainBlkioDevice, tune->nblkio_devices + 1);
    for (size_t i = 0; i < tune->nblkio_devices; i++) {
        ret->blkio_devices[i] = tune->blkio_devices[i];
        ret->blkio_devices[i].path = g_strdup(tune->blkio_devices[i].path);
    }
    ret->numa_nodeset = g_strdup(tune->numa_nodeset);
    return ret;
}

bool
mv_domain_tune_def_is_empty(const MvDomainTuneDef *tune)
{
    return !tune || (!tune->shares && !tune->period && !tune->quota && !tune->emulator_period &&
                     !tune->emulator_quota && !tune->global_period && !tune->global_quota &&
                     !tune->nvcpupins && !tune->emulatorpin && !tune->hard_limit &&
                     !tune->soft_limit && !tune->swap_hard_limit && !tune->blkio_weight &&
                     !tune->nblkio_devices && tune->numa_mode == MV_DOMAIN_NUMATUNE_NONE);
}

const char *
mv_domain_tune_vcpupin(const MvDomainTuneDef *tune, unsigned int vcpu)
{
    for (size_t i = 0; tune && i < tune->nvcpupins; i++)
        if (tune->vcpupins[i].vcpu == vcpu)
            return tune->vcpupins[i].cpuset;
    return NULL;
}

void
mv_domain_tune_set_vcpupin(MvDomainTuneDef *tune, unsigned int vcpu, const char *cpuset)
{
    size_t i = 0;

    while (i < tune->nvcpupins && tune->vcpupins[i].vcpu < vcpu)
        i++;
    if (i < tune->nvcpupins && tune->vcpupins[i].vcpu == vcpu) {
        g_free(tune->vcpupins[i].cpuset);
        if (cpuset) {
            tune->vcpupins[i].cpuset = g_strdup(cpuset);
            return;
        }
        memmove(&tune->vcpupins[i], &tune->vcpupins[i + 1],
                (tune->nvcpupins - i - 1) * sizeof(*tune->vcpupins));
        tune->nvcpupins--;
        return;
    }
    if (!cpuset)
        return;
    tune->vcpupins = g_renew(MvDomainVcpuPin, tune->vcpupins, tune->nvcpupins + 1);
    memmove(&tune->vcpupins[i + 1], &tune->vcpupins[i],
            (tune->nvcpupins - i) * sizeof(*tune->vcpupins));
    tune->vcpupins[i].vcpu = vcpu;
    tune->vcpupins[i].cpuset = g_strdup(cpuset);
    tune->nvcpupins++;
}

/* ---- parse ---- */

/* The number in the content of @node, from @min to @max. */
static bool
content_uint(const xmlNode *node, guint64 min, guint64 max, guint64 *ret, GError **error)
{
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));
    guint64 v;

    if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &v, NULL) || v < min || v > max)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "invalid value '%s': expected a number from %" G_GUINT64_FORMAT
                               " to %" G_GUINT64_FORMAT, text, min, max);
    *ret = v;
    return true;
}

/* A quota: -1 (or any negative number: unlimited) or MIN..MAX. */
static bool
content_quota(const xmlNode *node, gint64 *ret, GError **error)
{
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));
    gint64 v;

    if (!g_ascii_string_to_signed(text, 10, G_MININT64, MV_DOMAIN_TUNE_QUOTA_MAX, &v, NULL) ||
        (v >= 0 && v < MV_DOMAIN_TUNE_QUOTA_MIN))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "invalid quota '%s': expected -1 (unlimited) or a number from "
                               "%d to %lld", text, MV_DOMAIN_TUNE_QUOTA_MIN,
                               MV_DOMAIN_TUNE_QUOTA_MAX);
    *ret = v < 0 ? -1 : v;
    return true;
}

static bool
parse_period(const xmlNode *node, guint64 *ret, GError **error)
{
    return content_uint(node, MV_DOMAIN_TUNE_PERIOD_MIN, MV_DOMAIN_TUNE_PERIOD_MAX, ret, error);
}

static bool
parse_cputune(MvDomainTuneDef *tune, const xmlNode *cputune, unsigned int vcpus, GError **error)
{
    static const MvXmlChildRule rules[] = {
        { "shares", 0, 1 },          { "period", 0, 1 },          { "quota", 0, 1 },
        { "emulator_period", 0, 1 }, { "emulator_quota", 0, 1 },  { "global_period", 0, 1 },
        { "global_quota", 0, 1 },    { "emulatorpin", 0, 1 },
    };

    if (!mv_domain_check_children(cputune, rules, error))
        return false;
    for (const xmlNode *n = cputune->children; n; n = n->next) {
        bool ok = true;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (mv_xml_node_is(n, "shares"))
            ok = content_uint(n, MV_DOMAIN_TUNE_SHARES_MIN, MV_DOMAIN_TUNE_SHARES_MAX,
                              &tune->shares, error);
        else if (mv_xml_node_is(n, "period"))
            ok = parse_period(n, &tune->period, error);
        else if (mv_xml_node_is(n, "emulator_period"))
            ok = parse_period(n, &tune->emulator_period, error);
        else if (mv_xml_node_is(n, "global_period"))
            ok = parse_period(n, &tune->global_period, error);
        else if (mv_xml_node_is(n, "quota"))
            ok = content_quota(n, &tune->quota, error);
        else if (mv_xml_node_is(n, "emulator_quota"))
            ok = content_quota(n, &tune->emulator_quota, error);
        else if (mv_xml_node_is(n, "global_quota"))
            ok = content_quota(n, &tune->global_quota, error);
        else if (mv_xml_node_is(n, "emulatorpin"))
            ok = cpuset_prop(n, "cpuset", &tune->emulatorpin, error);
        else if (mv_xml_node_is(n, "vcpupin")) {
            unsigned int vcpu = G_MAXUINT;
            g_autofree char *cpuset = NULL;

            if (!mv_domain_uint_prop(n, "vcpu", G_MAXUINT - 1, &vcpu, error) ||
                !cpuset_prop(n, "cpuset", &cpuset, error))
                return false;
            if (vcpu >= vcpus)
                return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                       "vCPU %u does not exist: the domain has %u vCPUs "
                                       "(0 to %u)", vcpu, vcpus, vcpus - 1);
            if (mv_domain_tune_vcpupin(tune, vcpu))
                return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                       "vCPU %u is pinned twice: give one <vcpupin> per vCPU",
                                       vcpu);
            mv_domain_tune_set_vcpupin(tune, vcpu, cpuset);
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool
parse_memtune(MvDomainTuneDef *tune, const xmlNode *memtune, GError **error)
{
    static const MvXmlChildRule rules[] = {
        { "hard_limit", 0, 1 }, { "soft_limit", 0, 1 }, { "swap_hard_limit", 0, 1 },
    };
    const xmlNode *n;

    if (!mv_domain_check_children(memtune, rules, error))
        return false;
    if (((n = mv_xml_get_child(memtune, "hard_limit")) &&
         !mv_xml_content_scaled(n, "KiB", 1024, MEMTUNE_MAX_KIB, "memory", &tune->hard_limit,
                                MV_FROM_DOMAIN, error)) ||
        ((n = mv_xml_get_child(memtune, "soft_limit")) &&
         !mv_xml_content_scaled(n, "KiB", 1024, MEMTUNE_MAX_KIB, "memory", &tune->soft_limit,
                                MV_FROM_DOMAIN, error)) ||
        ((n = mv_xml_get_child(memtune, "swap_hard_limit")) &&
         !mv_xml_content_scaled(n, "KiB", 1024, MEMTUNE_MAX_KIB, "memory",
                                &tune->swap_hard_limit, MV_FROM_DOMAIN, error)))
        return false;
    if (tune->hard_limit && tune->swap_hard_limit && tune->swap_hard_limit < tune->hard_limit)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, memtune,
                               "swap_hard_limit (%" G_GUINT64_FORMAT " KiB) must be at least "
                               "hard_limit (%" G_GUINT64_FORMAT " KiB): it limits memory plus "
                               "swap", tune->swap_hard_limit, tune->hard_limit);
    return true;
}

static bool
parse_blkio_device(MvDomainBlkioDevice *dev, const xmlNode *node, GError **error)
{
    static const MvXmlChildRule rules[] = {
        { "path", 1, 1 },          { "weight", 0, 1 },          { "read_bytes_sec", 0, 1 },
        { "write_bytes_sec", 0, 1 }, { "read_iops_sec", 0, 1 }, { "write_iops_sec", 0, 1 },
    };
    guint64 weight = 0;
    const xmlNode *n;

    if (!mv_domain_check_children(node, rules, error))
        return false;
    dev->path = g_strstrip(mv_xml_get_content(mv_xml_get_child(node, "path")));
    if (!g_path_is_absolute(dev->path))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "device path '%s' must be absolute (a block device)", dev->path);
    if (((n = mv_xml_get_child(node, "weight")) &&
         !content_uint(n, MV_DOMAIN_TUNE_BLKIO_WEIGHT_MIN, MV_DOMAIN_TUNE_BLKIO_WEIGHT_MAX,
                       &weight, error)) ||
        ((n = mv_xml_get_child(node, "read_bytes_sec")) &&
         !content_uint(n, 1, G_MAXINT64, &dev->read_bytes_sec, error)) ||
        ((n = mv_xml_get_child(node, "write_bytes_sec")) &&
         !content_uint(n, 1, G_MAXINT64, &dev->write_bytes_sec, error)) ||
        ((n = mv_xml_get_child(node, "read_iops_sec")) &&
         !content_uint(n, 1, G_MAXINT64, &dev->read_iops_sec, error)) ||
        ((n = mv_xml_get_child(node, "write_iops_sec")) &&
         !content_uint(n, 1, G_MAXINT64, &dev->write_iops_sec, error)))
        return false;
    dev->weight = (unsigned int)weight;
    return true;
}

static bool
parse_blkiotune(MvDomainTuneDef *tune, const xmlNode *blkiotune, GError **error)
{
    static const MvXmlChildRule rules[] = { { "weight", 0, 1 } };
    const xmlNode *n;
    guint64 weight = 0;

    if (!mv_domain_check_children(blkiotune, rules, error))
        return false;
    if ((n = mv_xml_get_child(blkiotune, "weight")) &&
        !content_uint(n, MV_DOMAIN_TUNE_BLKIO_WEIGHT_MIN, MV_DOMAIN_TUNE_BLKIO_WEIGHT_MAX,
                      &weight, error))
        return false;
    tune->blkio_weight = (unsigned int)weight;
    for (n = blkiotune->children; n; n = n->next) {
        MvDomainBlkioDevice *dev;

        if (n->type != XML_ELEMENT_NODE || !mv_xml_node_is(n, "device"))
            continue;
        tune->blkio_devices = g_renew(MvDomainBlkioDevice, tune->blkio_devices,
                                      tune->nblkio_devices + 1);
        dev = &tune->blkio_devices[tune->nblkio_devices++];
        memset(dev, 0, sizeof(*dev));
        if (!parse_blkio_device(dev, n, error))
            return false;
        for (size_t i = 0; i + 1 < tune->nblkio_devices; i++)
            if (g_str_equal(tune->blkio_devices[i].path, dev->path))
                return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                       "device '%s' is listed twice in <blkiotune>",
                                       dev->path);
    }
    return true;
}

static bool
parse_numatune(MvDomainTuneDef *tune, const xmlNode *numatune, GError **error)
{
    static const MvXmlChildRule rules[] = { { "memory", 0, 1 } };
    const xmlNode *mem = mv_xml_get_child(numatune, "memory");
    g_autofree char *mode = NULL;
    int m;

    if (!mv_domain_check_children(numatune, rules, error))
        return false;
    if (!mem)
        return true;
    mode = mv_xml_get_prop(mem, "mode");
    m = mode ? mv_domain_numatune_mode_from_string(mode) : MV_DOMAIN_NUMATUNE_STRICT;
    if (m < 0)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, mem,
                               "unknown numatune mode '%s'", mode);
    tune->numa_mode = m;
    return cpuset_prop(mem, "nodeset", &tune->numa_nodeset, error);
}

bool
mv_domain_tune_parse(const xmlNode *root, unsigned int vcpus, MvDomainTuneDef **ret_tune,
                     GError **error)
{
    g_autoptr(MvDomainTuneDef) tune = g_new0(MvDomainTuneDef, 1);
    const xmlNode *n;

    if (((n = mv_xml_get_child(root, "cputune")) && !parse_cputune(tune, n, vcpus, error)) ||
        ((n = mv_xml_get_child(root, "memtune")) && !parse_memtune(tune, n, error)) ||
        ((n = mv_xml_get_child(root, "blkiotune")) && !parse_blkiotune(tune, n, error)) ||
        ((n = mv_xml_get_child(root, "numatune")) && !parse_numatune(tune, n, error)))
        return false;
    *ret_tune = mv_domain_tune_def_is_empty(tune) ? NULL : g_steal_pointer(&tune);
    return true;
}

/* ---- format ---- */

static void
fmt_u64(GString *out, int indent, const char *name, guint64 value)
{
    if (value)
        g_string_append_printf(out, "%*s<%s>%" G_GUINT64_FORMAT "</%s>\n", indent, "", name,
                               value, name);
}

static void
fmt_i64(GString *out, int indent, const char *name, gint64 value)
{
    if (value)
        g_string_append_printf(out, "%*s<%s>%" G_GINT64_FORMAT "</%s>\n", indent, "", name,
                               value, name);
}

static void
fmt_kib(GString *out, const char *name, guint64 value)
{
    if (value)
        g_string_append_printf(out, "    <%s unit='KiB'>%" G_GUINT64_FORMAT "</%s>\n", name,
                               value, name);
}

static void
fmt_blkiotune(GString *out, const MvDomainTuneDef *tune)
{
    if (!tune->blkio_weight && !tune->nblkio_devices)
        return;
    g_string_append(out, "  <blkiotune>\n");
    fmt_u64(out, 4, "weight", tune->blkio_weight);
    for (size_t i = 0; i < tune->nblkio_devices; i++) {
        const MvDomainBlkioDevice *d = &tune->blkio_devices[i];
        g_autofree char *path = g_markup_escape_text(d->path, -1);

        g_string_append_printf(out, "    <device>\n      <path>%s</path>\n", path);
        fmt_u64(out, 6, "weight", d->weight);
        fmt_u64(out, 6, "read_bytes_sec", d->read_bytes_sec);
        fmt_u64(out, 6, "write_bytes_sec", d->write_bytes_sec);
        fmt_u64(out, 6, "read_iops_sec", d->read_iops_sec);
        fmt_u64(out, 6, "write_iops_sec", d->write_iops_sec);
        g_string_append(out, "    </device>\n");
    }
    g_string_append(out, "  </blkiotune>\n");
}

static void
fmt_cputune(GString *out, const MvDomainTuneDef *tune, const MvDomainIOThreads *iothreads)
{
    bool pins = iothreads && iothreads->pins && iothreads->pins->len;

    if (!tune->shares && !tune->period && !tune->quota && !tune->emulator_period &&
        !tune->emulator_quota && !tune->global_period && !tune->global_quota &&
        !tune->nvcpupins && !tune->emulatorpin && !pins)
        return;
    g_string_append(out, "  <cputune>\n");
    fmt_u64(out, 4, "shares", tune->shares);
    for (size_t i = 0; i < tune->nvcpupins; i++)
        g_string_append_printf(out, "    <vcpupin vcpu='%u' cpuset='%s'/>\n",
                               tune->vcpupins[i].vcpu, tune->vcpupins[i].cpuset);
    if (tune->emulatorpin)
        g_string_append_printf(out, "    <emulatorpin cpuset='%s'/>\n", tune->emulatorpin);
    mv_domain_iothread_pins_format(out, iothreads);
    fmt_u64(out, 4, "period", tune->period);
    fmt_i64(out, 4, "quota", tune->quota);
    fmt_u64(out, 4, "global_period", tune->global_period);
    fmt_i64(out, 4, "global_quota", tune->global_quota);
    fmt_u64(out, 4, "emulator_period", tune->emulator_period);
    fmt_i64(out, 4, "emulator_quota", tune->emulator_quota);
    g_string_append(out, "  </cputune>\n");
}

void
mv_domain_tune_format(GString *out, const MvDomainTuneDef *tune,
                      const MvDomainIOThreads *iothreads)
{
    static const MvDomainTuneDef empty = { 0 };

    if (!tune)
        tune = &empty;
    fmt_blkiotune(out, tune);
    if (tune->hard_limit || tune->soft_limit || tune->swap_hard_limit) {
        g_string_append(out, "  <memtune>\n");
        fmt_kib(out, "hard_limit", tune->hard_limit);
        fmt_kib(out, "soft_limit", tune->soft_limit);
        fmt_kib(out, "swap_hard_limit", tune->swap_hard_limit);
        g_string_append(out, "  </memtune>\n");
    }
    fmt_cputune(out, tune, iothreads);
    if (tune->numa_mode != MV_DOMAIN_NUMATUNE_NONE)
        g_string_append_printf(out, "  <numatune>\n    <memory mode='%s' nodeset='%s'/>\n"
                               "  </numatune>\n",
                               mv_domain_numatune_mode_to_string(tune->numa_mode),
                               tune->numa_nodeset);
}

/* ---- <disk><iotune> ---- */

static const char *const iotune_names[MV_DOMAIN_IOTUNE_LAST][2] = {
    { "total_bytes_sec", "bps" },          { "read_bytes_sec", "bps_rd" },
    { "write_bytes_sec", "bps_wr" },       { "total_iops_sec", "iops" },
    { "read_iops_sec", "iops_rd" },        { "write_iops_sec", "iops_wr" },
    { "total_bytes_sec_max", "bps_max" },  { "read_bytes_sec_max", "bps_rd_max" },
    { "write_bytes_sec_max", "bps_wr_max" }, { "total_iops_sec_max", "iops_max" },
    { "read_iops_sec_max", "iops_rd_max" }, { "write_iops_sec_max", "iops_wr_max" },
    { "size_iops_sec", "iops_size" },
};

const char *
mv_domain_iotune_name(MvDomainIotuneField f)
{
    return (guint)f < MV_DOMAIN_IOTUNE_LAST ? iotune_names[f][0] : NULL;
}

const char *
mv_domain_iotune_qmp_name(MvDomainIotuneField f)
{
    return (guint)f < MV_DOMAIN_IOTUNE_LAST ? iotune_names[f][1] : NULL;
}

bool
mv_domain_iotune_check(const MvDomainDiskIotune *t, const char *disk, GError **error)
{
    /* The total limit (0 bytes, 3 iops; +6 the maxima) against read (+1) and write (+2). */
    for (int base = 0; base < 12; base += 3) {
        if (t->v[base] && (t->v[base + 1] || t->v[base + 2]))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                "disk '%s': %s cannot be combined with %s or %s: give the "
                                "total or the read and write limits", disk,
                                iotune_names[base][0], iotune_names[base + 1][0],
                                iotune_names[base + 2][0]);
    }
    for (int f = MV_DOMAIN_IOTUNE_TOTAL_BYTES_SEC_MAX; f <= MV_DOMAIN_IOTUNE_WRITE_IOPS_SEC_MAX;
         f++) {
        guint64 base = t->v[f - 6];

        if (t->v[f] && (!base || t->v[f] < base))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                "disk '%s': %s (%" G_GUINT64_FORMAT ") needs %s set, and "
                                "must not be below it", disk, iotune_names[f][0], t->v[f],
                                iotune_names[f - 6][0]);
    }
    return true;
}

bool
mv_domain_iotune_parse(const xmlNode *node, const char *disk, MvDomainDiskIotune **ret,
                       GError **error)
{
    g_autofree MvDomainDiskIotune *t = g_new0(MvDomainDiskIotune, 1);
    g_autoptr(GError) err = NULL;
    bool any = false;

    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST; f++) {
        const xmlNode *n = mv_xml_get_child(node, iotune_names[f][0]);

        if (n && !content_uint(n, 0, G_MAXINT64, &t->v[f], error))
            return false;
        any = any || t->v[f];
    }
    if (!mv_domain_iotune_check(t, disk, &err))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED, node, "%s",
                               err->message);
    *ret = any ? g_steal_pointer(&t) : NULL;
    return true;
}

void
mv_domain_iotune_format(GString *out, int indent, const MvDomainDiskIotune *t)
{
    if (!t)
        return;
    g_string_append_printf(out, "%*s<iotune>\n", indent, "");
    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST; f++)
        fmt_u64(out, indent + 2, iotune_names[f][0], t->v[f]);
    g_string_append_printf(out, "%*s</iotune>\n", indent, "");
}

/* ---- <interface><bandwidth> ---- */

static bool
rate_empty(const MvDomainNetRate *r)
{
    return !r->average && !r->peak && !r->burst && !r->floor;
}

bool
mv_domain_net_bandwidth_is_empty(const MvDomainNetBandwidth *bw)
{
    return !bw || (rate_empty(&bw->in) && rate_empty(&bw->out));
}

void
mv_domain_net_bandwidth_free(MvDomainNetBandwidth *bw)
{
    if (!bw)
        return;
    g_free(bw->ifb);
    g_free(bw);
}

MvDomainNetBandwidth *
mv_domain_net_bandwidth_copy(const MvDomainNetBandwidth *bw)
{
    MvDomainNetBandwidth *ret;

    if (!bw)
        return NULL;
    ret = g_memdup2(bw, sizeof(*bw));
    ret->ifb = g_strdup(bw->ifb);
    return ret;
}

static bool
rate_check(const MvDomainNetRate *r, const char *dir, GError **error)
{
    if (rate_empty(r))
        return true;
    if (r->floor)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s floor is not supported by modvirt-qemud: a guaranteed rate "
                            "needs per-port classes in the network", dir);
    if (!r->average)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s needs an average rate greater than 0", dir);
    if (r->peak && r->peak < r->average)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s peak (%" G_GUINT64_FORMAT ") must not be below its average "
                            "(%" G_GUINT64_FORMAT ")", dir, r->peak, r->average);
    return true;
}

bool
mv_domain_net_bandwidth_check(const MvDomainNetBandwidth *bw, GError **error)
{
    return !bw || (rate_check(&bw->in, "inbound", error) &&
                   rate_check(&bw->out, "outbound", error));
}

static bool
rate_parse(const xmlNode *node, MvDomainNetRate *r, GError **error)
{
    static const char *const names[] = { "average", "peak", "burst", "floor" };
    guint64 *slots[] = { &r->average, &r->peak, &r->burst, &r->floor };

    for (guint i = 0; node && i < G_N_ELEMENTS(names); i++) {
        g_autofree char *v = mv_xml_get_prop(node, names[i]);

        if (v && !mv_xml_parse_uint(v, G_MAXUINT, slots[i]))
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                                   "invalid value '%s' for attribute '%s': expected a number "
                                   "from 0 to %u", v, names[i], G_MAXUINT);
    }
    return true;
}

bool
mv_domain_net_bandwidth_parse(const xmlNode *node, MvDomainNetBandwidth **ret, GError **error)
{
    static const MvXmlChildRule rules[] = { { "inbound", 0, 1 }, { "outbound", 0, 1 } };
    g_autoptr(MvDomainNetBandwidth) bw = g_new0(MvDomainNetBandwidth, 1);
    g_autoptr(GError) err = NULL;

    if (!mv_domain_check_children(node, rules, error) ||
        !rate_parse(mv_xml_get_child(node, "inbound"), &bw->in, error) ||
        !rate_parse(mv_xml_get_child(node, "outbound"), &bw->out, error))
        return false;
    if (!mv_domain_net_bandwidth_check(bw, &err))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED, node, "%s",
                               err->message);
    *ret = mv_domain_net_bandwidth_is_empty(bw) ? NULL : g_steal_pointer(&bw);
    return true;
}

static void
rate_format(GString *out, int indent, const char *name, const MvDomainNetRate *r)
{
    if (rate_empty(r))
        return;
    g_string_append_printf(out, "%*s<%s", indent, "", name);
    if (r->average)
        g_string_append_printf(out, " average='%" G_GUINT64_FORMAT "'", r->average);
    if (r->peak)
        g_string_append_printf(out, " peak='%" G_GUINT64_FORMAT "'", r->peak);
    if (r->burst)
        g_string_append_printf(out, " burst='%" G_GUINT64_FORMAT "'", r->burst);
    g_string_append(out, "/>\n");
}

void
mv_domain_net_bandwidth_format(GString *out, int indent, const MvDomainNetBandwidth *bw)
{
    if (mv_domain_net_bandwidth_is_empty(bw))
        return;
    g_string_append_printf(out, "%*s<bandwidth>\n", indent, "");
    rate_format(out, indent + 2, "inbound", &bw->in);
    rate_format(out, indent + 2, "outbound", &bw->out);
    g_string_append_printf(out, "%*s</bandwidth>\n", indent, "");
}
