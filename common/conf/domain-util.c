/* MvDomainDef: free, deep copy, lookups and the enum <-> string tables used by
 * the parser and the formatter. */
#include <string.h>

#include "conf/domain-iothreads.h"
#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "conf/domain-tune.h"

/* Looks @str up in a NULL-padded table of @n names. */
static int
mv_domain_enum_from_string(const char *const *names, size_t n, const char *str)
{
    for (size_t i = 0; str && i < n; i++) {
        if (names[i] && strcmp(names[i], str) == 0)
            return (int)i;
    }
    return -1;
}

#define MV_DOMAIN_ENUM_IMPL(prefix, Type, ...)                                        \
    static const char *const prefix##_names[] = { __VA_ARGS__ };                      \
    const char *prefix##_to_string(Type value)                                        \
    {                                                                                 \
        if ((size_t)value >= G_N_ELEMENTS(prefix##_names))                            \
            return NULL;                                                              \
        return prefix##_names[value];                                                 \
    }                                                                                 \
    int prefix##_from_string(const char *str)                                         \
    {                                                                                 \
        return mv_domain_enum_from_string(prefix##_names, G_N_ELEMENTS(prefix##_names), \
                                          str);                                       \
    }

MV_DOMAIN_ENUM_IMPL(mv_domain_virt_type, MvDomainVirtType, "qemu", "kvm")
MV_DOMAIN_ENUM_IMPL(mv_domain_lifecycle_action, MvDomainLifecycleAction,
                    "destroy", "restart", "preserve", "rename-restart",
                    "coredump-destroy", "coredump-restart")
MV_DOMAIN_ENUM_IMPL(mv_domain_boot_dev, MvDomainBootDev, "hd", "cdrom", "network", "fd")
MV_DOMAIN_ENUM_IMPL(mv_domain_cpu_mode, MvDomainCpuMode,
                    NULL, "custom", "host-model", "host-passthrough")
MV_DOMAIN_ENUM_IMPL(mv_domain_disk_bus, MvDomainDiskBus, "virtio", "sata", "scsi", "ide", "usb",
                    "fdc")
MV_DOMAIN_ENUM_IMPL(mv_domain_net_type, MvDomainNetType, "network", "bridge", "user", "ethernet")
MV_DOMAIN_ENUM_IMPL(mv_domain_chr_type, MvDomainChrSourceType, "pty", "unix", "file", "null",
                    "spicevmc")

const char *
mv_domain_chr_device_to_string(MvDomainChrDeviceType device)
{
    static const char *const names[] = { "serial", "console", "channel" };

    return (size_t)device < G_N_ELEMENTS(names) ? names[device] : NULL;
}

void
mv_domain_ptr_array_append(gpointer **array, size_t *n, gpointer item)
{
    *array = g_renew(gpointer, *array, *n + 1);
    (*array)[(*n)++] = item;
}

/* ---- free ---- */

void
mv_domain_disk_def_free(MvDomainDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->driver_name);
    g_free(disk->driver_type);
    g_free(disk->driver_cache);
    g_free(disk->driver_discard);
    g_free(disk->source);
    g_free(disk->source_pool);
    g_free(disk->source_volume);
    g_free(disk->source_mode);
    g_free(disk->source_format);
    g_free(disk->target_dev);
    g_free(disk->serial);
    g_free(disk->alias);
    g_free(disk->address.type);
    g_free(disk->iotune);
    g_free(disk);
}

void
mv_domain_net_def_free(MvDomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->source);
    g_free(net->portgroup);
    g_free(net->port_id);
    g_free(net->bridge);
    g_free(net->filter);
    for (size_t i = 0; i < net->nfilter_params; i++) {
        g_free(net->filter_params[i].name);
        g_free(net->filter_params[i].value);
    }
    g_free(net->filter_params);
    g_free(net->model);
    g_free(net->target_dev);
    g_free(net->alias);
    g_free(net->address.type);
    mv_domain_net_bandwidth_free(net->bandwidth);
    g_free(net);
}

void
mv_domain_controller_def_free(MvDomainControllerDef *ctrl)
{
    if (!ctrl)
        return;
    g_free(ctrl->type);
    g_free(ctrl->model);
    g_free(ctrl->alias);
    g_free(ctrl->address.type);
    g_free(ctrl);
}

void
mv_domain_chr_def_free(MvDomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->source_path);
    g_free(chr->source_mode);
    g_free(chr->target_type);
    g_free(chr->target_name);
    g_free(chr->target_state);
    g_free(chr->alias);
    g_free(chr);
}

void
mv_domain_input_def_free(MvDomainInputDef *input)
{
    if (!input)
        return;
    g_free(input->type);
    g_free(input->bus);
    g_free(input->alias);
    g_free(input);
}

void
mv_domain_graphics_def_free(MvDomainGraphicsDef *graphics)
{
    if (!graphics)
        return;
    g_free(graphics->type);
    g_free(graphics->listen);
    if (graphics->passwd)
        memset(graphics->passwd, 0, strlen(graphics->passwd));
    g_free(graphics->passwd);
    g_free(graphics->image_compression);
    g_free(graphics);
}

void
mv_domain_video_def_free(MvDomainVideoDef *video)
{
    if (!video)
        return;
    g_free(video->model);
    g_free(video->alias);
    g_free(video->address.type);
    g_free(video);
}

void
mv_domain_memballoon_def_free(MvDomainMemballoonDef *balloon)
{
    if (!balloon)
        return;
    g_free(balloon->model);
    g_free(balloon->alias);
    g_free(balloon->address.type);
    g_free(balloon);
}

void
mv_domain_sound_def_free(MvDomainSoundDef *sound)
{
    if (!sound)
        return;
    g_free(sound->model);
    g_free(sound->alias);
    g_free(sound->address.type);
    g_free(sound);
}

void
mv_domain_redirdev_def_free(MvDomainRedirdevDef *redirdev)
{
    if (!redirdev)
        return;
    g_free(redirdev->bus);
    g_free(redirdev->type);
    g_free(redirdev->alias);
    g_free(redirdev);
}

void
mv_domain_rng_def_free(MvDomainRngDef *rng)
{
    if (!rng)
        return;
    g_free(rng->model);
    g_free(rng->backend_model);
    g_free(rng->backend);
    g_free(rng->alias);
    g_free(rng->address.type);
    g_free(rng);
}

void
mv_domain_tpm_def_free(MvDomainTpmDef *tpm)
{
    if (!tpm)
        return;
    g_free(tpm->model);
    g_free(tpm->backend);
    g_free(tpm->version);
    g_free(tpm->alias);
    g_free(tpm);
}

void
mv_domain_watchdog_def_free(MvDomainWatchdogDef *watchdog)
{
    if (!watchdog)
        return;
    g_free(watchdog->model);
    g_free(watchdog->action);
    g_free(watchdog->alias);
    g_free(watchdog->address.type);
    g_free(watchdog);
}

static void
mv_domain_ptr_array_free(gpointer *array, size_t n, GDestroyNotify free_func)
{
    for (size_t i = 0; i < n; i++)
        free_func(array[i]);
    g_free(array);
}

void
mv_domain_def_free(MvDomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->metadata);
    mv_domain_tune_def_free(def->tune);

    g_free(def->os.type);
    g_free(def->os.arch);
    g_free(def->os.machine);
    g_free(def->os.boot);
    g_free(def->os.kernel);
    g_free(def->os.initrd);
    g_free(def->os.cmdline);
    g_free(def->os.loader);
    g_free(def->os.loader_type);
    g_free(def->os.nvram);
    g_free(def->os.nvram_template);
    g_free(def->os.firmware);
    for (size_t i = 0; i < def->os.nfirmware_features; i++)
        g_free(def->os.firmware_features[i].name);
    g_free(def->os.firmware_features);

    g_free(def->cpu.match);
    g_free(def->cpu.check);
    g_free(def->cpu.model);
    g_free(def->cpu.model_fallback);
    for (size_t i = 0; i < def->cpu.nfeatures; i++) {
        g_free(def->cpu.features[i].name);
        g_free(def->cpu.features[i].policy);
    }
    g_free(def->cpu.features);

    g_free(def->clock.offset);
    for (size_t i = 0; i < def->clock.ntimers; i++) {
        g_free(def->clock.timers[i].name);
        g_free(def->clock.timers[i].tickpolicy);
    }
    g_free(def->clock.timers);

    g_free(def->emulator);
    mv_domain_ptr_array_free((gpointer *)def->disks, def->ndisks,
                             (GDestroyNotify)mv_domain_disk_def_free);
    mv_domain_ptr_array_free((gpointer *)def->controllers, def->ncontrollers,
                             (GDestroyNotify)mv_domain_controller_def_free);
    mv_domain_ptr_array_free((gpointer *)def->nets, def->nnets,
                             (GDestroyNotify)mv_domain_net_def_free);
    mv_domain_ptr_array_free((gpointer *)def->serials, def->nserials,
                             (GDestroyNotify)mv_domain_chr_def_free);
    mv_domain_ptr_array_free((gpointer *)def->consoles, def->nconsoles,
                             (GDestroyNotify)mv_domain_chr_def_free);
    mv_domain_ptr_array_free((gpointer *)def->channels, def->nchannels,
                             (GDestroyNotify)mv_domain_chr_def_free);
    mv_domain_ptr_array_free((gpointer *)def->inputs, def->ninputs,
                             (GDestroyNotify)mv_domain_input_def_free);
    mv_domain_ptr_array_free((gpointer *)def->graphics, def->ngraphics,
                             (GDestroyNotify)mv_domain_graphics_def_free);
    mv_domain_ptr_array_free((gpointer *)def->videos, def->nvideos,
                             (GDestroyNotify)mv_domain_video_def_free);
    mv_domain_memballoon_def_free(def->memballoon);
    mv_domain_ptr_array_free((gpointer *)def->rngs, def->nrngs,
                             (GDestroyNotify)mv_domain_rng_def_free);
    mv_domain_ptr_array_free((gpointer *)def->sounds, def->nsounds,
                             (GDestroyNotify)mv_domain_sound_def_free);
    mv_domain_ptr_array_free((gpointer *)def->redirdevs, def->nredirdevs,
                             (GDestroyNotify)mv_domain_redirdev_def_free);
    mv_domain_iothreads_free(def->iothreads);
    mv_domain_watchdog_def_free(def->watchdog);
    mv_domain_tpm_def_free(def->tpm);
    g_free(def->vcpu_list);
    mv_domain_ptr_array_free((gpointer *)def->memdevs, def->nmemdevs,
                             (GDestroyNotify)mv_domain_memdev_def_free);
    g_free(def);
}

void
mv_domain_device_def_free(MvDomainDeviceDef *dev)
{
    if (!dev)
        return;
    switch (dev->type) {
    case MV_DOMAIN_DEVICE_DISK:
        mv_domain_disk_def_free(dev->data.disk);
        break;
    case MV_DOMAIN_DEVICE_NET:
        mv_domain_net_def_free(dev->data.net);
        break;
    case MV_DOMAIN_DEVICE_MEMORY:
        mv_domain_memdev_def_free(dev->data.memdev);
        break;
    }
    g_free(dev);
}

/* ---- copy ---- */

static void
mv_domain_address_copy(MvDomainDeviceAddress *dst, const MvDomainDeviceAddress *src)
{
    *dst = *src;
    dst->type = g_strdup(src->type);
}

MvDomainDiskDef *
mv_domain_disk_def_copy(const MvDomainDiskDef *disk)
{
    MvDomainDiskDef *ret = g_memdup2(disk, sizeof(*disk));

    ret->driver_name = g_strdup(disk->driver_name);
    ret->driver_type = g_strdup(disk->driver_type);
    ret->driver_cache = g_strdup(disk->driver_cache);
    ret->driver_discard = g_strdup(disk->driver_discard);
    ret->source = g_strdup(disk->source);
    ret->source_pool = g_strdup(disk->source_pool);
    ret->source_volume = g_strdup(disk->source_volume);
    ret->source_mode = g_strdup(disk->source_mode);
    ret->source_format = g_strdup(disk->source_format);
    ret->iotune = disk->iotune ? g_memdup2(disk->iotune, sizeof(*disk->iotune)) : NULL;
    ret->target_dev = g_strdup(disk->target_dev);
    ret->serial = g_strdup(disk->serial);
    ret->alias = g_strdup(disk->alias);
    mv_domain_address_copy(&ret->address, &disk->address);
    return ret;
}

MvDomainNetDef *
mv_domain_net_def_copy(const MvDomainNetDef *net)
{
    MvDomainNetDef *ret = g_memdup2(net, sizeof(*net));

    ret->source = g_strdup(net->source);
    ret->portgroup = g_strdup(net->portgroup);
    ret->port_id = g_strdup(net->port_id);
    ret->bridge = g_strdup(net->bridge);
    ret->bandwidth = mv_domain_net_bandwidth_copy(net->bandwidth);
    ret->filter = g_strdup(net->filter);
    ret->filter_params = g_new0(MvDomainNetFilterParam, net->nfilter_params);
    for (size_t i = 0; i < net->nfilter_params; i++) {
        ret->filter_params[i].name = g_strdup(net->filter_params[i].name);
        ret->filter_params[i].value = g_strdup(net->filter_params[i].value);
    }
    ret->model = g_strdup(net->model);
    ret->target_dev = g_strdup(net->target_dev);
    ret->alias = g_strdup(net->alias);
    mv_domain_address_copy(&ret->address, &net->address);
    return ret;
}

static MvDomainControllerDef *
mv_domain_controller_def_copy(const MvDomainControllerDef *ctrl)
{
    MvDomainControllerDef *ret = g_memdup2(ctrl, sizeof(*ctrl));

    ret->type = g_strdup(ctrl->type);
    ret->model = g_strdup(ctrl->model);
    ret->alias = g_strdup(ctrl->alias);
    mv_domain_address_copy(&ret->address, &ctrl->address);
    return ret;
}

static MvDomainChrDef *
mv_domain_chr_def_copy(const MvDomainChrDef *chr)
{
    MvDomainChrDef *ret = g_memdup2(chr, sizeof(*chr));

    ret->source_path = g_strdup(chr->source_path);
    ret->source_mode = g_strdup(chr->source_mode);
    ret->target_type = g_strdup(chr->target_type);
    ret->target_name = g_strdup(chr->target_name);
    ret->target_state = g_strdup(chr->target_state);
    ret->alias = g_strdup(chr->alias);
    return ret;
}

static MvDomainInputDef *
mv_domain_input_def_copy(const MvDomainInputDef *input)
{
    MvDomainInputDef *ret = g_memdup2(input, sizeof(*input));

    ret->type = g_strdup(input->type);
    ret->bus = g_strdup(input->bus);
    ret->alias = g_strdup(input->alias);
    return ret;
}

static MvDomainGraphicsDef *
mv_domain_graphics_def_copy(const MvDomainGraphicsDef *graphics)
{
    MvDomainGraphicsDef *ret = g_memdup2(graphics, sizeof(*graphics));

    ret->type = g_strdup(graphics->type);
    ret->listen = g_strdup(graphics->listen);
    ret->passwd = g_strdup(graphics->passwd);
    ret->image_compression = g_strdup(graphics->image_compression);
    return ret;
}

static MvDomainVideoDef *
mv_domain_video_def_copy(const MvDomainVideoDef *video)
{
    MvDomainVideoDef *ret = g_memdup2(video, sizeof(*video));

    ret->model = g_strdup(video->model);
    ret->alias = g_strdup(video->alias);
    mv_domain_address_copy(&ret->address, &video->address);
    return ret;
}

static MvDomainMemballoonDef *
mv_domain_memballoon_def_copy(const MvDomainMemballoonDef *balloon)
{
    MvDomainMemballoonDef *ret = g_memdup2(balloon, sizeof(*balloon));

    ret->model = g_strdup(balloon->model);
    ret->alias = g_strdup(balloon->alias);
    mv_domain_address_copy(&ret->address, &balloon->address);
    return ret;
}

static MvDomainSoundDef *
mv_domain_sound_def_copy(const MvDomainSoundDef *sound)
{
    MvDomainSoundDef *ret = g_memdup2(sound, sizeof(*sound));

    ret->model = g_strdup(sound->model);
    ret->alias = g_strdup(sound->alias);
    mv_domain_address_copy(&ret->address, &sound->address);
    return ret;
}

static MvDomainRedirdevDef *
mv_domain_redirdev_def_copy(const MvDomainRedirdevDef *redirdev)
{
    MvDomainRedirdevDef *ret = g_memdup2(redirdev, sizeof(*redirdev));

    ret->bus = g_strdup(redirdev->bus);
    ret->type = g_strdup(redirdev->type);
    ret->alias = g_strdup(redirdev->alias);
    return ret;
}

static MvDomainRngDef *
mv_domain_rng_def_copy(const MvDomainRngDef *rng)
{
    MvDomainRngDef *ret = g_memdup2(rng, sizeof(*rng));

    ret->model = g_strdup(rng->model);
    ret->backend_model = g_strdup(rng->backend_model);
    ret->backend = g_strdup(rng->backend);
    ret->alias = g_strdup(rng->alias);
    mv_domain_address_copy(&ret->address, &rng->address);
    return ret;
}

static MvDomainTpmDef *
mv_domain_tpm_def_copy(const MvDomainTpmDef *tpm)
{
    MvDomainTpmDef *ret = g_new0(MvDomainTpmDef, 1);

    ret->model = g_strdup(tpm->model);
    ret->backend = g_strdup(tpm->backend);
    ret->version = g_strdup(tpm->version);
    ret->alias = g_strdup(tpm->alias);
    return ret;
}

static MvDomainWatchdogDef *
mv_domain_watchdog_def_copy(const MvDomainWatchdogDef *watchdog)
{
    MvDomainWatchdogDef *ret = g_memdup2(watchdog, sizeof(*watchdog));

    ret->model = g_strdup(watchdog->model);
    ret->action = g_strdup(watchdog->action);
    ret->alias = g_strdup(watchdog->alias);
    mv_domain_address_copy(&ret->address, &watchdog->address);
    return ret;
}

typedef gpointer (*MvDomainCopyFunc)(gconstpointer item);

static gpointer *
mv_domain_ptr_array_copy(gpointer const *array, size_t n, MvDomainCopyFunc copy)
{
    gpointer *ret;

    if (!n)
        return NULL;
    ret = g_new0(gpointer, n);
    for (size_t i = 0; i < n; i++)
        ret[i] = copy(array[i]);
    return ret;
}

#define MV_COPY_ARRAY(field, func)                                                      \
    (ret->field = (void *)mv_domain_ptr_array_copy((gpointer const *)def->field,       \
                                                   def->n##field, (MvDomainCopyFunc)func))

MvDomainDef *
mv_domain_def_copy(const MvDomainDef *def)
{
    MvDomainDef *ret = g_memdup2(def, sizeof(*def));

    ret->name = g_strdup(def->name);
    ret->title = g_strdup(def->title);
    ret->description = g_strdup(def->description);
    ret->metadata = g_strdup(def->metadata);

    ret->os.type = g_strdup(def->os.type);
    ret->os.arch = g_strdup(def->os.arch);
    ret->os.machine = g_strdup(def->os.machine);
    ret->os.boot = def->os.nboot ? g_memdup2(def->os.boot, def->os.nboot * sizeof(*def->os.boot))
                                 : NULL;
    ret->os.kernel = g_strdup(def->os.kernel);
    ret->os.initrd = g_strdup(def->os.initrd);
    ret->os.cmdline = g_strdup(def->os.cmdline);
    ret->os.loader = g_strdup(def->os.loader);
    ret->os.loader_type = g_strdup(def->os.loader_type);
    ret->os.nvram = g_strdup(def->os.nvram);
    ret->os.nvram_template = g_strdup(def->os.nvram_template);
    ret->os.firmware = g_strdup(def->os.firmware);
    ret->os.firmware_features = g_new0(MvDomainFirmwareFeature, def->os.nfirmware_features + 1);
    for (size_t i = 0; i < def->os.nfirmware_features; i++) {
        ret->os.firmware_features[i].name = g_strdup(def->os.firmware_features[i].name);
        ret->os.firmware_features[i].enabled = def->os.firmware_features[i].enabled;
    }

    ret->cpu.match = g_strdup(def->cpu.match);
    ret->cpu.check = g_strdup(def->cpu.check);
    ret->cpu.model = g_strdup(def->cpu.model);
    ret->cpu.model_fallback = g_strdup(def->cpu.model_fallback);
    ret->cpu.features = def->cpu.nfeatures ? g_new0(MvDomainCpuFeature, def->cpu.nfeatures) : NULL;
    for (size_t i = 0; i < def->cpu.nfeatures; i++) {
        ret->cpu.features[i].name = g_strdup(def->cpu.features[i].name);
        ret->cpu.features[i].policy = g_strdup(def->cpu.features[i].policy);
    }

    ret->clock.offset = g_strdup(def->clock.offset);
    ret->clock.timers = def->clock.ntimers ? g_new0(MvDomainTimerDef, def->clock.ntimers) : NULL;
    for (size_t i = 0; i < def->clock.ntimers; i++) {
        ret->clock.timers[i] = def->clock.timers[i];
        ret->clock.timers[i].name = g_strdup(def->clock.timers[i].name);
        ret->clock.timers[i].tickpolicy = g_strdup(def->clock.timers[i].tickpolicy);
    }

    ret->emulator = g_strdup(def->emulator);
    MV_COPY_ARRAY(disks, mv_domain_disk_def_copy);
    MV_COPY_ARRAY(controllers, mv_domain_controller_def_copy);
    MV_COPY_ARRAY(nets, mv_domain_net_def_copy);
    MV_COPY_ARRAY(serials, mv_domain_chr_def_copy);
    MV_COPY_ARRAY(consoles, mv_domain_chr_def_copy);
    MV_COPY_ARRAY(channels, mv_domain_chr_def_copy);
    MV_COPY_ARRAY(inputs, mv_domain_input_def_copy);
    MV_COPY_ARRAY(graphics, mv_domain_graphics_def_copy);
    MV_COPY_ARRAY(videos, mv_domain_video_def_copy);
    MV_COPY_ARRAY(rngs, mv_domain_rng_def_copy);
    MV_COPY_ARRAY(sounds, mv_domain_sound_def_copy);
    MV_COPY_ARRAY(redirdevs, mv_domain_redirdev_def_copy);
    ret->iothreads = mv_domain_iothreads_copy(def->iothreads);
    MV_COPY_ARRAY(memdevs, mv_domain_memdev_def_copy);
    ret->vcpu_list = mv_domain_vcpus_copy(def);
    ret->memballoon = def->memballoon ? mv_domain_memballoon_def_copy(def->memballoon) : NULL;
    ret->watchdog = def->watchdog ? mv_domain_watchdog_def_copy(def->watchdog) : NULL;
    ret->tpm = def->tpm ? mv_domain_tpm_def_copy(def->tpm) : NULL;
    ret->tune = mv_domain_tune_def_copy(def->tune);
    return ret;
}

/* ---- lookups ---- */

int
mv_domain_def_find_disk(const MvDomainDef *def, const char *target_dev)
{
    for (size_t i = 0; target_dev && i < def->ndisks; i++) {
        if (g_strcmp0(def->disks[i]->target_dev, target_dev) == 0)
            return (int)i;
    }
    return -1;
}

int
mv_domain_def_find_net(const MvDomainDef *def, const guint8 mac[6])
{
    for (size_t i = 0; i < def->nnets; i++) {
        if (memcmp(def->nets[i]->mac, mac, 6) == 0)
            return (int)i;
    }
    return -1;
}
