"""Jupyter kernels forked from a parent that has already imported ipykernel, NumPy and SymPy.

The notebook tests (tests/test_notebooks.py) run every lecture notebook in a
fresh kernel. Started the usual way (`python -m ipykernel_launcher`), each
kernel spends about half a second of CPU importing ipykernel, NumPy and SymPy
before its first cell runs. Here a parent process (the fork server:
`python tests/kernel_forks.py SOCKET`) imports them once, and each kernel is
a fork of it; the ten lecture notebooks take about 2 s less CPU in all
(10.5-10.7 s against 12.5-13.1 s, measured here).

- The kernel starts as `ipykernel_launcher` would start it: the same argument
  list, environment, working folder and sys.path, in a session of its own.
- Its namespace is as fresh as a new process's: the parent imported modules
  and did nothing else, so a notebook that forgets `import numpy as np` still
  fails with a NameError, and no state (print options, random numbers, SymPy's
  cache) is left over from anything.
- Modules may read the environment as they are imported; a kernel asked for
  with an environment that differs from the server's (beyond READ_LATER) is
  refused, with the names of the variables.
- jupyter_client manages the kernel through `forked_kernel_manager`'s class,
  whose provisioner asks the server for the fork and follows the kernel's life
  on the connection it asked on: the server writes the kernel's exit status
  there, and kills the kernel if that connection is closed first.

The server ends, killing the kernels it forked, when its standard input closes.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import uuid

LAUNCHER = ["-m", "ipykernel_launcher"]
# What a kernel of the lecture notebooks imports anyway: ipykernel, and the
# two libraries the pages use.
PRELOADED = ("ipykernel.kernelapp", "numpy", "sympy")
# Variables that differ between a kernel's environment and the server's (jupyter_client
# and pytest set them) and that nothing the server imports reads as it is imported:
# the terminal's size, the session's name, the test being run. A kernel whose
# environment differs from the server's in any other variable is refused: the
# modules the server imported may have read it.
READ_LATER = {"COLUMNS", "LINES", "JPY_SESSION_NAME", "PYTEST_CURRENT_TEST"}


# ---------------------------------------------------------------------------
# The server (run as a script)


def serve(path: str) -> None:
    """Answer fork requests on the Unix socket at `path` until standard input closes."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    kernel_path = sys.path[1:]  # without this script's folder, as `python -m ipykernel_launcher` leaves it

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    kernels: dict[int, socket.socket] = {}  # pid -> the connection that asked for it
    print("ready", flush=True)
    os.dup2(2, 1)  # what a kernel writes to its own stdout goes where the tests' stderr goes

    try:
        while True:
            for key, _ in selector.select(timeout=0.05):
                if key.data == "stdin":
                    if not sys.stdin.buffer.read1(1 << 16):
                        return  # the tests are done: the finally clause kills what is left
                elif key.data == "listener":
                    connection, _ = listener.accept()
                    request = json.loads(_read_line(connection))
                    differ = sorted(name for name in set(request["env"]) | set(os.environ)
                                    if request["env"].get(name) != os.environ.get(name) and name not in READ_LATER)
                    if differ:
                        connection.sendall(f"refused: the kernel's environment differs from the fork server's in "
                                           f"{', '.join(differ)}, which its imports may have read\n".encode())
                        connection.close()
                        continue
                    pid = os.fork()
                    if pid == 0:  # the kernel keeps nothing of the server's but its modules
                        for held in (listener, selector, *kernels.values()):
                            held.close()
                        _become_kernel(request, kernel_path)  # never returns
                    kernels[pid] = connection
                    connection.sendall(f"{pid}\n".encode())
                    selector.register(connection, selectors.EVENT_READ, pid)
                else:  # a connection closed (or spoke) before its kernel ended: the kernel goes
                    pid = key.data
                    selector.unregister(key.fileobj)
                    _kill_group(pid)
            while kernels:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                connection = kernels.pop(pid, None)
                if connection is not None:
                    try:
                        selector.unregister(connection)
                    except KeyError:
                        pass
                    try:
                        connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                    except OSError:
                        pass
                    connection.close()
    finally:
        for pid in kernels:
            _kill_group(pid)
        listener.close()
        os.unlink(path)


def _read_line(connection: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the connection closed before the request ended")
        data += chunk
    return data.decode()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _become_kernel(request: dict, kernel_path: list[str]) -> None:
    """In the forked child: run ipykernel_launcher's main with the request's arguments."""
    code = 1
    try:
        os.setsid()  # a process group of its own, as jupyter_client starts a kernel
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, *request["args"]]
        sys.path[:] = kernel_path
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr as a kernel that fails to start would
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# ---------------------------------------------------------------------------
# The client side: a kernel manager whose kernels the server forks


class ForkedKernel:
    """What jupyter_client's provisioner needs of a kernel process (a subprocess.Popen's
    poll, wait, send_signal, kill and terminate), for a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, connection: socket.socket, pid: int) -> None:
        self.connection = connection
        self.pid = pid
        self.returncode: int | None = None
        self._buffer = b""

    def _read(self, block: bool) -> None:
        if self.returncode is not None:
            return
        self.connection.setblocking(block)
        try:
            while not self._buffer.endswith(b"\n"):
                chunk = self.connection.recv(64)
                if not chunk:  # the server is gone, and the kernel with it
                    self._buffer = b"exit -9\n"
                    break
                self._buffer += chunk
        except BlockingIOError:
            return
        self.returncode = int(self._buffer.split()[1])
        self.connection.close()

    def poll(self) -> int | None:
        self._read(block=False)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit status, once the server has written it (jupyter_client waits with a
        timeout of its own, polling first; `timeout` is there for Popen's signature)."""
        self._read(block=True)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def forked_kernel_manager(server: str):
    """A jupyter_client AsyncKernelManager class whose python3 kernels the server at `server` forks."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            if cmd[:3] != [sys.executable, *LAUNCHER]:
                raise RuntimeError(f"the fork server runs ipykernel in {sys.executable} only, not {cmd}")
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(server)
            connection.sendall((json.dumps({"args": cmd[3:], "env": env, "cwd": cwd}) + "\n").encode())
            answer = _read_line(connection)
            if not answer.strip().isdigit():
                connection.close()
                raise RuntimeError(f"the kernel fork server {answer.strip()}")
            pid = int(answer)
            self.process = ForkedKernel(connection, pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    class ForkedKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkedKernelManager


if __name__ == "__main__":
    serve(sys.argv[1])
