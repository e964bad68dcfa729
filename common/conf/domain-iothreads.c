/* <iothreads>, <iothreadids>, <cputune><iothreadpin> ↔ MvDomainIOThreads. The
 * schema (schemas/domain-iothreads.rng) checks the shapes; this file checks
 * the numbers: ids unique and in range, at most <iothreads> of them, pins of
 * existing threads, disks on existing threads. */
#include "conf/domain-iothreads.h"

#include <string.h>

#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "util/error.h"
#include "util/xml.h"

static int
cmp_uint(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a, y = *(const guint *)b;

    return x < y ? -1 : x > y;
}

static MvDomainIOThreads *
threads_new(void)
{
    MvDomainIOThreads *t = g_new0(MvDomainIOThreads, 1);

    t->ids = g_array_new(FALSE, FALSE, sizeof(guint));
    t->pins = g_array_new(FALSE, TRUE, sizeof(MvDomainIOThreadPin));
    return t;
}

void
mv_domain_iothreads_free(MvDomainIOThreads *threads)
{
    if (!threads)
        return;
    for (guint i = 0; i < threads->pins->len; i++)
        g_free(g_array_index(threads->pins, MvDomainIOThreadPin, i).cpuset);
    g_array_unref(threads->pins);
    g_array_unref(threads->ids);
    g_free(threads);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainIOThreads, mv_domain_iothreads_free)

bool
mv_domain_iothreads_has(const MvDomainIOThreads *threads, unsigned int id)
{
    for (guint i = 0; threads && i < threads->ids->len; i++) {
        if (g_array_index(threads->ids, guint, i) == id)
            return true;
    }
    return false;
}

void
mv_domain_iothreads_add(MvDomainIOThreads **threads, unsigned int id)
{
    if (!*threads)
        *threads = threads_new();
    if (mv_domain_iothreads_has(*threads, id))
        return;
    g_array_append_val((*threads)->ids, id);
    g_array_sort((*threads)->ids, cmp_uint);
}

void
mv_domain_iothreads_pin(MvDomainIOThreads *threads, unsigned int id, const char *cpuset)
{
    for (guint i = 0; i < threads->pins->len; i++) {
        MvDomainIOThreadPin *p = &g_array_index(threads->pins, MvDomainIOThreadPin, i);

        if (p->id != id)
            continue;
        g_free(p->cpuset);
        if (cpuset) {
            p->cpuset = g_strdup(cpuset);
        } else {
            g_array_remove_index(threads->pins, i);
        }
        return;
    }
    if (cpuset) {
        MvDomainIOThreadPin p = { .id = id, .cpuset = g_strdup(cpuset) };

        g_array_append_val(threads->pins, p);
    }
}

const char *
mv_domain_iothreads_pin_of(const MvDomainIOThreads *threads, unsigned int id)
{
    for (guint i = 0; threads && i < threads->pins->len; i++) {
        const MvDomainIOThreadPin *p = &g_array_index(threads->pins, MvDomainIOThreadPin, i);

        if (p->id == id)
            return p->cpuset;
    }
    return NULL;
}

void
mv_domain_iothreads_remove(MvDomainIOThreads **threads, unsigned int id)
{
    if (!*threads)
        return;
    mv_domain_iothreads_pin(*threads, id, NULL);
    for (guint i = 0; i < (*threads)->ids->len; i++) {
        if (g_array_index((*threads)->ids, guint, i) == id) {
            g_array_remove_index((*threads)->ids, i);
            break;
        }
    }
    if ((*threads)->ids->len == 0)
        g_clear_pointer(threads, mv_domain_iothreads_free);
}

MvDomainIOThreads *
mv_domain_iothreads_copy(const MvDomainIOThreads *threads)
{
    MvDomainIOThreads *copy;

    if (!threads)
        return NULL;
    copy = threads_new();
    g_array_append_vals(copy->ids, threads->ids->data, threads->ids->len);
    for (guint i = 0; i < threads->pins->len; i++) {
        const MvDomainIOThreadPin *p = &g_array_index(threads->pins, MvDomainIOThreadPin, i);

        mv_domain_iothreads_pin(copy, p->id, p->cpuset);
    }
    return copy;
}

/* "0-3,^2,5": numbers, ranges and exclusions, as libvirt's cpuset. */
static bool
cpuset_ok(const char *text)
{
    g_auto(GStrv) parts = NULL;

    if (!text || !*text)
        return false;
    parts = g_strsplit(text, ",", -1);
    for (char **p = parts; *p; p++) {
        const char *s = g_str_has_prefix(*p, "^") ? *p + 1 : *p;
        guint64 a, b;
        g_auto(GStrv) range = g_strsplit(s, "-", 2);

        if (!g_ascii_string_to_unsigned(range[0], 10, 0, 16383, &a, NULL))
            return false;
        if (range[1] && (!g_ascii_string_to_unsigned(range[1], 10, a, 16383, &b, NULL) ||
                         **p == '^'))
            return false;
    }
    return true;
}

bool
mv_domain_iothread_pin_parse(MvDomainIOThreads *threads, const xmlNode *node, GError **error)
{
    unsigned int id = 0;
    g_autofree char *cpuset = mv_xml_get_prop(node, "cpuset");

    if (!mv_domain_uint_prop(node, "iothread", G_MAXINT, &id, error))
        return false;
    if (!mv_domain_iothreads_has(threads, id))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "IOThread %u does not exist: define it in <iothreads>/"
                               "<iothreadids> first", id);
    if (mv_domain_iothreads_pin_of(threads, id))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "IOThread %u is pinned twice: give one <iothreadpin> per "
                               "IOThread", id);
    if (!cpuset_ok(cpuset))
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "cpuset '%s' is not a CPU list such as '0-3,^2'",
                               cpuset ? cpuset : "");
    mv_domain_iothreads_pin(threads, id, cpuset);
    return true;
}

static bool
parse_ids(MvDomainIOThreads *t, const xmlNode *ids, GError **error)
{
    for (const xmlNode *n = ids ? ids->children : NULL; n; n = n->next) {
        unsigned int id = 0;

        if (!mv_xml_node_is(n, "iothread"))
            continue;
        if (!mv_domain_uint_prop(n, "id", G_MAXINT, &id, error))
            return false;
        if (id == 0)
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                   "IOThread ids start at 1 (got 0)");
        if (mv_domain_iothreads_has(t, id))
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                   "IOThread id %u is given twice", id);
        if (t->ids->len >= MV_DOMAIN_IOTHREADS_MAX)
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, n,
                                   "more than %d IOThreads", MV_DOMAIN_IOTHREADS_MAX);
        g_array_append_val(t->ids, id);
    }
    return true;
}

bool
mv_domain_iothreads_parse(const xmlNode *root, MvDomainIOThreads **ret, GError **error)
{
    g_autoptr(MvDomainIOThreads) t = threads_new();
    const xmlNode *count_node = mv_xml_get_child(root, "iothreads");
    const xmlNode *ids = mv_xml_get_child(root, "iothreadids");
    const xmlNode *cputune = mv_xml_get_child(root, "cputune");
    unsigned int count = 0;
    guint next = 1;

    if (count_node) {
        g_autofree char *text = mv_xml_get_content(count_node);
        guint64 v;

        if (!text || !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0,
                                                 MV_DOMAIN_IOTHREADS_MAX, &v, NULL))
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, count_node,
                                   "'%s' is not a number of IOThreads (0 to %d)",
                                   text ? text : "", MV_DOMAIN_IOTHREADS_MAX);
        count = (unsigned int)v;
    }
    if (!parse_ids(t, ids, error))
        return false;
    if (count_node && t->ids->len > count)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, count_node,
                               "<iothreads> is %u but <iothreadids> names %u: raise "
                               "<iothreads>", count, t->ids->len);
    while (t->ids->len < count) {
        while (mv_domain_iothreads_has(t, next))
            next++;
        g_array_append_val(t->ids, next);
    }
    g_array_sort(t->ids, cmp_uint);
    for (const xmlNode *n = cputune ? cputune->children : NULL; n; n = n->next) {
        if (mv_xml_node_is(n, "iothreadpin") && !mv_domain_iothread_pin_parse(t, n, error))
            return false;
    }
    *ret = t->ids->len ? g_steal_pointer(&t) : NULL;
    return true;
}

bool
mv_domain_iothreads_check_disk(const MvDomainIOThreads *threads, unsigned int iothread,
                               const char *target, GError **error)
{
    if (iothread == 0 || mv_domain_iothreads_has(threads, iothread))
        return true;
    return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                        "/domain/devices/disk (%s): <driver iothread='%u'/> names no IOThread "
                        "of the domain: add it to <iothreads>/<iothreadids>",
                        target ? target : "?", iothread);
}

void
mv_domain_iothreads_format(GString *out, const MvDomainIOThreads *threads)
{
    bool plain = true;

    if (!threads)
        return;
    g_string_append_printf(out, "  <iothreads>%u</iothreads>\n", threads->ids->len);
    for (guint i = 0; i < threads->ids->len; i++)
        plain &= g_array_index(threads->ids, guint, i) == i + 1;
    if (plain)
        return;
    g_string_append(out, "  <iothreadids>\n");
    for (guint i = 0; i < threads->ids->len; i++)
        g_string_append_printf(out, "    <iothread id='%u'/>\n",
                               g_array_index(threads->ids, guint, i));
    g_string_append(out, "  </iothreadids>\n");
}

void
mv_domain_iothread_pins_format(GString *out, const MvDomainIOThreads *threads)
{
    g_autoptr(GArray) pins = NULL;

    if (!threads || !threads->pins->len)
        return;
    pins = g_array_copy(threads->pins);
    g_array_sort(pins, cmp_uint);       /* the id is the first member */
    for (guint i = 0; i < pins->len; i++) {
        const MvDomainIOThreadPin *p = &g_array_index(pins, MvDomainIOThreadPin, i);
        g_autofree char *esc = g_markup_escape_text(p->cpuset, -1);

        g_string_append_printf(out, "    <iothreadpin iothread='%u' cpuset='%s'/>\n", p->id,
                               esc);
    }
}
