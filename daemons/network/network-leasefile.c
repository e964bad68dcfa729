/* The lease file's format in plain C: see network-leasefile.h. */
#include "network-leasefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MV_LEASE_FILE_MAX (64 * 1024 * 1024)
#define MV_LEASE_HEADER "# modvirt lease file 1\n"

void
mv_lease_field_set(char *dst, size_t size, const char *value)
{
    size_t len = value ? strlen(value) : 0;

    if (!value || len >= size || strcmp(value, "-") == 0 || strpbrk(value, " \t\r\n"))
        len = 0;
    memcpy(dst, value ? value : "", len);
    dst[len] = '\0';
}

void
mv_lease_table_clear(MvLeaseTable *table)
{
    free(table->recs);
    memset(table, 0, sizeof(*table));
}

int
mv_lease_table_set(MvLeaseTable *table, const MvLeaseRecord *rec)
{
    mv_lease_table_remove(table, rec->family, rec->ip);
    if (table->n == table->cap) {
        size_t cap = table->cap ? table->cap * 2 : 16;
        MvLeaseRecord *recs = realloc(table->recs, cap * sizeof(*recs));

        if (!recs) {
            errno = ENOMEM;
            return -1;
        }
        table->recs = recs;
        table->cap = cap;
    }
    table->recs[table->n++] = *rec;
    return 0;
}

bool
mv_lease_table_remove(MvLeaseTable *table, int family, const char *ip)
{
    for (size_t i = 0; i < table->n; i++) {
        if (table->recs[i].family == family && strcmp(table->recs[i].ip, ip) == 0) {
            memmove(&table->recs[i], &table->recs[i + 1],
                    (table->n - i - 1) * sizeof(*table->recs));
            table->n--;
            return true;
        }
    }
    return false;
}

/* Splits @line (modified) at single spaces into at most @max fields. */
static size_t
mv_lease_split(char *line, char **fields, size_t max)
{
    size_t n = 0;

    while (n < max) {
        fields[n++] = line;
        if (!(line = strchr(line, ' ')))
            break;
        *line++ = '\0';
    }
    return line ? max + 1 : n;   /* more fields than @max: too many */
}

static int
mv_lease_parse_line(char *line, MvLeaseTable *table)
{
    char *f[8];
    char *end;
    MvLeaseRecord rec;
    size_t n;

    if (!*line || line[0] == '#')
        return 0;
    if (strncmp(line, "duid ", 5) == 0) {
        mv_lease_field_set(table->server_duid, sizeof(table->server_duid), line + 5);
        return 0;
    }
    memset(&rec, 0, sizeof(rec));
    n = mv_lease_split(line, f, 8);
    if (n != 8 || (strcmp(f[0], "4") != 0 && strcmp(f[0], "6") != 0))
        return -1;
    rec.family = f[0][0] - '0';
    errno = 0;
    rec.expiry = strtoll(f[1], &end, 10);
    if (errno || *end || end == f[1] || rec.expiry < 0 || strcmp(f[2], "-") == 0 ||
        strlen(f[2]) >= sizeof(rec.ip))
        return -1;
    mv_lease_field_set(rec.ip, sizeof(rec.ip), f[2]);
    mv_lease_field_set(rec.mac, sizeof(rec.mac), f[3]);
    mv_lease_field_set(rec.iaid, sizeof(rec.iaid), f[4]);
    mv_lease_field_set(rec.client_id, sizeof(rec.client_id), f[5]);
    mv_lease_field_set(rec.iface, sizeof(rec.iface), f[6]);
    mv_lease_field_set(rec.hostname, sizeof(rec.hostname), f[7]);
    return mv_lease_table_set(table, &rec) < 0 ? -2 : 0;
}

int
mv_lease_table_parse(const char *data, MvLeaseTable *table, int *ret_line)
{
    char *copy = strdup(data);
    char *line = copy, *next;
    int lineno = 0;

    if (!copy)
        return -1;
    for (; line && *line; line = next) {
        int rc;

        lineno++;
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        if ((rc = mv_lease_parse_line(line, table)) < 0) {
            free(copy);
            if (ret_line)
                *ret_line = lineno;
            errno = rc == -2 ? ENOMEM : EINVAL;
            return -1;
        }
    }
    free(copy);
    return 0;
}

int
mv_lease_table_load(const char *path, MvLeaseTable *table, int *ret_line)
{
    struct stat st;
    char *data;
    ssize_t got;
    size_t len = 0;
    int fd, rc, err;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == ENOENT ? 0 : -1;
    if (fstat(fd, &st) < 0 || st.st_size > MV_LEASE_FILE_MAX) {
        err = errno ? errno : EFBIG;
        close(fd);
        errno = err;
        return -1;
    }
    if (!(data = malloc((size_t)st.st_size + 1))) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    while (len < (size_t)st.st_size &&
           ((got = read(fd, data + len, (size_t)st.st_size - len)) > 0 ||
            (got < 0 && errno == EINTR)))
        len += got > 0 ? (size_t)got : 0;
    close(fd);
    data[len] = '\0';
    rc = mv_lease_table_parse(data, table, ret_line);
    err = errno;
    free(data);
    errno = err;
    return rc;
}

static const char *
mv_lease_out(const char *value)
{
    return *value ? value : "-";
}

int
mv_lease_table_save(MvLeaseTable *table, const char *path, long long now)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    char *slash;
    FILE *out;
    int fd, dfd, err;

    for (size_t i = table->n; i-- > 0;) {
        if (table->recs[i].expiry != 0 && table->recs[i].expiry <= now)
            mv_lease_table_remove(table, table->recs[i].family, table->recs[i].ip);
    }
    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
        return -1;
    if (fchmod(fd, 0644) < 0 || !(out = fdopen(fd, "w"))) {
        err = errno;
        close(fd);
        unlink(tmp);
        errno = err;
        return -1;
    }
    fputs(MV_LEASE_HEADER, out);
    if (*table->server_duid)
        fprintf(out, "duid %s\n", table->server_duid);
    for (size_t i = 0; i < table->n; i++) {
        const MvLeaseRecord *r = &table->recs[i];

        fprintf(out, "%d %lld %s %s %s %s %s %s\n", r->family, r->expiry, r->ip,
                mv_lease_out(r->mac), mv_lease_out(r->iaid), mv_lease_out(r->client_id),
                mv_lease_out(r->iface), mv_lease_out(r->hostname));
    }
    if (fflush(out) != 0 || fsync(fileno(out)) < 0) {
        err = errno;
        fclose(out);
        unlink(tmp);
        errno = err;
        return -1;
    }
    if (fclose(out) != 0 || rename(tmp, path) < 0) {
        err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    /* the rename itself survives a crash once the directory is synced */
    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')))
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* dnsmasq splits its lease lines at spaces: "*" stands for none. */
static const char *
mv_lease_word(const char *value)
{
    return *value ? value : "*";
}

int
mv_lease_table_write_dnsmasq(const MvLeaseTable *table, FILE *out, long long now)
{
    bool duid_written = false;

    for (size_t i = 0; i < table->n; i++) {
        const MvLeaseRecord *r = &table->recs[i];

        if ((r->expiry != 0 && r->expiry <= now) || r->family != 4 || !*r->mac)
            continue;
        fprintf(out, "%lld %s %s %s %s\n", r->expiry, r->mac, r->ip, mv_lease_word(r->hostname),
                mv_lease_word(r->client_id));
    }
    for (size_t i = 0; *table->server_duid && i < table->n; i++) {
        const MvLeaseRecord *r = &table->recs[i];

        if ((r->expiry != 0 && r->expiry <= now) || r->family != 6 || !*r->iaid)
            continue;
        if (!duid_written) {
            fprintf(out, "duid %s\n", table->server_duid);
            duid_written = true;
        }
        fprintf(out, "%lld %s %s %s %s\n", r->expiry, r->iaid, r->ip, mv_lease_word(r->hostname),
                mv_lease_word(r->client_id));
    }
    return fflush(out) == 0 ? 0 : -1;
}

int
mv_lease_file_lock(const char *path)
{
    char lock_path[PATH_MAX];
    int fd, err;

    if (snprintf(lock_path, sizeof(lock_path), "%s.lock", path) >= (int)sizeof(lock_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
        return -1;
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            err = errno;
            close(fd);
            errno = err;
            return -1;
        }
    }
    return fd;
}
