/* The typed handlers of modvirt-storaged, one per REMOTE procedure it serves
 * (pools and volumes; streams and secrets have their own headers). main.c
 * puts them into the generated driver vtable (remote-driver.h); their
 * parameters are the generated entry types. */
#pragma once

#include "remote-driver.h"
#include "storage-driver.h"

G_BEGIN_DECLS

bool mv_storage_handle_connect_num_of_storage_pools(MvDriverCall *call, int *ret_num,
        GError **error);

bool mv_storage_handle_connect_list_storage_pools(MvDriverCall *call, int maxnames,
        char ***ret_names, guint *ret_n_names, GError **error);

bool mv_storage_handle_connect_num_of_defined_storage_pools(MvDriverCall *call, int *ret_num,
        GError **error);

bool mv_storage_handle_connect_list_defined_storage_pools(MvDriverCall *call, int maxnames,
        char ***ret_names, guint *ret_n_names, GError **error);

bool mv_storage_handle_connect_find_storage_pool_sources(MvDriverCall *call, const char *type,
        const char *src_spec, unsigned int flags, char **ret_xml, GError **error);

bool mv_storage_handle_storage_pool_create_xml(MvDriverCall *call, const char *xml,
        unsigned int flags, MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_storage_pool_define_xml(MvDriverCall *call, const char *xml,
        unsigned int flags, MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_storage_pool_create(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_pool_build(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_pool_destroy(MvDriverCall *call, const MvObjectRef *pool_ref,
        GError **error);

bool mv_storage_handle_storage_pool_delete(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_pool_undefine(MvDriverCall *call, const MvObjectRef *pool_ref,
        GError **error);

bool mv_storage_handle_storage_pool_refresh(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_pool_lookup_by_name(MvDriverCall *call, const char *name,
        MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_storage_pool_lookup_by_uuid(MvDriverCall *call, const guint8 *uuid,
        MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_storage_pool_lookup_by_volume(MvDriverCall *call,
        const MvObjectRef *vol_ref, MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_storage_pool_get_info(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned char *ret_state, uint64_t *ret_capacity, uint64_t *ret_allocation,
        uint64_t *ret_available, GError **error);

bool mv_storage_handle_storage_pool_get_xml_desc(MvDriverCall *call, const MvObjectRef *pool_ref,
        unsigned int flags, char **ret_xml, GError **error);

bool mv_storage_handle_storage_pool_get_autostart(MvDriverCall *call, const MvObjectRef *pool_ref,
        int *ret_autostart, GError **error);

bool mv_storage_handle_storage_pool_set_autostart(MvDriverCall *call, const MvObjectRef *pool_ref,
        int autostart, GError **error);

bool mv_storage_handle_storage_pool_num_of_volumes(MvDriverCall *call, const MvObjectRef *pool_ref,
        int *ret_num, GError **error);

bool mv_storage_handle_storage_pool_list_volumes(MvDriverCall *call, const MvObjectRef *pool_ref,
        int maxnames, char ***ret_names, guint *ret_n_names, GError **error);

bool mv_storage_handle_storage_vol_create_xml(MvDriverCall *call, const MvObjectRef *pool_ref,
        const char *xml, unsigned int flags, MvObjectRef *ret_vol, GError **error);

bool mv_storage_handle_storage_vol_delete(MvDriverCall *call, const MvObjectRef *vol_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_vol_lookup_by_name(MvDriverCall *call, const MvObjectRef *pool_ref,
        const char *name, MvObjectRef *ret_vol, GError **error);

bool mv_storage_handle_storage_vol_lookup_by_key(MvDriverCall *call, const char *key,
        MvObjectRef *ret_vol, GError **error);

bool mv_storage_handle_storage_vol_lookup_by_path(MvDriverCall *call, const char *path,
        MvObjectRef *ret_vol, GError **error);

bool mv_storage_handle_storage_vol_get_info(MvDriverCall *call, const MvObjectRef *vol_ref,
        char *ret_type, uint64_t *ret_capacity, uint64_t *ret_allocation, GError **error);

bool mv_storage_handle_storage_vol_get_xml_desc(MvDriverCall *call, const MvObjectRef *vol_ref,
        unsigned int flags, char **ret_xml, GError **error);

bool mv_storage_handle_storage_vol_get_path(MvDriverCall *call, const MvObjectRef *vol_ref,
        char **ret_name, GError **error);

bool mv_storage_handle_storage_vol_create_xml_from(MvDriverCall *call, const MvObjectRef *pool_ref,
        const char *xml, const MvObjectRef *clonevol_ref, unsigned int flags, MvObjectRef *ret_vol,
        GError **error);

bool mv_storage_handle_storage_pool_is_active(MvDriverCall *call, const MvObjectRef *pool_ref,
        int *ret_active, GError **error);

bool mv_storage_handle_storage_pool_is_persistent(MvDriverCall *call, const MvObjectRef *pool_ref,
        int *ret_persistent, GError **error);

bool mv_storage_handle_storage_vol_wipe(MvDriverCall *call, const MvObjectRef *vol_ref,
        unsigned int flags, GError **error);

bool mv_storage_handle_storage_vol_wipe_pattern(MvDriverCall *call, const MvObjectRef *vol_ref,
        unsigned int algorithm, unsigned int flags, GError **error);

bool mv_storage_handle_storage_vol_resize(MvDriverCall *call, const MvObjectRef *vol_ref,
        uint64_t capacity, unsigned int flags, GError **error);

bool mv_storage_handle_connect_list_all_storage_pools(MvDriverCall *call, int need_results,
        unsigned int flags, MvObjectRef **ret_pools, guint *ret_n_pools, unsigned int *ret_ret,
        GError **error);

bool mv_storage_handle_storage_pool_list_all_volumes(MvDriverCall *call,
        const MvObjectRef *pool_ref, int need_results, unsigned int flags, MvObjectRef **ret_vols,
        guint *ret_n_vols, unsigned int *ret_ret, GError **error);

bool mv_storage_handle_connect_storage_pool_event_register_any(MvDriverCall *call, int event_id,
        const MvObjectRef *pool_ref, int *ret_callback_id, GError **error);

bool mv_storage_handle_connect_storage_pool_event_deregister_any(MvDriverCall *call,
        int callback_id, GError **error);

bool mv_storage_handle_storage_vol_get_info_flags(MvDriverCall *call, const MvObjectRef *vol_ref,
        unsigned int flags, char *ret_type, uint64_t *ret_capacity, uint64_t *ret_allocation,
        GError **error);

bool mv_storage_handle_storage_pool_lookup_by_target_path(MvDriverCall *call, const char *path,
        MvObjectRef *ret_pool, GError **error);

bool mv_storage_handle_connect_get_storage_pool_capabilities(MvDriverCall *call,
        unsigned int flags, char **ret_capabilities, GError **error);

/* Shared by the handler files. */

/** mv_storage_dispatch_check_flags: refuses flags outside @allowed, naming @api. */
bool mv_storage_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                                     GError **error);

G_END_DECLS
