"""pfx.py - a real Postfix confined to one folder, for tests/milter and
bench/milter.sh: `postfix -c DIR/etc` with its own main.cf and master.cf,
queue and data folders under DIR, smtpd on 127.0.0.1:PORT only, every
message for victim.example delivered by virtual(8) into the Maildir
DIR/mail/box/, everything else refused (no transport leaves the host).
Needs root (Postfix's master starts as root, its daemons drop to the
postfix user) and Debian's postfix package; the host's /etc/postfix is
only read for postfix-files (meta_directory), never written.

Also: starting and stopping `kensa milter`, sending with smtplib, and
reading the Maildir back by Message-ID.
"""
import os
import pwd
import grp
import shutil
import signal
import smtplib
import socket
import subprocess
import time

POSTFIX = shutil.which('postfix') or '/usr/sbin/postfix'


def have_postfix():
    return os.path.exists(POSTFIX) and os.path.isdir('/usr/lib/postfix/sbin')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


MASTER_CF = """\
127.0.0.1:{port} inet n - n - {procs} smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class Postfix:
    def __init__(self, top, milter=None, procs=100):
        self.top = top
        self.etc = os.path.join(top, 'etc')
        self.port = free_port()
        self.mail = os.path.join(top, 'mail')
        self.box = os.path.join(self.mail, 'box')
        pw = pwd.getpwnam('postfix')
        gid = grp.getgrnam('postfix').gr_gid
        os.chmod(top, 0o755)
        for d in ('etc', 'queue', 'data', 'mail'):
            os.makedirs(os.path.join(top, d), exist_ok=True)
        os.chown(os.path.join(top, 'data'), pw.pw_uid, gid)
        os.chown(self.mail, pw.pw_uid, gid)
        main = {
            'compatibility_level': '3.6',
            'queue_directory': os.path.join(top, 'queue'),
            'data_directory': os.path.join(top, 'data'),
            'maillog_file': os.path.join(top, 'maillog'),
            'maillog_file_prefixes': top,
            'mail_owner': 'postfix', 'setgid_group': 'postdrop',
            'myhostname': 'mx.kensa.test', 'mydomain': 'kensa.test',
            'myorigin': 'kensa.test', 'mydestination': '',
            'inet_interfaces': 'loopback-only', 'inet_protocols': 'ipv4',
            'mynetworks': '127.0.0.0/8',
            'smtpd_recipient_restrictions': 'permit_mynetworks, reject',
            'smtpd_relay_restrictions': 'permit_mynetworks, reject',
            'virtual_mailbox_domains': 'victim.example',
            'virtual_mailbox_base': self.mail,
            'virtual_mailbox_maps': 'static:box/',
            'virtual_uid_maps': 'static:%d' % pw.pw_uid,
            'virtual_gid_maps': 'static:%d' % gid,
            'virtual_minimum_uid': '1',
            'virtual_destination_concurrency_limit': '50',
            'default_transport': 'error', 'relay_transport': 'error',
            'local_transport': 'error',
            'alias_maps': '', 'alias_database': '',
            'smtputf8_enable': 'no', 'biff': 'no',
            'smtpd_peername_lookup': 'no',
            'smtpd_client_connection_count_limit': '0',
            'smtpd_client_connection_rate_limit': '0',
            'smtpd_client_message_rate_limit': '0',
            'message_size_limit': '20000000',
            'default_process_limit': str(procs),
            'milter_default_action': 'tempfail',
            'milter_protocol': '6',
            'milter_connect_timeout': '5s',
            'milter_content_timeout': '300s',
            'queue_run_delay': '1s', 'minimal_backoff_time': '1s',
            'maximal_backoff_time': '2s',
        }
        if milter:
            main['smtpd_milters'] = milter
        with open(os.path.join(self.etc, 'main.cf'), 'w') as f:
            for k, v in main.items():
                f.write('%s = %s\n' % (k, v))
        with open(os.path.join(self.etc, 'master.cf'), 'w') as f:
            f.write(MASTER_CF.format(port=self.port, procs=procs))

    def cmd(self, *args, check=True):
        return subprocess.run([POSTFIX, '-c', self.etc] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              check=check, timeout=120)

    def start(self):
        self.cmd('start')
        for _ in range(200):
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('postfix did not listen:\n' + self.log())

    def stop(self):
        self.cmd('stop', check=False)
        pidf = os.path.join(self.top, 'queue', 'pid', 'master.pid')
        for _ in range(100):   # master gone, its children with it
            if not os.path.exists(pidf):
                break
            time.sleep(0.05)

    def log(self):
        try:
            return open(os.path.join(self.top, 'maillog'), errors='replace').read()
        except OSError:
            return ''

    def queued(self):
        """Message files anywhere in the queue (incoming, active, deferred,
        hold...)."""
        n = 0
        for sub in ('maildrop', 'incoming', 'active', 'deferred', 'hold'):
            for _, _, files in os.walk(os.path.join(self.top, 'queue', sub)):
                n += len(files)
        return n

    def held(self):
        n = 0
        for _, _, files in os.walk(os.path.join(self.top, 'queue', 'hold')):
            n += len(files)
        return n

    def delivered(self):
        """{Message-ID: [header blocks]} of the Maildir."""
        out = {}
        for sub in ('new', 'cur'):
            d = os.path.join(self.box, sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                data = open(os.path.join(d, name), 'rb').read()
                head = data.split(b'\n\n', 1)[0].decode('latin-1')
                mid = None
                for line in head.split('\n'):
                    if line.lower().startswith('message-id:'):
                        mid = line.split(':', 1)[1].strip()
                out.setdefault(mid, []).append(head)
        return out

    def wait_delivered(self, mid, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            got = self.delivered()
            if mid in got:
                return got[mid]
            time.sleep(0.1)
        return None

    def send(self, msg_bytes, frm, to):
        """(code, text) of the end of DATA, or of the first refusal."""
        with smtplib.SMTP('127.0.0.1', self.port, timeout=120) as s:
            try:
                s.sendmail(frm, to, msg_bytes)
                return 250, ''
            except smtplib.SMTPDataError as e:
                return e.smtp_code, e.smtp_error.decode('latin-1')
            except smtplib.SMTPRecipientsRefused as e:
                code, text = list(e.recipients.values())[0]
                return code, text.decode('latin-1')
            except smtplib.SMTPResponseException as e:
                return e.smtp_code, e.smtp_error.decode('latin-1')


class Milter:
    """kensa milter on inet:PORT@127.0.0.1 (or unix:DIR/milter.sock),
    stderr into DIR/milter.log."""

    def __init__(self, kensa, top, config=None, unix=False):
        self.kensa, self.top, self.config = kensa, top, config
        self.port = free_port()
        self.proc = None
        self.unix = os.path.join(top, 'milter.sock') if unix else None
        if self.unix:
            self.spec = self.postfix_spec = 'unix:' + self.unix
        else:
            self.spec = 'inet:%d@127.0.0.1' % self.port
            self.postfix_spec = 'inet:127.0.0.1:%d' % self.port

    def _probe(self):
        if self.unix:
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(1)
            s.connect(self.unix)
            s.close()
        else:
            socket.create_connection(('127.0.0.1', self.port), 1).close()

    def start(self):
        args = [self.kensa, 'milter', '--socket', self.spec,
                '--pidfile', os.path.join(self.top, 'milter.pid')]
        if self.config:
            args += ['--config', self.config]
        self.logf = open(os.path.join(self.top, 'milter.log'), 'ab')
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=self.logf)
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError('kensa milter exited %d' % self.proc.returncode)
            try:
                self._probe()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('kensa milter did not listen')

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode if self.proc else None

    def log(self):
        try:
            return open(os.path.join(self.top, 'milter.log'), errors='replace').read()
        except OSError:
            return ''
