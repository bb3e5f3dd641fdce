"""A module of hooks/, loaded as MkDocs loads a hook: its folder importable, the module registered
under its file's name (so that a hook importing another gets the same module), once per session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HOOKS = Path(__file__).resolve().parent.parent / "hooks"


def hook_module(name: str) -> ModuleType:
    if str(HOOKS) not in sys.path:
        sys.path.insert(0, str(HOOKS))
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HOOKS / f"{name}.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]
