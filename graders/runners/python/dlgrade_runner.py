"""dlgrade's Python runner: runs one submission's cases as job.json describes.

Protocol (see README, "Runner protocol"): for each case it writes status/<i>.start, then appends the
case's record (status and outputs) to the pass's one results file, outputs/cases.bin, then writes
status/<i>.done. It only ever sees case inputs; expected outputs stay with the harness. Nothing is
reported over stdout.
"""
import importlib
import io
import json
import os
import re
import shutil
import signal
import struct
import sys
import time
import traceback

STDOUT_CAP = 16 * 1024

# Taken before any submission is imported, so a monkeypatched os cannot change what the runner does.
_kill, _getpid, _getppid = os.kill, os.getpid, os.getppid
# True in dlgrade's bubblewrap sandbox, where the runner is alone in a pid namespace of its own (set in main(), or
# by the warm worker for its child).
OWN_PID_NAMESPACE = False
# Processes a sweep never kills besides the runner itself: the namespace's init, and a warm worker above the runner.
SPARE_ALWAYS = {1}
# Processes alive once the submission's modules were imported, as (pid, start time): what a submission starts at
# import (a multiprocessing.Pool) lives as long as the submission; what a case starts ends with the case.
IMPORT_TIME_PROCESSES = set()
# CPU time allowed to the whole pass beyond its cases' limits (reading inputs, writing outputs), seconds.
CPU_MARGIN_S = 10


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so a student's `except Exception` cannot swallow it."""


class HarnessError(Exception):
    """A fault of the assignment or the runner, not of the submission."""


class StudentApiError(Exception):
    """The submission lacks something the question calls, or returned the wrong kind of value."""


class CappedText(io.TextIOBase):
    """Keeps the first STDOUT_CAP characters a case prints, counts the rest."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def write(self, s):
        s = str(s)
        room = STDOUT_CAP - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self):
        out = "".join(self.parts)
        return out + (f"\n… ({self.dropped} more characters not kept)" if self.dropped else "")



def blas_in_use():
    """The BLAS library this process has loaded (NumPy's and PyTorch's linear algebra), read from its memory map."""
    names = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.rstrip("\n").split(" ")[-1]
                if any(key in os.path.basename(path).lower() for key in ("blas", "mkl", "blis")):
                    names.add(os.path.realpath(path))
    except OSError:
        return "unknown"
    if not names:
        return "none loaded"
    for kind, label in (("openblas", "OpenBLAS"), ("mkl", "MKL"), ("blis", "BLIS")):
        found = sorted(n for n in names if kind in n.lower())
        if found:
            return f"{label} ({found[0]})"
    return f"reference BLAS ({sorted(names)[0]})"


# A warm worker's runtime block, read once before it forks: a child has the same interpreter, modules and BLAS
# mapped (its submission is not imported yet), and reading the memory map costs several milliseconds.
RUNTIME = None


def runtime_versions():
    """What the result's runtime block records: the interpreter, NumPy, PyTorch and the BLAS they use."""
    if RUNTIME is not None:
        return dict(RUNTIME)
    import numpy
    import torch

    return {"python": sys.version.split()[0], "numpy": numpy.__version__, "torch": torch.__version__, "blas": blas_in_use()}

# A warm worker's inputs, read once before it forks (preload_inputs) and shared copy-on-write by every child, by
# file identity: the job folders hard-link one read-only copy of each input. Calls still get fresh copies (fresh_copy).
PRELOADED_INPUTS = {}
PRELOADED_IDS = set()
PRELOADED_BYTES = 0
# The job.json the worker read for the job it is about to fork for, (path, job): the child need not read it again.
PRELOADED_SPEC = None
PRELOAD_CAP_BYTES = 512 * 1024 * 1024


def file_identity(path):
    info = os.stat(path)
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def load_inputs_file(path):
    import numpy as np

    with np.load(path, allow_pickle=False) as stored:
        return {k: stored[k] for k in stored.files}


def read_inputs(path):
    """A case's input arrays: the worker's preloaded copy of the file when it has one that no call of this process
    has been given yet (a call may have changed it in place), else read from the file now."""
    arrays = PRELOADED_INPUTS.get(file_identity(path)) if PRELOADED_INPUTS else None
    if arrays is not None and not any(id(a) in HANDED_OUT for a in arrays.values()):
        return arrays
    return load_inputs_file(path)


# Ids of the preloaded arrays this process has handed to a call already (a forked child starts with none).
HANDED_OUT = set()


def fresh_copy(np, stored):
    """A copy of a stored input array that no other call has seen. A preloaded array's first use in a forked child
    is the array itself, made writable: the child's pages are already its own copy-on-write copy of the worker's,
    so only the pages a call writes to are ever copied (read_inputs never offers it again). Others are copied."""
    if id(stored) in PRELOADED_IDS and id(stored) not in HANDED_OUT:
        try:
            stored.setflags(write=True)
            HANDED_OUT.add(id(stored))
            return stored
        except ValueError:
            pass
    return np.array(stored)


def preload_inputs(job_dir, spec):
    """Reads (once per worker) the input files of a job's cases that are not loaded yet, as read-only arrays;
    returns how many it read."""
    global PRELOADED_BYTES, PRELOADED_SPEC
    read = 0
    PRELOADED_SPEC = None
    with open(spec) as f:
        job = json.load(f)
    PRELOADED_SPEC = (spec, job)
    for case in job["cases"]:
        path = os.path.join(job_dir, case["inputs"])
        key = file_identity(path)
        if key in PRELOADED_INPUTS:
            continue
        arrays = load_inputs_file(path)
        size = sum(a.nbytes for a in arrays.values())
        if PRELOADED_BYTES + size > PRELOAD_CAP_BYTES:
            return read
        for a in arrays.values():
            a.setflags(write=False)
            PRELOADED_IDS.add(id(a))
        PRELOADED_INPUTS[key] = arrays
        PRELOADED_BYTES += size
        read += 1
    return read


def load_probes():
    """Loads probes.py from beside this file by path, under a private name: a submission's own probes.py
    (the submission folder is first on sys.path) must not replace it."""
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_dlgrade_probes", os.path.join(here, "probes.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PROBES = None


def write_json_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


RESULTS_FILE = "cases.bin"
# Each record: this magic, the length of its JSON header (uint32, little-endian), the header, then the outputs as
# .npy bytes one after another, their names and lengths in the header's "arrays".
RECORD_MAGIC = b"DLGRCASE"


class ResultsFile:
    """The pass's results, one record appended per finished case: one file per pass instead of an .npz and a JSON
    per case. A pass killed mid-way leaves the records of the cases it finished (a torn last record is ignored).

    The file is opened only to append a record, never while student code runs, so no descriptor of it is there to
    be found; what a case wrote into it by its path is cut off before the next record (it can spoil only records of
    its own submission, as it could spoil the per-case files before)."""

    def __init__(self, path):
        self.path = path
        self.end = 0
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644))

    def append(self, index, record, outputs=None):
        import numpy as np

        arrays, blobs = [], []
        for name, value in (outputs or {}).items():
            header = io.BytesIO()
            # C order always: the outputs were made C-contiguous, and tobytes() writes C order whatever the flags say.
            np.lib.format.write_array_header_1_0(header, {"descr": np.lib.format.dtype_to_descr(value.dtype), "fortran_order": False, "shape": value.shape})
            blob = header.getvalue() + value.tobytes()
            arrays.append([name, len(blob)])
            blobs.append(blob)
        head = json.dumps({**record, "index": index, "arrays": arrays}).encode()
        data = memoryview(b"".join([RECORD_MAGIC, struct.pack("<I", len(head)), head, *blobs]))
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size != self.end:
                # Written to (or replaced) by the submission: start again after the runner's last record, or afresh.
                self.end = self.end if size > self.end else 0
                os.ftruncate(fd, self.end)
            start = offset = self.end
            try:
                while offset - start < len(data):
                    offset += os.pwrite(fd, data[offset - start:], offset)
            except OSError:
                # A record that did not fit (the folder's size cap) is taken back whole, so the next one can be read.
                try:
                    os.ftruncate(fd, start)
                except OSError:
                    pass
                raise
            self.end = offset
        finally:
            os.close(fd)


class Runner:
    def __init__(self, job_dir, job):
        import numpy as np
        import torch

        self.np, self.torch = np, torch
        torch.set_num_threads(1)
        self.job_dir = job_dir
        self.job = job
        self.results = ResultsFile(os.path.join(job_dir, "outputs", RESULTS_FILE))
        self.submission = os.path.realpath(job["submission"])
        self.modules = {}
        # Once a case of a question times out, its later cases are not run: they would most likely hang too.
        self.timed_out = {}
        global PROBES
        if PROBES is None:
            PROBES = load_probes()
        sys.path.insert(0, self.submission)

    # --- the submission's modules -------------------------------------------------------------
    def student_module(self, name):
        if name not in self.modules:
            path = os.path.join(self.submission, name + ".py")
            if not os.path.isfile(path):
                self.modules[name] = StudentApiError(f"the submission has no {name}.py")
            else:
                try:
                    self.modules[name] = importlib.import_module(name)
                except SystemExit as e:
                    self.modules[name] = StudentApiError(f"{name}.py called exit({e.code}) while being imported")
                except CaseTimeout:
                    raise
                except BaseException as e:  # noqa: BLE001 - any import failure is the submission's
                    e.__dlgrade_import__ = name
                    self.modules[name] = e
                if OWN_PID_NAMESPACE:
                    IMPORT_TIME_PROCESSES.update(living_processes())
        module = self.modules[name]
        if isinstance(module, BaseException):
            raise module
        return module

    # --- values ---------------------------------------------------------------------------------
    def build_model(self, spec, arrays, name):
        """A fresh network from the assignment's own model file (never the submission's), with the case's weights
        (stored as <name>.<parameter>), in eval() mode, every parameter with requires_grad False."""
        import types

        torch = self.torch
        module = types.ModuleType("_dlgrade_model")
        module.__file__ = "<dlgrade model>"
        exec(compile(spec["source"], "<dlgrade model>", "exec"), module.__dict__)
        model = getattr(module, spec["class"])()
        prefix = name + "."
        state = {k[len(prefix):]: torch.from_numpy(self.np.array(v)) for k, v in arrays.items() if k.startswith(prefix)}
        model.load_state_dict(state, strict=True)
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        return model, state

    def check_model_unchanged(self, models):
        """Compares every model's parameters with the weights it was built with."""
        torch = self.torch
        for name, (model, state) in models.items():
            current = dict(torch.nn.Module.named_parameters(model))
            for key, original in state.items():
                now = current.get(key)
                if now is None or tuple(now.shape) != tuple(original.shape) or not torch.equal(torch.Tensor.float(torch.Tensor.detach(now)).cpu(), original.float()):
                    raise StudentApiError(
                        f"your code changed the parameters of {name} ({key}); the model must stay as it is given: "
                        "take gradients with respect to the input (e.g. X.requires_grad_()), never update the weights"
                    )

    def convert_inputs(self, arrays, kinds, question=None):
        np, torch = self.np, self.torch
        values = {}
        self.models = {}
        for name, kind in kinds.items():
            if kind == "model":
                if not question or "model" not in question:
                    raise HarnessError(f"input {name!r} is a model, but job.json gives no model definition")
                model, state = self.build_model(question["model"], arrays, name)
                self.models[name] = (model, state)
                values[name] = model
                continue
            if kind == "tensor_list":
                items, i = [], 0
                while f"{name}.{i}" in arrays:
                    items.append(torch.from_numpy(fresh_copy(np, arrays[f"{name}.{i}"])))
                    i += 1
                values[name] = items
                continue
            arr = fresh_copy(np, arrays[name])
            if kind == "tensor":
                values[name] = torch.from_numpy(arr)
            elif kind == "array":
                values[name] = arr
            elif kind == "float":
                values[name] = float(arr)
            elif kind == "int":
                values[name] = int(arr)
            elif kind == "bool":
                values[name] = bool(arr)
            elif kind == "int_list":
                values[name] = [int(v) for v in arr.reshape(-1)]
            elif kind == "float_list":
                values[name] = [float(v) for v in arr.reshape(-1)]
            else:
                raise ValueError(f"unknown input kind {kind!r}")
        return values

    def lookup(self, path, scope):
        parts = path.split(".")
        head = parts[0]
        if head in scope:
            obj, walked = scope[head], head
        else:
            obj, walked = self.student_module(head), head + ".py"
        for part in parts[1:]:
            if part.isdigit() and isinstance(obj, (list, tuple)):
                index = int(part)
                if index >= len(obj):
                    raise StudentApiError(f"{walked} has {len(obj)} items, expected at least {index + 1}")
                obj = obj[index]
            else:
                try:
                    obj = getattr(obj, part)
                except AttributeError:
                    if part.isdigit():
                        # An item of something that is not a tuple (a Sequential's children "0", "1", … are attributes: not here).
                        raise StudentApiError(f"{walked} is a {type(obj).__name__}; expected a tuple or list of at least {int(part) + 1} items") from None
                    raise StudentApiError(f"{walked} has no attribute {part!r}") from None
            walked = f"{walked}.{part}" if not walked.endswith(".py") else f"{head}.{part}"
        return obj

    def resolve(self, value, scope):
        if isinstance(value, str) and value.startswith("$"):
            return self.lookup(value[1:], scope)
        if isinstance(value, list):
            return [self.resolve(v, scope) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v, scope) for k, v in value.items()}
        return value

    def to_array(self, value, what):
        """Turns a returned value into a plain numeric ndarray, refusing anything else."""
        np, torch = self.np, self.torch
        if isinstance(value, torch.Tensor):
            # Through the base class, so a subclass's __torch_function__ cannot change what is read.
            tensor = torch.Tensor.detach(value)
            if tensor.is_complex():
                raise StudentApiError(f"{what} is a complex tensor; expected real numbers")
            arr = np.array(torch.Tensor.numpy(torch.Tensor.cpu(tensor)), copy=True)
        elif isinstance(value, np.ndarray):
            arr = np.array(value, copy=True, subok=False)
        elif isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
            arr = np.array(value)
        elif isinstance(value, (list, tuple)):
            arr = np.array([self.to_array(v, f"{what}[{i}]") for i, v in enumerate(value)])
        elif value is None:
            raise StudentApiError(f"{what} is None; expected a tensor, array or number")
        else:
            raise StudentApiError(f"{what} is a {type(value).__name__}; expected a tensor, array or number")
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        if arr.dtype.kind not in "fiub":
            raise StudentApiError(f"{what} has dtype {arr.dtype}; expected numbers")
        # Not np.ascontiguousarray: it turns a 0-d scalar into shape (1,), and shapes are compared exactly.
        return np.asarray(arr, order="C")

    # --- steps ---------------------------------------------------------------------------------
    def run_steps(self, steps, scope, recovered=None, fresh_inputs=None):
        for step in steps:
            if "recover" in step and recovered is not None:
                self.run_recoverable(step, scope, recovered, fresh_inputs)
            elif "new" in step or "call" in step:
                target = self.lookup(step.get("new") or step["call"], scope)
                if not callable(target):
                    raise StudentApiError(f"{step.get('new') or step['call']} is not callable")
                args = self.resolve(step.get("args", []), scope)
                kwargs = self.resolve(step.get("kwargs", {}), scope)
                result = target(*args, **kwargs)
                if "as" in step:
                    scope[step["as"]] = result
            elif "set" in step:
                owner_path, _, attr = step["set"].rpartition(".")
                owner = self.lookup(owner_path, scope)
                setattr(owner, attr, self.resolve(step["value"], scope))
            elif "probe" in step:
                fn = getattr(PROBES, step["probe"], None)
                if fn is None:
                    raise HarnessError(f"the runner has no probe {step['probe']!r}")
                scope[step["as"]] = fn(self.lookup(step["target"], scope), **self.resolve(step.get("args", {}), scope))
            else:
                raise ValueError(f"unknown step {step!r}")

    def fresh_inputs(self, arrays, question):
        """New copies of a case's stored inputs (models left out: the ones the steps use stay the ones checked)."""
        models = self.models
        try:
            return self.convert_inputs(arrays, {k: v for k, v in question.get("inputs", {}).items() if v != "model"})
        finally:
            self.models = models

    def run_recoverable(self, step, scope, recovered, fresh_inputs):
        """Runs a step whose failure costs only the outputs that read its result (a forward whose backward is graded on
        its own): on an exception its `recover` steps set, from fresh copies of the case's stored inputs, what the next
        steps need (the values a module caches), and the steps go on. The first error is kept for the case."""
        try:
            self.run_steps([{k: v for k, v in step.items() if k != "recover"}], scope)
        except Exception as e:  # noqa: BLE001 - the submission's failure; CaseTimeout is not an Exception
            recovered.setdefault("error", e)
            if "as" in step:
                recovered.setdefault("names", {})[step["as"]] = f"not computed: {step['call']} raised {type(e).__name__}"
            self.run_steps(step["recover"], {**scope, **fresh_inputs()})

    def run_case(self, case):
        np = self.np
        index = case["index"]
        question = self.job["questions"][case["question"]]
        status_dir = os.path.join(self.job_dir, "status")
        open(os.path.join(status_dir, f"{index}.start"), "w").close()
        if case["question"] in self.timed_out:
            record = {"status": "timeout", "duration_ms": 0, "error": {"type": "Timeout", "message": f"not run: case {self.timed_out[case['question']]} of this question did not finish in time"}}
            self.finish_case(index, record)
            return
        captured = CappedText()
        record = {"status": "ok"}
        # Errors of steps the runner went on after (their `recover`), the first kept.
        recovered = {}
        finished_outputs = None
        started = time.perf_counter()
        old_stdout = sys.stdout
        # The limit is CPU time (ITIMER_PROF), so a case slowed down by a busy neighbour on a shared machine is
        # not cut short. This alarm only gives a tidy verdict: a submission can turn it off, so the harness also
        # measures the case's CPU time from outside, and the kernel's RLIMIT_CPU bounds the whole process.
        signal.signal(signal.SIGPROF, _alarm)
        signal.setitimer(signal.ITIMER_PROF, float(question["timeout_s"]))
        try:
            sys.stdout = captured
            inputs_path = os.path.join(self.job_dir, case["inputs"])
            scope = self.convert_inputs(read_inputs(inputs_path), question.get("inputs", {}), question)
            self.run_steps(question["steps"], scope, recovered, lambda: self.fresh_inputs(read_inputs(inputs_path), question))
            self.check_model_unchanged(self.models)
            outputs, output_errors = {}, {}
            for name, where in question["outputs"].items():
                failed_step = recovered.get("names", {}).get(where.lstrip("$").split(".")[0])
                if failed_step:
                    output_errors[name] = failed_step
                    continue
                try:
                    outputs[name] = self.to_array(self.resolve(where, scope), where.lstrip("$"))
                except StudentApiError as e:
                    output_errors[name] = str(e)
            signal.setitimer(signal.ITIMER_PROF, 0)
            finished_outputs = outputs
            if output_errors:
                record["output_errors"] = output_errors
            if "error" in recovered:
                record["step_error"] = self.describe_error(recovered["error"])
        except CaseTimeout:
            self.timed_out[case["question"]] = case["case"]
            record = {"status": "timeout", "error": {"type": "Timeout", "message": f"did not finish within {question['timeout_s']} s of CPU time"}}
        except BaseException as e:  # noqa: BLE001 - whatever the submission raises is reported, not fatal
            signal.setitimer(signal.ITIMER_PROF, 0)
            # A later step that fails after a recovered one most likely fails because of it: the first error is the cause.
            record = {"status": "error", "error": self.describe_error(recovered.get("error", e))}
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            sys.stdout = old_stdout
            sweep_strays()
            tidy_result_folders(self.job_dir)
        record["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        text = captured.text()
        if text:
            record["stdout"] = text
        # Written only once what the case started is gone, so a daemon it left cannot overwrite them.
        self.finish_case(index, record, finished_outputs if record["status"] == "ok" else None)

    def finish_case(self, index, record, outputs=None):
        """Appends the case's record to the results file, then marks it done for the harness's watchdog."""
        try:
            self.results.append(index, record, outputs)
        except OSError as e:
            failed = {"status": "error", "duration_ms": record.get("duration_ms", 0), "error": {"type": "HarnessError", "message": f"the outputs could not be written: {e}"}}
            try:
                self.results.append(index, failed)
            except OSError:
                pass
        try:
            open(os.path.join(self.job_dir, "status", f"{index}.done"), "w").close()
        except OSError:
            pass  # the record is what counts; the marker only tells the watchdog the case ended sooner

    def describe_error(self, error):
        frames = traceback.extract_tb(error.__traceback__)
        student = [f for f in frames if os.path.realpath(f.filename).startswith(self.submission + os.sep)]
        if isinstance(error, SyntaxError) and error.filename and os.path.realpath(error.filename).startswith(self.submission):
            student.append(traceback.FrameSummary(error.filename, error.lineno or 0, "<module>", line=(error.text or "").strip()))
        shown = [
            {"file": os.path.relpath(os.path.realpath(f.filename), self.submission), "line": f.lineno, "name": f.name, "code": (f.line or "").strip()}
            for f in student[-6:]
        ]
        kind = type(error).__name__
        if isinstance(error, HarnessError):
            kind = "HarnessError"
        elif isinstance(error, StudentApiError):
            kind = "ApiError"
        elif isinstance(error, NotImplementedError):
            kind = "NotImplemented"
        message = str(error) or kind
        if isinstance(error, SystemExit):
            message = f"called exit({error.code})"
        if getattr(error, "__dlgrade_import__", None):
            kind = "ImportFailed"
            message = f"importing {error.__dlgrade_import__}.py failed: {type(error).__name__}: {message}"
        described = {"type": kind, "message": message[:2000], "traceback": shown}
        if shown:
            described["student_line"] = shown[-1]
        return described


def _alarm(signum, frame):
    raise CaseTimeout()


def living_processes():
    """(pid, start time) of every live process of this pid namespace (zombies excluded)."""
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                # "pid (comm) S ppid ...": fields after the last ")" (comm may hold anything); start time is field 22.
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if fields and fields[0] != b"Z":
            found.add((int(name), int(fields[19])))
    return found


RUNNER_PID = None
# The last pid made in this namespace when a sweep last found nothing to kill (read before it looked).
QUIET_SINCE = None


def last_pid_made():
    """The last pid (of a process or a thread) made in this pid namespace, from /proc/loadavg; None if unreadable.
    It changes with every one made, so while it stays the same no process can have been started."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return f.read().split()[4]
    except (OSError, IndexError):
        return None


def sweep_strays():
    """Kills every process a case started (a daemon in its own session, a fork bomb), so the next case runs alone;
    what the submission started while being imported (a multiprocessing.Pool) is kept until the submission ends.

    Only in the sandbox's own pid namespace, where /proc lists the submission's processes and nothing else.
    """
    if not OWN_PID_NAMESPACE or _getpid() != RUNNER_PID:  # not in a forked copy of the runner
        return
    global QUIET_SINCE
    # No process or thread made in this pid namespace since the last sweep left none: nothing to look for.
    marker = last_pid_made()
    if marker is not None and marker == QUIET_SINCE:
        return
    spare = SPARE_ALWAYS | {RUNNER_PID}
    # The usual answer, from the directory alone: nobody but the runner and those it spares (no stat file read).
    if all(int(name) in spare for name in os.listdir("/proc") if name.isdigit()):
        QUIET_SINCE = marker
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        marker = last_pid_made()
        strays = [pid for pid, started in living_processes() if pid not in spare and (pid, started) not in IMPORT_TIME_PROCESSES]
        if not strays:
            QUIET_SINCE = marker
            return
        for pid in strays:
            try:
                _kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)


RESULT_FILE = re.compile(r"(\d+\.(start|done)|runtime\.json|cases\.bin)")


def tidy_result_folders(job_dir):
    """Removes whatever a case wrote into outputs/ and status/ besides the runner's own files, so what one case
    floods them with (the harness caps their size) costs that case only, not the next one."""
    for folder in ("outputs", "status"):
        try:
            # scandir gives each entry's type from the directory itself: no stat per file, for every case.
            entries = list(os.scandir(os.path.join(job_dir, folder)))
        except OSError:
            continue
        for entry in entries:
            try:
                if RESULT_FILE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def limit_cpu(cases, questions):
    """The kernel's limit on this process's CPU time, set before any submission code runs: every case's limit plus
    a margin. A hard limit cannot be raised again; the harness also measures each case's CPU time from outside."""
    import resource

    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    budget = int(used + sum(float(questions[c["question"]]["timeout_s"]) for c in cases) + CPU_MARGIN_S) + 1
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (budget, budget))


def main(argv):
    global OWN_PID_NAMESPACE, RUNNER_PID
    RUNNER_PID = _getpid()
    OWN_PID_NAMESPACE = OWN_PID_NAMESPACE or (os.environ.get("DLGRADE_SANDBOX") == "bwrap" and _getpid() == 2 and _getppid() == 1)
    # Nothing travels over stdout: what the submission writes to fd 1 goes nowhere (print() is captured per case).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    job_dir = argv[1]
    # --cases I,J,…: only these cases. --spec FILE: job.json kept elsewhere (a warm worker's read-only job folder).
    only, spec = None, os.path.join(job_dir, "job.json")
    rest = argv[2:]
    while len(rest) >= 2:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--cases":
            only = {int(i) for i in value.split(",") if i}
        elif flag == "--spec":
            spec = value
    if PRELOADED_SPEC and PRELOADED_SPEC[0] == spec:
        job = PRELOADED_SPEC[1]
    else:
        with open(spec) as f:
            job = json.load(f)
    os.makedirs(os.path.join(job_dir, "status"), exist_ok=True)
    os.makedirs(os.path.join(job_dir, "outputs"), exist_ok=True)
    runner = Runner(job_dir, job)
    limit_cpu([c for c in job["cases"] if only is None or c["index"] in only], job["questions"])
    import numpy
    import torch

    # A warm worker's child leaves it out: the worker sent the same block when it started.
    if RUNTIME is None:
        write_json_atomic(os.path.join(job_dir, "status", "runtime.json"), runtime_versions())
    for case in job["cases"]:
        if only is None or case["index"] in only:
            runner.run_case(case)
    # Leave without running the submission's atexit hooks or finalizers.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
