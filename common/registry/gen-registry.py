#!/usr/bin/env python3
"""Generate the daemon registry's C table and systemd units from daemons.ini.

usage:
  gen-registry.py header DAEMONS.ini OUT.h        MvRoute, MvDaemonKind, MvDaemonInfo
  gen-registry.py source DAEMONS.ini OUT.c        mv_daemon_registry[], route names
  gen-registry.py units-list DAEMONS.ini          the unit file names, one a line
  gen-registry.py units DAEMONS.ini SYSTEMD-DIR OUT-DIR SBINDIR RUNSTATEDIR DOCDIR
  gen-registry.py check DAEMONS.ini               parse and validate only

Problems are reported as "FILE: message" (exit status 1, nothing written).
protocol/gen-protocol.py imports load() to check remote.x's @route: values.
See docs/protocol.md ("The daemon registry").
"""

import configparser
import os
import re
import sys

KINDS = ('hypervisor', 'objects', 'proxy')
SUBSYSTEMS = ('NONE', 'DOMAIN', 'NETWORK', 'STORAGE', 'NWFILTER', 'SECRET', 'NODEDEV',
              'INTERFACE')
# Routes every hypervisor daemon owns; "any" is everybody's.
HYPERVISOR_ROUTES = ('hypervisor', 'domain')
REQUIRED = ('kind', 'serves', 'summary', 'title', 'purpose', 'docs', 'built')
OPTIONAL = ('scheme', 'routes', 'service-extra', 'extra-units')
NAME_RE = re.compile(r'^[a-z][a-z0-9]*$')
SOCKETS = (
    # unit suffix, socket file suffix, FileDescriptorName suffix, words, mode
    ('', '.sock', '', 'read-write', '0600'),
    ('-ro', '-ro.sock', '-ro', 'read-only', '0666'),
    ('-admin', '-admin.sock', '-admin', 'admin', '0600'),
)


class RegistryError(Exception):
    pass


class Daemon:
    def __init__(self, name, sect):
        self.name = name
        self.kind = sect['kind']
        self.scheme = sect.get('scheme')
        self.routes = sect.get('routes', '').split()
        # text may continue on indented lines: one line with single spaces
        self.serves = ' '.join(sect['serves'].split())
        self.summary = ' '.join(sect['summary'].split())
        self.title = ' '.join(sect['title'].split())
        self.purpose = ' '.join(sect['purpose'].split())
        self.docs = sect['docs']
        self.built = sect['built'] == 'yes'
        self.service_extra = sect.get('service-extra')
        self.extra_units = sect.get('extra-units', '').split()

    @property
    def program(self):
        return 'modvirt-%sd' % self.name

    @property
    def service(self):
        return self.program + '.service'

    @property
    def enum(self):
        return 'MV_DAEMON_' + self.name.upper()

    def units(self):
        return ([self.service] + ['%s%s.socket' % (self.program, s[0]) for s in SOCKETS] +
                self.extra_units)


class Registry:
    def __init__(self, routes, daemons):
        self.routes = routes            # [(name, subsystem)] in MvRoute order
        self.daemons = daemons          # [Daemon] in MvDaemonKind order

    def route_names(self):
        return [r for r, _ in self.routes]


def load(path):
    """Parse and validate @path; raises RegistryError naming the problem."""
    cp = configparser.ConfigParser(interpolation=None, delimiters=('=',))
    cp.optionxform = str
    try:
        with open(path, encoding='utf-8') as f:
            cp.read_file(f)
    except (OSError, configparser.Error) as e:
        raise RegistryError('%s: %s' % (path, e))

    def fail(msg):
        raise RegistryError('%s: %s' % (path, msg))

    if 'routes' not in cp:
        fail('no [routes] section')
    routes = []
    for name, subsystem in cp['routes'].items():
        if not NAME_RE.match(name):
            fail('route "%s": lower-case letters and digits only' % name)
        if subsystem not in SUBSYSTEMS:
            fail('route "%s": unknown subsystem "%s" (one of: %s)'
                 % (name, subsystem, ', '.join(SUBSYSTEMS)))
        routes.append((name, subsystem))
    names = [r for r, _ in routes]
    for fixed in ('any',) + HYPERVISOR_ROUTES:
        if fixed not in names:
            fail('[routes] must list "%s"' % fixed)
    if 'none' in names:
        fail('route "none" is implicit (MV_ROUTE_NONE)')

    daemons = []
    seen = {}
    for section in cp.sections():
        if section == 'routes':
            continue
        m = re.match(r'^daemon ([a-z][a-z0-9]*)$', section)
        if not m:
            fail('unknown section [%s] (want [routes] or [daemon NAME])' % section)
        sect = cp[section]
        for key in sect:
            if key not in REQUIRED + OPTIONAL:
                fail('[%s]: unknown key "%s"' % (section, key))
        for key in REQUIRED:
            if key not in sect:
                fail('[%s]: missing key "%s"' % (section, key))
        d = Daemon(m.group(1), sect)
        if d.kind not in KINDS:
            fail('[%s]: kind must be one of %s' % (section, ', '.join(KINDS)))
        if sect['built'] not in ('yes', 'no'):
            fail('[%s]: built must be yes or no' % section)
        if d.kind == 'proxy':
            if d.scheme or d.routes:
                fail('[%s]: a proxy has no scheme or routes (it forwards every route)' % section)
        elif not d.scheme or not d.routes:
            fail('[%s]: needs a scheme and routes' % section)
        for r in d.routes:
            if r not in names or r == 'any':
                fail('[%s]: unknown route "%s"' % (section, r))
        if d.kind == 'hypervisor' and not set(HYPERVISOR_ROUTES) <= set(d.routes):
            fail('[%s]: a hypervisor daemon owns at least: %s'
                 % (section, ' '.join(HYPERVISOR_ROUTES)))
        if d.kind == 'objects' and set(d.routes) & set(HYPERVISOR_ROUTES):
            fail('[%s]: only hypervisor daemons own %s'
                 % (section, ' and '.join(HYPERVISOR_ROUTES)))
        for what, value in (('name', d.name), ('scheme', d.scheme)):
            if value is None:
                continue
            # names and schemes share one space: a URI scheme names its daemon
            if value in seen and seen[value] != d.name:
                fail('[%s]: %s "%s" is already used by [daemon %s]'
                     % (section, what, value, seen[value]))
            seen[value] = d.name
        daemons.append(d)

    owners = {}
    for d in daemons:
        if d.kind == 'proxy':
            continue
        for r in d.routes:
            if r in HYPERVISOR_ROUTES:
                continue
            if r in owners:
                fail('route "%s" is owned by both [daemon %s] and [daemon %s]'
                     % (r, owners[r], d.name))
            owners[r] = d.name
    if not any(d.kind == 'hypervisor' for d in daemons):
        fail('no hypervisor daemon')
    if sum(d.kind == 'proxy' for d in daemons) > 1:
        fail('more than one proxy')
    return Registry(routes, daemons)


def c_str(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def routes_mask(reg, d):
    if d.kind == 'proxy':
        return '((1u << MV_ROUTE_LAST) - 1)'
    return '(%s)' % ' | '.join('(1u << MV_ROUTE_%s)' % r.upper() for r in d.routes)


def gen_header(reg):
    out = ['/* Generated from common/registry/daemons.ini by gen-registry.py: do not edit.',
           ' * The daemon registry as C (see registry/registry.h for its functions). */',
           '#pragma once', '', '#include <glib.h>', '#include <stdbool.h>', '',
           '#include "util/error.h"', '', 'G_BEGIN_DECLS', '',
           '/* Which daemon owns a procedure (the @route: of remote.x). */',
           'typedef enum {',
           '    MV_ROUTE_NONE = 0,      /* not a routed call (unused table slot) */']
    for r, _ in reg.routes:
        out.append('    MV_ROUTE_%s,' % r.upper())
    out += ['    MV_ROUTE_LAST', '} MvRoute;', '',
            '/* The daemons, in registry order. */', 'typedef enum {']
    for i, d in enumerate(reg.daemons):
        out.append('    %s%s,' % (d.enum, ' = 0' if i == 0 else ''))
    out += ['    MV_DAEMON_LAST', '} MvDaemonKind;', '',
            'typedef struct {',
            '    const char *socket_name;    /* "filter": RUN/filter.sock, -ro, -admin; pidfile, '
            'config */',
            '    const char *scheme;         /* the URI scheme it serves: "nwfilter"; NULL: proxy '
            '*/',
            '    const char *program;        /* "modvirt-filterd" */',
            '    const char *serves;         /* "network filters", for messages */',
            '    bool hypervisor;            /* serves domains and connection-level calls */',
            '    bool proxy;                 /* forwards every route to its owner */',
            '    bool built;                 /* exists in this tree (its units are installed) */',
            '    guint32 routes;             /* (1u << MV_ROUTE_x) for each route it owns */',
            '    const char *default_uri;    /* "nwfilter:///system"; NULL: proxy */',
            '    const char *const *uri_schemes; /* NULL-terminated; NULL: proxy */',
            '    const char *config_file;    /* "filter.conf" (under the config dir) */',
            '    const char *unit;           /* "modvirt-filterd.service" */',
            '    const char *summary;        /* the --help line */',
            '} MvDaemonInfo;', '',
            'extern const MvDaemonInfo mv_daemon_registry[MV_DAEMON_LAST];',
            'extern const char *const mv_route_names[MV_ROUTE_LAST];',
            'extern const MvErrorSubsystem mv_route_subsystems[MV_ROUTE_LAST];', '']
    out.append('/* The registry\'s part of each daemon\'s MvDaemonDescriptor (daemon/daemon.h). */')
    for d in reg.daemons:
        if d.scheme:
            out.append('extern const char *const mv_daemon_uri_schemes_%s[];' % d.name)
        fields = ['.name = %s' % c_str(d.name), '.program_name = %s' % c_str(d.program),
                  '.summary = %s' % c_str(d.summary), '.routes = %s' % routes_mask(reg, d)]
        if d.scheme:
            fields += ['.default_uri = %s' % c_str('%s:///system' % d.scheme),
                       '.uri_schemes = mv_daemon_uri_schemes_%s' % d.name]
        out.append('#define MV_DAEMON_DESCRIPTOR_%s \\' % d.name.upper())
        out.append(' \\\n'.join('    %s%s' % (f, ',' if i < len(fields) - 1 else '')
                                for i, f in enumerate(fields)))
    out += ['', 'G_END_DECLS', '']
    return '\n'.join(out)


def gen_source(reg):
    out = ['/* Generated from common/registry/daemons.ini by gen-registry.py: do not edit. */',
           '#include "registry/registry.h"', '',
           'const char *const mv_route_names[MV_ROUTE_LAST] = {',
           '    [MV_ROUTE_NONE] = "none",']
    for r, _ in reg.routes:
        out.append('    [MV_ROUTE_%s] = %s,' % (r.upper(), c_str(r)))
    out += ['};', '', 'const MvErrorSubsystem mv_route_subsystems[MV_ROUTE_LAST] = {',
            '    [MV_ROUTE_NONE] = MV_FROM_NONE,']
    for r, sub in reg.routes:
        out.append('    [MV_ROUTE_%s] = MV_FROM_%s,' % (r.upper(), sub))
    out += ['};', '']
    for d in reg.daemons:
        if d.scheme:
            out.append('const char *const mv_daemon_uri_schemes_%s[] = { %s, NULL };'
                       % (d.name, c_str(d.scheme)))
    out += ['', 'const MvDaemonInfo mv_daemon_registry[MV_DAEMON_LAST] = {']
    for d in reg.daemons:
        scheme = c_str(d.scheme) if d.scheme else 'NULL'
        uri = c_str('%s:///system' % d.scheme) if d.scheme else 'NULL'
        schemes = 'mv_daemon_uri_schemes_%s' % d.name if d.scheme else 'NULL'
        out += ['    [%s] = {' % d.enum,
                '        .socket_name = %s,' % c_str(d.name),
                '        .scheme = %s,' % scheme,
                '        .program = %s,' % c_str(d.program),
                '        .serves = %s,' % c_str(d.serves),
                '        .hypervisor = %s,' % ('true' if d.kind == 'hypervisor' else 'false'),
                '        .proxy = %s,' % ('true' if d.kind == 'proxy' else 'false'),
                '        .built = %s,' % ('true' if d.built else 'false'),
                '        .routes = %s,' % routes_mask(reg, d),
                '        .default_uri = %s,' % uri,
                '        .uri_schemes = %s,' % schemes,
                '        .config_file = %s,' % c_str(d.name + '.conf'),
                '        .unit = %s,' % c_str(d.service),
                '        .summary = %s,' % c_str(d.summary),
                '    },']
    out += ['};', '']
    return '\n'.join(out)


def unit_service(d, extra):
    sockets = ['%s%s.socket' % (d.program, s[0]) for s in SOCKETS]
    lines = ['[Unit]',
             'Description=modvirt %s (%s)' % (d.title, d.purpose),
             'Documentation=file://@docdir@/%s' % d.docs]
    lines += ['Requires=%s' % s for s in sockets]
    lines += ['After=network.target', '',
              '[Service]', 'Type=notify',
              'ExecStart=@sbindir@/%s --timeout 120' % d.program,
              'ExecReload=/bin/kill -HUP $MAINPID',
              'Restart=on-failure']
    text = '\n'.join(lines) + '\n' + extra
    text += '\n[Install]\nWantedBy=multi-user.target\nAlso=%s\n' % ' '.join(sockets)
    return text


def unit_socket(d, sock):
    unit_sfx, file_sfx, fd_sfx, words, mode = sock
    return ('[Unit]\nDescription=modvirt %s %s socket\n\n'
            '[Socket]\nListenStream=@runstatedir@/modvirt/%s%s\nFileDescriptorName=%s%s\n'
            'SocketMode=%s\nRemoveOnStop=yes\nService=%s\n\n'
            '[Install]\nWantedBy=sockets.target\n'
            % (d.title, words, d.name, file_sfx, d.name, fd_sfx, mode, d.service))


def read_text(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except OSError as e:
        raise RegistryError('%s: %s' % (path, e))


def gen_units(reg, srcdir):
    """{unit file name: text with @sbindir@/@runstatedir@/@docdir@} of the built daemons."""
    units = {}
    for d in reg.daemons:
        if not d.built:
            continue
        extra = read_text(os.path.join(srcdir, d.service_extra)) if d.service_extra else ''
        units[d.service] = unit_service(d, extra)
        for sock in SOCKETS:
            units['%s%s.socket' % (d.program, sock[0])] = unit_socket(d, sock)
        for name in d.extra_units:
            units[name] = read_text(os.path.join(srcdir, name + '.in'))
    return units


def substitute(text, values, name):
    for key, value in values.items():
        text = text.replace('@%s@' % key, value)
    left = re.search(r'@[a-z]+@', text)
    if left:
        raise RegistryError('%s: unsubstituted variable %s' % (name, left.group(0)))
    return text


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, ini = argv[1], argv[2]
    try:
        reg = load(ini)
        if cmd == 'header' and len(argv) == 4:
            write(argv[3], gen_header(reg))
        elif cmd == 'source' and len(argv) == 4:
            write(argv[3], gen_source(reg))
        elif cmd == 'units-list' and len(argv) == 3:
            for d in reg.daemons:
                if d.built:
                    print('\n'.join(d.units()))
        elif cmd == 'units' and len(argv) == 8:
            srcdir, outdir = argv[3], argv[4]
            values = {'sbindir': argv[5], 'runstatedir': argv[6], 'docdir': argv[7]}
            units = gen_units(reg, srcdir)
            texts = {n: substitute(t, values, n) for n, t in units.items()}
            for name, text in texts.items():
                write(os.path.join(outdir, name), text)
        elif cmd == 'check' and len(argv) == 3:
            gen_units(reg, os.path.join(os.path.dirname(os.path.abspath(ini)), '..', '..',
                                        'systemd'))
        else:
            sys.stderr.write(__doc__)
            return 2
    except RegistryError as e:
        sys.stderr.write('%s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
