"""dlgrade's warm worker: imports NumPy and PyTorch once, then runs each job in a fresh child forked from it.

The job itself travels exactly as for a fresh runner process (job.json and inputs in, outputs/ and status/
out, see dlgrade_runner.py): the child runs dlgrade_runner.main on it. Only the start and the end of a job
travel over this worker's stdin/stdout, one JSON object per line:

  worker -> harness  {"event": "ready", "pid": P, "own_namespace": B, "runtime": {...}}   once, after the imports
  harness -> worker  {"op": "run", "id": ID, "job": DIR, "spec": FILE, "cases": [I, ...], "work": DIR}
  worker -> harness  {"event": "started", "id": ID}
                     {"event": "exit", "id": ID, "code": C, "signal": S, "killed": B, "clean": B, "stderr": TAIL,
                      "cpu_ms": {"child": MS, "worker": MS},   CPU of the child itself, and of the worker for this run
                      "huge_pages_mib": N}   the worker's memory on 2 MiB pages so far (collapse_to_huge_pages)
  harness -> worker  {"op": "kill", "id": ID}     a case overran: the child and all it started are killed
                     {"op": "quit"}

Isolation between the submissions one worker serves, one at a time:
- before any submission code runs, the child's fds 0 and 1 are /dev/null, fd 2 a pipe only the worker
  reads (the "last words" of a crash), and every other fd is closed: a child cannot reach this channel;
- in the sandbox the worker is its pid namespace's init (bwrap --as-pid-1), so a child cannot signal it (the
  kernel drops signals to init that init has no handler for, and the worker keeps none); and it is not
  dumpable, so a child (same uid) can neither ptrace it nor read its memory;
- when a child ends, and in the sandbox's own pid namespace, every other process but this worker and the
  namespace's init is killed, every System V IPC object removed, and /tmp, /dev/shm and the working
  directory emptied, before the worker reports the end; "clean": false makes the harness retire the worker;
- the harness gives every job folders of its own (unguessable names) and removes them afterwards.
A child that kills or stops the worker only ends this worker: the harness notices and starts another.
"""
import ctypes
import gc
import json
import os
import resource  # noqa: F401 - imported once here, not in every forked child (become_child, limit_cpu)
import select
import signal
import stat
import sys
import time

STDERR_TAIL = 8 * 1024
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4

_libc = ctypes.CDLL(None, use_errno=True)
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def prctl(option, value):
    _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0)


def send(message):
    """One line on the real stdout (fd 1), unbuffered, so nothing is left for a forked child to flush."""
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def living_pids(spare):
    """Pids in this pid namespace that are alive (not zombies), except those in `spare`."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in spare:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                # "pid (comm) S ...": the state follows the last ")" (comm may contain anything).
                state = f.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z":
            pids.append(int(name))
    return pids


def kill_namespace(spare):
    """SIGKILLs every process but `spare` until none is left (a fork bomb keeps making more for a while)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pids = living_pids(spare)
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap()
        time.sleep(0.002)
    return not living_pids(spare)


def reap(keep=None):
    """Collects every finished child (as init, orphans too); (status, rusage) of pid `keep` is returned, if collected."""
    kept = None
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return kept
        if pid == 0:
            return kept
        if pid == keep:
            kept = (status, usage)


def remove_ipc():
    """Removes every System V shared memory segment, semaphore set and message queue of this IPC namespace."""
    IPC_RMID = 0
    removers = {
        "shm": lambda ident: _libc.shmctl(ident, IPC_RMID, None),
        "sem": lambda ident: _libc.semctl(ident, 0, IPC_RMID, None),
        "msg": lambda ident: _libc.msgctl(ident, IPC_RMID, None),
    }
    ok = True
    for kind, remove in removers.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            # "key id perms ...": the second column is the identifier.
            ok = remove(int(row.split()[1])) == 0 and ok
    return ok


def empty_dir(path):
    """Removes everything inside `path` (not `path` itself), whatever modes a child left on it."""
    ok = True
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    for name in names:
        entry = os.path.join(path, name)
        try:
            info = os.lstat(entry)
            if stat.S_ISDIR(info.st_mode):
                os.chmod(entry, 0o700)
                ok = empty_dir(entry) and ok
                os.rmdir(entry)
            else:
                os.unlink(entry)
        except OSError:
            ok = False
    return ok


HUGE_PAGE = 2 * 1024 * 1024
# The run before whose fork the worker's memory is collapsed into huge pages: it saves 3-10 ms a fork and costs
# 0.1-0.35 s once, depending on how dear the machine makes page faults.
COLLAPSE_AT_RUN = 4
MADV_HUGEPAGE, MADV_COLLAPSE = 14, 25


def collapse_to_huge_pages():
    """Backs the worker's private anonymous memory (the malloc heap, PyTorch's arenas) with 2 MiB pages where the
    kernel allows it (Linux 6.1+ MADV_COLLAPSE, transparent huge pages not "never"); returns the MiB collapsed.

    A fork copies one page-table entry per 4 KiB page and the child's exit drops them: with PyTorch's ~120 MiB of
    anonymous memory that is most of what a fork costs. With 2 MiB pages it copies 512 times fewer; a page a child
    then writes to is split and copied for that child alone, as before. Elsewhere this does nothing."""
    madvise = _libc.madvise
    collapsed = 0
    try:
        with open("/proc/self/maps") as maps:
            regions = maps.read().splitlines()
    except OSError:
        return 0
    for line in regions:
        fields = line.split()
        # Private, writable, and anonymous: no file behind it, or the brk heap.
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        low, high = (int(x, 16) for x in fields[0].split("-"))
        low, high = (low + HUGE_PAGE - 1) // HUGE_PAGE * HUGE_PAGE, high // HUGE_PAGE * HUGE_PAGE
        if high - low < HUGE_PAGE:
            continue
        madvise(low, high - low, MADV_HUGEPAGE)
        if madvise(low, high - low, MADV_COLLAPSE) == 0:
            collapsed += high - low
    return collapsed // (1024 * 1024)


class Worker:
    def __init__(self, scratch):
        self.pid = os.getpid()
        # The sandbox's own pid namespace: the worker is its init (--as-pid-1), or pid 2 under bwrap's reaper.
        in_bwrap = os.environ.get("DLGRADE_SANDBOX") == "bwrap"
        self.own_namespace = in_bwrap and (self.pid == 1 or (self.pid == 2 and os.getppid() == 1))
        # What a sweep must not kill: the worker, and the reaper above it if there is one.
        self.spare = {self.pid, 1}
        self.scratch = scratch if self.own_namespace else []
        self.inbox = b""
        self.child = None  # {"id", "pid", "pidfd", "err", "tail", "killed"}
        self.runs = 0
        self.huge_pages_mib = 0

    # --- the fork ------------------------------------------------------------------------------
    def start(self, request):
        cpu_at_start = time.process_time()
        err_r, err_w = os.pipe()
        os.set_blocking(err_r, False)
        work = request.get("work")
        if work:
            os.makedirs(work, exist_ok=True)
        loaded = 0
        if self.own_namespace:
            # The job folders hard-link one shared copy of each input: read each once here, not in every child.
            try:
                import dlgrade_runner

                loaded = dlgrade_runner.preload_inputs(request["job"], request["spec"])
                gc.freeze()
            except Exception:  # noqa: BLE001 - a child reads what is missing itself, and reports what is wrong
                pass
        # Only a worker that has forked a few times already is likely to fork many more: a check (one fork) does
        # not pay the collapse (~0.1 s), a batch pays it once and then its newly read inputs only.
        self.runs += 1
        if self.runs == COLLAPSE_AT_RUN or (self.runs > COLLAPSE_AT_RUN and loaded):
            self.huge_pages_mib = collapse_to_huge_pages()
        pid = os.fork()
        if pid == 0:
            self.become_child(request, err_w)  # never returns
        os.close(err_w)
        pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
        self.child = {"id": request["id"], "pid": pid, "pidfd": pidfd, "err": err_r, "tail": b"", "killed": False, "status": None, "usage": None, "cpu_at_start": cpu_at_start}
        send({"event": "started", "id": request["id"]})

    def become_child(self, request, err_w):
        try:
            os.setsid()
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            # The child is the submission's process: dumpable like a fresh process (only the worker is protected).
            prctl(PR_SET_DUMPABLE, 1)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(err_w, 2)
            os.closerange(3, 1 << 16)
            import resource

            # POSIX message queues would outlive the child in the worker's IPC namespace: none at all.
            resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            # As in a fresh `python -X faulthandler`: a crash leaves a traceback in the last words.
            import faulthandler

            faulthandler.enable()
            work = request.get("work")
            if work:
                os.chdir(work)
                os.environ["HOME"] = work
            elif os.environ.get("HOME"):
                os.chdir(os.environ["HOME"])
            import dlgrade_runner

            if self.own_namespace:
                # Between cases, as in a fresh runner: what the case started goes; init and this worker stay.
                dlgrade_runner.OWN_PID_NAMESPACE = True
                dlgrade_runner.SPARE_ALWAYS = {1, self.pid}
            argv = ["dlgrade_runner.py", request["job"], "--spec", request["spec"]]
            if request.get("cases") is not None:
                argv += ["--cases", ",".join(str(int(i)) for i in request["cases"])]
            sys.argv = argv
            dlgrade_runner.main(argv)  # ends with os._exit(0)
        except BaseException:  # noqa: BLE001 - anything here is the harness's problem, reported via stderr
            try:
                import traceback

                os.write(2, traceback.format_exc().encode()[-4000:])
            finally:
                os._exit(70)
        os._exit(0)

    def kill(self, request):
        child = self.child
        if child and child["id"] == request.get("id"):
            child["killed"] = True
            for target in (lambda: os.killpg(child["pid"], signal.SIGKILL), lambda: os.kill(child["pid"], signal.SIGKILL)):
                try:
                    target()
                except OSError:
                    pass

    def read_stderr(self):
        child = self.child
        try:
            while True:
                chunk = os.read(child["err"], 65536)
                if not chunk:
                    return
                child["tail"] = (child["tail"] + chunk)[-STDERR_TAIL:]
        except BlockingIOError:
            return

    def try_finish(self):
        """If the child has ended: clean up after it and report. Returns whether it had ended."""
        child = self.child
        if child["status"] is None:
            try:
                pid, status, usage = os.wait4(child["pid"], os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return False
            child["status"], child["usage"] = status, usage
        status, usage = child["status"], child["usage"]
        # The child's process group (outside a namespace this is all we can reach) and, inside one, everything.
        try:
            os.killpg(child["pid"], signal.SIGKILL)
        except OSError:
            pass
        clean = True
        if self.own_namespace:
            clean = kill_namespace(self.spare)
            clean = remove_ipc() and clean
            for path in self.scratch:
                clean = empty_dir(path) and clean
        reap()
        self.read_stderr()
        os.close(child["err"])
        if child["pidfd"] is not None:
            os.close(child["pidfd"])
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None
        send(
            {
                "event": "exit",
                "id": child["id"],
                "code": code,
                "signal": sig,
                "killed": child["killed"],
                "clean": clean,
                "stderr": child["tail"].decode("utf-8", "replace"),
                # For the harness's profile (DLGRADE_PROFILE): what the child and the worker each spent on this run.
                "cpu_ms": {
                    "child": round((usage.ru_utime + usage.ru_stime) * 1000, 3) if usage else None,
                    "worker": round((time.process_time() - child["cpu_at_start"]) * 1000, 3),
                },
                "huge_pages_mib": self.huge_pages_mib,
            }
        )
        self.child = None
        return True

    # --- the loop ------------------------------------------------------------------------------
    def handle(self, line):
        try:
            request = json.loads(line)
        except ValueError:
            send({"event": "error", "message": "unreadable request"})
            return True
        op = request.get("op")
        if op == "run":
            if self.child:
                send({"event": "error", "id": request.get("id"), "message": "busy"})
            else:
                self.start(request)
        elif op == "kill":
            self.kill(request)
        elif op == "quit":
            return False
        return True

    def serve(self):
        while True:
            watched = [0]
            if self.child:
                watched.append(self.child["err"])
                if self.child["pidfd"] is not None:
                    watched.append(self.child["pidfd"])
            # Without pidfds (Linux < 5.3) the child's end is polled; orphans are reaped at least once a second.
            timeout = None if not self.child else 1.0 if self.child["pidfd"] is not None else 0.01
            readable, _, _ = select.select(watched, [], [], timeout)
            if self.child and self.child["err"] in readable:
                self.read_stderr()
            if self.child:
                # As init, orphans are the worker's to reap; the child's own status is kept if it comes up.
                collected = reap(self.child["pid"])
                if collected is not None:
                    self.child["status"], self.child["usage"] = collected
                self.try_finish()
            if 0 in readable:
                data = os.read(0, 65536)
                if not data:
                    if self.child:
                        self.kill({"id": self.child["id"]})
                    return
                self.inbox += data
                while b"\n" in self.inbox:
                    line, self.inbox = self.inbox.split(b"\n", 1)
                    if line.strip() and not self.handle(line):
                        if self.child:
                            self.kill({"id": self.child["id"]})
                        return


def main(argv):
    scratch = [argv[i + 1] for i in range(1, len(argv) - 1) if argv[i] == "--scratch"]
    # This worker ends with the harness, whatever happens to the pipes.
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import numpy
    import torch

    torch.set_num_threads(1)
    # Lazy initialisation (dispatcher, allocator, BLAS) is done once here rather than in every child.
    float((torch.ones(4, 4) @ torch.ones(4, 4)).sum())
    import torch.nn.functional  # noqa: F401
    import dlgrade_runner  # noqa: F401

    # Compiled once here, not in every child.
    dlgrade_runner.PROBES = dlgrade_runner.load_probes()
    dlgrade_runner.RUNTIME = dlgrade_runner.runtime_versions()

    # Everything imported so far is moved out of the collector's sight: a child's collections then never walk
    # (and so never write to, and copy) the pages it shares with the worker.
    gc.collect()
    gc.freeze()

    worker = Worker(scratch)
    # No handler for any signal a child could send: as the namespace's init, the worker then receives none.
    import faulthandler

    faulthandler.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Not dumpable: a child running as the same uid cannot ptrace the worker or read /proc/<worker>/mem.
    prctl(PR_SET_DUMPABLE, 0)
    if worker.own_namespace:
        for path in worker.scratch:
            empty_dir(path)
    send(
        {
            "event": "ready",
            "pid": worker.pid,
            "own_namespace": worker.own_namespace,
            # Forking a process that runs a thread pool (BLAS, OpenMP) can deadlock the child: recorded, and tested.
            "runtime": {**dlgrade_runner.RUNTIME, "worker_threads": str(len(os.listdir("/proc/self/task")))},
        }
    )
    worker.serve()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
