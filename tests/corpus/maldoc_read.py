#!/usr/bin/env python3
"""maldoc_read.py - the Office reading layer (lib/office: CFB, VBA, XLM)
against ../shared/corpus/maldoc, through the test program office_dump
(tests/unit/office_dump.c), without the macro detector.

Ground truth: MANIFEST.tsv's has_vba and has_xlm columns.  For each file
that holds a CFB (the file itself, or vbaProject.bin and other OLE parts
of an OOXML zip, or the document inside a zip locked with the origin's
password), one TAP line:
  - has_vba "yes...": at least one module with non-empty source;
  - has_vba "no": no module with source;
  - has_xlm "yes" for a CFB workbook: a macro sheet found and its
    formulas rendered, none cut by an unknown token (XLM in OOXML
    is the macro detector's part, not this layer's: not counted here);
  - as many modules as module streams under VBA/ (MANIFEST's "N
    modules" is reported as a figure: it is off for POI's SimpleMacro);
  - no project called stomped (the corpus has none; olevba's claims on
    the benign POI PowerPoint samples are false positives);
  - office_dump never crashes (exit status 0 or 1, never a signal).
"?" rows are run (no crash) without a verdict.  The figures close the
output as a comment.  "Skip" when the corpus is absent.
"""
import csv, io, json, os, re, subprocess, sys, tempfile, zipfile

corpus = os.path.join(os.environ.get('KENSA_CORPUS', '../shared/corpus'), 'maldoc')
if not os.path.isdir(corpus):
    print('1..1\nok 1 - shared corpus maldoc # skip absent (%s)' % corpus)
    sys.exit(0)
build = os.environ.get('KENSA_BUILD', 'build')
dump = os.path.join(build, 'tests', 'unit', 'office_dump')
if not os.access(dump, os.X_OK):
    print('1..1\nok 1 - maldoc_read # skip no %s' % dump)
    sys.exit(0)

CFB = b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1'
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'gen'))
try:
    import mkencdoc                # python3-cryptography
except SystemExit:
    mkencdoc = None
PASSWORD = b'infected-test'


def cfb_parts(data, depth=0):
    """The CFB byte strings in a file: itself, or zip members (OOXML
    parts, a document in a password zip), one level of nesting."""
    if data[:8] == CFB:
        return [data]
    if data[:2] != b'PK' or depth > 1:
        return []
    out = []
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        for info in z.infolist():
            if info.file_size > (64 << 20):
                continue
            try:
                m = z.read(info, pwd=PASSWORD if info.flag_bits & 1 else None)
            except Exception:
                continue
            if m[:8] == CFB:
                out.append(m)
            elif m[:2] == b'PK':
                out += cfb_parts(m, depth + 1)
    except Exception:
        pass
    return out


def run(data):
    with tempfile.NamedTemporaryFile(suffix='.cfb') as f:
        f.write(data)
        f.flush()
        p = subprocess.run([dump, f.name], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=60)
    if p.returncode not in (0, 1):
        return None, p.returncode
    try:
        return json.loads(p.stdout.decode()), p.returncode
    except ValueError:
        return None, p.returncode


def stream(data, name):
    with tempfile.NamedTemporaryFile(suffix='.cfb') as f:
        f.write(data)
        f.flush()
        p = subprocess.run([dump, '--stream', name, f.name],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           timeout=60)
    return p.stdout if p.returncode == 0 else None


def unseal(part, password):
    """The CFB parts of the OOXML package an encrypted part holds,
    decrypted here with python3-cryptography (not with kensa's code), or
    None."""
    if not mkencdoc or not password:
        return None
    info, enc = stream(part, 'EncryptionInfo'), stream(part, 'EncryptedPackage')
    if not info or not enc:
        return None
    try:
        pkg = mkencdoc.decrypt(info, enc, password)
    except Exception:
        return None
    return cfb_parts(pkg) if pkg else None


def all_modules(d):
    return sum(len(pr['modules']) for key in ('projects', 'ppt')
               for pr in d.get(key, []))


def module_streams(d):
    """Streams under a VBA storage that are not dir, _VBA_PROJECT, SRP
    caches or other project-wide streams; those of an embedded project
    (PowerPoint, Visio) are not listed and count as found."""
    n = 0
    have = {x.lower() for x in d.get('streams', [])}
    for st in d.get('streams', []):
        parts = st.split('/')
        if len(parts) < 2 or parts[-2].upper() != 'VBA':
            continue
        if '/'.join(parts[:-1] + ['dir']).lower() not in have:
            continue   # a VBA storage without dir is no project
        last = parts[-1].lower()
        if last in ('dir', '_vba_project') or last.startswith('__srp_') \
                or last.startswith('_') and last.endswith('_'):
            continue
        n += 1
    return n + sum(len(pr['modules']) for pr in d.get('ppt', []))


def stomped(d):
    return any(pr['stomped'] for key in ('projects', 'ppt')
               for pr in d.get(key, []))


def modules_with_source(d):
    n = 0
    for key in ('projects', 'ppt'):
        for pr in d.get(key, []):
            n += sum(1 for m in pr['modules'] if m['source'].strip())
    return n


results = []
fig = {'vba_yes': 0, 'vba_yes_found': 0, 'vba_no': 0, 'vba_no_clean': 0,
       'xlm_yes': 0, 'xlm_yes_found': 0, 'files': 0, 'crash': 0,
       'sealed': 0, 'stomp_ok': 0, 'count': 0, 'count_ok': 0,
       'manifest': 0, 'manifest_ok': 0, 'unsealed': 0}
for row in csv.DictReader(open(os.path.join(corpus, 'MANIFEST.tsv')), delimiter='\t'):
    path = os.path.join(corpus, row['file'])
    if not os.path.isfile(path):
        continue
    parts = cfb_parts(open(path, 'rb').read())
    if not parts:
        continue
    # encrypted OOXML: the password the MANIFEST gives (VelvetSweatshop,
    # Excel's default, for most)
    pw = (row.get('password') or '').split(' ')[0]
    if row.get('encrypted', '').startswith('office') and pw != 'unknown':
        opened = [unseal(p, pw) for p in parts]
        if any(o is not None for o in opened):
            fig['unsealed'] += 1
            parts = [q for o, p in zip(opened, parts)
                     for q in (o if o is not None else [p])]
    fig['files'] += 1
    mods, sheets, crashed, sealed, total, stomp = 0, 0, [], False, 0, False
    streams, formulas = 0, ''
    for part in parts:
        d, rc = run(part)
        if d is None:
            if rc not in (0, 1):
                crashed.append(rc)
            continue
        mods += modules_with_source(d)
        sealed |= 'EncryptedPackage' in d.get('streams', [])
        total += all_modules(d)
        streams += module_streams(d)
        stomp |= stomped(d)
        sheets += d.get('xlm', {}).get('macro_sheets', 0)
        formulas += d.get('xlm', {}).get('formulas', '')
    name = row['file']
    if crashed:
        fig['crash'] += 1
        results.append((False, '%s: office_dump died (%s)' % (name, crashed)))
        continue
    vba, xlm = row['has_vba'], row['has_xlm']
    if sealed and not mods:
        # an encrypted OOXML package whose password the MANIFEST does
        # not know (or python3-cryptography missing): not this layer's
        fig['sealed'] += 1
        results.append((True, '%s: encrypted OOXML package # skip decryption '
                        'is not this layer\'s' % name))
        continue
    # the corpus holds no stomped project (olevba's claims on the POI
    # samples are false positives): none may be called stomped
    fig['stomp_ok'] += not stomp
    results.append((not stomp, '%s: not called stomped' % name))
    # every module stream of a VBA/ storage is a module the dir stream
    # named (the MANIFEST's "N modules" is a figure only: it says 5 for
    # POI's SimpleMacro files, which hold 2 module streams)
    fig['count'] += 1
    fig['count_ok'] += total == streams
    results.append((total == streams, '%s: %d modules for %d module streams'
                    % (name, total, streams)))
    want = re.match(r'yes \((\d+) modules\)', vba)
    if want:
        fig['manifest'] += 1
        fig['manifest_ok'] += total == int(want.group(1))
    if vba.startswith('yes'):
        fig['vba_yes'] += 1
        fig['vba_yes_found'] += mods > 0
        results.append((mods > 0, '%s: VBA found (%d modules with source)' % (name, mods)))
    elif vba == 'no':
        fig['vba_no'] += 1
        fig['vba_no_clean'] += mods == 0
        results.append((mods == 0, '%s: no VBA%s' % (name, '' if not mods else ' (got %d modules)' % mods)))
    else:
        results.append((True, '%s: read (has_vba %s: %d modules)' % (name, vba, mods)))
    if xlm.startswith('yes') and parts[0] is not None and open(path, 'rb').read(8) == CFB:
        fig['xlm_yes'] += 1
        # and its formulas read: lines, none ending in an unknown token
        lines = formulas.splitlines()
        ok = sheets > 0 and lines and not any(l.endswith('?') for l in lines)
        fig['xlm_yes_found'] += bool(ok)
        results.append((bool(ok), '%s: XLM macro sheet found (%d), %d formulas read'
                        % (name, sheets, len(lines))))

print('1..%d' % len(results))
for i, (ok, desc) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, desc))
print('# files holding a CFB: %(files)d; VBA found in %(vba_yes_found)d of %(vba_yes)d '
      'with VBA; no VBA in %(vba_no_clean)d of %(vba_no)d without; XLM sheets and formulas in '
      '%(xlm_yes_found)d of %(xlm_yes)d CFB workbooks with XLM; encrypted OOXML '
      'decrypted %(unsealed)d, skipped %(sealed)d; module count = module streams in %(count_ok)d of %(count)d; '
      'MANIFEST module counts met in %(manifest_ok)d of %(manifest)d; '
      'not called stomped %(stomp_ok)d; crashes %(crash)d' % fig)
sys.exit(0 if all(ok for ok, _ in results) else 1)
