/* IOThreads of a domain (issue 13 item 5): <iothreads>N</iothreads>,
 * <iothreadids><iothread id='N'/></iothreadids>, a disk's <driver iothread='N'/>
 * and <cputune><iothreadpin iothread='N' cpuset='…'/>. Parsing and formatting:
 * common/conf/domain-iothreads.c. The <cputune> element itself is parsed and
 * formatted by conf/domain-tune.c, which hands each <iothreadpin> child to
 * mv_domain_iothread_pin_parse() and asks mv_domain_iothread_pins_format() for
 * them (schema: the "iothreadpin" define of schemas/domain-iothreads.rng). */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

G_BEGIN_DECLS


/* Libvirt's limits: ids are 1..G_MAXINT; we take at most this many threads. */
#define MV_DOMAIN_IOTHREADS_MAX 1024

typedef struct {
    unsigned int id;
    char *cpuset;            /* "0-3,^2": the host CPUs it may run on */
} MvDomainIOThreadPin;

typedef struct _MvDomainIOThreads {
    GArray *ids;             /* guint, ascending */
    GArray *pins;            /* MvDomainIOThreadPin, by id */
} MvDomainIOThreads;

/**
 * mv_domain_iothreads_parse:
 * Reads <iothreads> and <iothreadids> of @root into @ret (NULL when the
 * domain has none): N threads, the ids given first, the rest numbered from 1
 * up past the used ones, as libvirt does. Also reads <cputune><iothreadpin>
 * children (validated against the threads).
 */
bool mv_domain_iothreads_parse(const xmlNode *root, MvDomainIOThreads **ret, GError **error);

/**
 * mv_domain_iothreads_check_disk:
 * A disk's <driver iothread='N'/> must name one of the domain's IOThreads.
 */
bool mv_domain_iothreads_check_disk(const MvDomainIOThreads *threads, unsigned int iothread,
                                    const char *target, GError **error);

/** mv_domain_iothreads_format: <iothreads> and, unless they are 1..N, <iothreadids>. */
void mv_domain_iothreads_format(GString *out, const MvDomainIOThreads *threads);

/**
 * mv_domain_iothread_pin_parse: one <cputune><iothreadpin> (for the <cputune>
 * parser): the thread must exist and be pinned once.
 */
bool mv_domain_iothread_pin_parse(MvDomainIOThreads *threads, const xmlNode *node,
                                  GError **error);

/** mv_domain_iothread_pins_format: the <iothreadpin> lines (inside <cputune>). */
void mv_domain_iothread_pins_format(GString *out, const MvDomainIOThreads *threads);

/** mv_domain_iothreads_has / add / remove: by id; add keeps ids ascending. */
bool mv_domain_iothreads_has(const MvDomainIOThreads *threads, unsigned int id);
void mv_domain_iothreads_add(MvDomainIOThreads **threads, unsigned int id);
void mv_domain_iothreads_remove(MvDomainIOThreads **threads, unsigned int id);

/** mv_domain_iothreads_pin: @cpuset NULL removes the pin. */
void mv_domain_iothreads_pin(MvDomainIOThreads *threads, unsigned int id, const char *cpuset);
const char *mv_domain_iothreads_pin_of(const MvDomainIOThreads *threads, unsigned int id);

MvDomainIOThreads *mv_domain_iothreads_copy(const MvDomainIOThreads *threads);
void mv_domain_iothreads_free(MvDomainIOThreads *threads);

G_END_DECLS
