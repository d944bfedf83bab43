"""Reading YAML files that people write (lexicons, later policies) with errors that
name the file, the line and the problem.

``load_yaml_model(path, Model)`` parses safely (no Python objects), validates with
pydantic, and turns each validation error's location into the line it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 16 * 1024 * 1024


class FileError(ValueError):
    """A problem in a file a person wrote: ``path:line: problem``."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


def _line_map(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value
            lines[(*path, name)] = key.start_mark.line + 1
            _line_map(value, (*path, name), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The document and a map from each path in it to its line."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileError(path, None, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise FileError(path, None, f"cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FileError(path, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise FileError(path, None, f"not valid YAML: {exc}") from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _line_map(node, (), lines)
    return document, lines


def load_yaml_model(path: Path, model: type[M]) -> M:
    document, lines = read_yaml(path)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # In a union (a term written as text or as a mapping) pydantic reports each
        # alternative; the one that got furthest into the value says the most.
        first = max(errors, key=lambda e: len(_readable(e["loc"])))
        loc = _readable(first["loc"])
        where = ".".join(str(p) for p in loc) or "document"
        message = first["msg"].removeprefix("Value error, ")
        raise FileError(path, _line_of(loc, lines), f"{where}: {message}") from None


def _readable(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The path as the file has it, without pydantic's names for union members."""
    return tuple(p for p in loc if isinstance(p, int) or not any(c in p for c in "[(<"))
