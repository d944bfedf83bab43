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

MAX_FILE_BYTES = 4 * 1024 * 1024


class TextLoader(yaml.SafeLoader):
    """YAML for files people write: plain scalars stay text (the schema decides types).

    YAML 1.1 would read ``1:1`` as the number 61, ``010`` as 8, ``no`` as false;
    a lexicon means the text. Aliases are refused: a few lines of nested aliases
    expand into millions of nodes.
    """

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        # YAML lets a later key silently replace an earlier one: in a policy, a rule's
        # condition written twice would quietly become the second one alone.
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def read_yaml(path: Path, data: bytes | None = None) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The document and a map from each path in it to its line.

    ``data`` is the file's content when the caller has read it already (and must parse
    exactly what it read, not what the file holds a moment later).
    """
    try:
        if data is None:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FileError(path, None, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            data = path.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise FileError(path, None, f"file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}")
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise FileError(path, None, f"cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=TextLoader)
        document = yaml.load(text, Loader=TextLoader)
    except RecursionError:
        raise FileError(path, None, "nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FileError(path, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise FileError(path, None, f"not valid YAML: {exc}") from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _line_map(node, (), lines)
    return document, lines


def load_yaml_model(path: Path, model: type[M], data: bytes | None = None) -> M:
    document, lines = read_yaml(path, data)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # In a union (a term written as text or as a mapping) pydantic reports each
        # alternative; the one that got furthest into the value says the most.
        first = max(
            errors,
            key=lambda e: (len(_readable(e["loc"])), not e["type"].endswith("_type")),
        )
        loc = _readable(first["loc"])
        where = ".".join(str(p) for p in loc) or "document"
        message = first["msg"].removeprefix("Value error, ")
        raise FileError(path, _line_of(loc, lines), f"{where}: {message}") from None


def _readable(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The path as the file has it, without pydantic's names for union members."""
    return tuple(p for p in loc if isinstance(p, int) or not any(c in p for c in "[(<"))
