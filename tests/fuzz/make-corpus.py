#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

    tests/fuzz/make-corpus.py

Seeds are named seed-*: this script rewrites them (and removes seed-* files it
no longer writes). Inputs that once crashed a target are named crash-* and are
added by hand; the script never touches them. Sources: the protocol goldens
(tests/protocol/golden, a spread of procedures as CALL, REPLY and event
MESSAGE frames), the domain XML fixtures (tests/domainxml, tests/qemuxml2argv),
the URIs of tests/client/test-uri.c, and hand-written QMP sessions and config
files. Keep every corpus to tens of files: the fuzzers find the rest.
"""
import glob
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, 'corpus')

REMOTE, ADMIN, KEEPALIVE = 0x20008086, 0x06900690, 0x6b656570
CALL, REPLY, MESSAGE, STREAM = 0, 1, 2, 3
OK, ERROR, CONTINUE = 0, 1, 2
MAX_SEED = 8192


def frame(prog, proc, mtype, status, payload, serial=1):
    body = struct.pack('>IIiIIi', prog, 1, proc, mtype, serial, status) + payload
    return struct.pack('>I', len(body) + 4) + body


def xdr_string(s):
    b = s.encode()
    return struct.pack('>I', len(b)) + b + b'\0' * (-len(b) % 4)


def hex_load(path):
    text = re.sub(r'#[^\n]*', '', open(path).read())
    return bytes.fromhex(''.join(text.split()))


def rpc_seeds():
    seeds = {}
    files = sorted(glob.glob(os.path.join(ROOT, 'tests/protocol/golden/*.hex')))
    picked = {'args': 0, 'ret': 0}
    for path in files:
        name = os.path.basename(path)[:-4]
        num, proc, kind = name.split('-')[:3]
        payload = hex_load(path)
        if len(payload) > MAX_SEED:
            continue
        if kind in ('args', 'ret'):
            # a spread of procedures: every 5th args and every 8th ret vector
            picked[kind] += 1
            if picked[kind] % (5 if kind == 'args' else 8) != 1 and 'STATS' not in proc:
                continue
            mtype = CALL if kind == 'args' else REPLY
            seeds[name] = frame(REMOTE, int(num), mtype, OK, payload)
        elif kind == 'msg':
            seeds[name] = frame(REMOTE, int(num), MESSAGE, OK, payload, serial=0)
        elif kind == 'error' and name.endswith(('-error', '-error-unknown-proc')):
            seeds[name] = frame(REMOTE, int(num), REPLY, ERROR, payload)
    # keepalive, admin calls, stream packets, two frames in one stream
    seeds['keepalive-ping'] = frame(KEEPALIVE, 1, MESSAGE, OK, b'', serial=0)
    seeds['admin-open'] = frame(ADMIN, 1, CALL, OK, struct.pack('>I', 0))
    seeds['admin-lookup-server'] = frame(ADMIN, 5, CALL, OK, xdr_string('qemu') + b'\0' * 4)
    seeds['admin-set-filters'] = frame(ADMIN, 17, CALL, OK,
                                       struct.pack('>I', 1) + xdr_string('1:rpc') + b'\0' * 4)
    seeds['admin-list-servers-ret'] = frame(ADMIN, 4, REPLY, OK,
                                            struct.pack('>I', 2) + xdr_string('qemu')
                                            + xdr_string('admin') + struct.pack('>I', 2))
    seeds['stream-data'] = frame(REMOTE, 1, STREAM, CONTINUE, b'console bytes\n', serial=7)
    open_args = hex_load(os.path.join(ROOT, 'tests/protocol/golden/001-CONNECT_OPEN-args.hex'))
    seeds['two-frames'] = (frame(REMOTE, 1, CALL, OK, open_args) +
                           frame(REMOTE, 3, CALL, OK, b'', serial=2))
    return seeds


def rpc_client_seeds():
    """Two bytes naming the procedure of the harness's call (its serial is 0),
    then what the daemon sends."""
    g = lambda name: hex_load(os.path.join(ROOT, 'tests/protocol/golden', name + '.hex'))
    p16 = lambda n: struct.pack('>H', n)
    lifecycle = frame(REMOTE, 318, MESSAGE, OK, g('318-DOMAIN_EVENT_CALLBACK_LIFECYCLE-msg'), 0)
    return {
        'get-type-reply': p16(3) + frame(REMOTE, 3, REPLY, OK, g('003-CONNECT_GET_TYPE-ret'), 0),
        'events-then-reply': p16(3) + lifecycle
        + frame(REMOTE, 315, MESSAGE, OK, g('315-NETWORK_EVENT_LIFECYCLE-msg'), 0)
        + frame(KEEPALIVE, 1, MESSAGE, OK, b'', 0)
        + frame(REMOTE, 3, REPLY, OK, g('003-CONNECT_GET_TYPE-ret'), 0),
        'stats-reply': p16(344) + frame(REMOTE, 344, REPLY, OK,
                                        g('344-CONNECT_GET_ALL_DOMAIN_STATS-ret-alltypes'), 0),
        'error-reply': p16(23) + frame(REMOTE, 23, REPLY, ERROR,
                                       g('023-DOMAIN_LOOKUP_BY_NAME-error'), 0),
        'stream-then-error': p16(201) + frame(REMOTE, 201, REPLY, OK, b'', 0)
        + frame(REMOTE, 201, STREAM, CONTINUE, b'login: ', 0)
        + frame(REMOTE, 201, STREAM, ERROR, g('234-DOMAIN_DESTROY_FLAGS-error'), 0),
        'no-reply': p16(3) + lifecycle,
        'reply-unknown-serial': p16(3) + frame(REMOTE, 3, REPLY, OK,
                                               g('003-CONNECT_GET_TYPE-ret'), 9),
    }


def domainxml_seeds():
    seeds = {}
    pats = ['tests/domainxml/domainxml2xml/*.xml', 'tests/domainxml/device/*.xml',
            'tests/qemuxml2argv/*.xml']
    for pat in pats:
        for path in sorted(glob.glob(os.path.join(ROOT, pat))):
            base = os.path.basename(path)
            if '.expected' in base or os.path.getsize(path) > MAX_SEED:
                continue
            folder = os.path.basename(os.path.dirname(path))
            seeds['%s-%s' % (folder, base[:-4])] = open(path, 'rb').read()
    # a few refusals, so the error paths are in the corpus from the start
    for base in ['bad-memory-unit', 'duplicate-disk-target', 'cpu-topology-mismatch',
                 'boot-order-duplicate']:
        path = os.path.join(ROOT, 'tests/domainxml/invalid', base + '.xml')
        if os.path.exists(path):
            seeds['invalid-' + base] = open(path, 'rb').read()
    return seeds


def networkxml_seeds():
    """Network goldens and invalid cases, port goldens, and updates on the
    target's base network (NUL, command, section, parent index + 1, XML)."""
    seeds = {}
    base = os.path.join(ROOT, 'tests/networkxml2xml')
    for sub in ('xml2xml', 'port', 'invalid'):
        for path in sorted(glob.glob(os.path.join(base, sub, '*.xml'))):
            name = os.path.basename(path)[:-4]
            if name.endswith('.expected') or (sub == 'invalid' and len(seeds) > 60):
                continue
            seeds['%s-%s' % (sub, name)] = open(path, 'rb').read()
    updates = [
        (3, 4, 0, "<host mac='52:54:00:00:00:02' ip='192.168.9.6'/>"),
        (2, 4, 0, "<host mac='52:54:00:00:00:01'/>"),
        (1, 4, 0, "<host mac='52:54:00:00:00:01' name='m' ip='192.168.9.7'/>"),
        (4, 5, 2, "<range start='fd00:9::10' end='fd00:9::20'/>"),
        (2, 5, 0, "<range start='192.168.9.10' end='192.168.9.20'/>"),
        (3, 7, 0, "<interface dev='eth0'/>"),
        (3, 9, 0, "<portgroup name='q'><bandwidth><inbound average='5'/></bandwidth></portgroup>"),
        (1, 9, 0, "<portgroup name='p'/>"),
        (3, 10, 0, "<host ip='192.168.9.3'><hostname>b</hostname></host>"),
        (2, 11, 0, "<txt name='t'/>"),
        (3, 12, 0, "<srv service='x' protocol='udp' target='y' port='2' priority='3' weight='4'/>"),
        (1, 1, 0, "<bridge name='x'/>"),
    ]
    for i, (cmd, section, parent, xml) in enumerate(updates):
        seeds['update-%02d' % i] = b'\0' + bytes([cmd, section, parent]) + xml.encode()
    return seeds


def storagexml_seeds():
    """Pool and volume goldens and invalid cases, find-sources specs, and size
    strings after a NUL (the target parses each document as a pool, as a volume
    of every pool type and as a source spec)."""
    seeds = {}
    for suite in ('storagepoolxml2xml', 'storagevolxml2xml'):
        base = os.path.join(ROOT, 'tests', suite)
        for sub in ('xml2xml', 'invalid'):
            for path in sorted(glob.glob(os.path.join(base, sub, '*.xml'))):
                name = os.path.basename(path)[:-4]
                if name.endswith('.expected') or (sub == 'invalid' and len(seeds) % 3):
                    continue
                seeds['%s-%s-%s' % (suite[:11], sub, name)] = open(path, 'rb').read()
    specs = [
        "<source><host name='nfs.example.com'/></source>",
        "<source><host name='192.0.2.1' port='3260'/><initiator><iqn name='iqn.x:y'/>"
        "</initiator></source>",
        "<source><device path='/dev/sdb'/><format type='ext4'/></source>",
        "<source><name>vg0</name><device path='/dev/loop0'/></source>",
    ]
    for i, xml in enumerate(specs):
        seeds['spec-%02d' % i] = xml.encode()
    for i, size in enumerate(['10G', '512MiB', '1 KB', '18EB', '16EiB', '0', 'x1']):
        seeds['size-%02d' % i] = b"<volume><name>v</name><capacity>1</capacity></volume>\0" + \
            size.encode()
    return seeds


def secretxml_seeds():
    """Secret goldens and invalid cases (tests/secretxml2xml)."""
    seeds = {}
    base = os.path.join(ROOT, 'tests/secretxml2xml')
    for sub in ('xml2xml', 'invalid'):
        for path in sorted(glob.glob(os.path.join(base, sub, '*.xml'))):
            name = os.path.basename(path)[:-4]
            if not name.endswith('.expected'):
                seeds['%s-%s' % (sub, name)] = open(path, 'rb').read()
    return seeds


def domainsnapshotxml_seeds():
    """Domain snapshot goldens and invalid cases (tests/domainsnapshotxml2xml)."""
    seeds = {}
    base = os.path.join(ROOT, 'tests/domainsnapshotxml2xml')
    for sub in ('xml2xml', 'invalid'):
        for path in sorted(glob.glob(os.path.join(base, sub, '*.xml'))):
            name = os.path.basename(path)[:-4]
            if not name.endswith('.expected'):
                seeds['%s-%s' % (sub, name)] = open(path, 'rb').read()
    return seeds


def uri_seeds():
    text = open(os.path.join(ROOT, 'tests/client/test-uri.c')).read()
    uris = sorted(set(re.findall(r'"([a-z+]+:[^"]*)"', text)))
    uris += ['qemu+tls://[fe80::1%25eth0]:16514/system?no_verify=1',
             'network:///system?name=network:///system&x=%2F%00',
             'qemu+tcp://h:99999/system', 'qemu:///system?socket=/a&socket=/b']
    return {'%02d' % i: u.encode() for i, u in enumerate(uris)}


QMP_EVENT = ('{"timestamp": {"seconds": 1700000000, "microseconds": 5}, '
             '"event": "%s", "data": %s}\r\n')


def qmp_seeds():
    ev = lambda name, data='{}': QMP_EVENT % (name, data)
    return {
        'status-running': '0\n{"return": {"status": "running", "singlestep": false, '
                          '"running": true}, "id": 2}\r\n',
        'status-event-first': '0\n' + ev('STOP') + '{"return": {"status": "paused", '
                              '"running": false}, "id": 2}\r\n',
        'status-error': '0\n{"error": {"class": "GenericError", "desc": "nope"}, "id": 2}\n',
        'chardev-pty': '1\n{"return": [{"frontend-open": true, "filename": "pty:/dev/pts/5", '
                       '"label": "charserial0"}, {"filename": "unix:/x,server=on", '
                       '"label": "charmonitor"}], "id": 2}\r\n',
        'hmp-text': '2\n{"return": "VM status: running\\r\\n", "id": 2}\r\n',
        'cont-split-lines': '3\n{"return": {},\r\n"id": 2}\r\n{"return": {}, "id": 2}\r\n',
        'balloon-reply': '4\n' + ev('BALLOON_CHANGE', '{"actual": 268435456}')
                         + '{"return": {}, "id": 2}\r\n',
        'query-machines': '5\n{"return": [{"name": "pc-q35-7.2", "cpu-max": 288, '
                          '"alias": "q35"}], "id": 2}\r\n',
        'probe-machines': '6{"return": [{"name": "pc-q35-7.2", "cpu-max": 288}, '
                          '{"name": "pc-i440fx-7.2", "alias": "pc", "cpu-max": 255}], '
                          '"id": "mv-machines"}\n'
                          'Supported machines are:\n'
                          'pc                   Standard PC (i440FX + PIIX, 1996) '
                          '(alias of pc-i440fx-7.2)\n'
                          'pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n'
                          'q35                  Standard PC (Q35 + ICH9, 2009) '
                          '(alias of pc-q35-7.2)\n'
                          'pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)\n'
                          'pc-q35-2.4           Standard PC (Q35 + ICH9, 2009) (deprecated)\n',
        'probe-version': '6QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18)\n'
                         'Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project '
                         'developers\n',
        'probe-accels': '6Accelerators supported in QEMU binary:\ntcg\nkvm\n',
        'events': '7\n' + ev('SHUTDOWN', '{"guest": true, "reason": "guest-shutdown"}')
                  + ev('RESET', '{"guest": true, "reason": "guest-reset"}')
                  + ev('DEVICE_DELETED', '{"device": "virtio-disk1", "path": "/machine/x"}')
                  + ev('RESUME') + ev('STOP') + '{"event": 5}\r\nnot json\r\n'
                  + '{"return": {}, "id": 99}\r\n',
    }


def config_seeds():
    return {
        'empty': '',
        'server': '[server]\nmax_clients = 100\nmax_readonly_clients = 50\nmax_workers = 4\n'
                  'max_priority_workers = 2\nadmin_max_clients = 5\nmax_client_requests = 5\n'
                  'max_client_queue = 4194304\nfirst_call_timeout = 30\n'
                  'keepalive_interval = 5\nkeepalive_count = 5\n',
        'log': '[log]\nfilters = info,rpc=debug\n',
        'log-libvirt': '# libvirt form\n[log]\nfilters = 1:rpc 3:qemu\n',
        'qemu': '[qemu]\nemulators = /usr/bin/qemu-system-x86_64;/bin/sh\n'
                'deny_paths = /srv/secret;/etc/x\nemulator = /usr/bin/qemu-system-x86_64\n'
                'job_wait_ms = 60000\n',
        'proxy': '[tls]\nlisten = 127.0.0.1:16514\ncert = /x/cert.pem\nkey = /x/key.pem\n'
                 'ca = /x/ca.pem\nallowed_dn = CN=a;CN=b\npriority = NORMAL\n'
                 '[tcp]\nlisten = 127.0.0.1:16509\n',
        'bad-syntax': '[server\nmax_clients 5\n',
        'bad-value': '[server]\nmax_clients = -3\nkeepalive_interval = x\n',
        'escapes': '[qemu]\nemulator = \\x41\\s\\t\n[log]\nfilters = \\\n',
    }


def write(target, seeds):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    wanted = set()
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        fname = 'seed-' + re.sub(r'[^A-Za-z0-9_.-]', '_', name)
        wanted.add(fname)
        with open(os.path.join(folder, fname), 'wb') as f:
            f.write(data)
    for old in os.listdir(folder):
        if old.startswith('seed-') and old not in wanted:
            os.remove(os.path.join(folder, old))
    print('%s: %d seeds' % (target, len(seeds)))


def main():
    write('rpc', rpc_seeds())
    write('rpc-client', rpc_client_seeds())
    write('domainxml', domainxml_seeds())
    write('uri', uri_seeds())
    write('qmp', qmp_seeds())
    write('config', config_seeds())
    write('networkxml', networkxml_seeds())
    write('storagexml', storagexml_seeds())
    write('secretxml', secretxml_seeds())
    write('domainsnapshotxml', domainsnapshotxml_seeds())


if __name__ == '__main__':
    main()
