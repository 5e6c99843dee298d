#!/usr/bin/env python3
"""mkpersist2.py OUT - a fake Windows root for the offline-registry and
task-store tests (tests/cli/persist2.bats): hives written through
mkroots.hive (hivexsh -w on a seed hive), TaskCache Actions blobs built
here from their layout (a version, the context string, then each action:
a magic, an id and its strings, each a 32-bit byte length and UTF-16LE).

Planted: a service only in the ControlSet that Select\\Current names
(ControlSet002) with a decoy in ControlSet001; a WOW6432Node Run value;
a user's Run value in %APPDATA% pointing at a dropped file; a TaskCache
task without an XML file and without an SD value; an XML task without a
TaskCache entry; a TaskCache COM-handler task whose class runs a DLL from
ProgramData; a user's UsrClass.dat COM class served from AppData\\Local\\Temp.
Benign: the spooler, the defrag task in both stores with its SD."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkroots import hive, task, write  # noqa: E402


def bstr(s):
    b = s.encode('utf-16-le')
    return struct.pack('<I', len(b)) + b


def exec_actions(command, args=''):
    return (struct.pack('<H', 3) + bstr('Author') + struct.pack('<H', 0x6666) +
            bstr('') + bstr(command) + bstr(args) + bstr('') +
            struct.pack('<H', 0))


def com_actions(clsid):
    import uuid
    return (struct.pack('<H', 3) + bstr('Author') + struct.pack('<H', 0x7777) +
            bstr('') + uuid.UUID(clsid).bytes_le + bstr(''))


def hexval(b, kind=3):
    return 'hex:%d:%s' % (kind, ','.join('%02x' % c for c in b))


SD = hexval(bytes.fromhex('01000480') + bytes(16))
TC = 'Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
RUN = 'Microsoft\\Windows\\CurrentVersion\\Run'
G_HIDDEN = '{11111111-2222-3333-4444-555555555555}'
G_DEFRAG = '{22222222-2222-3333-4444-555555555555}'
G_COM = '{33333333-2222-3333-4444-555555555555}'
CLSID = '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}'


def main():
    r = sys.argv[1]
    os.makedirs(r, exist_ok=True)
    hive(r, 'Windows/System32/config/SYSTEM', {
        'Select': [('Current', 'dword:0x00000002')],
        'ControlSet001\\Services\\decoysvc': [
            ('ImagePath', 'string:C:\\ProgramData\\Decoy\\decoy.exe')],
        'ControlSet002\\Services\\Spooler': [
            ('ImagePath', 'expandstring:%SystemRoot%\\System32\\spoolsv.exe')],
        'ControlSet002\\Services\\wmiupd': [
            ('ImagePath', 'expandstring:%ProgramData%\\WmiUpd\\wmiupd.exe')]})
    hive(r, 'Windows/System32/config/SOFTWARE', {
        'WOW6432Node\\' + RUN: [
            ('Adobe', 'string:"C:\\Program Files (x86)\\Adobe\\reader_sl.exe"'),
            ('igfx', 'string:C:\\Users\\Public\\igfx\\igfxtray.exe')],
        TC + '\\Tree\\Updater': [('Id', 'string:' + G_HIDDEN)],
        TC + '\\Tasks\\' + G_HIDDEN: [
            ('Path', 'string:\\Updater'),
            ('Actions', hexval(exec_actions('C:\\Windows\\System32\\rundll32.exe',
                                            'C:\\Windows\\System32\\shell32.dll,Control_RunDLL')))],
        TC + '\\Tree\\Microsoft\\Windows\\Defrag\\ScheduledDefrag': [
            ('Id', 'string:' + G_DEFRAG), ('SD', SD)],
        TC + '\\Tasks\\' + G_DEFRAG: [
            ('Path', 'string:\\Microsoft\\Windows\\Defrag\\ScheduledDefrag'),
            ('Actions', hexval(exec_actions('%windir%\\system32\\defrag.exe',
                                            '-c -h -o -$')))],
        TC + '\\Tree\\CacheTask': [('Id', 'string:' + G_COM), ('SD', SD)],
        TC + '\\Tasks\\' + G_COM: [
            ('Path', 'string:\\CacheTask'),
            ('Actions', hexval(com_actions(CLSID)))],
        'Classes\\CLSID\\' + CLSID + '\\InprocServer32': [
            ('@', 'string:C:\\ProgramData\\CacheSvc\\cache.dll')]})
    # the two stores: defrag and the COM task in both, an orphan XML task
    task(r, 'Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag',
         'Microsoft\\Windows\\Defrag\\ScheduledDefrag',
         '%windir%\\system32\\defrag.exe', '-c -h -o -$')
    task(r, 'Windows/System32/Tasks/CacheTask', 'CacheTask',
         'C:\\Windows\\System32\\cmd.exe', '/c exit')
    task(r, 'Windows/System32/Tasks/OrphanTask', 'OrphanTask',
         'C:\\Windows\\System32\\notepad.exe', '')
    # a user's Run value through %APPDATA%, and the file it launches
    hive(r, 'Users/carol/NTUSER.DAT', {'Software\\' + RUN: [
        ('Sync', 'expandstring:%APPDATA%\\SyncHost\\synchost.exe -k')]})
    write(r, 'Users/carol/AppData/Roaming/SyncHost/synchost.exe',
          b'MZ\x90\x00' + bytes(60) + b'KENSA-TEST-SYNCHOST-PAYLOAD')
    hive(r, 'Users/carol/AppData/Local/Microsoft/Windows/UsrClass.dat', {
        'CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32': [
            ('@', 'expandstring:%LOCALAPPDATA%\\Temp\\mmdevapi.dll')]})


def marvin32(data, seed=0xC5554E7A884DEF82):
    """Marvin32, the hash of registry log entries (the test's own copy)."""
    m = 0xFFFFFFFF
    a, b = seed & m, seed >> 32

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    def mix(a, b):
        b ^= a; a = rotl(a, 20); a = (a + b) & m; b = rotl(b, 9)
        b ^= a; a = rotl(a, 27); a = (a + b) & m; b = rotl(b, 19)
        return a, b
    i = 0
    while len(data) - i >= 4:
        a = (a + struct.unpack_from('<I', data, i)[0]) & m
        a, b = mix(a, b)
        i += 4
    fin = 0x80
    for c in reversed(data[i:]):
        fin = (fin << 8) | c
    a = (a + fin) & m
    a, b = mix(a, b)
    a, b = mix(a, b)
    return b << 32 | a


def checksum(base):
    x = 0
    for i in range(0, 0x1FC, 4):
        x ^= struct.unpack_from('<I', base, i)[0]
    return 0xFFFFFFFE if x == 0xFFFFFFFF else (x or 1)


def log_entry(seq, bins, pages):
    """One HvLE entry: pages [(offset, bytes)] of the hive bins data."""
    refs = b''.join(struct.pack('<II', off, len(b)) for off, b in pages)
    body = refs + b''.join(b for _, b in pages)
    size = (40 + len(body) + 511) // 512 * 512
    body += bytes(size - 40 - len(body))
    head = b'HvLE' + struct.pack('<IIIII', size, 0, seq, bins, len(pages))
    h1 = marvin32(body)
    first = head + struct.pack('<Q', h1)
    return first + struct.pack('<Q', marvin32(first)) + body


def dirty(r):
    """A SOFTWARE hive whose newest Run value is only in SOFTWARE.LOG1:
    the primary file is the state before it (sequence numbers S+1, S),
    the log holds the bins of the state after it as one entry (S); a
    SYSTEM hive dirty without logs."""
    import shutil
    import tempfile
    t = tempfile.mkdtemp()
    hive(t, 'old', {RUN: [('OneDrive', 'string:C:\\Program Files\\OneDrive\\OneDrive.exe')]})
    hive(t, 'new', {RUN: [('OneDrive', 'string:C:\\Program Files\\OneDrive\\OneDrive.exe'),
                          ('Dropper', 'string:C:\\ProgramData\\dl\\svchelper.exe')]})
    old = bytearray(open(os.path.join(t, 'old'), 'rb').read())
    new = open(os.path.join(t, 'new'), 'rb').read()
    shutil.rmtree(t)
    s = struct.unpack_from('<I', old, 8)[0]
    struct.pack_into('<II', old, 4, s + 1, s)
    struct.pack_into('<I', old, 0x1FC, checksum(old))
    bins = len(new) - 4096
    base = bytearray(new[:512])
    struct.pack_into('<I', base, 0x1C, 6)
    struct.pack_into('<I', base, 0x1FC, checksum(base))
    write(r, 'Windows/System32/config/SOFTWARE', bytes(old))
    write(r, 'Windows/System32/config/SOFTWARE.LOG1',
          bytes(base) + log_entry(s, bins, [(0, new[4096:])]))
    # LOG2: an entry for S+1 whose hash is wrong (never applied)
    bad = bytearray(log_entry(s + 1, bins, [(0, bytes(4096))]))
    bad[100] ^= 0xFF
    write(r, 'Windows/System32/config/SOFTWARE.LOG2', bytes(base) + bytes(bad))
    sysh = bytearray(old)
    write(r, 'Windows/System32/config/SYSTEM', bytes(sysh))


def link(r):
    """A root whose Run values look benign by place: one launches a file
    the test's YARA rule matches, one a program gone from its folder."""
    hive(r, 'Windows/System32/config/SOFTWARE', {RUN: [
        ('Contoso', 'string:"C:\\Program Files\\Contoso\\contoso.exe" /tray'),
        ('Agent', 'string:C:\\Tools\\agent.exe'),
        ('Notes', 'string:C:\\Tools\\notes.exe')]})
    write(r, 'Program Files/Contoso/contoso.exe',
          b'MZ\x90\x00' + bytes(60) + b'KENSA-TEST-CONTOSO-IMPLANT')
    write(r, 'Tools/notes.exe', b'MZ\x90\x00' + bytes(60) + b'notes')


def keyed(objects):
    """An NSKeyedArchiver archive of objects[1:] ($null first), as a binary
    plist: dictionaries refer to each other through plistlib.UID."""
    import plistlib
    return plistlib.dumps({'$version': 100000, '$archiver': 'NSKeyedArchiver',
                           '$top': {'root': plistlib.UID(1)},
                           '$objects': ['$null'] + objects},
                          fmt=plistlib.FMT_BINARY)


def btm_items(items):
    """Login items [(url, bundle id, name)] as the store's object graph:
    each item a dictionary whose url is an NSURL (NS.relative) and whose
    bundleIdentifier is a string, all through UIDs."""
    from plistlib import UID
    objs = [{'$class': UID(2), 'items': UID(3)},
            {'$classname': 'Storage', '$classes': ['Storage', 'NSObject']}]
    refs = []
    body = []
    base = 3 + 1        # objs[2] is the items array; items start after it
    for url, ident, name in items:
        i = base + len(body)
        refs.append(UID(i))
        body += [{'$class': UID(2), 'url': UID(i + 1),
                  'bundleIdentifier': UID(i + 3), 'name': UID(i + 4),
                  'type': 4},
                 {'NS.base': UID(0), 'NS.relative': UID(i + 2),
                  '$class': UID(2)},
                 url, ident, name]
    return keyed(objs + [{'NS.objects': refs, '$class': UID(2)}] + body)


def macos(r):
    write(r, 'private/var/db/com.apple.backgroundtaskmanagement/'
          'BackgroundItems-v4.btm', btm_items([
              ('file:///Applications/Slack.app/', 'com.tinyspeck.slackmacgap',
               'Slack'),
              ('file:///Users/x/Library/.hidden/update', 'com.apple.updater',
               'update'),
              ('file:///Users/x/Library/Application%20Support/Notes%20Helper/helper',
               'com.notes.helper', 'Notes Helper')]))
    write(r, 'Users/x/Library/.hidden/update', b'\xcf\xfa\xed\xfe' + bytes(28))
    write(r, 'Users/x/Library/Application Support/Notes Helper/helper',
          b'\xcf\xfa\xed\xfe' + bytes(28))
    write(r, 'Applications/Slack.app/Contents/Info.plist', b'<plist/>')
    write(r, 'Users/y/Library/Application Support/'
          'com.apple.backgroundtaskmanagementagent/backgrounditems.btm',
          btm_items([('file:///private/tmp/.agent/agent', 'com.agent', 'agent')]))


if __name__ == '__main__':
    if len(sys.argv) > 2 and sys.argv[2] == 'link':
        link(sys.argv[1])
    elif len(sys.argv) > 2 and sys.argv[2] == 'dirty':
        dirty(sys.argv[1])
    elif len(sys.argv) > 2 and sys.argv[2] == 'macos':
        macos(sys.argv[1])
    else:
        main()
