"""The baseline `npm run bench` compares dlgrade with: a style-transfer grader written the way a course writes one.

One fresh process per submission: import torch, import the student's module, call each function on every
fixture case (public and hidden), compare with the course's rel_error, print the score. No sandbox, no
reports. Usage: python3 fresh_grader.py FIXTURES_DIR SUBMISSION_DIR [--own-work [--huge-pages] | --fork-floor] [--course ANSWERS_NPZ]
With --own-work it prints instead the CPU milliseconds the submission's own calls take (imports and fixture
reading excluded; the median of five passes, one thread): the student's work that no grader can avoid; with
--course, the course cases (inputs from the course's answers file) are counted too, as dlgrade runs them; with
--huge-pages, the process's memory is first moved to 2 MiB pages, as a warm worker's is before it forks.
With --fork-floor it prints what a process per submission costs on this machine with no harness (fork_floor).
"""
import importlib.util
import os
import sys
import time

import numpy as np
import torch


def rel_error(a, e):
    return float(np.max(np.abs(a - e) / np.maximum(1e-8, np.abs(a) + np.abs(e))))


def listed(z, name):
    items, i = [], 0
    while f"in.{name}.{i}" in z.files:
        items.append(torch.from_numpy(z[f"in.{name}.{i}"]))
        i += 1
    return items


def call(mod, question, z):
    t = lambda k: torch.from_numpy(z[f"in.{k}"])
    if question == "content_loss":
        return mod.ContentLoss()(float(z["in.content_weight"]), t("content_current"), t("content_original"))
    if question == "gram_matrix":
        return mod.StyleLoss().gram_matrix(t("features"), normalize=bool(z["in.normalize"]))
    if question == "style_loss":
        return mod.StyleLoss()(listed(z, "feats"), [int(i) for i in z["in.style_layers"]], listed(z, "style_targets"), [float(w) for w in z["in.style_weights"]])
    if question == "tv_loss":
        return mod.TotalVariationLoss()(t("img"), float(z["in.tv_weight"]))
    raise ValueError(question)


def fixture_cases(fixtures):
    for visibility in ("public", "hidden"):
        for question in sorted(os.listdir(os.path.join(fixtures, visibility))):
            folder = os.path.join(fixtures, visibility, question)
            for case in sorted(os.listdir(folder)):
                yield question, os.path.join(folder, case)


def load_module(submission):
    spec = importlib.util.spec_from_file_location("style_modules", os.path.join(submission, "style_modules.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(fixtures, submission):
    try:
        mod = load_module(submission)
    except Exception as error:
        print(f"0: the submission does not import ({type(error).__name__})")
        return
    passed = total = 0
    for question, file in fixture_cases(fixtures):
        z = np.load(file)
        out_key = next((k for k in z.files if k.startswith("out.")), None)
        if out_key is None:
            continue  # the course's own answers file, stored under its keys: left out (less work for the baseline)
        total += 1
        try:
            got = call(mod, question, z)
            got = got.detach().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
            passed += got.shape == z[out_key].shape and rel_error(got, z[out_key]) <= 1e-4
        except Exception:
            pass
    print(f"{passed}/{total}")


class Loaded(dict):
    """A fixture read into memory, with np.load's `files`."""

    @property
    def files(self):
        return list(self.keys())


# The manifest's course cases: their inputs come from the course's own answers file, under its keys.
COURSE_INPUTS = {
    "content_loss": {"content_weight": "cl_weight", "content_current": "cl_current", "content_original": "cl_original"},
    "gram_matrix": {"features": "gm_features", "normalize": "gm_normalize"},
    "style_loss": {
        "feats": [f"sl_feat_{i}" for i in range(5)],
        "style_layers": "sl_layers",
        "style_targets": ["sl_target_0", "sl_target_1"],
        "style_weights": "sl_weights",
    },
    "tv_loss": {"img": "tv_img", "tv_weight": "tv_weight"},
}


def course_cases(answers_file):
    """The course cases as fixture-like records (in.<name>, in.<name>.<i> for lists)."""
    with np.load(answers_file) as z:
        for question, inputs in COURSE_INPUTS.items():
            case = Loaded()
            for name, key in inputs.items():
                if isinstance(key, list):
                    for i, k in enumerate(key):
                        case[f"in.{name}.{i}"] = z[k]
                else:
                    case[f"in.{name}"] = z[key]
            yield question, case


def loaded_cases(fixtures, answers_file=None):
    """Every case dlgrade runs, its inputs in memory: the fixtures' cases and, with the answers file, the course's."""
    cases = []
    for question, file in fixture_cases(fixtures):
        with np.load(file) as z:
            if any(k.startswith("in.") for k in z.files):
                cases.append((question, Loaded({k: z[k] for k in z.files})))
    if answers_file:
        cases.extend(course_cases(answers_file))
    return cases


def make_calls(mod, cases):
    for question, z in cases:
        try:
            call(mod, question, z)
        except Exception:
            pass


def collapse_to_huge_pages():
    """As a warm worker does before it forks: its memory moved to 2 MiB pages."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "graders", "runners", "python"))
    import worker

    worker.collapse_to_huge_pages()


def own_work(fixtures, submission, answers_file=None, huge_pages=False):
    torch.set_num_threads(1)
    mod = load_module(submission)
    # Every case dlgrade runs is the submission's own work, the course cases too.
    cases = loaded_cases(fixtures, answers_file)
    if huge_pages:
        collapse_to_huge_pages()
    passes = []
    for _ in range(5):
        started = time.process_time()
        make_calls(mod, cases)
        passes.append((time.process_time() - started) * 1000)
    print(sorted(passes)[2])


FORK_FLOOR_FORKS = 15


def fork_floor(fixtures, submission, answers_file=None):
    """What a process per submission costs on this machine before any harness: a warm process (PyTorch imported,
    the submission's calls made a few times, memory on 2 MiB pages as a warm worker's) forks children that exit at
    once, that import the submission, and that import it and make every call. Prints, as JSON, the median CPU ms
    (parent and child) and the child's page faults per fork of each kind."""
    import gc
    import json
    import resource

    torch.set_num_threads(1)
    cases = loaded_cases(fixtures, answers_file)
    for _ in range(3):
        make_calls(load_module(submission), cases)
    # As a warm worker: a child's collections then never walk (and so copy) the pages it shares with its parent.
    gc.collect()
    gc.freeze()
    collapse_to_huge_pages()
    children = {"exit": lambda: None, "import": lambda: load_module(submission), "calls": lambda: make_calls(load_module(submission), cases)}
    figures = {}
    for kind, child in children.items():
        cpu, faults = [], []
        for _ in range(FORK_FLOOR_FORKS):
            self_before, children_before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            pid = os.fork()
            if pid == 0:
                try:
                    child()
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
            self_after, children_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            used = lambda a, b: (b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime) * 1000
            cpu.append(used(self_before, self_after) + used(children_before, children_after))
            faults.append(children_after.ru_minflt - children_before.ru_minflt)
        figures[kind] = {"cpu_ms": sorted(cpu)[len(cpu) // 2], "faults": sorted(faults)[len(faults) // 2]}
    print(json.dumps(figures))


if __name__ == "__main__":
    course = sys.argv[sys.argv.index("--course") + 1] if "--course" in sys.argv else None
    if "--own-work" in sys.argv:
        own_work(sys.argv[1], sys.argv[2], course, huge_pages="--huge-pages" in sys.argv)
    elif "--fork-floor" in sys.argv:
        fork_floor(sys.argv[1], sys.argv[2], course)
    else:
        main(sys.argv[1], sys.argv[2])
