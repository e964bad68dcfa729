"""Typed driver vtables and their XDR glue, generated from remote.x.

Part of gen-protocol.py (see its `server` mode and docs/protocol.md): for every
route family (hypervisor, domain, network, storage, ...) a struct of typed
functions, one per procedure, whose arguments are the decoded fields of
mv_remote_<proc>_args and whose results are `ret_<field>` out-parameters for
the fields of mv_remote_<proc>_ret. The glue decodes, calls the entry and moves
the results into the XDR reply (which the dispatcher encodes and frees).
"""

import re

SCALARS = {
    'int': 'int', 'unsigned int': 'unsigned int', 'hyper': 'int64_t',
    'unsigned hyper': 'uint64_t', 'char': 'char', 'unsigned char': 'unsigned char',
    'short': 'short', 'unsigned short': 'unsigned short', 'double': 'double',
    'bool': 'int',
}
# Reference kinds: XDR field -> MvObjectRef field.
REFS = {
    'domain': [('name', 'name'), ('uuid', 'uuid'), ('id', 'id')],
    'network': [('name', 'name'), ('uuid', 'uuid')],
    'nwfilter': [('name', 'name'), ('uuid', 'uuid')],
    'nwfilter_binding': [('portdev', 'name'), ('filtername', 'key')],
    'storage_pool': [('name', 'name'), ('uuid', 'uuid')],
    'storage_vol': [('pool', 'pool'), ('name', 'name'), ('key', 'key')],
    'interface': [('name', 'name'), ('mac', 'key')],
    'node_device': [('name', 'name')],
    'secret': [('uuid', 'uuid'), ('usage_type', 'id'), ('usage_id', 'name')],
    # A port is named by its network (a nested reference) and its own UUID.
    'network_port': [('net.name', 'name'), ('net.uuid', 'parent_uuid'), ('uuid', 'uuid')],
    # A domain snapshot: its own name (key) and its domain.
    'domain_snapshot': [('name', 'key'), ('dom.name', 'name'), ('dom.uuid', 'uuid'),
                        ('dom.id', 'id')],
}
UUID_FIELDS = ('uuid', 'parent_uuid')
FAMILIES = {
    'hypervisor': 'Hypervisor', 'domain': 'Domain', 'network': 'Network',
    'storage': 'Storage', 'nwfilter': 'NWFilter', 'secret': 'Secret',
    'nodedev': 'NodeDevice', 'interface': 'Interface',
}
PREFIX = 'mv_remote_'


class Unmapped(Exception):
    pass


class Field:
    def __init__(self, ctype, name, dim):
        self.type = ctype       # remote.x type text
        self.name = name
        self.dim = dim          # None, '<...>' or '[...]'


def parse_structs(plain):
    out = {}
    for m in re.finditer(r'\bstruct\s+(\w+)\s*\{(.*?)\};', plain, re.S):
        fields = []
        for decl in m.group(2).split(';'):
            decl = ' '.join(decl.split())
            if not decl:
                continue
            fm = re.fullmatch(r'(.+?)\s*(\w+)\s*(<[^>]*>|\[[^\]]*\])?', decl)
            fields.append(Field(fm.group(1).strip(), fm.group(2), fm.group(3)))
        out[m.group(1)] = fields
    return out


def camel(name):
    return ''.join(w.capitalize() for w in name.split('_'))


def ref_kind(t):
    """('domain', optional) for mv_remote_nonnull_domain / mv_remote_domain, else None."""
    if t.startswith(PREFIX + 'nonnull_') and t[len(PREFIX) + 8:] in REFS:
        return t[len(PREFIX) + 8:], False
    if t.startswith(PREFIX) and t[len(PREFIX):] in REFS:
        return t[len(PREFIX):], True
    return None


def shape(f, structs):
    """A short name for the shape of field @f."""
    t, arr = f.type, f.dim
    if arr and arr.startswith('['):
        if t in ('char', 'opaque'):
            return 'fixed'
        raise Unmapped('fixed array of %s' % t)
    if t in ('opaque', 'char') and arr:
        return 'bytes'
    elem = None
    if t in SCALARS:
        elem = 'scalar'
    elif t == 'string' or t == PREFIX + 'nonnull_string':
        elem = 'string'
    elif t == PREFIX + 'string':
        elem = 'optstring'
    elif t == PREFIX + 'uuid':
        elem = 'uuid'
    elif t == PREFIX + 'typed_param':
        elem = 'tparam'
    elif ref_kind(t):
        elem = 'optref' if ref_kind(t)[1] else 'ref'
    elif t in structs:
        elem = 'struct'
    else:
        raise Unmapped('type %s' % t)
    if arr:
        if elem in ('optstring', 'optref', 'uuid'):
            raise Unmapped('array of %s' % t)
        return 'array-' + elem
    if elem in ('tparam', 'struct'):
        raise Unmapped('single %s' % t)
    return elem


def neutral_struct_name(t):
    return 'MvRemote' + camel(t[len(PREFIX):])


def elem_ctype(f):
    """The neutral C type of one element of field @f (for arrays and struct fields)."""
    t = f.type
    if t in SCALARS:
        return SCALARS[t]
    if t in ('string', PREFIX + 'nonnull_string', PREFIX + 'string'):
        return 'char *'
    if t == PREFIX + 'typed_param':
        return 'MvTypedParam'
    if ref_kind(t):
        return 'MvObjectRef'
    return neutral_struct_name(t)


def xdr_elem_ctype(f):
    """The rpcgen C type of one element of an array field."""
    t = f.type
    if t in SCALARS:
        return {'unsigned int': 'u_int', 'hyper': 'int64_t', 'unsigned hyper': 'uint64_t',
                'unsigned char': 'u_char', 'unsigned short': 'u_short',
                'bool': 'bool_t'}.get(t, t)
    if t in ('string', PREFIX + 'nonnull_string'):
        return 'char *'
    if ref_kind(t):
        return PREFIX + 'nonnull_' + ref_kind(t)[0]
    return t


def sp(ctype):
    """'char *' + name without a space, 'int' + ' ' + name."""
    return ctype if ctype.endswith('*') else ctype + ' '


class Glue:
    """Parameters, locals, call expressions and post-call code of one procedure."""

    def __init__(self):
        self.params = []
        self.locals = []
        self.pre = []
        self.exprs = []
        self.post = []


def map_args(fields, structs, g):
    for f in fields:
        s, n, a = shape(f, structs), f.name, 'args->' + f.name
        if s == 'scalar':
            g.params.append('%s%s' % (sp(SCALARS[f.type]), n))
            g.exprs.append(a)
        elif s == 'string':
            g.params.append('const char *' + n)
            g.exprs.append(a)
        elif s == 'optstring':
            g.params.append('const char *' + n)
            g.exprs.append('%s ? *%s : NULL' % (a, a))
        elif s == 'uuid':
            g.params.append('const guint8 *' + n)
            g.exprs.append('(const guint8 *)' + a)
        elif s == 'fixed':
            g.params.append('const char *' + n)
            g.exprs.append(a)
        elif s == 'bytes':
            g.params += ['const char *' + n, 'guint n_' + n]
            g.exprs += ['%s.%s_val' % (a, n), '%s.%s_len' % (a, n)]
        elif s in ('ref', 'optref'):
            kind = ref_kind(f.type)[0]
            g.params.append('const MvObjectRef *%s_ref' % n)
            g.locals.append('MvObjectRef a_%s = { 0 };' % n)
            if s == 'ref':
                g.pre.append('ref_from_%s(&a_%s, &%s);' % (kind, n, a))
                g.exprs.append('&a_' + n)
            else:
                g.pre.append('if (%s)\n        ref_from_%s(&a_%s, %s);' % (a, kind, n, a))
                g.exprs.append('%s ? &a_%s : NULL' % (a, n))
        elif s == 'array-scalar':
            g.params += ['const %s*%s' % (sp(SCALARS[f.type]), n), 'guint n_' + n]
            g.exprs += ['(const %s*)%s.%s_val' % (sp(SCALARS[f.type]), a, n),
                        '%s.%s_len' % (a, n)]
        elif s == 'array-string':
            g.params += ['const char *const *' + n, 'guint n_' + n]
            g.exprs += ['(const char *const *)%s.%s_val' % (a, n), '%s.%s_len' % (a, n)]
        elif s == 'array-ref':
            kind = ref_kind(f.type)[0]
            g.params += ['const MvObjectRef *' + n, 'guint n_' + n]
            g.locals.append('g_autofree MvObjectRef *a_%s = NULL;' % n)
            g.pre.append('a_%s = g_new0(MvObjectRef, %s.%s_len + 1);\n'
                         '    for (u_int i = 0; i < %s.%s_len; i++)\n'
                         '        ref_from_%s(&a_%s[i], &%s.%s_val[i]);'
                         % (n, a, n, a, n, kind, n, a, n))
            g.exprs += ['a_' + n, '%s.%s_len' % (a, n)]
        elif s == 'array-tparam':
            g.params += ['const MvTypedParam *' + n, 'guint n_' + n]
            g.locals.append('g_autofree MvTypedParam *a_%s = NULL;' % n)
            g.pre.append('a_%s = tparams_from_xdr(%s.%s_val, %s.%s_len);' % (n, a, n, a, n))
            g.exprs += ['a_' + n, '%s.%s_len' % (a, n)]
        else:
            raise Unmapped('argument of shape %s' % s)


def map_ret(fields, structs, g, proc_name):
    for f in fields:
        s, n, r = shape(f, structs), f.name, 'ret->' + f.name
        if s == 'scalar':
            g.params.append('%s*ret_%s' % (sp(SCALARS[f.type]), n))
            g.exprs.append('&' + r)
        elif s == 'string':
            g.params.append('char **ret_' + n)
            g.exprs.append('&' + r)
            g.post.append('if (ok && !%s)\n'
                          '        ok = mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,\n'
                          '                          "driver gave no %s for %%s", "%s");'
                          % (r, n, proc_name))
        elif s == 'optstring':
            g.params.append('char **ret_' + n)
            g.locals.append('char *r_%s = NULL;' % n)
            g.exprs.append('&r_' + n)
            g.post.append('if (r_%s) {\n        %s = g_new(char *, 1);\n        *%s = r_%s;\n'
                          '    }' % (n, r, r, n))
        elif s == 'uuid':
            g.params.append('guint8 *ret_' + n)
            g.exprs.append('(guint8 *)' + r)
        elif s == 'fixed':
            g.params.append('char *ret_' + n)
            g.exprs.append(r)
        elif s == 'bytes':
            g.params += ['char **ret_' + n, 'guint *ret_n_' + n]
            g.exprs += ['&%s.%s_val' % (r, n), '&%s.%s_len' % (r, n)]
        elif s == 'ref':
            kind = ref_kind(f.type)[0]
            g.params.append('MvObjectRef *ret_' + n)
            g.locals.append('MvObjectRef r_%s = { 0 };' % n)
            g.exprs.append('&r_' + n)
            g.post.append('if (ok)\n        ref_to_%s(&%s, &r_%s);\n'
                          '    mv_object_ref_clear(&r_%s);' % (kind, r, n, n))
        elif s == 'array-scalar':
            g.params += ['%s**ret_%s' % (sp(SCALARS[f.type]), n), 'guint *ret_n_' + n]
            g.exprs += ['(%s**)&%s.%s_val' % (sp(SCALARS[f.type]), r, n),
                        '&%s.%s_len' % (r, n)]
        elif s == 'array-string':
            g.params += ['char ***ret_' + n, 'guint *ret_n_' + n]
            g.exprs += ['&%s.%s_val' % (r, n), '&%s.%s_len' % (r, n)]
        elif s in ('array-ref', 'array-tparam', 'array-struct'):
            et = elem_ctype(f)
            g.params += ['%s **ret_%s' % (et, n), 'guint *ret_n_' + n]
            g.locals += ['%s *r_%s = NULL;' % (et, n), 'guint r_n_%s = 0;' % n]
            g.exprs += ['&r_' + n, '&r_n_' + n]
            if s == 'array-ref':
                conv = 'ref_to_%s(&%%s.%s_val[i], &r_%s[i])' % (ref_kind(f.type)[0], n, n)
                clear = 'mv_object_ref_clear(&r_%s[i])' % n
            elif s == 'array-tparam':
                conv = 'tparam_to_xdr(&%%s.%s_val[i], &r_%s[i])' % (n, n)
                clear = None
            else:
                conv = '%s_to_xdr(&%%s.%s_val[i], &r_%s[i])' % (f.type, n, n)
                clear = None
            conv = conv % r
            g.post.append(
                'if (r_%(n)s) {\n'
                '        %(r)s.%(n)s_val = g_new0(%(x)s, MAX(r_n_%(n)s, 1));\n'
                '        %(r)s.%(n)s_len = r_n_%(n)s;\n'
                '        for (guint i = 0; i < r_n_%(n)s; i++) {\n'
                '            %(conv)s;%(clear)s\n'
                '        }\n'
                '        g_free(r_%(n)s);\n'
                '    }' % dict(n=n, r=r, x=xdr_elem_ctype(f), conv=conv,
                              clear=('\n            %s;' % clear) if clear else ''))
        else:
            raise Unmapped('result of shape %s' % s)


def neutral_struct_decl(sname, fields, structs):
    lines = ['/* The neutral form of %s. */' % sname, 'typedef struct {']
    for f in fields:
        s = shape(f, structs)
        n = f.name
        if s in ('scalar', 'string', 'optstring'):
            lines.append('    %s%s;' % (sp(elem_ctype(f)), n))
        elif s == 'ref':
            lines.append('    MvObjectRef %s;' % n)
        elif s.startswith('array-'):
            lines.append('    %s*%s;' % (sp(elem_ctype(f)), n))
            lines.append('    guint n_%s;' % n)
        elif s == 'bytes':          # opaque<N> / char<N>: g_malloc'd bytes and their count
            lines.append('    char *%s;' % n)
            lines.append('    guint n_%s;' % n)
        else:
            raise Unmapped('struct field of shape %s' % s)
    lines.append('} %s;\n' % neutral_struct_name(sname))
    return '\n'.join(lines) + '\n'


def struct_to_xdr(sname, fields, structs):
    """A static function moving a neutral struct into its XDR form."""
    out = ['static void\n%s_to_xdr(%s *x, %s *v)\n{\n'
           % (sname, sname, neutral_struct_name(sname))]
    for f in fields:
        s, n = shape(f, structs), f.name
        if s == 'scalar':
            out.append('    x->%s = v->%s;\n' % (n, n))
        elif s == 'string':
            out.append('    x->%s = v->%s ? v->%s : g_strdup("");\n' % (n, n, n))
        elif s == 'optstring':
            out.append('    if (v->%s) {\n        x->%s = g_new(char *, 1);\n'
                       '        *x->%s = v->%s;\n    }\n' % (n, n, n, n))
        elif s == 'ref':
            out.append('    ref_to_%s(&x->%s, &v->%s);\n    mv_object_ref_clear(&v->%s);\n'
                       % (ref_kind(f.type)[0], n, n, n))
        elif s in ('array-scalar', 'array-string', 'bytes'):
            out.append('    x->%s.%s_val = (void *)v->%s;\n    x->%s.%s_len = v->n_%s;\n'
                       % (n, n, n, n, n, n))
        elif s == 'array-tparam':
            out.append('    x->%s.%s_val = g_new0(mv_remote_typed_param, MAX(v->n_%s, 1));\n'
                       '    x->%s.%s_len = v->n_%s;\n'
                       '    for (guint i = 0; i < v->n_%s; i++)\n'
                       '        tparam_to_xdr(&x->%s.%s_val[i], &v->%s[i]);\n'
                       '    g_free(v->%s);\n' % (n, n, n, n, n, n, n, n, n, n, n))
        elif s == 'array-struct':
            out.append('    x->%(n)s.%(n)s_val = g_new0(%(x)s, MAX(v->n_%(n)s, 1));\n'
                       '    x->%(n)s.%(n)s_len = v->n_%(n)s;\n'
                       '    for (guint i = 0; i < v->n_%(n)s; i++)\n'
                       '        %(t)s_to_xdr(&x->%(n)s.%(n)s_val[i], &v->%(n)s[i]);\n'
                       '    g_free(v->%(n)s);\n' % dict(n=n, x=f.type, t=f.type))
        else:
            raise Unmapped('struct field of shape %s' % s)
    out.append('}\n\n')
    return ''.join(out)


def ref_helpers():
    out = []
    for kind, pairs in REFS.items():
        x = PREFIX + 'nonnull_' + kind
        out.append('G_GNUC_UNUSED static void\nref_from_%s(MvObjectRef *r, const %s *x)\n{\n'
                   % (kind, x))
        for xf, rf in pairs:
            if rf in UUID_FIELDS:
                out.append('    memcpy(r->%s, x->%s, 16);\n' % (rf, xf))
            elif rf == 'id':
                out.append('    r->id = x->%s;\n' % xf)
            else:
                out.append('    r->%s = x->%s;\n' % (rf, xf))
        out.append('}\n\n')
        out.append('G_GNUC_UNUSED static void\nref_to_%s(%s *x, MvObjectRef *r)\n{\n'
                   % (kind, x))
        for xf, rf in pairs:
            if rf in UUID_FIELDS:
                out.append('    memcpy(x->%s, r->%s, 16);\n' % (xf, rf))
            elif rf == 'id':
                out.append('    x->%s = r->id;\n' % xf)
            else:
                out.append('    x->%s = r->%s ? g_steal_pointer(&r->%s) : g_strdup("");\n'
                           % (xf, rf, rf))
        out.append('}\n\n')
    return ''.join(out)


TPARAM_HELPERS = '''\
G_STATIC_ASSERT(MV_TYPED_PARAM_STRING == MV_REMOTE_TYPED_PARAM_STRING);

/* Borrowed views of decoded typed parameters (strings stay the XDR's). */
G_GNUC_UNUSED static MvTypedParam *
tparams_from_xdr(const mv_remote_typed_param *x, u_int n)
{
    MvTypedParam *v = g_new0(MvTypedParam, n + 1);

    for (u_int i = 0; i < n; i++) {
        const struct mv_remote_typed_param_value *xv = &x[i].value;
        v[i].field = x[i].field;
        v[i].type = xv->type;
        switch (xv->type) {
        case MV_REMOTE_TYPED_PARAM_INT: v[i].value.i = xv->mv_remote_typed_param_value_u.i; break;
        case MV_REMOTE_TYPED_PARAM_UINT: v[i].value.ui = xv->mv_remote_typed_param_value_u.ui;
            break;
        case MV_REMOTE_TYPED_PARAM_LLONG: v[i].value.l = xv->mv_remote_typed_param_value_u.l;
            break;
        case MV_REMOTE_TYPED_PARAM_ULLONG: v[i].value.ul = xv->mv_remote_typed_param_value_u.ul;
            break;
        case MV_REMOTE_TYPED_PARAM_DOUBLE: v[i].value.d = xv->mv_remote_typed_param_value_u.d;
            break;
        case MV_REMOTE_TYPED_PARAM_BOOLEAN: v[i].value.b = xv->mv_remote_typed_param_value_u.b;
            break;
        case MV_REMOTE_TYPED_PARAM_STRING: v[i].value.s = xv->mv_remote_typed_param_value_u.s;
            break;
        default: break;
        }
    }
    return v;
}

/* Moves one typed parameter (its strings) into its XDR form. */
G_GNUC_UNUSED static void
tparam_to_xdr(mv_remote_typed_param *x, MvTypedParam *v)
{
    struct mv_remote_typed_param_value *xv = &x->value;

    x->field = v->field ? g_steal_pointer(&v->field) : g_strdup("");
    xv->type = v->type;
    switch (v->type) {
    case MV_TYPED_PARAM_INT: xv->mv_remote_typed_param_value_u.i = v->value.i; break;
    case MV_TYPED_PARAM_UINT: xv->mv_remote_typed_param_value_u.ui = v->value.ui; break;
    case MV_TYPED_PARAM_LLONG: xv->mv_remote_typed_param_value_u.l = v->value.l; break;
    case MV_TYPED_PARAM_ULLONG: xv->mv_remote_typed_param_value_u.ul = v->value.ul; break;
    case MV_TYPED_PARAM_DOUBLE: xv->mv_remote_typed_param_value_u.d = v->value.d; break;
    case MV_TYPED_PARAM_BOOLEAN: xv->mv_remote_typed_param_value_u.b = v->value.b; break;
    case MV_TYPED_PARAM_STRING:
        xv->mv_remote_typed_param_value_u.s = v->value.s ? g_steal_pointer(&v->value.s)
                                                         : g_strdup("");
        break;
    default:
        xv->type = MV_REMOTE_TYPED_PARAM_INT;
        break;
    }
}

'''


def collect_nested(sname, structs, nested):
    """Adds struct @sname and the structs its arrays hold to @nested, inner ones
    first (their declarations and _to_xdr functions come before their users')."""
    for sf in structs[sname]:
        sh = shape(sf, structs)
        if sh == 'array-struct':
            collect_nested(sf.type, structs, nested)
        elif sh not in ('scalar', 'string', 'optstring', 'ref', 'array-scalar',
                        'array-string', 'array-tparam', 'bytes'):
            raise Unmapped('nested %s field %s' % (sname, sf.name))
    nested[sname] = structs[sname]


def plan(procs, structs):
    """For each mapped call procedure: (proc, Glue); plus the skipped ones with why."""
    mapped, skipped, nested = [], [], {}
    for p in procs:
        if p.kind == 'event' or p.route not in FAMILIES:
            continue
        g = Glue()
        try:
            if p.args:
                map_args(structs[p.args], structs, g)
            nargs = len(g.exprs)
            if p.ret:
                map_ret(structs[p.ret], structs, g, p.api)
                for f in structs[p.ret]:
                    if shape(f, structs) == 'array-struct':
                        collect_nested(f.type, structs, nested)
        except Unmapped as e:
            skipped.append((p, str(e)))
            continue
        g.nargs = nargs
        mapped.append((p, g))
    return mapped, skipped, nested


def wrap(head, params, tail, width=96):
    one = head + ', '.join(params) + tail
    if len(one) <= width:
        return one
    indent = ' ' * len(head)
    return head + (',\n' + indent).join(params) + tail


def gen_header(procs, structs, header, consts=()):
    mapped, skipped, nested = plan(procs, structs)
    out = [header, '''\
/* Typed driver vtables of the REMOTE program, one per route family.
 *
 * A daemon fills the vtables of the families it serves with designated
 * initializers and hands them to mv_remote_drivers_fill() (remote-dispatch.h)
 * from its main.c. Every entry takes the call handle first, the decoded
 * arguments (strings and references borrowed for the call), then one
 * ret_<field> out-parameter per result field, and GError **error last; it
 * returns false with @error set to answer ERROR. A NULL entry answers
 * VIR_ERR_NO_SUPPORT "this function is not supported by the connection
 * driver: virXxx". How remote.x shapes map to C types: docs/protocol.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/driver-call.h"

G_BEGIN_DECLS

''']
    if consts:
        out.append('/* The limits and constants of remote.x (the same as remote-protocol.h). */\n')
        for name, value in consts:
            out.append('#ifndef %s\n#define %s %s\n#endif\n' % (name, name, value))
        out.append('\n')
    for sname, fields in nested.items():
        out.append(neutral_struct_decl(sname, fields, structs))
        out.append('\n')
    for route, cname in FAMILIES.items():
        entries = [(p, g) for p, g in mapped if p.route == route]
        out.append('/* The %s family (@route: %s). */\ntypedef struct {\n' % (route, route))
        for p, g in entries:
            params = ['MvDriverCall *call'] + g.params + ['GError **error']
            out.append('    /* %s (%d) */\n' % (p.api, p.number))
            out.append(wrap('    bool (*%s)(' % p.lower, params, ');\n'))
        if not entries:
            out.append('    int unused;\n')
        out.append('} MvRemote%sDriver;\n\n' % cname)
    out.append('/* The vtables a daemon serves (NULL: a family it does not). */\n'
               'typedef struct {\n')
    for route, cname in FAMILIES.items():
        out.append('    const MvRemote%sDriver *%s;\n' % (cname, route))
    out.append('} MvRemoteDrivers;\n\n')
    if skipped:
        out.append('/* Procedures with no vtable entry yet (their shape is not mapped):\n')
        for p, why in skipped:
            out.append(' *   %s: %s\n' % (p.name, why))
        out.append(' */\n\n')
    out.append('G_END_DECLS\n')
    return ''.join(out)


def gen_glue(procs, structs, header):
    mapped, _, nested = plan(procs, structs)
    out = [header, '''\
/* The unpack/pack glue between the REMOTE dispatcher and the typed driver
 * vtables (remote-driver.h): decode, call the entry, move its results into
 * the XDR reply; the dispatcher encodes the reply and frees it (and the
 * arguments) with xdr_free(). g_malloc() memory is malloc() memory. */
#include <string.h>

#include "remote-dispatch.h"
#include "remote-driver.h"
#include "util/error.h"

''']
    for route, cname in FAMILIES.items():
        out.append('static const MvRemote%sDriver *drv_%s;\n' % (cname, route))
    out.append('\n')
    out.append(ref_helpers())
    out.append(TPARAM_HELPERS)
    for sname, fields in nested.items():
        out.append(struct_to_xdr(sname, fields, structs))
    for p, g in mapped:
        out.append('static bool\n' + wrap('glue_%s(' % p.lower,
                                            ['MvServerCall *call', 'const void *vargs',
                                             'void *vret', 'GError **error'], ')\n{\n'))
        if p.args:
            out.append('    const %s *args = vargs;\n' % p.args)
        if p.ret:
            out.append('    %s *ret = vret;\n' % p.ret)
        for loc in g.locals:
            out.append('    %s\n' % loc)
        out.append('    bool ok;\n\n')
        if not p.args:
            out.append('    (void)vargs;\n')
        if not p.ret:
            out.append('    (void)vret;\n')
        for pre in g.pre:
            out.append('    %s\n' % pre)
        exprs = ['(MvDriverCall *)call'] + g.exprs + ['error']
        out.append(wrap('    ok = drv_%s->%s(' % (p.route, p.lower), exprs, ');\n'))
        for post in g.post:
            out.append('    %s\n' % post)
        out.append('    return ok;\n}\n\n')
    out.append('void\nmv_remote_drivers_fill(const MvRemoteDrivers *drivers, '
               'MvDispatchFunc *handlers)\n{\n')
    for route, cname in FAMILIES.items():
        entries = [p for p, g in mapped if p.route == route]
        out.append('    drv_%s = drivers->%s;\n' % (route, route))
        if not entries:
            continue
        out.append('    if (drv_%s) {\n' % route)
        for p in entries:
            out.append('        if (drv_%s->%s)\n' % (route, p.lower))
            out.append('            handlers[%d] = glue_%s;\n' % (p.number, p.lower))
        out.append('    }\n')
    out.append('}\n')
    return ''.join(out)
