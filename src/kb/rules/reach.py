"""What a Python file reaches, read from its syntax tree without running it: the modules it
imports, the module attributes it uses or assigns (through ``import ... as``, ``from ... import``,
plain aliases and ``getattr`` with a written name), the attribute names and built-in names it
uses, and its string constants. The rules in ``interpreter.py`` judge these.

Names are resolved in source order, without following control flow: enough for the routes a
file writes down, not a sandbox (a file set on evading it can build names at run time; the
rules refuse the usual ways of doing that)."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "import",  # a module (or a name from one) imported: "os", "importlib.metadata.version"
    "use",  # a module attribute read: "os.path.join", "sys.modules"; a bare module: "gc"
    "store",  # a module attribute assigned or deleted: "torch.cuda.is_available"
    "attribute",  # any attribute name, whatever it is read from: "f_back", "__code__"
    "builtin",  # a built-in name used: "exec", "globals"
    "string",  # a string constant
    "computed-attribute",  # getattr/setattr/delattr/hasattr with a name made at run time
    "fd-open",  # open() of a file descriptor number
    "code-string",  # exec/eval/compile of a string written in the file: its text
    "relative-import",  # from . import x
    "method",  # a dunder method a class defines: "__eq__"
]

BUILTIN_NAMES = frozenset(dir(builtins))
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "delattr", "hasattr"}
CODE_FUNCTIONS = {"exec", "eval", "compile"}


@dataclass(frozen=True)
class Reach:
    line: int
    kind: Kind
    name: str


class _Walker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.found: list[Reach] = []

    def add(self, node: ast.AST, kind: Kind, name: str) -> None:
        self.found.append(Reach(getattr(node, "lineno", 0), kind, name))

    # ------------------------------------------------------------------ names to module paths

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted module path an expression names, or None when it names no module's
        attribute (``os.path.join``, ``getattr(sys, "modules")``, ``sys.modules["x"]`` ->
        ``sys.modules.[]``)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            base = self.resolve(node.value)
            return f"{base}.[]" if base else None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            base = self.resolve(node.args[0])
            return f"{base}.{node.args[1].value}" if base else None
        return None

    def root(self, node: ast.AST) -> str | None:
        """The module path at the bottom of an assignment target, through calls and items:
        ``sys.modules["kb.claims"].below`` stores under ``sys.modules``."""
        while True:
            resolved = self.resolve(node)
            if resolved:
                return resolved
            if isinstance(node, ast.Attribute | ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Call):
                # vars(module)[name] = ... changes the module
                is_vars = isinstance(node.func, ast.Name) and node.func.id == "vars"
                node = node.args[0] if is_vars and node.args else node.func
            else:
                return None

    def bind(self, name: str, target: str | None) -> None:
        if target:
            self.aliases[name] = target
        else:
            self.aliases.pop(name, None)  # rebound to something else

    # ------------------------------------------------------------------------------- imports

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add(node, "import", alias.name)
            if alias.asname:
                self.bind(alias.asname, alias.name)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.add(node, "relative-import", "." * node.level + (node.module or ""))
            return
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.add(node, "import", full if alias.name != "*" else node.module or "")
            if alias.name != "*":
                self.bind(alias.asname or alias.name, full)

    # ------------------------------------------------------------------------- reads, writes

    def _chain(self, node: ast.AST) -> None:
        """Record the attribute names of a resolved name and visit what is not part of it
        (an item's key, a default passed to getattr)."""
        if isinstance(node, ast.Attribute):
            self.add(node, "attribute", node.attr)
            self._chain(node.value)
        elif isinstance(node, ast.Subscript):
            self.visit(node.slice)
            self._chain(node.value)
        elif isinstance(node, ast.Call):
            for arg in node.args[1:]:
                self.visit(arg)
            self._chain(node.args[0])

    def visit_Attribute(self, node: ast.Attribute) -> None:
        resolved = self.resolve(node)
        if resolved is None:
            self.add(node, "attribute", node.attr)
            self.generic_visit(node)
            return
        if isinstance(node.ctx, ast.Load):
            self.add(node, "use", resolved)
        self._chain(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id in self.aliases:
                self.add(node, "use", self.aliases[node.id])
            elif node.id in BUILTIN_NAMES or (node.id.startswith("__") and node.id.endswith("__")):
                self.add(node, "builtin", node.id)  # also __builtins__, __loader__, __spec__
        elif node.id in self.aliases:
            self.bind(node.id, None)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.add(node, "string", node.value)

    def _store(self, target: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._store(element)
            return
        if isinstance(target, ast.Starred):
            self._store(target.value)
            return
        if isinstance(target, ast.Attribute | ast.Subscript):
            where = self.root(target.value)
            if where:
                suffix = target.attr if isinstance(target, ast.Attribute) else "[]"
                self.add(target, "store", f"{where}.{suffix}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._store(target)
        self.generic_visit(node)
        resolved = self.resolve(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, resolved)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._store(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._store(target)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.generic_visit(node)
        self.bind(node.target.id, self.resolve(node.value))

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.bind(node.name, None)
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = _define

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith(
                "__"
            ):
                self.add(item, "method", item.name)
        self._define(node)

    # --------------------------------------------------------------------------------- calls

    def visit_Call(self, node: ast.Call) -> None:
        resolved = self.resolve(node)  # getattr(module, "name")
        if resolved:
            self.add(node, "use", resolved)
            self.add(node, "builtin", "getattr")
            self._chain(node)
            return
        func = node.func.id if isinstance(node.func, ast.Name) else None
        if func in ATTRIBUTE_FUNCTIONS and len(node.args) >= 2:
            name = node.args[1]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                self.add(node, "computed-attribute", func)
            elif func in ("setattr", "delattr"):
                where = self.root(node.args[0])
                if where:
                    self.add(node, "store", f"{where}.{name.value}")
        if func in CODE_FUNCTIONS and node.args:
            code = node.args[0]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                # the code is written here: judged as code (by the rules), not as a call
                self.add(node, "code-string", code.value)
                for part in [*node.args[1:], *node.keywords]:
                    self.visit(part)
                return
        if func == "open" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, int):
                self.add(node, "fd-open", str(first.value))
        self.generic_visit(node)


def reaches(tree: ast.AST) -> list[Reach]:
    walker = _Walker()
    walker.visit(tree)
    return walker.found
