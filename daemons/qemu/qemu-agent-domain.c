/* The guest agent of a domain, see qemu-agent-domain.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent-domain.h"

#include <stdio.h>
#include <string.h>

#include "daemon/domain-events.h"
#include "qemu-dispatch.h"
#include "qemu-json.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "util/log.h"

void
mv_qemu_agent_prepare_live(const char *channel_dir, MvDomainDef *live)
{
    for (size_t i = 0; i < live->nchannels; i++) {
        MvDomainChrDef *chr = live->channels[i];

        if (chr->type != MV_DOMAIN_CHR_UNIX)
            continue;
        if (!chr->source_path) {
            /* the same name qemu-command-chardev.c gives it */
            g_autofree char *alias = g_strdup_printf("channel%zu", i);

            chr->source_path = g_strdup_printf("%s/%s.%s", channel_dir, live->name,
                                               chr->target_name ? chr->target_name : alias);
            if (!chr->source_mode)
                chr->source_mode = g_strdup("bind");
        }
        if (!chr->alias)
            chr->alias = g_strdup_printf("channel%zu", i);
        if (g_strcmp0(chr->target_name, MV_QEMU_AGENT_PORT_NAME) == 0) {
            g_free(chr->target_state);
            chr->target_state = g_strdup("disconnected");
        }
    }
}

MvDomainChrDef *
mv_qemu_agent_find_channel(const MvDomainDef *def, size_t *ret_index)
{
    for (size_t i = 0; def && i < def->nchannels; i++) {
        MvDomainChrDef *chr = def->channels[i];

        if (chr->type == MV_DOMAIN_CHR_UNIX &&
            g_strcmp0(chr->target_name, MV_QEMU_AGENT_PORT_NAME) == 0) {
            if (ret_index)
                *ret_index = i;
            return chr;
        }
    }
    return NULL;
}

void
mv_qemu_agent_vserport_change(MvQemuDriver *driver, MvQemuDomain *dom, JsonObject *data)
{
    const char *id = mv_qemu_json_get_string(data, "id", NULL);
    bool open = mv_qemu_json_get_bool(data, "open", false);
    g_autoptr(MvQemuAgent) agent = NULL;
    MvDomainChrDef *chr;
    MvEventDomain ev;
    size_t index;
    char want[32];
    bool changed = false;

    g_mutex_lock(&dom->lock);
    chr = dom->id >= 0 ? mv_qemu_agent_find_channel(dom->live, &index) : NULL;
    if (chr) {
        snprintf(want, sizeof(want), "channel%zu", index);
        if (g_strcmp0(id, want) != 0)
            chr = NULL;
    }
    if (chr && g_strcmp0(chr->target_state, open ? "connected" : "disconnected") != 0) {
        g_free(chr->target_state);
        chr->target_state = g_strdup(open ? "connected" : "disconnected");
        changed = true;
        mv_qemu_persist_update_status(driver, dom);
        /* A closed port loses what was in flight: the next call starts afresh. */
        if (!open && dom->agent)
            agent = mv_qemu_agent_ref(dom->agent);
    }
    ev = (MvEventDomain){ .name = dom->name, .uuid = dom->uuid, .id = dom->id };
    g_mutex_unlock(&dom->lock);
    if (!changed)
        return;
    mv_log_debug("domain '%s': guest agent %s", dom->name, open ? "connected" : "disconnected");
    if (agent)
        mv_qemu_agent_close(agent);
    mv_domain_events_agent_lifecycle(driver->events, &ev,
                                     open ? MV_EVENT_AGENT_CONNECTED
                                          : MV_EVENT_AGENT_DISCONNECTED,
                                     MV_EVENT_AGENT_REASON_CHANNEL);
}

void
mv_qemu_agent_domain_stopped(MvQemuDomain *dom)
{
    g_clear_pointer(&dom->agent, mv_qemu_agent_unref);
}

int
mv_qemu_agent_timeout_ms(int seconds)
{
    if (seconds == MV_QEMU_AGENT_TIMEOUT_BLOCK)
        return -1;
    if (seconds == MV_QEMU_AGENT_TIMEOUT_DEFAULT)
        seconds = MV_QEMU_AGENT_DEFAULT_TIMEOUT_S;
    return seconds > G_MAXINT / 1000 ? G_MAXINT : seconds * 1000;
}

/* The agent client of running @dom (lock held): a new reference, or NULL with @error. */
static MvQemuAgent *
get_agent(MvQemuDomain *dom, GError **error)
{
    const MvDomainChrDef *chr;

    if (!mv_qemu_domain_is_active(dom) || !dom->live) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain '%s' is not running", dom->name);
        return NULL;
    }
    if (!(chr = mv_qemu_agent_find_channel(dom->live, NULL)) || !chr->source_path) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "argument unsupported: QEMU guest agent is not configured: add "
                     "<channel type='unix'><target type='virtio' name='%s'/></channel> to "
                     "domain '%s'", MV_QEMU_AGENT_PORT_NAME, dom->name);
        return NULL;
    }
    if (g_strcmp0(chr->target_state, "connected") != 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_AGENT_UNRESPONSIVE,
                     "Guest agent is not responding: QEMU guest agent is not connected (no "
                     "qemu-ga has opened %s in domain '%s')", MV_QEMU_AGENT_PORT_NAME,
                     dom->name);
        return NULL;
    }
    if (!dom->agent)
        dom->agent = mv_qemu_agent_new(chr->source_path);
    return mv_qemu_agent_ref(dom->agent);
}

bool
mv_qemu_agent_call_begin(MvQemuAgentCall *ac, MvDriverCall *call, const MvObjectRef *ref,
                         const char *api, bool modify, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    int timeout_ms;

    memset(ac, 0, sizeof(*ac));
    if (!(dom = mv_qemu_dispatch_get_domain(call, ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    timeout_ms = mv_qemu_agent_timeout_ms(dom->agent_timeout_set ? dom->agent_timeout
                                                                 : MV_QEMU_AGENT_TIMEOUT_DEFAULT);
    g_mutex_unlock(&dom->lock);
    if (modify) {
        MvQemuDriver *driver = dom->driver;
        int wait = timeout_ms < 0 ? driver->job_wait_ms : MIN(timeout_ms, driver->job_wait_ms);

        if (!mv_driver_object_begin_job(MV_DRIVER_OBJECT(dom), api, wait, error))
            return false;
        ac->job = true;
    }
    g_mutex_lock(&dom->lock);
    ac->agent = get_agent(dom, error);
    g_mutex_unlock(&dom->lock);
    ac->driver = dom->driver;
    ac->dom = g_steal_pointer(&dom);
    ac->timeout_ms = timeout_ms;
    if (!ac->agent) {
        mv_qemu_agent_call_end(ac);
        return false;
    }
    return true;
}

void
mv_qemu_agent_call_end(MvQemuAgentCall *ac)
{
    if (ac->job)
        mv_qemu_process_end_job(ac->driver, ac->dom);
    ac->job = false;
    g_clear_pointer(&ac->agent, mv_qemu_agent_unref);
    g_clear_pointer(&ac->dom, mv_qemu_domain_unref);
}

JsonNode *
mv_qemu_agent_call_run(MvQemuAgentCall *ac, const char *cmd, JsonObject *args, GError **error)
{
    return mv_qemu_agent_command(ac->agent, cmd, args, MV_QEMU_AGENT_REPLY, ac->timeout_ms,
                                 error);
}

void
mv_qemu_agent_recover_state(MvQemuMonitor *mon, MvDomainDef *live)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) reply = NULL;
    g_autofree char *want = NULL;
    MvDomainChrDef *chr;
    JsonArray *list;
    size_t index;

    if (!(chr = mv_qemu_agent_find_channel(live, &index)))
        return;
    reply = mv_qemu_monitor_command(mon, "query-chardev", NULL, MV_QEMU_MONITOR_TIMEOUT_MS,
                                    &err);
    if (!reply || !JSON_NODE_HOLDS_ARRAY(reply)) {
        mv_log_debug("domain '%s': agent state unknown: %s", live->name,
                     err ? err->message : "query-chardev gave no list");
        return;
    }
    want = g_strdup_printf("charchannel%zu", index);
    list = json_node_get_array(reply);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonNode *n = json_array_get_element(list, i);
        JsonObject *dev = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

        if (!dev || g_strcmp0(mv_qemu_json_get_string(dev, "label", NULL), want) != 0)
            continue;
        g_free(chr->target_state);
        chr->target_state = g_strdup(mv_qemu_json_get_bool(dev, "frontend-open", false)
                                         ? "connected" : "disconnected");
        return;
    }
}
