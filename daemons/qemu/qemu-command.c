/* The QEMU command line of a domain: the machine-level options (machine,
 * accelerator, firmware, CPU, memory, topology, clock, lifecycle, boot). The
 * devices are in qemu-command-devices.c. */
#include "qemu-command.h"
#include "qemu-command-priv.h"

#include <stdarg.h>
#include <string.h>

#include "conf/domain-iothreads.h"
#include "conf/domain-conf.h"
#include "util/error.h"
#include "util/uuid.h"

bool
qemu_command_unsupported(GError **error, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED, "%s", msg);
}

/* ---- argv helpers ---------------------------------------------------------- */

void
qemu_command_add(QemuCmd *cmd, const char *opt, const char *value)
{
    g_ptr_array_add(cmd->argv, g_strdup(opt));
    if (value)
        g_ptr_array_add(cmd->argv, g_strdup(value));
}

void
qemu_command_addf(QemuCmd *cmd, const char *opt, const char *fmt, ...)
{
    va_list ap;

    g_ptr_array_add(cmd->argv, g_strdup(opt));
    va_start(ap, fmt);
    g_ptr_array_add(cmd->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void
qemu_command_add_take(QemuCmd *cmd, const char *opt, GString *value)
{
    g_ptr_array_add(cmd->argv, g_strdup(opt));
    g_ptr_array_add(cmd->argv, g_string_free(value, FALSE));
}

void
qemu_command_escape(GString *buf, const char *s)
{
    for (; *s; s++) {
        if (*s == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *s);
    }
}

bool
qemu_command_pci_address_props(QemuCmd *cmd, MvQemuProps *props,
                               const MvDomainDeviceAddress *addr, const char *what,
                               GError **error)
{
    if (!addr || !addr->type) {
        for (unsigned int slot = 1; slot < 32; slot++) {
            if (!(cmd->root_slots & (1u << slot))) {
                cmd->root_slots |= 1u << slot;
                mv_qemu_props_add_str(props, "bus", cmd->root_bus);
                mv_qemu_props_add_strf(props, "addr", "0x%x", slot);
                return true;
            }
        }
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: no free slot left on the root PCI bus", what);
    }
    if (!g_str_equal(addr->type, "pci"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: address type '%s' is not valid for a PCI device",
                            what, addr->type);
    if (addr->domain != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: PCI domain %u does not exist (only domain 0)",
                            what, addr->domain);
    if (addr->slot > 31 || addr->function > 7)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: PCI slot %u function %u is out of range (slot 0-31, "
                            "function 0-7)", what, addr->slot, addr->function);
    if (addr->bus == 0)
        mv_qemu_props_add_str(props, "bus", cmd->root_bus);
    else
        mv_qemu_props_add_strf(props, "bus", "pci.%u", addr->bus);
    if (addr->function)
        mv_qemu_props_add_strf(props, "addr", "0x%x.0x%x", addr->slot, addr->function);
    else
        mv_qemu_props_add_strf(props, "addr", "0x%x", addr->slot);
    if (addr->multifunction)
        mv_qemu_props_add_bool(props, "multifunction", true);
    return true;
}

bool
qemu_command_add_pci_address(QemuCmd *cmd, GString *buf, const MvDomainDeviceAddress *addr,
                             const char *what, GError **error)
{
    g_autoptr(MvQemuProps) props = mv_qemu_props_new();

    if (!qemu_command_pci_address_props(cmd, props, addr, what, error))
        return false;
    g_string_append_c(buf, ',');
    mv_qemu_props_format(props, false, buf);
    return true;
}

static void
command_reserve_slot(QemuCmd *cmd, const MvDomainDeviceAddress *addr)
{
    if (addr->type && g_str_equal(addr->type, "pci") && addr->domain == 0 && addr->bus == 0
        && addr->slot < 32)
        cmd->root_slots |= 1u << addr->slot;
}

/* The root bus slots the machine itself uses or the def names explicitly. */
static void
command_reserve_pci_slots(QemuCmd *cmd)
{
    const MvDomainDef *def = cmd->def;

    cmd->root_slots = 1u << 0;              /* host bridge */
    if (cmd->q35)
        cmd->root_slots |= 1u << 0x1f;      /* ICH9: LPC, AHCI, SMBus */
    else
        cmd->root_slots |= 1u << 1;         /* PIIX3: ISA, IDE, USB, PM */
    for (size_t i = 0; i < def->ndisks; i++)
        command_reserve_slot(cmd, &def->disks[i]->address);
    for (size_t i = 0; i < def->ncontrollers; i++)
        command_reserve_slot(cmd, &def->controllers[i]->address);
    for (size_t i = 0; i < def->nnets; i++)
        command_reserve_slot(cmd, &def->nets[i]->address);
    for (size_t i = 0; i < def->nvideos; i++)
        command_reserve_slot(cmd, &def->videos[i]->address);
    for (size_t i = 0; i < def->nrngs; i++)
        command_reserve_slot(cmd, &def->rngs[i]->address);
    if (def->memballoon)
        command_reserve_slot(cmd, &def->memballoon->address);
    if (def->watchdog)
        command_reserve_slot(cmd, &def->watchdog->address);
}

/* ---- machine, accelerator, firmware ---------------------------------------- */

static bool
command_check_accel(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;

    if (def->virt_type == MV_DOMAIN_VIRT_KVM) {
        if (!cmd->ctx->kvm_available)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "KVM is not available on this host (/dev/kvm): "
                                "use <domain type='qemu'>");
        if (cmd->probe->accels && cmd->probe->accels[0]
            && !mv_qemu_probe_has_accel(cmd->probe, "kvm"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "%s was built without KVM: use <domain type='qemu'>",
                                cmd->probe->binary);
        cmd->kvm = true;
        return true;
    }
    if (cmd->probe->accels && cmd->probe->accels[0] && !mv_qemu_probe_has_accel(cmd->probe, "tcg"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s has no TCG accelerator: use <domain type='kvm'>",
                            cmd->probe->binary);
    return true;
}

/* The canonical machine name for @def, checked against the probe. */
static const char *
command_resolve_machine(QemuCmd *cmd, GError **error)
{
    const MvQemuProbe *probe = cmd->probe;
    const char *name = cmd->def->os.machine;
    const MvQemuMachine *m;

    if (!name) {
        if (!(m = mv_qemu_probe_get_default_machine(probe))) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                         "%s has no default machine type: give <os><type machine='…'>",
                         probe->binary);
            return NULL;
        }
    } else if (!(m = mv_qemu_probe_find_machine(probe, name))) {
        g_autoptr(GString) valid = g_string_new(NULL);

        for (size_t i = 0; i < probe->nmachines; i++) {
            if (g_str_equal(probe->machines[i].name, "none"))
                continue;
            g_string_append_printf(valid, "%s%s", valid->len ? ", " : "",
                                   probe->machines[i].name);
        }
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "machine type '%s' is not supported by %s: valid machine types are %s",
                     name, probe->binary, valid->str);
        return NULL;
    }
    if (m->canonical) {
        const MvQemuMachine *target = mv_qemu_probe_find_machine(probe, m->canonical);

        if (target)
            m = target;
    }
    /* x86 machines only: pc-i440fx-*, pc-q35-*, and their aliases */
    if (!g_str_has_prefix(m->name, "pc-i440fx-") && !g_str_has_prefix(m->name, "pc-q35-")) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "machine type '%s' is not supported: use an i440fx (pc) or q35 machine",
                     m->name);
        return NULL;
    }
    cmd->q35 = g_str_has_prefix(m->name, "pc-q35-");
    cmd->root_bus = cmd->q35 ? "pcie.0" : "pci.0";
    if (m->max_cpus > 0 && cmd->def->vcpus > (unsigned int)m->max_cpus) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "%u vCPUs exceed the maximum of machine type '%s' (%d)",
                     cmd->def->vcpus, m->name, m->max_cpus);
        return NULL;
    }
    return m->name;
}

static const MvDomainTimerDef *
command_find_timer(const MvDomainDef *def, const char *name)
{
    for (size_t i = 0; i < def->clock.ntimers; i++) {
        if (g_str_equal(def->clock.timers[i].name, name))
            return &def->clock.timers[i];
    }
    return NULL;
}

/* <loader type='pflash'>: two -blockdev per flash (file + raw), then
 * -machine pflash0=/pflash1=. The code flash is read-only when the XML says so;
 * the variable store (nvram) is always writable. */
static void
command_add_pflash(QemuCmd *cmd, const char *path, bool readonly, int unit)
{
    GString *file = g_string_new("driver=file,filename=");
    GString *fmt = g_string_new(NULL);

    qemu_command_escape(file, path);
    g_string_append_printf(file, ",node-name=mv-pflash%d-storage%s", unit,
                           readonly ? ",read-only=on" : "");
    g_string_append_printf(fmt, "driver=raw,file=mv-pflash%d-storage,"
                           "node-name=mv-pflash%d-format%s",
                           unit, unit, readonly ? ",read-only=on" : "");
    qemu_command_add_take(cmd, "-blockdev", file);
    qemu_command_add_take(cmd, "-blockdev", fmt);
}

static bool
command_add_machine(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    const MvDomainTimerDef *hpet = command_find_timer(def, "hpet");
    const char *machine;
    const char *loader_type = def->os.loader_type;
    bool pflash = loader_type && g_str_equal(loader_type, "pflash");
    GString *buf;

    if (def->os.type && !g_str_equal(def->os.type, "hvm"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "os type '%s' is not supported: QEMU runs 'hvm' guests",
                            def->os.type);
    if (def->os.arch && !g_str_equal(def->os.arch, "x86_64") && !g_str_equal(def->os.arch, "i686"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "architecture '%s' is not supported by %s",
                            def->os.arch, cmd->probe->binary);
    if (!(machine = command_resolve_machine(cmd, error)))
        return false;
    command_reserve_pci_slots(cmd);

    if (loader_type && !pflash && !g_str_equal(loader_type, "rom"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "loader type '%s' is not supported (use 'rom' or 'pflash')",
                            loader_type);
    if (def->os.nvram && !pflash)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "<nvram> needs <loader type='pflash'>");
    if (def->os.firmware && g_str_equal(def->os.firmware, "efi") && !pflash)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "firmware='efi' was not resolved to a pflash loader");
    if (def->os.loader_secure == 1 && !pflash)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "<loader secure='yes'> needs <loader type='pflash'>");
    if (pflash) {
        if (!def->os.loader)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "<loader type='pflash'> needs a firmware path");
        if (def->os.loader_readonly && !def->os.nvram)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "a read-only pflash loader needs an <nvram> file for "
                                "its variables");
        command_add_pflash(cmd, def->os.loader, def->os.loader_readonly, 0);
        if (def->os.nvram)
            command_add_pflash(cmd, def->os.nvram, false, 1);
    }

    buf = g_string_new(machine);
    g_string_append_printf(buf, ",accel=%s", cmd->kvm ? "kvm" : "tcg");
    if (!(def->features & MV_DOMAIN_FEATURE_ACPI))
        g_string_append(buf, ",acpi=off");
    if (hpet && hpet->present == 0)
        g_string_append(buf, ",hpet=off");
    if (def->features & MV_DOMAIN_FEATURE_VMPORT_ON)
        g_string_append(buf, ",vmport=on");
    if (def->features & MV_DOMAIN_FEATURE_VMPORT_OFF)
        g_string_append(buf, ",vmport=off");
    if (pflash) {
        g_string_append(buf, ",pflash0=mv-pflash0-format");
        if (def->os.nvram)
            g_string_append(buf, ",pflash1=mv-pflash1-format");
        /* secure boot: only code in SMM may write the variable store */
        if (def->os.loader_secure == 1)
            g_string_append(buf, ",smm=on");
    }
    qemu_command_add_take(cmd, "-machine", buf);
    if (pflash && def->os.loader_secure == 1)
        qemu_command_add(cmd, "-global", "driver=cfi.pflash01,property=secure,value=on");

    if (def->os.loader && !pflash)
        qemu_command_add(cmd, "-bios", def->os.loader);
    return true;
}

/* ---- CPU, memory, topology -------------------------------------------------- */

/* Hyper-V enlightenments as CPU properties: <hyperv> and the hypervclock timer. */
static bool
command_add_hyperv(QemuCmd *cmd, GString *buf, GError **error)
{
    const MvDomainHypervDef *hv = &cmd->def->hyperv;
    const MvDomainTimerDef *hvclock = command_find_timer(cmd->def, "hypervclock");
    static const char *const states[] = { NULL, "on", "off" };

    if (!hv->relaxed && !hv->vapic && !hv->spinlocks && !(hvclock && hvclock->present >= 0))
        return true;
    if (!buf->len)
        g_string_append(buf, "qemu64");
    if (hv->relaxed)
        g_string_append_printf(buf, ",hv-relaxed=%s", states[hv->relaxed]);
    if (hv->vapic)
        g_string_append_printf(buf, ",hv-vapic=%s", states[hv->vapic]);
    if (hv->spinlocks == 1)
        g_string_append_printf(buf, ",hv-spinlocks=0x%x",
                               hv->spinlock_retries ? hv->spinlock_retries : 0x1fff);
    if (hvclock && hvclock->present >= 0)
        g_string_append_printf(buf, ",hv-time=%s", hvclock->present ? "on" : "off");
    (void)error;
    return true;
}

static bool
command_add_cpu(QemuCmd *cmd, GError **error)
{
    const MvDomainCpuDef *cpu = &cmd->def->cpu;
    const MvDomainTimerDef *kvmclock = command_find_timer(cmd->def, "kvmclock");
    g_autoptr(GString) buf = g_string_new(NULL);

    switch (cpu->mode) {
    case MV_DOMAIN_CPU_MODE_DEFAULT:
        break;
    case MV_DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
    case MV_DOMAIN_CPU_MODE_HOST_MODEL:
        /* "host" exists only under KVM. Under TCG there is no host CPU to pass
         * through; "max" (every feature TCG can emulate) is the closest model,
         * and refusing would make host-passthrough domains unstartable here. */
        g_string_append(buf, cmd->kvm ? "host" : "max");
        break;
    case MV_DOMAIN_CPU_MODE_CUSTOM:
        /* <cpu> with only a <topology> is custom mode without a model:
         * QEMU's default model; features then need a model to apply to. */
        if (cpu->model)
            g_string_append(buf, cpu->model);
        break;
    }

    /* Features as name=on|off: QEMU documents +feat/-feat as legacy syntax. The
     * names are passed through; QEMU rejects ones it does not know at start. */
    for (size_t i = 0; i < cpu->nfeatures; i++) {
        const char *policy = cpu->features[i].policy;
        bool on = !policy || g_str_equal(policy, "require") || g_str_equal(policy, "force")
                  || g_str_equal(policy, "optional");

        if (!buf->len)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "CPU feature '%s' needs a CPU model or mode",
                                cpu->features[i].name);
        if (!on && !g_str_equal(policy, "disable") && !g_str_equal(policy, "forbid"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "CPU feature '%s': unknown policy '%s'",
                                cpu->features[i].name, policy);
        g_string_append_printf(buf, ",%s=%s", cpu->features[i].name, on ? "on" : "off");
    }

    if (!command_add_hyperv(cmd, buf, error))
        return false;

    /* kvmclock is a KVM paravirtual clock: TCG never offers it. */
    if (kvmclock && kvmclock->present >= 0) {
        if (!cmd->kvm && kvmclock->present == 1)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "timer 'kvmclock' needs <domain type='kvm'>");
        if (cmd->kvm) {
            if (!buf->len)
                g_string_append(buf, "qemu64");
            g_string_append_printf(buf, ",kvmclock=%s", kvmclock->present ? "on" : "off");
        }
    }

    if (buf->len)
        qemu_command_add(cmd, "-cpu", buf->str);
    return true;
}

static bool
command_add_memory(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    guint64 dimms = mv_domain_def_memdev_total(def);
    guint64 boot;
    GString *buf;

    if (def->memory == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "the domain has no memory: set <memory>");
    boot = def->memory - MIN(def->memory, dimms);
    buf = g_string_new(NULL);
    /* <memory> counts the DIMMs: -m is the rest (qemu-command-memory.c adds them) */
    g_string_append_printf(buf, "size=%" G_GUINT64_FORMAT "M", (boot + 1023) / 1024);
    if (def->max_memory) {
        if (!def->max_memory_slots) {
            g_string_free(buf, TRUE);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "<maxMemory> needs a slots attribute");
        }
        if (def->max_memory < def->memory) {
            g_string_free(buf, TRUE);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "<maxMemory> must not be smaller than <memory>");
        }
        g_string_append_printf(buf, ",slots=%u,maxmem=%" G_GUINT64_FORMAT "M",
                               def->max_memory_slots, (def->max_memory + 1023) / 1024);
    }
    qemu_command_add_take(cmd, "-m", buf);
    return qemu_command_memdevs_add(cmd, error);
}

static bool
command_add_smp(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    const MvDomainCpuDef *cpu = &def->cpu;
    unsigned int sockets = def->vcpus, dies = 1, cores = 1, threads = 1;
    /* with <vcpus>, the hotpluggable enabled vCPUs are plugged before the guest runs */
    unsigned int current = mv_domain_vcpus_boot_count(def);

    if (def->vcpus == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "the domain needs at least one vCPU");
    if (current > def->vcpus)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "current vCPUs (%u) exceed the maximum (%u)", current, def->vcpus);
    /* enabled vCPUs after a disabled one: the daemon plugs them before the guest runs,
     * but a TCG guest stalls at boot then (QEMU 7.2, also with -device) */
    for (unsigned int i = current; !cmd->kvm && def->vcpu_list && i < def->vcpus; i++)
        if (def->vcpu_list[i].enabled)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "<vcpus>: vCPU %u is enabled but vCPU %u is not: a TCG guest "
                                "(<domain type='qemu'>) does not boot with such a gap; enable "
                                "the vCPUs in order", i, current);
    if (cpu->sockets || cpu->dies || cpu->cores || cpu->threads) {
        if (!cpu->sockets || !cpu->cores || !cpu->threads)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "CPU <topology> needs sockets, cores and threads");
        sockets = cpu->sockets;
        dies = cpu->dies ? cpu->dies : 1;
        cores = cpu->cores;
        threads = cpu->threads;
        if ((guint64)sockets * dies * cores * threads != def->vcpus)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "CPU topology: sockets (%u) * dies (%u) * cores (%u) * "
                                "threads (%u) = %" G_GUINT64_FORMAT " does not match the "
                                "maximum vCPU count (%u)", sockets, dies, cores, threads,
                                (guint64)sockets * dies * cores * threads, def->vcpus);
    }
    /* Always the full topology: without it QEMU 7.2's new machine types prefer
     * cores over sockets, and the guest would see a different CPU layout than
     * libvirt gives it (one socket per vCPU). */
    qemu_command_addf(cmd, "-smp", "%u,maxcpus=%u,sockets=%u,dies=%u,cores=%u,threads=%u",
                      current, def->vcpus, sockets, dies, cores, threads);
    return true;
}

/* ---- clock, lifecycle, power management, boot ------------------------------ */

static const char *
command_lifecycle_name(MvDomainLifecycleAction action)
{
    static const char *const names[] = {
        [MV_DOMAIN_LIFECYCLE_DESTROY] = "destroy",
        [MV_DOMAIN_LIFECYCLE_RESTART] = "restart",
        [MV_DOMAIN_LIFECYCLE_PRESERVE] = "preserve",
        [MV_DOMAIN_LIFECYCLE_RENAME_RESTART] = "rename-restart",
        [MV_DOMAIN_LIFECYCLE_COREDUMP_DESTROY] = "coredump-destroy",
        [MV_DOMAIN_LIFECYCLE_COREDUMP_RESTART] = "coredump-restart",
    };

    return (size_t)action < G_N_ELEMENTS(names) ? names[action] : "?";
}

static bool
command_add_clock(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    const char *offset = def->clock.offset ? def->clock.offset : "utc";
    GString *buf;

    for (size_t i = 0; i < def->clock.ntimers; i++) {
        const MvDomainTimerDef *t = &def->clock.timers[i];

        if (!g_str_equal(t->name, "rtc") && !g_str_equal(t->name, "pit")
            && !g_str_equal(t->name, "hpet") && !g_str_equal(t->name, "kvmclock")
            && !g_str_equal(t->name, "hypervclock"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "timer '%s' is not supported (rtc, pit, hpet, kvmclock, "
                                "hypervclock are)",
                                t->name);
        if ((g_str_equal(t->name, "rtc") || g_str_equal(t->name, "pit")) && t->present == 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "timer '%s' cannot be removed from an x86 machine", t->name);
        if (t->tickpolicy && (g_str_equal(t->name, "hpet") || g_str_equal(t->name, "kvmclock")
                              || g_str_equal(t->name, "hypervclock")))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "timer '%s' has no tickpolicy", t->name);
    }

    if (!g_str_equal(offset, "utc") && !g_str_equal(offset, "localtime"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "clock offset '%s' is not supported (utc, localtime are)", offset);
    buf = g_string_new("base=");
    g_string_append(buf, offset);
    for (size_t i = 0; i < def->clock.ntimers; i++) {
        const MvDomainTimerDef *t = &def->clock.timers[i];

        if (!g_str_equal(t->name, "rtc") || !t->tickpolicy || g_str_equal(t->tickpolicy, "delay"))
            continue;
        if (!g_str_equal(t->tickpolicy, "catchup")) {
            g_string_free(buf, TRUE);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "rtc tickpolicy '%s' is not supported (delay, catchup are)",
                                t->tickpolicy);
        }
        g_string_append(buf, ",driftfix=slew");
    }
    qemu_command_add_take(cmd, "-rtc", buf);

    for (size_t i = 0; i < def->clock.ntimers; i++) {
        const MvDomainTimerDef *t = &def->clock.timers[i];

        if (!g_str_equal(t->name, "pit") || !t->tickpolicy)
            continue;
        if (!g_str_equal(t->tickpolicy, "delay") && !g_str_equal(t->tickpolicy, "discard"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "pit tickpolicy '%s' is not supported (delay, discard are)",
                                t->tickpolicy);
        /* Only the in-kernel PIT has a lost-tick policy; TCG's PIT always
         * delivers late ticks, which is 'delay'. */
        if (cmd->kvm)
            qemu_command_addf(cmd, "-global", "kvm-pit.lost_tick_policy=%s", t->tickpolicy);
        else if (g_str_equal(t->tickpolicy, "discard"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "pit tickpolicy 'discard' needs <domain type='kvm'>");
    }
    return true;
}

static bool
command_add_lifecycle(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;

    /* QEMU exits on guest poweroff unless told to stay (preserve); restart
     * and rename-restart are done by the daemon after the exit. */
    switch (def->on_poweroff) {
    case MV_DOMAIN_LIFECYCLE_DESTROY:
    case MV_DOMAIN_LIFECYCLE_RESTART:
        break;
    case MV_DOMAIN_LIFECYCLE_PRESERVE:
        qemu_command_add(cmd, "-no-shutdown", NULL);
        break;
    default:
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "on_poweroff '%s' is not supported (destroy, restart, preserve are)",
                            command_lifecycle_name(def->on_poweroff));
    }
    switch (def->on_reboot) {
    case MV_DOMAIN_LIFECYCLE_RESTART:
        break;
    case MV_DOMAIN_LIFECYCLE_DESTROY:
        qemu_command_add(cmd, "-no-reboot", NULL);
        break;
    default:
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "on_reboot '%s' is not supported (restart, destroy are)",
                            command_lifecycle_name(def->on_reboot));
    }
    /* on_crash needs a pvpanic device to be seen at all; without one a guest
     * crash is invisible to QEMU, so every on_crash value is trivially met. */

    if (def->pm_suspend_to_mem >= 0)
        qemu_command_addf(cmd, "-global", "%s.disable_s3=%d",
                          cmd->q35 ? "ICH9-LPC" : "PIIX4_PM", def->pm_suspend_to_mem ? 0 : 1);
    if (def->pm_suspend_to_disk >= 0)
        qemu_command_addf(cmd, "-global", "%s.disable_s4=%d",
                          cmd->q35 ? "ICH9-LPC" : "PIIX4_PM", def->pm_suspend_to_disk ? 0 : 1);
    return true;
}

static bool
command_add_boot(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    bool per_device = false;
    GString *buf;

    for (size_t i = 0; i < def->ndisks; i++)
        per_device |= def->disks[i]->boot_order > 0;
    for (size_t i = 0; i < def->nnets; i++)
        per_device |= def->nets[i]->boot_order > 0;
    if (per_device && def->os.nboot)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "per-device <boot order='N'/> cannot be combined with "
                            "<os><boot dev='…'/>");

    buf = g_string_new(NULL);
    if (def->os.nboot) {
        g_string_append(buf, "order=");
        for (size_t i = 0; i < def->os.nboot; i++) {
            static const char letters[] = {
                [MV_DOMAIN_BOOT_HD] = 'c', [MV_DOMAIN_BOOT_CDROM] = 'd',
                [MV_DOMAIN_BOOT_NETWORK] = 'n', [MV_DOMAIN_BOOT_FLOPPY] = 'a',
            };
            g_string_append_c(buf, letters[def->os.boot[i]]);
        }
    }
    if (def->os.bootmenu)
        g_string_append_printf(buf, "%smenu=on", buf->len ? "," : "");
    /* strict: boot only from the listed devices, never fall back to others */
    if (per_device || def->os.nboot)
        g_string_append_printf(buf, "%sstrict=on", buf->len ? "," : "");
    if (buf->len)
        qemu_command_add_take(cmd, "-boot", buf);
    else
        g_string_free(buf, TRUE);

    if (def->os.kernel)
        qemu_command_add(cmd, "-kernel", def->os.kernel);
    if (def->os.initrd)
        qemu_command_add(cmd, "-initrd", def->os.initrd);
    if (def->os.cmdline)
        qemu_command_add(cmd, "-append", def->os.cmdline);
    if ((def->os.initrd || def->os.cmdline) && !def->os.kernel)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "<initrd> and <cmdline> need a <kernel>");
    return true;
}

/* ---- the whole command line ------------------------------------------------- */

char **
mv_qemu_command_build(const MvDomainDef *def, const MvQemuProbe *probe,
                      const MvQemuCommandContext *ctx, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    QemuCmd cmd = { .def = def, .probe = probe, .ctx = ctx, .argv = argv };
    char uuid[MV_UUID_STRING_LEN];
    GString *buf;

    g_return_val_if_fail(def && probe && ctx, NULL);
    if (!def->name || !*def->name) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED, "the domain has no name");
        return NULL;
    }
    if (!ctx->monitor_path) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "domain '%s': no QMP monitor socket path was given", def->name);
        return NULL;
    }

    g_ptr_array_add(argv, g_strdup(def->emulator ? def->emulator : probe->binary));
    buf = g_string_new("guest=");
    qemu_command_escape(buf, def->name);
    g_string_append(buf, ",debug-threads=on");
    qemu_command_add_take(&cmd, "-name", buf);
    qemu_command_add(&cmd, "-S", NULL);

    if (!command_check_accel(&cmd, error) || !command_add_machine(&cmd, error)
        || !command_add_cpu(&cmd, error) || !command_add_memory(&cmd, error)
        || !command_add_smp(&cmd, error))
        goto error;

    mv_uuid_format(def->uuid, uuid);
    qemu_command_add(&cmd, "-uuid", uuid);
    qemu_command_add(&cmd, "-no-user-config", NULL);
    qemu_command_add(&cmd, "-nodefaults", NULL);

    if (ctx->monitor_fd >= 3) {
        buf = g_string_new(NULL);
        g_string_printf(buf, "socket,id=monitor,fd=%d", ctx->monitor_fd);
    } else {
        buf = g_string_new("socket,id=monitor,path=");
        qemu_command_escape(buf, ctx->monitor_path);
    }
    g_string_append(buf, ",server=on,wait=off");
    qemu_command_add_take(&cmd, "-chardev", buf);
    qemu_command_add(&cmd, "-mon", "chardev=monitor,mode=control");
    /* <iothreads>: one iothread object per id, named as disks refer to it */
    for (guint i = 0; def->iothreads && i < def->iothreads->ids->len; i++)
        qemu_command_addf(&cmd, "-object", "iothread,id=iothread%u",
                          g_array_index(def->iothreads->ids, guint, i));

    if (!command_add_clock(&cmd, error) || !command_add_lifecycle(&cmd, error)
        || !command_add_boot(&cmd, error)
        || !qemu_command_devices_add_controllers(&cmd, error)
        || !qemu_command_devices_add_disks(&cmd, error)
        || !qemu_command_devices_add_nets(&cmd, error)
        || !qemu_command_chardev_add_all(&cmd, error)
        || !qemu_command_devices_add_inputs(&cmd, error)
        || !qemu_command_devices_add_graphics(&cmd, error)
        || !qemu_command_devices_add_video(&cmd, error)
        || !qemu_command_devices_add_misc(&cmd, error)
        || !qemu_command_tpm_add(&cmd, error)
        || !qemu_command_devices_add_sound_redir(&cmd, error))
        goto error;

    if (!def->ngraphics)
        qemu_command_add(&cmd, "-display", "none");
    qemu_command_add(&cmd, "-msg", "timestamp=on");
    if (ctx->pidfile)
        qemu_command_add(&cmd, "-pidfile", ctx->pidfile);

    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_steal(argv, NULL);

error:
    g_prefix_error(error, "domain '%s': ", def->name);
    return NULL;
}
