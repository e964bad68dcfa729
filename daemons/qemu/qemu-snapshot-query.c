/* Snapshot lookups and lists (qemu-snapshot.h). Queries read the metadata
 * files without taking the domain's job. */
#include "qemu-snapshot.h"

#include <string.h>

#include "qemu-dispatch.h"

#define FROM MV_FROM_DOMAIN_SNAPSHOT

/* virDomainSnapshotListFlags */
#define LIST_ROOTS        (1u << 0)   /* == DESCENDANTS for the children calls */
#define LIST_METADATA     (1u << 1)
#define LIST_LEAVES       (1u << 2)
#define LIST_NO_LEAVES    (1u << 3)
#define LIST_NO_METADATA  (1u << 4)
#define LIST_INACTIVE     (1u << 5)
#define LIST_ACTIVE       (1u << 6)
#define LIST_DISK_ONLY    (1u << 7)
#define LIST_INTERNAL     (1u << 8)
#define LIST_EXTERNAL     (1u << 9)
#define LIST_TOPOLOGICAL  (1u << 10)
#define LIST_ALL          0x7ffu
#define XML_SECURE        (1u << 0)

/* The domain of @ref and its snapshots. */
static MvQemuSnapshots *
load(MvDriverCall *call, const MvObjectRef *ref, MvQemuDomain **ret_dom, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = mv_qemu_dispatch_get_domain(call, ref, error);
    MvQemuSnapshots *s;

    if (!dom || !(s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error)))
        return NULL;
    *ret_dom = g_steal_pointer(&dom);
    return s;
}

/* The snapshot @ref names, its domain and the domain's snapshots. */
static MvSnapshotDef *
load_snapshot(MvDriverCall *call, const MvObjectRef *ref, MvQemuDomain **ret_dom,
              MvQemuSnapshots **ret_s, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = load(call, ref, &dom, error);
    MvSnapshotDef *snap;

    if (!s || !(snap = mv_qemu_snapshots_get(s, dom->name, ref->key, error)))
        return NULL;
    *ret_dom = g_steal_pointer(&dom);
    *ret_s = g_steal_pointer(&s);
    return snap;
}

static bool
has_children(MvQemuSnapshots *s, const MvSnapshotDef *def)
{
    for (guint i = 0; i < s->snaps->len; i++)
        if (g_strcmp0(((MvSnapshotDef *)s->snaps->pdata[i])->parent, def->name) == 0)
            return true;
    return false;
}

/* libvirt's filter groups: within a group the bits are alternatives, no bit
 * set means no filter; every snapshot here has metadata. */
static bool
matches(MvQemuSnapshots *s, const MvSnapshotDef *def, unsigned int flags)
{
    unsigned int g;

    if ((g = flags & (LIST_LEAVES | LIST_NO_LEAVES)) && g != (LIST_LEAVES | LIST_NO_LEAVES) &&
        ((g == LIST_LEAVES) == has_children(s, def)))
        return false;
    if ((g = flags & (LIST_METADATA | LIST_NO_METADATA)) && !(g & LIST_METADATA))
        return false;
    if ((g = flags & (LIST_INACTIVE | LIST_ACTIVE | LIST_DISK_ONLY))) {
        bool off = g_str_equal(def->state, "shutoff");
        bool disk = g_str_equal(def->state, "disk-snapshot");
        if (!((off && (g & LIST_INACTIVE)) || (disk && (g & LIST_DISK_ONLY)) ||
              (!off && !disk && (g & LIST_ACTIVE))))
            return false;
    }
    if ((g = flags & (LIST_INTERNAL | LIST_EXTERNAL)) && g != (LIST_INTERNAL | LIST_EXTERNAL) &&
        ((g == LIST_EXTERNAL) != mv_qemu_snapshot_is_external(def)))
        return false;
    return true;
}

/* The snapshots a list call selects: all (parents first) or the roots, or a
 * snapshot's children / descendants; then filtered. Borrowed pointers. */
static GPtrArray *
select_snapshots(MvQemuSnapshots *s, const MvSnapshotDef *of, unsigned int flags)
{
    g_autoptr(GPtrArray) base = NULL;
    GPtrArray *out = g_ptr_array_new();

    if (of)
        base = mv_qemu_snapshots_children(s, of->name, flags & LIST_ROOTS);
    else
        base = mv_qemu_snapshots_children(s, NULL, !(flags & LIST_ROOTS));
    for (guint i = 0; i < base->len; i++)
        if (matches(s, base->pdata[i], flags))
            g_ptr_array_add(out, base->pdata[i]);
    return out;
}

static bool
list_names(GPtrArray *sel, int maxnames, char ***ret_names, guint *ret_n, GError **error)
{
    guint n;

    if (maxnames < 0)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG, "maxnames must not be negative");
    n = MIN(sel->len, (guint)maxnames);
    *ret_names = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        (*ret_names)[i] = g_strdup(((MvSnapshotDef *)sel->pdata[i])->name);
    *ret_n = n;
    return true;
}

static void
list_refs(MvQemuDomain *dom, GPtrArray *sel, int need_results, MvObjectRef **ret_refs,
          guint *ret_n, int *ret_ret)
{
    *ret_ret = (int)sel->len;
    if (!need_results)
        return;
    *ret_refs = g_new0(MvObjectRef, MAX(sel->len, 1));
    for (guint i = 0; i < sel->len; i++)
        mv_qemu_snapshot_fill_ref(&(*ret_refs)[i], dom, ((MvSnapshotDef *)sel->pdata[i])->name);
    *ret_n = sel->len;
}

bool
mv_qemu_snapshot_num(MvDriverCall *call, const MvObjectRef *dom_ref, unsigned int flags,
                     int *ret_num, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainSnapshotNum", error) ||
        !(s = load(call, dom_ref, &dom, error)))
        return false;
    sel = select_snapshots(s, NULL, flags);
    *ret_num = (int)sel->len;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_list_names(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          int maxnames, unsigned int flags, char ***ret_names,
                                          guint *ret_n_names, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainSnapshotListNames", error) ||
        !(s = load(call, dom_ref, &dom, error)))
        return false;
    sel = select_snapshots(s, NULL, flags);
    return list_names(sel, maxnames, ret_names, ret_n_names, error);
}

bool
mv_qemu_handle_domain_list_all_snapshots(MvDriverCall *call, const MvObjectRef *dom_ref,
                                         int need_results, unsigned int flags,
                                         MvObjectRef **ret_snapshots, guint *ret_n_snapshots,
                                         int *ret_ret, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainListAllSnapshots", error) ||
        !(s = load(call, dom_ref, &dom, error)))
        return false;
    sel = select_snapshots(s, NULL, flags);
    list_refs(dom, sel, need_results, ret_snapshots, ret_n_snapshots, ret_ret);
    return true;
}

bool
mv_qemu_handle_domain_snapshot_num_children(MvDriverCall *call, const MvObjectRef *snap_ref,
                                            unsigned int flags, int *ret_num, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainSnapshotNumChildren", error) ||
        !(snap = load_snapshot(call, snap_ref, &dom, &s, error)))
        return false;
    sel = select_snapshots(s, snap, flags);
    *ret_num = (int)sel->len;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_list_children_names(MvDriverCall *call,
                                                   const MvObjectRef *snap_ref, int maxnames,
                                                   unsigned int flags, char ***ret_names,
                                                   guint *ret_n_names, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainSnapshotListChildrenNames",
                                      error) ||
        !(snap = load_snapshot(call, snap_ref, &dom, &s, error)))
        return false;
    sel = select_snapshots(s, snap, flags);
    return list_names(sel, maxnames, ret_names, ret_n_names, error);
}

bool
mv_qemu_handle_domain_snapshot_list_all_children(MvDriverCall *call,
                                                 const MvObjectRef *snapshot_ref,
                                                 int need_results, unsigned int flags,
                                                 MvObjectRef **ret_snapshots,
                                                 guint *ret_n_snapshots, int *ret_ret,
                                                 GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(GPtrArray) sel = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, LIST_ALL, "virDomainSnapshotListAllChildren",
                                      error) ||
        !(snap = load_snapshot(call, snapshot_ref, &dom, &s, error)))
        return false;
    sel = select_snapshots(s, snap, flags);
    list_refs(dom, sel, need_results, ret_snapshots, ret_n_snapshots, ret_ret);
    return true;
}

bool
mv_qemu_handle_domain_snapshot_lookup_by_name(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              const char *name, unsigned int flags,
                                              MvObjectRef *ret_snap, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSnapshotLookupByName", error) ||
        !(s = load(call, dom_ref, &dom, error)) ||
        !mv_qemu_snapshots_get(s, dom->name, name, error))
        return false;
    mv_qemu_snapshot_fill_ref(ret_snap, dom, name);
    return true;
}

bool
mv_qemu_handle_domain_has_current_snapshot(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           unsigned int flags, int *ret_result, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainHasCurrentSnapshot", error) ||
        !(s = load(call, dom_ref, &dom, error)))
        return false;
    *ret_result = s->current != NULL;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_current(MvDriverCall *call, const MvObjectRef *dom_ref,
                                       unsigned int flags, MvObjectRef *ret_snap, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSnapshotCurrent", error) ||
        !(s = load(call, dom_ref, &dom, error)))
        return false;
    if (!s->current)
        return mv_error_set(error, FROM, MV_ERR_NO_DOMAIN_SNAPSHOT,
                            "Domain snapshot not found: the domain '%s' does not have a "
                            "current snapshot", dom->name);
    mv_qemu_snapshot_fill_ref(ret_snap, dom, s->current);
    return true;
}

bool
mv_qemu_handle_domain_snapshot_get_parent(MvDriverCall *call, const MvObjectRef *snap_ref,
                                          unsigned int flags, MvObjectRef *ret_snap,
                                          GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSnapshotGetParent", error) ||
        !(snap = load_snapshot(call, snap_ref, &dom, &s, error)))
        return false;
    if (!snap->parent || !mv_qemu_snapshots_find(s, snap->parent))
        return mv_error_set(error, FROM, MV_ERR_NO_DOMAIN_SNAPSHOT,
                            "Domain snapshot not found: snapshot '%s' does not have a parent",
                            snap->name);
    mv_qemu_snapshot_fill_ref(ret_snap, dom, snap->parent);
    return true;
}

bool
mv_qemu_handle_domain_snapshot_is_current(MvDriverCall *call, const MvObjectRef *snap_ref,
                                          unsigned int flags, int *ret_current, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSnapshotIsCurrent", error) ||
        !(snap = load_snapshot(call, snap_ref, &dom, &s, error)))
        return false;
    *ret_current = g_strcmp0(s->current, snap->name) == 0;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_has_metadata(MvDriverCall *call, const MvObjectRef *snap_ref,
                                            unsigned int flags, int *ret_metadata,
                                            GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSnapshotHasMetadata", error) ||
        !load_snapshot(call, snap_ref, &dom, &s, error))
        return false;
    *ret_metadata = 1;      /* a snapshot without metadata cannot be looked up here */
    return true;
}

bool
mv_qemu_handle_domain_snapshot_get_xml_desc(MvDriverCall *call, const MvObjectRef *snap_ref,
                                            unsigned int flags, char **ret_xml, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    MvSnapshotDef *snap;

    if (!mv_qemu_dispatch_check_flags(flags, XML_SECURE, "virDomainSnapshotGetXMLDesc", error))
        return false;
    if ((flags & XML_SECURE) && mv_driver_call_is_readonly(call))
        return mv_error_set(error, FROM, MV_ERR_OPERATION_DENIED,
                            "virDomainSnapshotGetXMLDesc with secure flag: read-only "
                            "connections may not see passwords");
    if (!(snap = load_snapshot(call, snap_ref, &dom, &s, error)))
        return false;
    *ret_xml = mv_snapshot_def_format(snap, (flags & XML_SECURE) ? MV_SNAPSHOT_FORMAT_SECURE
                                                                 : 0);
    return true;
}
