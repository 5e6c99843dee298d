#!/usr/bin/env python3
"""swapper.py GO_FIFO ACK_FIFO OP ARG... - the attacker's half of a swap
hook race (see swaphook.c), run as the unprivileged user.

It opens GO_FIFO for reading, then ACK_FIFO for writing (the process under
test opens them in the same order), waits for the hook's byte on GO_FIFO,
performs OP, and writes one byte to ACK_FIFO so the hooked open goes on.

OPs:
  exchange A B                      renameat2(A, B, RENAME_EXCHANGE)
  symlink-replace PATH TARGET [AWAY] rename PATH to AWAY (default
                                    PATH.away) and make PATH a symlink to
                                    TARGET

It prints "ran OP" when the swap was done, "not-triggered" when GO_FIFO
reached end of file first (the hook never fired), "failed OP: why" when
the swap itself failed.  The test asserts "ran".  It gives up after 90 s.
"""
import ctypes, os, signal, sys

RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a, b):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b),
                      RENAME_EXCHANGE) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def symlink_replace(path, target, away=None):
    os.rename(path, away or path + '.away')
    os.symlink(target, path)


OPS = {'exchange': (exchange, 2, 2), 'symlink-replace': (symlink_replace, 2, 3)}


def main():
    signal.alarm(90)
    go_path, ack_path, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    fn, lo, hi = OPS[op]
    if not lo <= len(args) <= hi:
        sys.exit('swapper: %s takes %d to %d arguments' % (op, lo, hi))
    go = os.open(go_path, os.O_RDONLY)
    ack = os.open(ack_path, os.O_WRONLY)
    if os.read(go, 1) == b'':
        print('not-triggered', flush=True)
        return
    try:
        fn(*args)
        print('ran ' + op, flush=True)
    except OSError as e:
        print('failed %s: %s' % (op, e), flush=True)
    finally:
        os.write(ack, b'a')
        os.close(ack)
        os.close(go)


main()
