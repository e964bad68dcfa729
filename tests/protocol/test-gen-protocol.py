#!/usr/bin/env python3
"""Tests of protocol/gen-protocol.py on small .x snippets.

usage: test-gen-protocol.py PATH/TO/gen-protocol.py

Each bad snippet must make the generator exit 1 with "FILE:LINE: message" on
stderr, naming the right line, and write nothing; the good snippet must
generate the expected table, dispatch header and client stubs.
"""

import os
import re
import subprocess
import sys
import tempfile

GEN = None

COMMON = '''\
typedef string mv_remote_nonnull_string<64>;
struct mv_remote_nonnull_domain { mv_remote_nonnull_string name; opaque uuid[16]; int id; };
struct mv_remote_error { int code; };
'''

GOOD = COMMON + '''\
struct mv_remote_connect_open_args { mv_remote_nonnull_string name; unsigned int flags; };
struct mv_remote_connect_get_uri_ret { mv_remote_nonnull_string uri; };
struct mv_remote_domain_define_xml_args { mv_remote_nonnull_string xml; };
struct mv_remote_domain_define_xml_ret { mv_remote_nonnull_domain dom; };
struct mv_remote_domain_lookup_by_uuid_args { opaque uuid[16]; };
struct mv_remote_domain_lookup_by_uuid_ret { mv_remote_nonnull_domain dom; };
struct mv_remote_domain_open_console_args { mv_remote_nonnull_domain dom; };
struct mv_remote_domain_event_thing_msg { int callback_id; };
enum mv_remote_procedure {
    /* @route: any  @readonly: yes  @priority: low */
    MV_REMOTE_PROC_CONNECT_OPEN = 1,
    /* @route: any  @readonly: yes  @priority: high */
    MV_REMOTE_PROC_CONNECT_CLOSE = 2,
    /* a plain comment is fine */
    /* @route: any  @readonly: yes  @priority: inline
     * @api: virConnectGetURI */
    MV_REMOTE_PROC_CONNECT_GET_URI = 0x6e,
    /* @route: domain  @readonly: no  @priority: low */
    MV_REMOTE_PROC_DOMAIN_DEFINE_XML = 11,
    /* @route: domain  @readonly: yes  @priority: inline */
    MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID = 24,
    /* @route: domain  @readonly: no  @priority: low  @kind: stream */
    MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE = 201,
    /* @route: domain  @readonly: yes  @priority: low  @kind: event */
    MV_REMOTE_PROC_DOMAIN_EVENT_THING = 300
};
'''


def enum(*procs):
    return 'enum mv_remote_procedure {\n' + ''.join(procs) + '};\n'


ANN = '    /* @route: any  @readonly: yes  @priority: low */\n'

# (name, .x text, expected line, expected message regex)
BAD = [
    ('no annotation', COMMON + enum(
        ANN, '    MV_REMOTE_PROC_CONNECT_OPEN = 1,\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     7, r'CONNECT_CLOSE has no annotation comment'),
    ('only a plain comment', COMMON + enum(
        '    /* just words */\n', '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     6, r'no annotation comment'),
    ('unknown key', COMMON + enum(
        '    /* @route: any  @readonly: yes  @priority: low  @colour: red */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'unknown annotation key @colour'),
    ('unknown route', COMMON + enum(
        '    /* @route: cloud  @readonly: yes  @priority: low */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'unknown @route value "cloud"'),
    ('unknown readonly', COMMON + enum(
        '    /* @route: any  @readonly: maybe  @priority: low */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'unknown @readonly value "maybe"'),
    ('unknown priority on a continuation line', COMMON + enum(
        '    /* @route: any  @readonly: yes\n',
        '     * @priority: urgent */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     6, r'unknown @priority value "urgent"'),
    ('unknown kind', COMMON + enum(
        '    /* @route: any  @readonly: yes  @priority: low  @kind: rpc */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'unknown @kind value "rpc"'),
    ('bad api', COMMON + enum(
        '    /* @route: any  @readonly: yes  @priority: low  @api: closeIt */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'bad @api value "closeIt"'),
    ('missing required key', COMMON + enum(
        '    /* @route: any  @readonly: yes */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     6, r'lacks the @priority annotation'),
    ('duplicate key', COMMON + enum(
        '    /* @route: any  @readonly: yes  @priority: low  @route: domain */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'duplicate annotation @route'),
    ('malformed annotation', COMMON + enum(
        '    /* @route any  @readonly: yes  @priority: low */\n',
        '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     5, r'malformed annotation'),
    ('duplicate number', COMMON + enum(
        ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n',
        ANN, '    MV_REMOTE_PROC_CONNECT_GET_HOSTNAME = 2,\n'),
     8, r'duplicate procedure number 2 \(CONNECT_GET_HOSTNAME, already used by '
        r'CONNECT_CLOSE at line 6\)'),
    ('duplicate name', COMMON + enum(
        ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n',
        ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 3,\n'),
     8, r'duplicate procedure name CONNECT_CLOSE'),
    ('zero number', COMMON + enum(ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 0,\n'),
     6, r'numbers start at 1'),
    ('wrong prefix', COMMON + enum(ANN, '    REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     6, r'does not start with MV_REMOTE_PROC_'),
    ('annotation without procedure', COMMON + enum(
        ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n', ANN),
     7, r'annotation comment without a procedure'),
    ('event without msg struct', COMMON + enum(
        '    /* @route: domain  @readonly: yes  @priority: low  @kind: event */\n',
        '    MV_REMOTE_PROC_DOMAIN_EVENT_THING = 300,\n'),
     6, r'@kind: event procedure DOMAIN_EVENT_THING needs struct '
        r'mv_remote_domain_event_thing_msg'),
    ('event with args struct', COMMON +
     'struct mv_remote_domain_event_thing_msg { int a; };\n'
     'struct mv_remote_domain_event_thing_args { int a; };\n' + enum(
         '    /* @route: domain  @readonly: yes  @priority: low  @kind: event */\n',
         '    MV_REMOTE_PROC_DOMAIN_EVENT_THING = 300,\n'),
     5, r'event procedure DOMAIN_EVENT_THING cannot have '
        r'mv_remote_domain_event_thing_args'),
    ('msg struct for a call', COMMON +
     'struct mv_remote_connect_close_msg { int a; };\n' + enum(
         ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     4, r'mv_remote_connect_close_msg exists but CONNECT_CLOSE is not @kind: event'),
    ('stream without args', COMMON + enum(
        '    /* @route: any  @readonly: no  @priority: low  @kind: stream */\n',
        '    MV_REMOTE_PROC_CONNECT_DUMP = 7,\n'),
     6, r'@kind: stream procedure CONNECT_DUMP needs struct mv_remote_connect_dump_args'),
    ('domain call without args', COMMON +
     'struct mv_remote_domain_suspend_ret { int a; };\n' + enum(
         '    /* @route: domain  @readonly: no  @priority: low */\n',
         '    MV_REMOTE_PROC_DOMAIN_SUSPEND = 34,\n'),
     7, r'@route: domain procedure DOMAIN_SUSPEND needs struct '
        r'mv_remote_domain_suspend_args'),
    ('args struct with a typo', COMMON +
     'struct mv_remote_domain_suspnd_args { mv_remote_nonnull_domain dom; };\n' + enum(
         ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE = 2,\n'),
     4, r'struct mv_remote_domain_suspnd_args matches no procedure'),
    ('stub name collides with a type', COMMON + enum(
        ANN, '    MV_REMOTE_PROC_ERROR = 5,\n'),
     6, r'client stub name mv_remote_error of ERROR collides'),
    ('no procedure enum', COMMON, 1, r'no "enum mv_remote_procedure" found'),
    ('garbage in the enum', COMMON + enum(ANN, '    MV_REMOTE_PROC_CONNECT_CLOSE == 2,\n'),
     6, r'cannot parse the procedure enum here'),
]


def run(mode, xpath, *outs):
    return subprocess.run([sys.executable, GEN, mode, xpath] + list(outs),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def check_bad(tmp, name, text, line, pattern):
    xpath = os.path.join(tmp, 'bad.x')
    with open(xpath, 'w') as f:
        f.write(text)
    outs = [os.path.join(tmp, 'out.c'), os.path.join(tmp, 'out.h')]
    for o in outs:
        if os.path.exists(o):
            os.unlink(o)
    failures = []
    for mode, args in (('check', []), ('server', outs), ('client', outs)):
        res = run(mode, xpath, *args)
        want = re.compile(r'^%s:%d: .*%s' % (re.escape(xpath), line, pattern))
        if res.returncode != 1:
            failures.append('%s: exit %d (want 1)' % (mode, res.returncode))
        elif not want.search(res.stderr):
            failures.append('%s: stderr %r does not match %s:%d: /%s/'
                            % (mode, res.stderr.strip(), 'bad.x', line, pattern))
        if any(os.path.exists(o) for o in outs):
            failures.append('%s: wrote output despite the error' % mode)
    return ['%s: %s' % (name, f) for f in failures]


def squash(text):
    return re.sub(r'\s+', ' ', text)


def expect(text, needle, what):
    """@needle occurs in @text, ignoring how whitespace is laid out."""
    if squash(needle) not in squash(text):
        return ['good snippet: %s lacks %r' % (what, needle)]
    return []


def check_good(tmp):
    xpath = os.path.join(tmp, 'good.x')
    with open(xpath, 'w') as f:
        f.write(GOOD)
    table, dispatch = os.path.join(tmp, 't.c'), os.path.join(tmp, 'd.h')
    csrc, chdr = os.path.join(tmp, 'c.c'), os.path.join(tmp, 'c.h')
    errs = []
    for res in (run('check', xpath), run('server', xpath, table, dispatch),
                run('client', xpath, csrc, chdr)):
        if res.returncode != 0:
            return ['good snippet: exit %d: %s' % (res.returncode, res.stderr.strip())]
    t = open(table).read()
    d = open(dispatch).read()
    cs = open(csrc).read()
    ch = open(chdr).read()
    errs += expect(t, 'static const MvProcInfo remote_procs[301] = {', 'table')
    errs += expect(t, '.nprocs = 301,', 'table')
    errs += expect(t, '[110] = {\n        .number = 110,\n        .name = "CONNECT_GET_URI",\n'
                      '        .api = "virConnectGetURI",', 'table (hex number, @api)')
    errs += expect(t, '.api = "virDomainDefineXML"', 'table (derived api)')
    errs += expect(t, '.api = "virDomainLookupByUUID"', 'table (derived api)')
    errs += expect(t, '.args_filter = (xdrproc_t)xdr_mv_remote_domain_event_thing_msg,',
                   'table (event body as args)')
    errs += expect(t, '.readonly = false,\n        .priority = MV_PRIORITY_LOW,\n'
                      '        .kind = MV_PROC_KIND_STREAM,', 'table (stream)')
    errs += expect(t, '.ret_filter = MV_XDR_VOID,\n        .ret_size = 0,', 'table (void)')
    errs += expect(t, '.priority = MV_PRIORITY_HIGH,', 'table (high)')
    errs += expect(d, '#define MV_REMOTE_PROC_LAST 301', 'dispatch header')
    errs += expect(d, 'typedef bool (*MvRemoteHandler_CONNECT_GET_URI)(MvServerCall *call, '
                      'const void *args,', 'dispatch header (void args)')
    errs += expect(d, 'mv_remote_connect_get_uri_ret *ret', 'dispatch header')
    errs += expect(d, 'const mv_remote_connect_open_args *args, void *ret,',
                   'dispatch header (void ret)')
    if 'MvRemoteHandler_DOMAIN_EVENT_THING' in d:
        errs.append('good snippet: dispatch header has a handler type for an event')
    errs += expect(ch, 'bool mv_remote_connect_open(MvRpcClient *client, '
                       'const mv_remote_connect_open_args *args, GError **error);', 'client header')
    errs += expect(ch, 'bool mv_remote_connect_close(MvRpcClient *client, GError **error);',
                   'client header')
    errs += expect(ch, 'bool mv_remote_connect_get_uri(MvRpcClient *client, '
                       'mv_remote_connect_get_uri_ret *ret, GError **error);', 'client header')
    errs += expect(ch, 'guint32 *ret_serial', 'client header (stream serial)')
    if 'mv_remote_domain_event_thing(' in ch:
        errs.append('good snippet: client header has a stub for an event')
    errs += expect(cs, '&mv_remote_program.procs[MV_REMOTE_PROC_DOMAIN_DEFINE_XML],\n'
                       '                              args, ret, error);', 'client source')
    errs += expect(cs, 'mv_rpc_client_call_serial(', 'client source (stream)')
    errs += expect(cs, '#include "c.h"', 'client source')
    return errs


KNOWN_GOOD = """# libvirt's procedures (a made-up sample)
110 CONNECT_GET_URI virConnectGetURI
20 DOMAIN_GET_VCPUS virDomainGetVcpus
107 DOMAIN_EVENT_SOMETHING -
500 DOMAIN_FUTURE_THING virDomainFutureThing
"""
KNOWN_BAD = [
    ('known: name differs from remote.x', '110 CONNECT_GET_URL virConnectGetURI\n', 1,
     r'procedure 110 is CONNECT_GET_URL here but CONNECT_GET_URI in remote.x'),
    ('known: api differs from remote.x', '\n110 CONNECT_GET_URI virConnectGetUri\n', 2,
     r'calls its API virConnectGetUri here but virConnectGetURI'),
    ('known: malformed line', '20 DOMAIN_GET_VCPUS\n', 1, r'expected "NUMBER NAME virApi"'),
    ('known: repeated number', '20 A virA\n20 B virB\n', 2, r'repeated procedure number 20'),
]


def check_known(tmp):
    """libvirt-procedures.txt next to the .x: unsupported calls get API names."""
    errs = []
    kdir = os.path.join(tmp, 'known')
    os.makedirs(kdir, exist_ok=True)
    xpath = os.path.join(kdir, 'good.x')
    kpath = os.path.join(kdir, 'libvirt-procedures.txt')
    with open(xpath, 'w') as f:
        f.write(GOOD)
    table, dispatch = os.path.join(kdir, 't.c'), os.path.join(kdir, 'd.h')
    for name, text, line, pattern in KNOWN_BAD:
        with open(kpath, 'w') as f:
            f.write(text)
        res = run('server', xpath, table, dispatch)
        want = '%s:%d: ' % (kpath, line)
        if res.returncode != 1 or want not in res.stderr or not re.search(pattern,
                                                                           res.stderr):
            errs.append('%s: expected exit 1 with %s... /%s/, got %d: %s'
                        % (name, want, pattern, res.returncode, res.stderr.strip()))
    with open(kpath, 'w') as f:
        f.write(KNOWN_GOOD)
    res = run('server', xpath, table, dispatch)
    if res.returncode != 0:
        return errs + ['known: exit %d: %s' % (res.returncode, res.stderr.strip())]
    t = open(table).read()
    d = open(dispatch).read()
    errs += expect(t, 'static const char *const remote_unsupported[501] = {', 'known table')
    errs += expect(t, '[20] = "virDomainGetVcpus",', 'known table')
    errs += expect(t, '[500] = "virDomainFutureThing",', 'known table')
    errs += expect(t, '.unsupported_apis = remote_unsupported,\n    .nunsupported = 501,',
                   'known table')
    errs += expect(t, '.nprocs = 301,', 'known table (defined procedures only)')
    errs += expect(d, '#define MV_REMOTE_PROC_LAST 301', 'known dispatch header')
    if '[107] = "' in t or '[110] = "' in t:
        errs.append('known: an event or a defined procedure is listed as unsupported')
    return errs


def main(argv):
    global GEN
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    GEN = argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, line, pattern in BAD:
            failures += check_bad(tmp, name, text, line, pattern)
        failures += check_good(tmp)
        failures += check_known(tmp)
    n = len(BAD) + 1 + len(KNOWN_BAD) + 1
    print('1..%d' % 1)
    if failures:
        for f in failures:
            print('# ' + f)
        print('not ok 1 - gen-protocol.py on %d snippets: %d failures' % (n, len(failures)))
        return 1
    print('ok 1 - gen-protocol.py on %d snippets' % n)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
