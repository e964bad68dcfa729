/* Elements of libvirt's domain XML that modvirt knows but does not honour.
 *
 * schemas/domain.rng refuses them like any unknown element; when a document
 * fails validation, mv_domain_explain_refusal() looks for one of these first
 * and gives the reason instead of the validator's "did not expect element":
 * the user learns it is a known gap, not a typo.  Only consulted after
 * validation failed, so an element a later change accepts in the schema is
 * never refused from here.  The error stays an XML error (what clients saw
 * before: libvirt's code 27).  docs/qemud.md lists the same elements. */
#include "domain-priv.h"

#include "util/error.h"

typedef struct {
    const char *parent;         /* "domain", "devices" or "os" */
    const char *name;
    const char *reason;
} MvDomainRefusal;

static const MvDomainRefusal refusals[] = {
    { "domain", "memoryBacking",
      "modvirt-qemud gives guests private anonymous memory only (no shared, file or "
      "hugepage backing, which virtiofs needs)" },
    { "devices", "filesystem", "modvirt-qemud does not run virtiofsd, and 9p is not offered" },
    { "devices", "hostdev",
      "PCI/USB passthrough needs VFIO device assignment, which modvirt does not do "
      "(host devices are only listed, read only: virsh nodedev-list)" },
    { "devices", "smartcard", "no smartcard emulation is offered" },
    { "devices", "shmem", "no shared memory devices are offered" },
    { "domain", "seclabel",
      "QEMU runs without a security driver here (no SELinux or AppArmor labels; domains "
      "report the security model 'none'): remove it" },
    { "domain", "sysinfo",
      "guests get QEMU's default SMBIOS tables: custom <sysinfo> values are not passed on" },
    { "os", "smbios",
      "guests get QEMU's default SMBIOS tables (neither the host's nor <sysinfo>)" },
    { "domain", "commandline",
      "qemud builds QEMU's whole command line itself and checks every host path a guest "
      "uses: extra QEMU arguments (<qemu:commandline>) are not passed" },
    { "domain", "idmap", "ID maps are for containers (LXC), not for QEMU guests" },
};

static const xmlNode *
find_child(const xmlNode *parent, const char *name)
{
    for (const xmlNode *n = parent ? parent->children : NULL; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && mv_xml_node_is(n, name))
            return n;
    }
    return NULL;
}

bool
mv_domain_explain_refusal(const xmlNode *root, GError **error)
{
    const xmlNode *devices = find_child(root, "devices");
    const xmlNode *os = find_child(root, "os");

    for (size_t i = 0; i < G_N_ELEMENTS(refusals); i++) {
        const xmlNode *parent = g_str_equal(refusals[i].parent, "domain") ? root
                                : g_str_equal(refusals[i].parent, "os") ? os : devices;
        const xmlNode *node = find_child(parent, refusals[i].name);

        if (node) {
            g_clear_error(error);
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR, node,
                                   "<%s> is not supported: %s", refusals[i].name,
                                   refusals[i].reason),
                   true;
        }
    }
    return false;
}
