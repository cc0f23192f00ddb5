"""Launcher run as `python -S sandbox.py <plan-json> <command> [args...]`: give one step the container paths.

Standard library only (it starts in a fresh interpreter with -S, before the step's own program). It enters a
private mount namespace (as root: CLONE_NEWNS; otherwise a user namespace mapping the caller to root), builds a new
root on a tmpfs mounted at plan["root"] (a folder under AICORE_HOME): every top-level entry of the host's / is
bind-mounted in, except the container's own top-level folders (/app, /data, /mnt ...) which are bind-mounted from
the execution's folders (plan["tops"]: name -> host folder). Then it chroots there, changes to the WORKDIR and
execs the step's command with the environment it was given. Nothing is written outside the given folders: the
tmpfs lives in memory and vanishes with the namespace.

`--probe` only checks that the namespace can be entered (exit 0) so the runner can choose rewriting instead.
"""
import ctypes
import json
import os
import sys

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_RDONLY, MS_BIND, MS_REC, MS_PRIVATE = 1, 4096, 16384, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def enter_namespace():
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWNS) != 0:
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare")
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def build_root(root, tops):
    _mount("tmpfs", root, "tmpfs", 0, "mode=755")
    for name in sorted(os.listdir("/")):
        if name in tops:
            continue
        host, inside = "/" + name, os.path.join(root, name)
        if os.path.islink(host):
            os.symlink(os.readlink(host), inside)
        elif os.path.isdir(host):
            os.mkdir(inside)
            _mount(host, inside, None, MS_BIND | MS_REC)
        elif os.path.isfile(host):
            open(inside, "w").close()
            _mount(host, inside, None, MS_BIND)
    for name, folder in tops.items():
        inside = os.path.join(root, name)
        os.mkdir(inside)
        _mount(folder, inside, None, MS_BIND | MS_REC)


def main(argv):
    if argv[:1] == ["--probe"]:
        enter_namespace()
        return 0
    plan, command = json.loads(argv[0]), argv[1:]
    enter_namespace()
    build_root(plan["root"], plan["tops"])
    os.chroot(plan["root"])
    os.chdir(plan.get("workdir") or "/")
    try:
        os.execvp(command[0], command)
    except OSError as err:
        print(f"cannot start {command[0]!r}: {err.strerror}", file=sys.stderr, flush=True)
        return 127


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OSError as err:
        print(f"sandbox: {err}", file=sys.stderr, flush=True)
        sys.exit(126)
