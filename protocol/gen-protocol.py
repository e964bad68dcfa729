#!/usr/bin/env python3
"""Generate the procedure table, dispatch header and client stubs from remote.x.

usage:
  gen-protocol.py server INPUT.x REMOTE-TABLE.c REMOTE-DISPATCH.h REMOTE-DRIVER.h REMOTE-DRIVER.c
  gen-protocol.py client INPUT.x REMOTE-CLIENT.c REMOTE-CLIENT.h
  gen-protocol.py check  INPUT.x                  (parse and validate only)

The XDR filters themselves come from rpcgen (run-rpcgen.py); this script reads
what rpcgen does not understand: the annotation comment above each procedure of
`enum mv_remote_procedure`, e.g.

    /* @route: hypervisor  @readonly: yes  @priority: inline */
    MV_REMOTE_PROC_CONNECT_GET_VERSION = 4,

and which `mv_remote_<proc>_args` / `_ret` / `_msg` structs exist. Any problem
is reported as "FILE:LINE: message" and the exit status is 1; nothing is
written then. See docs/protocol.md.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_driver  # noqa: E402

ENUM_NAME = 'mv_remote_procedure'
PROC_PREFIX = 'MV_REMOTE_PROC_'
TYPE_PREFIX = 'mv_remote_'

# The @route: values and their MvRoute names come from the daemon registry.
REGISTRY_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common',
                            'registry', 'daemons.ini')


def load_routes(path=REGISTRY_INI):
    """{'any': 'MV_ROUTE_ANY', ...} from the registry's [routes], in MvRoute order."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'gen_registry', os.path.join(os.path.dirname(path), 'gen-registry.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        reg = mod.load(path)
    except mod.RegistryError as e:
        sys.stderr.write('%s\n' % e)
        sys.exit(1)
    return {r: 'MV_ROUTE_' + r.upper() for r in reg.route_names()}


ROUTES = load_routes()
PRIORITIES = {
    'inline': 'MV_PRIORITY_INLINE',
    'high': 'MV_PRIORITY_HIGH',
    'low': 'MV_PRIORITY_LOW',
}
KINDS = {
    'call': 'MV_PROC_KIND_CALL',
    'event': 'MV_PROC_KIND_EVENT',
    'stream': 'MV_PROC_KIND_STREAM',
}
READONLY = {'yes': 'true', 'no': 'false'}
REQUIRED_KEYS = ('route', 'readonly', 'priority')
OPTIONAL_KEYS = ('api', 'kind')
# Words kept upper case when deriving the libvirt API name, and words libvirt
# spells its own way (NWFILTER_GET_XML_DESC -> virNWFilterGetXMLDesc).
ACRONYMS = {'XML', 'UUID', 'ID', 'OS', 'CPU', 'DHCP'}
SPECIAL_WORDS = {'NWFILTER': 'NWFilter', 'NWFILTERS': 'NWFilters'}


class GenError(Exception):
    """A problem in the input, reported as FILE:LINE: message."""

    def __init__(self, path, line, message):
        super().__init__('%s:%d: %s' % (path, line, message))


class Proc:
    def __init__(self, name, number, line):
        self.name = name            # "CONNECT_OPEN"
        self.number = number
        self.line = line
        self.route = None
        self.readonly = None
        self.priority = None
        self.kind = 'call'
        self.api = None
        self.args = None            # struct name or None
        self.ret = None

    @property
    def lower(self):
        return self.name.lower()

    @property
    def stub(self):
        return TYPE_PREFIX + self.lower


def derive_api(name):
    """CONNECT_GET_VERSION -> virConnectGetVersion, DOMAIN_DEFINE_XML -> virDomainDefineXML."""
    words = []
    for w in name.split('_'):
        if w in SPECIAL_WORDS:
            words.append(SPECIAL_WORDS[w])
        else:
            words.append(w if w in ACRONYMS else w.capitalize())
    return 'vir' + ''.join(words)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def blank_comments(text):
    """The text with every comment replaced by spaces (newlines kept)."""
    def repl(m):
        return re.sub(r'[^\n]', ' ', m.group(0))
    return re.sub(r'/\*.*?\*/', repl, text, flags=re.S)


ANNOT_RE = re.compile(r'@(\w+)\s*:\s*(\S*)')


def parse_annotations(path, text, comment, pos, proc):
    """Fill @proc from the annotation comment @comment found at @pos."""
    seen = {}
    body = comment[2:-2]
    for m in re.finditer(r'@', body):
        am = ANNOT_RE.match(body, m.start())
        line = line_of(text, pos + 2 + m.start())
        if not am:
            raise GenError(path, line, 'malformed annotation (expected "@key: value")')
        key, value = am.group(1), am.group(2)
        if key in seen:
            raise GenError(path, line, 'duplicate annotation @%s for %s' % (key, proc.name))
        seen[key] = value
        if not value:
            raise GenError(path, line, 'annotation @%s of %s has no value' % (key, proc.name))
        if key == 'route':
            if value not in ROUTES:
                raise GenError(path, line, 'unknown @route value "%s" (one of: %s)'
                               % (value, ', '.join(ROUTES)))
            proc.route = value
        elif key == 'readonly':
            if value not in READONLY:
                raise GenError(path, line, 'unknown @readonly value "%s" (yes or no)' % value)
            proc.readonly = value
        elif key == 'priority':
            if value not in PRIORITIES:
                raise GenError(path, line, 'unknown @priority value "%s" (one of: %s)'
                               % (value, ', '.join(PRIORITIES)))
            proc.priority = value
        elif key == 'kind':
            if value not in KINDS:
                raise GenError(path, line, 'unknown @kind value "%s" (one of: %s)'
                               % (value, ', '.join(KINDS)))
            proc.kind = value
        elif key == 'api':
            if not re.fullmatch(r'vir[A-Z][A-Za-z0-9]*', value):
                raise GenError(path, line, 'bad @api value "%s" (a libvirt API name, virXxx)'
                               % value)
            proc.api = value
        else:
            raise GenError(path, line, 'unknown annotation key @%s (known: %s)'
                           % (key, ', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)))
    for key in REQUIRED_KEYS:
        if key not in seen:
            raise GenError(path, proc.line, 'procedure %s lacks the @%s annotation'
                           % (proc.name, key))


TOKEN_RE = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/)
  | (?P<enumerator>(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>0[xX][0-9a-fA-F]+|[0-9]+))
  | (?P<comma>,)
''', re.S | re.X)


def parse(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    plain = blank_comments(text)

    # Every declared identifier, to find structs and name collisions.
    structs = {}
    for m in re.finditer(r'\b(struct|union)\s+(\w+)\s*\{', plain):
        structs.setdefault(m.group(2), line_of(plain, m.start()))
    identifiers = set(structs)
    for m in re.finditer(r'\btypedef\b[^;]*?(\w+)\s*(?:\[[^\]]*\]|<[^>]*>)?\s*;', plain):
        identifiers.add(m.group(1))
    for m in re.finditer(r'\bconst\s+(\w+)\s*=', plain):
        identifiers.add(m.group(1))

    em = re.search(r'\benum\s+%s\s*\{' % ENUM_NAME, plain)
    if not em:
        raise GenError(path, 1, 'no "enum %s" found' % ENUM_NAME)
    start = em.end()
    end = plain.find('}', start)
    if end < 0:
        raise GenError(path, line_of(plain, start), 'unterminated enum %s' % ENUM_NAME)

    procs = []
    by_number = {}
    by_name = {}
    pending = None          # (comment text, position) of the last annotation comment
    pos = start
    while pos < end:
        m = TOKEN_RE.match(text, pos, end)
        if not m:
            raise GenError(path, line_of(text, pos), 'cannot parse the procedure enum here: %r'
                           % text[pos:pos + 30].split('\n')[0])
        pos = m.end()
        if m.group('comment'):
            if '@' in m.group('comment'):
                if pending is not None:
                    raise GenError(path, line_of(text, m.start()),
                                   'two annotation comments in a row (the previous one at '
                                   'line %d has no procedure)' % line_of(text, pending[1]))
                pending = (m.group('comment'), m.start())
        elif m.group('enumerator'):
            ename = m.group('name')
            line = line_of(text, m.start())
            if not ename.startswith(PROC_PREFIX) or len(ename) == len(PROC_PREFIX):
                raise GenError(path, line, 'procedure %s does not start with %s'
                               % (ename, PROC_PREFIX))
            proc = Proc(ename[len(PROC_PREFIX):], int(m.group('value'), 0), line)
            if proc.number <= 0:
                raise GenError(path, line, 'procedure %s has number %d; numbers start at 1'
                               % (ename, proc.number))
            if proc.number in by_number:
                raise GenError(path, line, 'duplicate procedure number %d (%s, already used by '
                               '%s at line %d)' % (proc.number, proc.name,
                                                   by_number[proc.number].name,
                                                   by_number[proc.number].line))
            if proc.name in by_name:
                raise GenError(path, line, 'duplicate procedure name %s (also at line %d)'
                               % (proc.name, by_name[proc.name].line))
            if pending is None:
                raise GenError(path, line, 'procedure %s has no annotation comment '
                               '(/* @route: ...  @readonly: ...  @priority: ... */)' % ename)
            parse_annotations(path, text, pending[0], pending[1], proc)
            pending = None
            by_number[proc.number] = proc
            by_name[proc.name] = proc
            procs.append(proc)
    if pending is not None:
        raise GenError(path, line_of(text, pending[1]), 'annotation comment without a procedure')
    if not procs:
        raise GenError(path, line_of(text, start), 'enum %s has no procedures' % ENUM_NAME)

    # Payload structs.
    for proc in procs:
        args = '%s%s_args' % (TYPE_PREFIX, proc.lower)
        ret = '%s%s_ret' % (TYPE_PREFIX, proc.lower)
        msg = '%s%s_msg' % (TYPE_PREFIX, proc.lower)
        has_args, has_ret, has_msg = args in structs, ret in structs, msg in structs
        if proc.kind == 'event':
            if not has_msg:
                raise GenError(path, proc.line, '@kind: event procedure %s needs struct %s'
                               % (proc.name, msg))
            for s, present in ((args, has_args), (ret, has_ret)):
                if present:
                    raise GenError(path, structs[s], 'event procedure %s cannot have %s '
                                   '(its body is %s)' % (proc.name, s, msg))
            proc.args = msg
        else:
            if has_msg:
                raise GenError(path, structs[msg], '%s exists but %s is not @kind: event'
                               % (msg, proc.name))
            if proc.kind == 'stream' and not has_args:
                raise GenError(path, proc.line, '@kind: stream procedure %s needs struct %s '
                               '(the object whose stream it opens)' % (proc.name, args))
            if proc.route == 'domain' and proc.name.startswith('DOMAIN_') and not has_args:
                raise GenError(path, proc.line, '@route: domain procedure %s needs struct %s '
                               '(the domain it acts on)' % (proc.name, args))
            proc.args = args if has_args else None
            proc.ret = ret if has_ret else None
        if proc.kind != 'event' and proc.stub in identifiers:
            raise GenError(path, proc.line, 'client stub name %s of %s collides with a type '
                           'or constant of the same name' % (proc.stub, proc.name))
        if proc.api is None:
            proc.api = derive_api(proc.name)

    # An _args/_ret struct that matches no procedure is a typo.
    for sname, sline in structs.items():
        m = re.fullmatch(r'%s(\w+)_(args|ret)' % TYPE_PREFIX, sname)
        if m and m.group(1).upper() not in by_name:
            raise GenError(path, sline, 'struct %s matches no procedure (%s%s)'
                           % (sname, PROC_PREFIX, m.group(1).upper()))

    procs.sort(key=lambda p: p.number)
    return procs


KNOWN_NAME = 'libvirt-procedures.txt'
KNOWN_LINE_RE = re.compile(r'([0-9]+) ([A-Z][A-Z0-9_]*) (vir[A-Z][A-Za-z0-9]*|-)')


def parse_known(path, procs):
    """{number: api} of every call in @path (libvirt's procedures) that @procs
    (remote.x) does not define. A procedure of remote.x that @path lists must
    have the same name there; a missing @path means no such list."""
    if not os.path.exists(path):
        return {}
    defined = {p.number: p for p in procs}
    unsupported = {}
    seen = set()
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = KNOWN_LINE_RE.fullmatch(line)
            if not m:
                raise GenError(path, lineno, 'expected "NUMBER NAME virApi" (or "-" for an '
                               'event), got %r' % line)
            number, name, api = int(m.group(1)), m.group(2), m.group(3)
            if number <= 0 or number in seen:
                raise GenError(path, lineno, 'bad or repeated procedure number %d' % number)
            seen.add(number)
            p = defined.get(number)
            if p is not None:
                if p.name != name:
                    raise GenError(path, lineno, 'procedure %d is %s here but %s in remote.x '
                                   '(line %d)' % (number, name, p.name, p.line))
                if api != '-' and p.api != api:
                    raise GenError(path, lineno, 'procedure %s calls its API %s here but %s '
                                   'in remote.x (line %d)' % (name, api, p.api, p.line))
            elif api != '-':
                unsupported[number] = api
    return unsupported


VOID_FILTER = 'MV_XDR_VOID'
HEADER = '/* Generated by protocol/gen-protocol.py from %s: do not edit. */\n'


def gen_table(procs, src, unsupported=None):
    unsupported = unsupported or {}
    nprocs = procs[-1].number + 1
    nunsupported = max(unsupported) + 1 if unsupported else 0
    out = [HEADER % src, '''\
#include <glib.h>

#include "remote-protocol.h"
#include "rpc/proc.h"

/* xdr_void takes no arguments in libtirpc; "void (*)(void)" converts to any
 * function pointer type without a warning. */
#define MV_XDR_VOID ((xdrproc_t)(void (*)(void))xdr_void)

''']
    for p in procs:
        out.append('G_STATIC_ASSERT(%s%s == %d);\n' % (PROC_PREFIX, p.name, p.number))
    out.append('\nstatic const MvProcInfo remote_procs[%d] = {\n' % nprocs)
    for p in procs:
        def filt(s):
            return '(xdrproc_t)xdr_%s' % s if s else VOID_FILTER

        def size(s):
            return 'sizeof(%s)' % s if s else '0'
        out.append('''\
    [%(n)d] = {
        .number = %(n)d,
        .name = "%(name)s",
        .api = "%(api)s",
        .args_filter = %(af)s,
        .args_size = %(asz)s,
        .ret_filter = %(rf)s,
        .ret_size = %(rsz)s,
        .route = %(route)s,
        .readonly = %(ro)s,
        .priority = %(prio)s,
        .kind = %(kind)s,
    },
''' % dict(n=p.number, name=p.name, api=p.api, af=filt(p.args), asz=size(p.args),
           rf=filt(p.ret), rsz=size(p.ret), route=ROUTES[p.route], ro=READONLY[p.readonly],
           prio=PRIORITIES[p.priority], kind=KINDS[p.kind]))
    out.append('};\n')
    if unsupported:
        out.append('\n/* Known to libvirt, not defined here (%s): answered NO_SUPPORT. */\n'
                   % KNOWN_NAME)
        out.append('static const char *const remote_unsupported[%d] = {\n' % nunsupported)
        for n in sorted(unsupported):
            out.append('    [%d] = "%s",\n' % (n, unsupported[n]))
        out.append('};\n')
    out.append('''
const MvProgramInfo mv_remote_program = {
    .program = MV_PROGRAM_REMOTE,
    .version = MV_PROGRAM_VERSION,
    .name = "REMOTE",
    .procs = remote_procs,
    .nprocs = %d,
    .unsupported_apis = %s,
    .nunsupported = %d,
};
''' % (nprocs, 'remote_unsupported' if unsupported else 'NULL', nunsupported))
    return ''.join(out)


def gen_dispatch(procs, src):
    nprocs = procs[-1].number + 1
    out = [HEADER % src, '''\
/* Typed server handlers for the REMOTE program.
 *
 * A daemon fills its handler table with MV_REMOTE_DISPATCH(), which checks at
 * compile time that the handler has the type MvRemoteHandler_<PROC>:
 *
 *     static const MvDispatchFunc handlers[MV_REMOTE_PROC_LAST] = {
 *         MV_REMOTE_DISPATCH(CONNECT_GET_TYPE, qemu_connect_get_type),
 *     };
 *
 * A handler gets the decoded arguments (NULL when the procedure has none) and
 * a zeroed result to fill (NULL when it has none); the dispatcher encodes the
 * result and frees both with xdr_free(). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "remote-driver.h"
#include "remote-protocol.h"
#include "rpc/proc.h"

/* One more than the highest REMOTE procedure number: the handler table size. */
#define MV_REMOTE_PROC_LAST %d

/**
 * mv_remote_drivers_fill:
 * Puts the generated glue of every non-NULL entry of @drivers' vtables into
 * @handlers (MV_REMOTE_PROC_LAST entries), leaving the other slots alone (a
 * NULL slot answers VIR_ERR_NO_SUPPORT naming the API). One set of drivers
 * per process: @drivers and its vtables must outlive the server.
 */
void mv_remote_drivers_fill(const MvRemoteDrivers *drivers, MvDispatchFunc *handlers);

#define MV_REMOTE_DISPATCH(PROC, fn) \\
    [MV_REMOTE_PROC_##PROC] = (MvDispatchFunc)(1 ? (fn) : (MvRemoteHandler_##PROC)NULL)

''' % nprocs]
    for p in procs:
        if p.kind == 'event':
            continue
        args = 'const %s *args' % p.args if p.args else 'const void *args'
        ret = '%s *ret' % p.ret if p.ret else 'void *ret'
        out.append('/* %s (%d) */\n' % (p.name, p.number))
        out.append(wrap_decl('typedef bool (*MvRemoteHandler_%s)(' % p.name,
                             ['MvServerCall *call', args, ret, 'GError **error'], ');\n'))
    return ''.join(out)


def wrap_decl(head, params, tail, width=90):
    """head + params joined by ", ", continuation lines aligned after head."""
    one = head + ', '.join(params) + tail
    if len(one.split('\n')[0]) <= width:
        return one
    indent = ' ' * len(head)
    return head + (',\n' + indent).join(params) + tail


def stub_params(p):
    params = ['MvRpcClient *client']
    if p.args:
        params.append('const %s *args' % p.args)
    if p.ret:
        params.append('%s *ret' % p.ret)
    if p.kind == 'stream':
        params.append('guint32 *ret_serial')
    params.append('GError **error')
    return params


def stub_doc(p):
    lines = ['/**', ' * %s:' % p.stub, ' * Calls %s (%d)' % (p.name, p.number)]
    if p.args:
        lines[-1] += ' with @args'
    lines[-1] += ' and waits for the reply.'
    if p.ret:
        lines.append(' * On success fills @ret (zeroed by the caller; free its contents with')
        lines.append(' * xdr_free((xdrproc_t)xdr_%s, ret)).' % p.ret)
    if p.kind == 'stream':
        lines.append(' * On success the stream is open; it is keyed by the serial returned in')
        lines.append(' * @ret_serial (may be NULL).')
    lines.append(' * Returns false with @error set when the call fails or the server answers')
    lines.append(' * ERROR; @ret then holds nothing that needs freeing.' if p.ret else
                 ' * ERROR.')
    lines.append(' */')
    return '\n'.join(lines) + '\n'


def gen_client_header(procs, src):
    out = [HEADER % src, '''\
/* Typed client stubs for the REMOTE program: one per procedure. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "remote-protocol.h"
#include "rpc/client.h"

G_BEGIN_DECLS

/**
 * mv_remote_decode_event:
 * Decodes the payload of an event MESSAGE of procedure @proc (e.g.
 * MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) into @ret_msg, which must be
 * a zeroed mv_remote_<proc>_msg; free its contents with xdr_free() of the
 * table's args_filter. Returns false with MV_ERR_RPC set when @proc is not an
 * event procedure or the payload does not decode exactly.
 */
bool mv_remote_decode_event(int proc, const guint8 *payload, gsize len, void *ret_msg,
                            GError **error);

''']
    for p in procs:
        if p.kind == 'event':
            continue
        out.append(stub_doc(p))
        out.append(wrap_decl('bool %s(' % p.stub, stub_params(p), ');\n\n'))
    out.append('G_END_DECLS\n')
    return ''.join(out)


def gen_client_source(procs, src, header_name):
    out = [HEADER % src, '''\
#include "%s"

''' % header_name]
    for p in procs:
        if p.kind == 'event':
            continue
        args = 'args' if p.args else 'NULL'
        ret = 'ret' if p.ret else 'NULL'
        out.append('bool\n' + wrap_decl('%s(' % p.stub, stub_params(p), ')\n{\n'))
        if p.kind == 'stream':
            out.append('    return mv_rpc_client_call_serial(client, &mv_remote_program,\n'
                       '                                     &mv_remote_program.procs[%s%s],\n'
                       '                                     %s, %s, ret_serial, error);\n'
                       % (PROC_PREFIX, p.name, args, ret))
        else:
            out.append('    return mv_rpc_client_call(client, &mv_remote_program,\n'
                       '                              &mv_remote_program.procs[%s%s],\n'
                       '                              %s, %s, error);\n'
                       % (PROC_PREFIX, p.name, args, ret))
        out.append('}\n\n')
    return ''.join(out)


def write(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 3 or argv[1] not in ('server', 'client', 'check'):
        sys.stderr.write(__doc__)
        return 2
    mode, src = argv[1], argv[2]
    expected = {'server': 7, 'client': 5, 'check': 3}[mode]
    if mode == 'server' and len(argv) == 5:
        expected = 5           # table and dispatch header only (no driver glue)
    if len(argv) != expected:
        sys.stderr.write(__doc__)
        return 2
    try:
        procs = parse(src)
    except GenError as e:
        sys.stderr.write('%s\n' % e)
        return 1
    except OSError as e:
        sys.stderr.write('%s: %s\n' % (src, e.strerror))
        return 1
    try:
        unsupported = parse_known(os.path.join(os.path.dirname(src), KNOWN_NAME), procs)
    except GenError as e:
        sys.stderr.write('%s\n' % e)
        return 1
    base = os.path.basename(src)
    if mode == 'server':
        write(argv[3], gen_table(procs, base, unsupported))
        write(argv[4], gen_dispatch(procs, base))
        if len(argv) == 5:
            return 0
        with open(src, encoding='utf-8') as f:
            plain = blank_comments(f.read())
        structs = gen_driver.parse_structs(plain)
        consts = re.findall(r'\bconst\s+(\w+)\s*=\s*([^;\s]+)\s*;', plain)
        write(argv[5], gen_driver.gen_header(procs, structs, HEADER % base, consts))
        write(argv[6], gen_driver.gen_glue(procs, structs, HEADER % base))
    elif mode == 'client':
        write(argv[4], gen_client_header(procs, base))
        write(argv[3], gen_client_source(procs, base, os.path.basename(argv[4])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
