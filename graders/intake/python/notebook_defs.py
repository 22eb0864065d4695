"""Turns a notebook's code cells into a module the runner can import, keeping a map back to cells and lines.

Reads {"cells": [{"cell": n, "source": "..."}], "mode": "definitions" | "run-all"} from the JSON file named by
argument 1 and writes {"source", "lines", "kept", "dropped", "skipped"} as JSON on stdout. It only parses
(ast.parse); nothing of the notebook runs here.
"""
import ast
import json
import re
import sys

# Kept small: every generated line that is not the student's maps to None.
PRELUDE = '''class _DlgradeMissingModule:
    def __init__(self, name, where, error):
        object.__setattr__(self, "_message", f"the package {name!r} is not available on the grading machine ({type(error).__name__}: {error}); the notebook imports it at {where}")
    def __getattr__(self, attr):
        raise ModuleNotFoundError(object.__getattribute__(self, "_message"))
    def __call__(self, *args, **kwargs):
        raise ModuleNotFoundError(object.__getattribute__(self, "_message"))
'''
RUN_ALL_PRELUDE = '''def display(*args, **kwargs):
    pass
'''

MAGIC_LINE = re.compile(r"^\s*(%|!)")
SHELL_ASSIGN = re.compile(r"^\s*[\w.,\s\[\]]+=\s*[!%]")
HELP_LINE = re.compile(r"^\s*\??[\w.]+\?\??\s*$")
CONSTRUCTORS = {"torch.device", "float", "int", "str", "tuple", "list", "dict", "set", "frozenset", "range", "object", "bool"}


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def constant_like(node):
    """A value computed from literals and names only: no calls that do work, no I/O."""
    for child in ast.walk(node):
        if isinstance(child, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda)):
            return False
        if isinstance(child, ast.Call) and dotted(child.func) not in CONSTRUCTORS:
            return False
    return True


def is_main_guard(node):
    test = node.test
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


def keep_reason(node):
    """None to keep the statement; otherwise why it is dropped."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        if node.value is None or constant_like(node.value):
            return None
        return "top-level work (an assignment that calls code)"
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Constant):
            return None
        if isinstance(node.value, ast.Call) and dotted(node.value.func) == "display":
            return "display()"
        return "top-level work (an expression or call)"
    if isinstance(node, ast.Try) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body):
        return None
    if isinstance(node, ast.If) and is_main_guard(node):
        return 'an if __name__ == "__main__" block'
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return "top-level work (a loop)"
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return "top-level work (a with block)"
    if isinstance(node, ast.Pass):
        return None
    return f"top-level work ({type(node).__name__.lower()} statement)"


def first_line(node):
    lines = [node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]
    return min(lines)


def strip_ipython(cell, text, dropped):
    """Blanks magics, shell and help lines (a `pass` keeps an indented block valid); None drops the whole cell."""
    lines = text.split("\n")
    first = next((l for l in lines if l.strip()), "")
    if first.lstrip().startswith("%%"):
        dropped.append({"cell": cell, "line": 1, "text": first.strip()[:80], "why": "a cell magic"})
        return None
    out = []
    for number, line in enumerate(lines, 1):
        if MAGIC_LINE.match(line) or SHELL_ASSIGN.match(line) or HELP_LINE.match(line):
            kind = "a shell command" if "!" in line.split("%")[0] else "an IPython magic"
            if HELP_LINE.match(line):
                kind = "IPython help"
            dropped.append({"cell": cell, "line": number, "text": line.strip()[:80], "why": kind})
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + "pass" if indent else "")
        else:
            out.append(line)
    return "\n".join(out)


def bound_names(node):
    """The names an import statement binds, or None for a star import."""
    names = []
    for alias in node.names:
        if alias.name == "*":
            return None
        names.append(alias.asname or alias.name.split(".")[0])
    return names


class Output:
    def __init__(self):
        self.lines = []
        self.where = []

    def add(self, text, where):
        for line in text.split("\n"):
            self.lines.append(line)
            self.where.append(where)


def convert(cells, mode):
    out = Output()
    out.add(PRELUDE.rstrip("\n"), None)
    if mode == "run-all":
        out.add(RUN_ALL_PRELUDE.rstrip("\n"), None)
    dropped, skipped = [], []
    kept = 0
    for item in cells:
        cell = item["cell"]
        text = strip_ipython(cell, item["source"], dropped)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError as error:
            skipped.append({"cell": cell, "reason": f"SyntaxError: {error.msg} (line {error.lineno})"})
            continue
        except (ValueError, RecursionError, MemoryError) as error:
            skipped.append({"cell": cell, "reason": f"{type(error).__name__}: cannot be parsed"})
            continue
        source_lines = text.split("\n")
        body = tree.body
        cell_kept = False
        for i, node in enumerate(body):
            reason = None if mode == "run-all" and not isinstance(node, (ast.Import, ast.ImportFrom)) else keep_reason(node)
            start, end = first_line(node), node.end_lineno
            if reason is not None:
                snippet = source_lines[start - 1].strip()[:80]
                dropped.append({"cell": cell, "line": start, "text": snippet, "why": reason})
                continue
            cell_kept = True
            shares = (i > 0 and body[i - 1].end_lineno >= start) or (i + 1 < len(body) and first_line(body[i + 1]) <= end) or node.col_offset != 0
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = bound_names(node)
                statement = ast.unparse(node)
                where = f"cell {cell}, line {start}"
                package = (node.module or "") if isinstance(node, ast.ImportFrom) else node.names[0].name
                if node.__class__ is ast.ImportFrom and node.level:
                    names = None  # a relative import has no package to name: it fails as it would
                if names is None:
                    out.add(statement, [cell, start])
                    continue
                out.add("try:", [cell, start])
                out.add("    " + statement, [cell, start])
                out.add("except ImportError as _dlgrade_error:", [cell, start])
                for name in names:
                    out.add(f"    {name} = _DlgradeMissingModule({package.split('.')[0]!r}, {where!r}, _dlgrade_error)", [cell, start])
                continue
            if shares:
                out.add(ast.unparse(node), [cell, start])
                continue
            for number in range(start, end + 1):
                out.lines.append(source_lines[number - 1])
                out.where.append([cell, number])
        if cell_kept:
            kept += 1
    dropped.sort(key=lambda d: (d["cell"], d["line"]))
    return {"source": "\n".join(out.lines) + "\n", "lines": out.where, "kept": kept, "dropped": dropped, "skipped": skipped}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    sys.setrecursionlimit(2000)
    json.dump(convert(request["cells"], request.get("mode", "definitions")), sys.stdout)


if __name__ == "__main__":
    main()
