#!/usr/bin/env python3
"""ecs_check.py [--expect KIND,...] [FILE] - check kensa's JSON Lines
against the Elastic Common Schema (ECS 8.11) field types.

Reads records (one JSON object a line) from FILE or standard input and
fails (exit 1, one line per problem on stderr) when:
  - a line is not a JSON object;
  - any value anywhere is null, or an empty list;
  - a field outside kensa.* is not in the table below (a new non-ECS
    name must either be added here, with its ECS type, or live under
    kensa.*);
  - a field's value does not have its ECS type: keyword and text are
    strings, long an integer (not a boolean), float a number, boolean a
    boolean, date an ISO 8601 string with a zone, ip an IPv4 or IPv6
    address; a list holds values of the type (ECS fields may be arrays);
  - a record misses the fields every kensa record carries (@timestamp,
    ecs.version, event.kind, host.name, host.hostname, host.os.type,
    agent.type, agent.version, kensa.scan_id) or its kind's own;
  - an action record (--fix, --restore: event.dataset kensa.fix) is not
    event.category file, event.type change (info on a dry run), outcome
    success or failure (a failure with error.message and
    kensa.fix.reason), a fix that succeeded without kensa.fix.backup and
    a kensa.fix.removed list of strings;
  - --expect names a record kind (alert, state, warning, run, action)
    that no record was.

Standard library only.  Prints "ok N records (kinds...)" on success.
"""
import ipaddress
import json
import re
import sys
from datetime import datetime

# The ECS fields kensa writes, with their ECS types (ecs 8.11 field
# reference).  Adding a field outside kensa.* means adding it here.
ECS = {
    '@timestamp': 'date',
    'ecs.version': 'keyword',
    'message': 'text',
    'agent.type': 'keyword',
    'agent.version': 'keyword',
    'observer.product': 'keyword',
    'observer.version': 'keyword',
    'event.kind': 'keyword',
    'event.module': 'keyword',
    'event.dataset': 'keyword',
    'event.category': 'keyword',
    'event.type': 'keyword',
    'event.action': 'keyword',
    'event.outcome': 'keyword',
    'event.severity': 'long',
    'event.start': 'date',
    'event.end': 'date',
    'event.created': 'date',
    'event.duration': 'long',
    'event.original': 'keyword',
    'rule.id': 'keyword',
    'rule.name': 'keyword',
    'host.name': 'keyword',
    'host.hostname': 'keyword',
    'host.id': 'keyword',
    'host.os.type': 'keyword',
    'host.os.platform': 'keyword',
    'host.os.name': 'keyword',
    'host.os.version': 'keyword',
    'host.os.full': 'keyword',
    'file.path': 'keyword',
    'file.name': 'keyword',
    'file.directory': 'keyword',
    'file.extension': 'keyword',
    'file.size': 'long',
    'file.mtime': 'date',
    'file.ctime': 'date',
    'file.created': 'date',
    'file.uid': 'keyword',
    'file.gid': 'keyword',
    'file.owner': 'keyword',
    'file.group': 'keyword',
    'file.mode': 'keyword',
    'file.type': 'keyword',
    'file.inode': 'keyword',
    'file.hash.md5': 'keyword',
    'file.hash.sha1': 'keyword',
    'file.hash.sha256': 'keyword',
    'related.hash': 'keyword',
    'related.ip': 'ip',
    'related.hosts': 'keyword',
    'package.name': 'keyword',
    'package.version': 'keyword',
    'package.type': 'keyword',
    'vulnerability.id': 'keyword',
    'vulnerability.severity': 'keyword',
    'vulnerability.enumeration': 'keyword',
    'vulnerability.reference': 'keyword',
    'vulnerability.description': 'keyword',
    'vulnerability.classification': 'keyword',
    'vulnerability.category': 'keyword',
    'vulnerability.scanner.vendor': 'keyword',
    'vulnerability.score.base': 'float',
    'log.file.path': 'keyword',
    'source.ip': 'ip',
    'source.address': 'keyword',
    'source.port': 'long',
    'destination.domain': 'keyword',
    'destination.address': 'keyword',
    'destination.ip': 'ip',
    'destination.port': 'long',
    'url.original': 'wildcard',
    'url.full': 'wildcard',
    'url.scheme': 'keyword',
    'url.domain': 'keyword',
    'url.registered_domain': 'keyword',
    'url.port': 'long',
    'url.path': 'wildcard',
    'url.query': 'keyword',
    'http.request.method': 'keyword',
    'http.response.status_code': 'long',
    'user_agent.original': 'keyword',
    'threat.technique.id': 'keyword',
    'threat.indicator.type': 'keyword',
    'threat.indicator.url.domain': 'keyword',
    'threat.indicator.url.original': 'wildcard',
    'threat.indicator.url.scheme': 'keyword',
    'threat.indicator.url.registered_domain': 'keyword',
    'threat.indicator.url.port': 'long',
    'threat.indicator.url.path': 'wildcard',
    'threat.framework': 'keyword',
    'threat.tactic.id': 'keyword',
    'threat.tactic.name': 'keyword',
    'threat.technique.name': 'keyword',
    'threat.indicator.ip': 'ip',
    'error.message': 'match_only_text',
    'error.code': 'keyword',
    'error.id': 'keyword',
    'container.image.name': 'keyword',
    'container.image.tag': 'keyword',
    'container.image.hash.all': 'keyword',
    'process.args': 'keyword',
    'process.args_count': 'long',
    'process.pid': 'long',
}

COMMON = ('@timestamp', 'ecs.version', 'event.kind', 'event.dataset',
          'host.name', 'host.hostname', 'host.os.type', 'agent.type',
          'agent.version', 'kensa.scan_id')
BY_KIND = {
    'alert': ('message', 'rule.id', 'kensa.verdict', 'kensa.path'),
    'state': ('message', 'rule.id', 'kensa.verdict', 'kensa.path',
              'package.name', 'package.type', 'file.path'),
    'warning': ('error.message', 'error.code', 'event.outcome'),
    'action': ('event.action', 'event.outcome', 'event.category',
               'event.type', 'file.path', 'message', 'kensa.fix.dry_run'),
    'run': ('event.action', 'event.outcome', 'event.start', 'event.end',
            'event.duration', 'process.args', 'kensa.scan.findings.total',
            'kensa.scan.files', 'kensa.scan.bytes'),
}
ISO = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?'
                 r'(Z|[+-]\d{2}:\d{2})$')


def flatten(obj, prefix, out, errs):
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            if not v:
                errs.append('%s: an empty object' % key)
            flatten(v, key + '.', out, errs)
        else:
            out[key] = v


def type_ok(t, v):
    if t in ('keyword', 'text', 'wildcard', 'match_only_text'):
        return isinstance(v, str)
    if t == 'long':
        return isinstance(v, int) and not isinstance(v, bool) and \
            -2**63 <= v < 2**63
    if t == 'float':
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == 'boolean':
        return isinstance(v, bool)
    if t == 'date':
        if not isinstance(v, str) or not ISO.match(v):
            return False
        s = v.replace('Z', '+00:00')
        m = re.match(r'^(.*?\.\d{1,6})\d*(.*)$', s)   # Python: 6 digits
        if m:
            s = m.group(1) + m.group(2)
        try:
            return datetime.fromisoformat(s).tzinfo is not None
        except ValueError:
            return False
    if t == 'ip':
        try:
            ipaddress.ip_address(v)
            return True
        except (ValueError, TypeError):
            return False
    raise SystemExit('ecs_check.py: unknown type %r in the table' % t)


def kind_of(flat):
    k = flat.get('event.kind')
    if k == 'event':
        if flat.get('event.action') == 'scan-completed':
            return 'run'
        if flat.get('event.dataset') == 'kensa.fix':
            return 'action'
        return 'warning'
    return k


def no_nulls(v, where, errs):
    if v is None:
        errs.append('%s: null' % where)
    elif isinstance(v, list):
        if not v:
            errs.append('%s: an empty list' % where)
        for i, x in enumerate(v):
            no_nulls(x, '%s[%d]' % (where, i), errs)
            if isinstance(x, (list, dict)):
                errs.append('%s[%d]: a nested list or object' % (where, i))


def check_action(flat, local):
    dry = flat.get('kensa.fix.dry_run')
    if not isinstance(dry, bool):
        local.append('kensa.fix.dry_run: %r is not a boolean' % dry)
    if flat.get('event.category') != ['file']:
        local.append('event.category: %r' % flat.get('event.category'))
    if flat.get('event.type') != (['info'] if dry else ['change']):
        local.append('event.type: %r' % flat.get('event.type'))
    if not re.match(r'^[a-z0-9]+(-[a-z0-9]+)+$',
                    str(flat.get('event.action'))):
        local.append('event.action: %r' % flat.get('event.action'))
    outcome = flat.get('event.outcome')
    if outcome not in ('success', 'failure'):
        local.append('event.outcome: %r' % outcome)
    if outcome == 'failure':
        for key in ('error.message', 'kensa.fix.reason'):
            if not isinstance(flat.get(key), str):
                local.append('%s: missing from a failed action' % key)
    removed = flat.get('kensa.fix.removed')
    if removed is not None and (not isinstance(removed, list) or not all(
            isinstance(x, str) for x in removed)):
        local.append('kensa.fix.removed: %r is not a list of names' % removed)
    if outcome == 'success' and not dry and \
            flat.get('event.action') == 'log4j-fix':
        if not isinstance(flat.get('kensa.fix.backup'), str):
            local.append('kensa.fix.backup: missing from a fix')
        if not removed:
            local.append('kensa.fix.removed: missing from a fix')


def check(rec, n, errs, kinds):
    if not isinstance(rec, dict):
        errs.append('line %d: not an object' % n)
        return
    flat, local = {}, []
    flatten(rec, '', flat, local)
    for key, v in flat.items():
        no_nulls(v, key, local)
        if key.startswith('kensa.'):
            continue
        t = ECS.get(key)
        if not t:
            local.append('%s: not an ECS field kensa knows (add it to the '
                         'table with its ECS type, or put it under kensa.*)'
                         % key)
            continue
        for x in (v if isinstance(v, list) else [v]):
            if x is not None and not type_ok(t, x):
                local.append('%s: %r is not an ECS %s' % (key, x, t))
    kind = kind_of(flat)
    if kind not in BY_KIND:
        local.append('event.kind %r: not a kind kensa writes' % kind)
    for key in COMMON + BY_KIND.get(kind, ()):
        if key not in flat:
            local.append('%s: missing from a %s record' % (key, kind))
    if kind == 'run':
        if flat.get('event.outcome') not in ('success', 'failure'):
            local.append('event.outcome: %r' % flat.get('event.outcome'))
    if kind == 'action':
        check_action(flat, local)
    fp = flat.get('file.path')
    if isinstance(fp, str) and (not fp.startswith('/') or
                                re.search(r'(^|/)\.\.?(/|$)', fp) or
                                '//' in fp):
        local.append('file.path %r: not absolute and normalised' % fp)
    kinds[kind] = kinds.get(kind, 0) + 1
    errs.extend('line %d (%s): %s' % (n, kind, e) for e in local)


def main(argv):
    expect = []
    if len(argv) > 1 and argv[1] == '--expect':
        expect = [k for k in argv[2].split(',') if k]
        argv = argv[:1] + argv[3:]
    src = open(argv[1], encoding='utf-8') if len(argv) > 1 else sys.stdin
    errs, kinds, n = [], {}, 0
    for n, line in enumerate(src, 1):
        try:
            rec = json.loads(line)
        except ValueError as e:
            errs.append('line %d: not JSON (%s)' % (n, e))
            continue
        check(rec, n, errs, kinds)
    for k in expect:
        if k not in kinds:
            errs.append('no %s record' % k)
    for e in errs:
        print(e, file=sys.stderr)
    if errs:
        return 1
    print('ok %d records (%s)' % (n, ', '.join(
        '%s %d' % kv for kv in sorted(kinds.items()))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
