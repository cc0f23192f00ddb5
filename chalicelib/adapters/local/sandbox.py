"""Launcher run as `python -S sandbox.py <plan-json> <command> [args...]`: run one step (or predictor) as a pod.

Standard library only (it starts in a fresh interpreter with -S, before the step's own program).

What the step gets, and why:
- its own mount and pid namespaces (as root; otherwise inside a user namespace): it sees only its own processes,
  and /proc holds nothing of the stack's (no /proc/<stack pid>/environ or /root to walk through);
- a new root on a tmpfs at plan["root"]: the host's top-level folders bind-mounted READ-ONLY, except the pod's
  own folders (plan["tops"]: /app, /data, /mnt, /tmp ... -> the pod's folders; a top may also be one file, as
  `COPY argosay /argosay` makes), and the run's shared volumes (plan["binds"]: mount path -> folder), which are the
  only writable places besides a private /tmp and /dev/shm;
- the stack's state (plan["hide"]: AICORE_HOME, the Git cache) covered by an empty tmpfs, so the signing and
  secrets keys, service keys, the emulator journal and other runs' folders are not there to read;
- the interpreter's installation (plan["expose"]) bound back in read-only even where the host hides it (a
  python under /root, which is 0700, or under a hidden folder);
- an unprivileged user (65534, "nobody"), no capabilities, no_new_privs: it cannot undo the mounts, read what
  the host keeps from other users, or gain privileges through a setuid program.

Processes: this launcher stays outside as the process the stack waits for; its child is the namespace's pid 1
(it reaps, and when the step's main process ends it exits, which ends every process left in the pod, as a
container does); the grandchild execs the step. Exit status: the step's code, or 128+signal.

`--probe` only checks that the namespaces can be entered (exit 0): without them the runner refuses to run steps.
"""
import ctypes
import errno
import json
import os
import signal
import stat
import sys
import warnings  # noqa: F401 - os.execvp imports it, after chroot, where the stdlib may not be

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_UNBINDABLE, MS_PRIVATE = 4096, 16384, 1 << 17, 1 << 18
# mount_setattr(2) (Linux 5.12+; the same number on every architecture): a whole tree read-only in one call.
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = 442, -100, 0x8000, 1
# Per-mount options a read-only remount must keep (a user namespace may not clear them).
KEEP = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024, "nodiratime": 2048,
        "relatime": 1 << 21}
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
STEP_ID = 65534  # uid and gid of every step: nobody
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter_namespace():
    """New mount and pid namespaces; True when we are real root (then the step can be given uid 65534)."""
    uid, gid = os.getuid(), os.getgid()
    privileged = _libc.unshare(CLONE_NEWNS | CLONE_NEWPID) == 0
    if not privileged:
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID), "unshare")
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            _write(f"/proc/self/{name}", text)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    return privileged


def build_root(plan):
    """The pod's file system under plan["root"]; returns the mount points left writable."""
    root, tops = plan["root"], plan["tops"]
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    _mount(None, root, None, MS_UNBINDABLE)  # it lives under a host folder bound below: no copy of it loops back
    replaced = set(tops) | {"proc", "tmp"}
    for name in sorted(os.listdir("/")):
        if name in replaced:
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
    read_only(root, [], keep_root=True)  # now, before anything covers a host mount (none stays writable below)
    writable = []
    for name, folder in tops.items():
        inside = os.path.join(root, name)
        if os.path.isdir(folder):
            os.mkdir(inside)
        else:  # a file at the root (`COPY argosay /argosay`): bound like a folder, as a file
            open(inside, "w").close()
        _mount(folder, inside, None, MS_BIND)
        writable.append(inside)
    for path, folder in sorted(plan.get("binds", {}).items()):
        # A run's shared volume (volumeClaimTemplates) at its mountPath, inside one of the pod's own folders; the
        # runner refuses symlinks on the way, and sorted order mounts a parent before anything under it.
        inside = root + os.path.normpath("/" + path)
        os.makedirs(inside, exist_ok=True)
        _mount(folder, inside, None, MS_BIND)
        writable.append(inside)
    for name in [n for n in ("tmp", "dev/shm") if n not in tops]:
        inside = os.path.join(root, name)
        if name == "tmp":
            os.mkdir(inside)
        if os.path.isdir(inside):
            _mount("tmpfs", inside, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
            writable.append(inside)
    hidden = [p for p in plan.get("hide", []) if _hide(root, p, replaced)]
    for path in plan.get("expose", []):
        _expose(root, path, replaced, hidden)
    os.mkdir(os.path.join(root, "proc"))
    return writable


def _hide(root, path, replaced):
    """Cover a host folder with an empty tmpfs (when the pod would otherwise see it)."""
    inside = root + path
    if path == "/" or path.strip("/").split("/")[0] in replaced or os.path.islink(inside) or not os.path.isdir(inside):
        return False
    _mount("tmpfs", inside, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
    return True


def _expose(root, path, replaced, hidden):
    """Make a host folder (the interpreter) reachable by the step's user, read-only."""
    parts = path.strip("/").split("/")
    if not os.path.isdir(path) or not parts[0]:
        return
    cover = parts[0] in replaced or any(path == h or path.startswith(h + "/") for h in hidden)
    if not cover:
        current = ""
        for part in parts[:-1]:
            current += "/" + part
            if not os.stat(current).st_mode & stat.S_IXOTH:  # e.g. /root (0700): nobody could walk through it
                _mount("tmpfs", root + current, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
                hidden.append(current)
                cover = True
                break
    if cover:
        os.makedirs(root + path, mode=0o755, exist_ok=True)
        _mount(path, root + path, None, MS_BIND | MS_REC)


def _unescape(text):
    return text.encode().decode("unicode_escape") if "\\" in text else text


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


def _set_read_only(path, read_only, recursive):
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0) if read_only else _MountAttr(0, MOUNT_ATTR_RDONLY, 0, 0)
    return _libc.syscall(ctypes.c_long(SYS_MOUNT_SETATTR), ctypes.c_long(AT_FDCWD), path.encode(),
                         ctypes.c_ulong(AT_RECURSIVE if recursive else 0), ctypes.byref(attr),
                         ctypes.c_size_t(ctypes.sizeof(attr))) == 0  # full-width: syscall(2) is variadic


def read_only(root, writable, keep_root=False):
    """Every mount under the new root read-only (covered ones too), except the pod's own folders (and the root
    itself while it is still being built)."""
    if _set_read_only(root, True, recursive=True):
        for point in ([root] if keep_root else []) + writable:
            if not _set_read_only(point, False, recursive=False):
                raise OSError(ctypes.get_errno(), f"writable {point}: {os.strerror(ctypes.get_errno())}")
        return
    if ctypes.get_errno() != errno.ENOSYS:
        raise OSError(ctypes.get_errno(), f"read-only {root}: {os.strerror(ctypes.get_errno())}")
    # An older kernel: one remount per mount point. It reaches the top mount at each path: one stacked below another
    # at the same path (the host's /dev/pts twice) keeps its flag, but nothing in the pod can reach it.
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        point, options = _unescape(fields[4]), fields[5].split(",")
        if (point != root or keep_root) and not point.startswith(root + "/"):
            continue
        if "ro" in options or any(point == w or point.startswith(w + "/") for w in writable):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= KEEP.get(option, 0)
        if _libc.mount(None, point.encode(), None, flags, None) != 0 and ctypes.get_errno() != errno.ENOENT:
            raise OSError(ctypes.get_errno(), f"read-only {point}")  # ENOENT: covered by a hidden folder


def give_to_step(tops):
    """The pod's own folders belong to the step's user (the stack wrote them as root). Walks by file
    descriptor without following symlinks and stays on one file system: a link a step left cannot redirect it."""
    for name in tops:
        fd = os.open("/" + name, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            st = os.fstat(fd)
            if (st.st_uid, st.st_gid) != (STEP_ID, STEP_ID):
                os.fchown(fd, STEP_ID, STEP_ID)
            if stat.S_ISDIR(st.st_mode):  # a top may be a single file (`COPY argosay /argosay`)
                _give(fd, st.st_dev)
        finally:
            os.close(fd)


def _give(fd, dev):
    for entry in os.scandir(fd):
        st = entry.stat(follow_symlinks=False)
        if st.st_dev != dev:
            continue  # another mount (an interpreter bound in read-only)
        if (st.st_uid, st.st_gid) != (STEP_ID, STEP_ID):
            try:
                os.chown(entry.name, STEP_ID, STEP_ID, dir_fd=fd, follow_symlinks=False)
            except OSError as err:
                # A read-only bind of the same file system (the interpreter exposed inside the pod's own /tmp
                # when the stack runs from a folder under /tmp): st_dev cannot tell it apart; it is not the pod's.
                if err.errno != errno.EROFS:
                    raise
                continue
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            try:
                _give(sub, dev)
            finally:
                os.close(sub)


def nest_user_namespace():
    """Unprivileged start (we are root of a user namespace): a nested one in which we are 65534. Its own mount
    namespace locks the mounts made above, so the step cannot undo them; and as a non-root uid there, exec gives
    the step no capabilities. Done before chroot: it writes the maps through the host's /proc/self."""
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{STEP_ID} 0 1"), ("gid_map", f"{STEP_ID} 0 1")):
        _write(f"/proc/self/{name}", text)


def drop_privileges(privileged):
    if privileged:
        for cap in range(64):  # empty the bounding set too: nothing the step execs can ever hold one
            if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                break  # past the last capability this kernel knows
        os.setgroups([])
        os.setresgid(STEP_ID, STEP_ID, STEP_ID)
        os.setresuid(STEP_ID, STEP_ID, STEP_ID)  # from root to a non-zero uid: every capability goes
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")  # no setuid program gives them back


def pod(plan, command, privileged):
    """Pid 1 of the pod: build its file system, start the step, reap, end with the step's status."""
    root = plan["root"]
    writable = build_root(plan)
    _mount("proc", os.path.join(root, "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    read_only(root, writable)
    if not privileged:
        nest_user_namespace()
    os.chroot(root)
    os.chdir("/")
    if privileged:
        give_to_step(plan["tops"])
    drop_privileges(privileged)
    main = os.fork()
    if main == 0:
        try:
            os.chdir(plan.get("workdir") or "/")
            for sig in ("SIGPIPE", "SIGXFSZ"):  # Python ignores these and exec keeps them ignored: a container's
                if hasattr(signal, sig):        # `cat /dev/urandom | od -N2` ends cat by SIGPIPE, silently
                    signal.signal(getattr(signal, sig), signal.SIG_DFL)
            os.execvp(command[0], command)
        except OSError as err:
            print(f"cannot start {command[0]!r}: {err.strerror}", file=sys.stderr, flush=True)
        os._exit(127)
    while True:
        pid, status = os.wait()
        if pid == main:
            return _code(status)


def _code(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def main(argv):
    if argv[:1] == ["--probe"]:
        enter_namespace()
        return 0
    plan, command = json.loads(argv[0]), argv[1:]
    privileged = enter_namespace()
    child = os.fork()
    if child == 0:
        code = 126
        try:
            code = pod(plan, command, privileged)
        except BaseException as err:  # noqa: BLE001 - the child must never return into the launcher's code
            print(f"sandbox: {err}", file=sys.stderr, flush=True)
        os._exit(code)
    # The stack signals the whole process group, which reaches the step itself: this launcher only waits.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    _, status = os.waitpid(child, 0)
    return _code(status)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OSError as err:
        print(f"sandbox: {err}", file=sys.stderr, flush=True)
        sys.exit(126)
