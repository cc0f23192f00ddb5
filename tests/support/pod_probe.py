"""Python source that a probe step or process runs inside a pod: try a read or a write, report the errno."""

TRY_PATHS = '''
import errno

def outcome(action, path):
    try:
        action(path)
        return "ok"
    except OSError as err:
        return errno.errorcode.get(err.errno, str(err.errno))

def read(path):
    with open(path, "rb") as f:
        f.read(1)

def write(path):
    with open(path, "w") as f:
        f.write("x")
'''
