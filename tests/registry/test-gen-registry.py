#!/usr/bin/env python3
"""Tests of common/registry/gen-registry.py (TAP).

usage: test-gen-registry.py PATH/TO/gen-registry.py PATH/TO/daemons.ini

Each broken registry must make the generator exit 1 naming the problem and
write nothing; the real registry must generate a header whose enums follow
the registry's order, and units for exactly the built daemons.
"""

import os
import subprocess
import sys
import tempfile

GEN, INI = sys.argv[1], sys.argv[2]

ROUTES = '''\
[routes]
any = NONE
hypervisor = DOMAIN
domain = DOMAIN
network = NETWORK
secret = SECRET
'''


def daemon(name, kind='objects', scheme=None, routes=None, extra=''):
    text = '[daemon %s]\nkind = %s\n' % (name, kind)
    if scheme:
        text += 'scheme = %s\n' % scheme
    if routes:
        text += 'routes = %s\n' % routes
    text += ('serves = things\nsummary = Manages things.\ntitle = thing daemon\n'
             'purpose = things\ndocs = README.md\nbuilt = no\n' + extra)
    return text


QEMU = daemon('qemu', 'hypervisor', 'qemu', 'hypervisor domain')
NET = daemon('network', 'objects', 'network', 'network')

BAD = [
    ('two owners', ROUTES + QEMU + NET + daemon('net2', 'objects', 'net2', 'network'),
     'route "network" is owned by both [daemon network] and [daemon net2]'),
    ('scheme used twice', ROUTES + QEMU + daemon('other', 'objects', 'qemu', 'secret'),
     'scheme "qemu" is already used by [daemon qemu]'),
    ('unknown route', ROUTES + QEMU + daemon('foo', 'objects', 'foo', 'widgets'),
     'unknown route "widgets"'),
    ('hypervisor without domains', ROUTES + daemon('qemu', 'hypervisor', 'qemu', 'network'),
     'a hypervisor daemon owns at least: hypervisor domain'),
    ('hypervisor and objects daemon share a family',
     ROUTES + daemon('qemu', 'hypervisor', 'qemu', 'hypervisor domain network') + NET,
     'route "network" is owned by both [daemon qemu] and [daemon network]'),
    ('objects daemon owns domains', ROUTES + QEMU + daemon('n', 'objects', 'n', 'domain'),
     'only hypervisor daemons own hypervisor and domain'),
    ('missing key', ROUTES + QEMU.replace('title = thing daemon\n', ''),
     '[daemon qemu]: missing key "title"'),
    ('unknown key', ROUTES + QEMU + 'colour = red\n', '[daemon qemu]: unknown key "colour"'),
    ('unknown subsystem', ROUTES + 'gadget = GADGET\n' + QEMU,
     'route "gadget": unknown subsystem "GADGET"'),
    ('no hypervisor', ROUTES + NET, 'no hypervisor daemon'),
    ('proxy with a scheme', ROUTES + QEMU + daemon('proxy', 'proxy', 'p'),
     'a proxy has no scheme or routes'),
    ('bad section', ROUTES + QEMU + '[thing]\nx = 1\n', 'unknown section [thing]'),
]

results = []


def check(name, ok, detail=''):
    results.append((name, ok, detail))


with tempfile.TemporaryDirectory() as tmp:
    for name, text, want in BAD:
        ini = os.path.join(tmp, 'daemons.ini')
        out = os.path.join(tmp, 'out.h')
        with open(ini, 'w') as f:
            f.write(text)
        r = subprocess.run([sys.executable, GEN, 'header', ini, out], capture_output=True,
                           text=True)
        check('refused: ' + name, r.returncode == 1 and want in r.stderr and
              not os.path.exists(out), 'rc %d, stderr %r' % (r.returncode, r.stderr))

    good = os.path.join(tmp, 'good.ini')
    with open(good, 'w') as f:
        f.write(ROUTES + QEMU + NET)
    out = os.path.join(tmp, 'good.h')
    r = subprocess.run([sys.executable, GEN, 'header', good, out], capture_output=True,
                       text=True)
    text = open(out).read() if r.returncode == 0 else ''
    order = [text.find(s) for s in ('MV_ROUTE_NONE = 0', 'MV_ROUTE_ANY,', 'MV_ROUTE_NETWORK,',
                                    'MV_ROUTE_SECRET,', 'MV_ROUTE_LAST')]
    check('header: routes in registry order', -1 not in order and order == sorted(order),
          r.stderr)
    order = [text.find(s) for s in ('MV_DAEMON_QEMU = 0', 'MV_DAEMON_NETWORK,',
                                    'MV_DAEMON_LAST')]
    check('header: daemons in registry order', -1 not in order and order == sorted(order))
    check('header: descriptor fields', '.program_name = "modvirt-networkd"' in text and
          '.default_uri = "network:///system"' in text)

    # The real registry: units for exactly the built daemons, all substituted.
    r = subprocess.run([sys.executable, GEN, 'units-list', INI], capture_output=True,
                       text=True)
    listed = r.stdout.split()
    units = os.path.join(tmp, 'units')
    os.mkdir(units)
    src = os.path.join(os.path.dirname(os.path.abspath(INI)), '..', '..', 'systemd')
    r2 = subprocess.run([sys.executable, GEN, 'units', INI, src, units, '/S', '/R', '/D'],
                        capture_output=True, text=True)
    made = sorted(os.listdir(units)) if r2.returncode == 0 else []
    check('units: the listed units are generated', made == sorted(listed) and
          'modvirt-qemud.service' in made, '%s vs %s %s' % (made, listed, r2.stderr))
    body = ''.join(open(os.path.join(units, u)).read() for u in made)
    check('units: substituted', '@' not in body and 'ExecStart=/S/modvirt-qemud ' in body and
          'ListenStream=/R/modvirt/qemu-ro.sock' in body)

print('1..%d' % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
    if not ok:
        print('# ' + detail)
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
