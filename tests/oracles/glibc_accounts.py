#!/usr/bin/python3
"""glibc_accounts.py passwd|group|shadow FILE: the entries of FILE as the host's glibc reads
them, through fgetpwent(3), fgetgrent(3) and fgetspent(3) (ctypes), one line each, tab-separated:

    passwd: name uid gid home shell      group: name gid members(comma-joined)
    shadow: name hash

The oracle for src/misconfig/accounts.c (tests/integration/misconfig.sh): written from the
glibc interface alone, it never reads src/. Bytes that are not UTF-8 are printed as
backslash escapes, on both sides of the comparison (the caller normalises bw-passwd's output).
"""
import ctypes
import ctypes.util
import sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class Passwd(ctypes.Structure):
    _fields_ = [("pw_name", ctypes.c_char_p), ("pw_passwd", ctypes.c_char_p), ("pw_uid", ctypes.c_uint32),
                ("pw_gid", ctypes.c_uint32), ("pw_gecos", ctypes.c_char_p), ("pw_dir", ctypes.c_char_p),
                ("pw_shell", ctypes.c_char_p)]


class Group(ctypes.Structure):
    _fields_ = [("gr_name", ctypes.c_char_p), ("gr_passwd", ctypes.c_char_p), ("gr_gid", ctypes.c_uint32),
                ("gr_mem", ctypes.POINTER(ctypes.c_char_p))]


class Spwd(ctypes.Structure):
    _fields_ = [("sp_namp", ctypes.c_char_p), ("sp_pwdp", ctypes.c_char_p)] + \
               [(n, ctypes.c_long) for n in ("lstchg", "min", "max", "warn", "inact", "expire")] + \
               [("sp_flag", ctypes.c_ulong)]


libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]
for fn, st in (("fgetpwent", Passwd), ("fgetgrent", Group), ("fgetspent", Spwd)):
    getattr(libc, fn).restype = ctypes.POINTER(st)
    getattr(libc, fn).argtypes = [ctypes.c_void_p]


def text(b):
    # glibc leaves the fields of a short NIS-style ("+name") line NULL: printed as empty
    return b.decode("utf-8", "backslashreplace") if b is not None else ""


def main():
    kind, path = sys.argv[1], sys.argv[2]
    f = libc.fopen(path.encode(), b"r")
    if not f:
        sys.exit("glibc_accounts.py: cannot open " + path)
    out = []
    fn = {"passwd": libc.fgetpwent, "group": libc.fgetgrent, "shadow": libc.fgetspent}[kind]
    while True:
        p = fn(f)
        if not p:
            break
        e = p.contents
        if kind == "passwd":
            out.append("\t".join([text(e.pw_name), str(e.pw_uid), str(e.pw_gid), text(e.pw_dir), text(e.pw_shell)]))
        elif kind == "group":
            mem = []
            i = 0
            while e.gr_mem[i]:
                mem.append(text(e.gr_mem[i]))
                i += 1
            out.append("\t".join([text(e.gr_name), str(e.gr_gid), ",".join(mem)]))
        else:
            out.append("\t".join([text(e.sp_namp), text(e.sp_pwdp)]))
    libc.fclose(f)
    sys.stdout.write("".join(line + "\n" for line in out))


main()
