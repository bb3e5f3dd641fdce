"""Jupyter kernels, and snippet scripts, forked from a parent that has already imported their modules.

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
  with an environment that differs from the one the server started with
  (beyond READ_LATER) is refused, with the names of the variables. What the
  imports set in the environment (debugpy: PYDEVD_USE_FRAME_EVAL) is set in
  the kernel's too, as its own imports would have set it.
- jupyter_client manages the kernel through `forked_kernel_manager`'s class,
  whose provisioner asks the server for the fork and follows the kernel's life
  on the connection it asked on: the server writes the kernel's exit status
  there, and kills the kernel if that connection is closed first.

The snippets (tests/test_snippets.py) are run the same way, each as `python -W
error SNIPPET` would run it: from a server started as that interpreter would
be (`python -W error tests/kernel_forks.py SOCKET numpy`, with the snippets'
environment) that has imported NumPy, the one library every snippet imports.
A fresh interpreter spent 0.1 s of CPU starting and importing it; the snippet
tests take 3.2-3.5 s of CPU against 5.2-5.5 s (measured). `run_script` asks
for the fork: the script keeps the server's environment, gets its folder,
sys.argv and sys.path[0], runs as __main__ (runpy) and ends as an interpreter
ends: exit handlers run, SystemExit gives the status, an uncaught exception
prints its traceback as the interpreter prints it and gives status 1. One
difference from a fresh interpreter remains: NumPy's warning filters are in
place before the script's first line, not from its `import numpy` on.

The server ends, killing what it forked, when its standard input closes.
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
# What a kernel of the lecture notebooks imports anyway: ipykernel with what every kernel
# imports before its first cell (its debugger brings debugpy: 0.12 s of CPU per kernel, nineteen
# kernels 2.2 s, measured), and the two libraries the pages use.
PRELOADED = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "numpy", "sympy")
# Variables that differ between a kernel's environment and the server's (jupyter_client
# and pytest set them) and that nothing the server imports reads as it is imported:
# the terminal's size, the session's name, the test being run. A kernel whose
# environment differs from the server's in any other variable is refused: the
# modules the server imported may have read it.
READ_LATER = {"COLUMNS", "LINES", "JPY_SESSION_NAME", "PYTEST_CURRENT_TEST"}


# ---------------------------------------------------------------------------
# The server (run as a script)


def serve(path: str, preloaded: list[str]) -> None:
    """Answer fork requests on the Unix socket at `path` until standard input closes."""
    import importlib

    started_with = dict(os.environ)
    for name in preloaded:
        importlib.import_module(name)
    # Variables the imports set as they ran (debugpy sets PYDEVD_USE_FRAME_EVAL): a kernel asked for
    # with the environment the server started with gets them too, as its own imports would set them.
    set_by_imports = {name: value for name, value in os.environ.items() if started_with.get(name) != value}
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
                    asked = request.get("env", started_with)  # a script keeps the server's environment
                    differ = sorted(name for name in set(asked) | set(started_with)
                                    if asked.get(name) != started_with.get(name) and name not in READ_LATER)
                    if differ:
                        connection.sendall(f"refused: the kernel's environment differs from the fork server's in "
                                           f"{', '.join(differ)}, which its imports may have read\n".encode())
                        connection.close()
                        continue
                    pid = os.fork()
                    if pid == 0:  # the kernel keeps nothing of the server's but its modules
                        for held in (listener, selector, *kernels.values()):
                            held.close()
                        if "script" in request:
                            _become_script(request, kernel_path)  # never returns
                        _become_kernel(request, kernel_path, set_by_imports)  # never returns
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


def _become_kernel(request: dict, kernel_path: list[str], set_by_imports: dict[str, str]) -> None:
    """In the forked child: run ipykernel_launcher's main with the request's arguments."""
    code = 1
    try:
        os.setsid()  # a process group of its own, as jupyter_client starts a kernel
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], **set_by_imports)
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, *request["args"]]
        sys.path[:] = kernel_path
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop)
    except BaseException:  # noqa: BLE001 - reported on stderr as a kernel that fails to start would
        import traceback

        traceback.print_exc()
    finally:
        _end(code)


def _become_script(request: dict, library_path: list[str]) -> None:
    """In the forked child: what `python -W error SCRIPT ARGS` does in the request's folder,
    its output going to the request's two files."""
    code = 1
    try:
        os.setsid()
        for fd, name in enumerate([os.devnull, *request["output"]]):
            opened = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC if fd else os.O_RDONLY, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.chdir(request["cwd"])
        sys.argv = [request["script"], *request["args"]]
        sys.path[:] = [os.path.dirname(os.path.abspath(request["script"])), *library_path]
        import runpy

        runpy.run_path(request["script"], run_name="__main__")
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop)
    except BaseException as err:  # noqa: BLE001 - printed, with status 1, as the interpreter does
        trace = err.__traceback__  # from the script's own frame on, as the interpreter prints it
        while trace is not None and trace.tb_frame.f_code.co_filename != request["script"]:
            trace = trace.tb_next
        err.with_traceback(trace or err.__traceback__)
        sys.excepthook(type(err), err, err.__traceback__)
    finally:
        _end(code)


def _exit_status(stop: SystemExit) -> int:
    """The status an interpreter ends with on SystemExit (any other value is printed, status 1)."""
    if stop.code is None or isinstance(stop.code, int):
        return stop.code or 0
    print(stop.code, file=sys.stderr)
    return 1


def _end(code: int) -> None:
    """End the forked child as an interpreter ends: exit handlers, output flushed, the status."""
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


# ---------------------------------------------------------------------------
# The client side: a script run by a fork of the server


def run_script(server: str, script: str, folder: str, arguments: list[str], timeout: float):
    """`python -W error SCRIPT ARGUMENTS` run in `folder` by a fork of the server at `server`:
    its status and output as subprocess.run(..., capture_output=True, text=True) gives them."""
    import subprocess
    import tempfile
    from pathlib import Path

    command = [sys.executable, "-W", "error", str(script), *arguments]
    with tempfile.TemporaryDirectory() as outputs, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        output = [os.path.join(outputs, name) for name in ("stdout", "stderr")]
        connection.connect(server)
        request = {"script": str(script), "args": list(arguments), "cwd": str(folder), "output": output}
        connection.sendall((json.dumps(request) + "\n").encode())
        connection.settimeout(timeout)
        answer = b""
        try:
            while answer.count(b"\n") < 2:  # the pid, then "exit STATUS"
                chunk = connection.recv(1 << 16)
                if not chunk:
                    raise ConnectionError(f"the fork server closed the connection: it said {answer!r}")
                answer += chunk
        except TimeoutError:  # leaving closes the connection, and the server kills the script
            raise subprocess.TimeoutExpired(command, timeout) from None
        status = int(answer.decode().split("\n")[1].split()[1])
        stdout, stderr = (Path(name).read_text(encoding="utf-8") for name in output)
    return subprocess.CompletedProcess(command, status, stdout, stderr)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:] or list(PRELOADED))
