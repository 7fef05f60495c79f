"""The registry of stand-ins: ``models.yaml``, one entry per Hub model id, read into
:class:`ModelSpec` objects.

The schema of an entry is in :mod:`kb.standin.schema`; a malformed entry raises
:class:`RegistryError` with one line per problem, each naming the file, the model id and the
field (``models.yaml: model 'gpt2': field 'tokenizer.kind': ...``), and nothing of
pydantic's own report format.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kb.standin.schema import ModelEntry, Problem

REGISTRY_PATH = Path(__file__).resolve().parent / "models.yaml"


class RegistryError(ValueError):
    """``models.yaml`` is malformed; the message names the file, model id and field."""


class UnknownModelError(LookupError):
    """A snippet uses a model id that the registry does not hold."""


# --------------------------------------------------------------------------------------
# What the rest of the wing reads
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenizerSpec:
    kind: str
    tokenizer_class: str
    model_max_length: int
    special_tokens: dict[int, str]  # real id -> content
    added_tokens: dict[int, str]  # real id -> content (not special)
    bos_token: str | None
    eos_token: str | None
    unk_token: str | None
    pad_token: str | None
    additional_special_tokens: tuple[str, ...]
    pretokenize_regex: str | None = None
    normalizer: str = "none"
    add_bos_token: bool = False
    init_kwargs: dict[str, Any] = field(default_factory=dict)
    chat_template: str | None = None

    def real_id_to_token(self) -> dict[int, str]:
        return {**self.added_tokens, **self.special_tokens}


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    dtype: str  # dtype of the published weights: "bfloat16", "float32", ...
    config: dict[str, Any]  # the real config.json
    generation_config: dict[str, Any]  # the real generation_config.json
    tokenizer: TokenizerSpec
    source: Path = REGISTRY_PATH  # the registry file it was read from, for error messages
    #: folder under ``remote_code/`` whose ``.py`` files the repository ships as its
    #: own modelling code (its config's ``auto_map`` names them); None for library models
    remote_code: str | None = None

    @property
    def model_type(self) -> str:
        return self.config["model_type"]

    @property
    def architecture(self) -> str:
        return self.config["architectures"][0]

    def field_error(self, fld: str, problem: str) -> RegistryError:
        """The error for a problem with this entry found after loading (while building)."""
        return RegistryError(f"{self.source}: model {self.model_id!r}: field {fld!r}: {problem}")


# --------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, but a key written twice in one mapping is an error: otherwise the
    second entry of a model id silently replaces the first."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # the safe loader rejects unhashable keys itself
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_registry(path: str | os.PathLike[str] | None = None) -> dict[str, ModelSpec]:
    """Read ``models.yaml`` (or ``path``): model id -> :class:`ModelSpec`.

    Raises :class:`RegistryError` naming the file, the model id and the field when an entry
    is malformed.
    """
    path = Path(path) if path is not None else REGISTRY_PATH
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the stand-in registry: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save the registry as UTF-8"
        ) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    if (
        not isinstance(data, dict)
        or set(data) != {"models"}
        or not isinstance(data["models"], dict)
    ):
        raise RegistryError(f"{path}: expected a top-level mapping with only a `models:` mapping")
    if not data["models"]:
        raise RegistryError(f"{path}: `models:` is empty")
    registry = {}
    for model_id, entry in data["models"].items():
        registry[str(model_id)] = _parse_entry(path, str(model_id), entry)
    return registry


def _parse_entry(path: Path, model_id: str, entry: Any) -> ModelSpec:
    where = f"{path}: model {model_id!r}"
    if not isinstance(entry, dict):
        raise RegistryError(
            f"{where}: field '<entry>': expected a mapping of "
            f"{', '.join(ModelEntry.model_fields)}, got {_kind(entry)}"
        )
    try:
        valid = ModelEntry.model_validate(entry)
    except ValidationError as exc:
        lines = [f"{where}: field {fld!r}: {problem}" for fld, problem in _problems(exc)]
        raise RegistryError("\n".join(lines)) from None
    except Problem as exc:
        raise RegistryError(f"{where}: field {exc.field!r}: {exc.problem}") from None

    tok = valid.tokenizer
    config = copy.deepcopy(entry["config"])
    return ModelSpec(
        model_id=model_id,
        dtype=valid.dtype or valid.config.torch_dtype,
        config=config,
        generation_config=copy.deepcopy(valid.generation_config),
        tokenizer=TokenizerSpec(
            kind=tok.kind,
            tokenizer_class=tok.tokenizer_class,
            model_max_length=tok.model_max_length,
            special_tokens=dict(tok.special_tokens),
            added_tokens=dict(tok.added_tokens or {}),
            bos_token=tok.bos_token,
            eos_token=tok.eos_token,
            unk_token=tok.unk_token,
            pad_token=tok.pad_token,
            additional_special_tokens=tuple(tok.additional_special_tokens or ()),
            pretokenize_regex=tok.pretokenize_regex,
            normalizer=tok.normalizer or "none",
            add_bos_token=tok.add_bos_token,
            init_kwargs=copy.deepcopy(tok.init_kwargs or {}),
            chat_template=tok.chat_template,
        ),
        source=path,
        remote_code=valid.remote_code,
    )


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(dotted field, plain sentence) of each error pydantic found."""
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"]]
        kind, message, value = error["type"], error["msg"], error.get("input")
        if loc and loc[-1] == "[key]":
            del loc[-2:]  # [..., <the key>, "[key]"]: the field is the mapping
            message = f"key {value!r}: {message}"
        elif kind == "extra_forbidden":
            known = _fields_at(error["loc"][:-1])
            message = "unknown field" + (f"; the fields are: {', '.join(known)}" if known else "")
        elif kind == "missing":
            message = "required"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            message = f"expected a mapping, got {_kind(value)}"
        elif kind == "list_type":
            message = f"expected a list, got {_kind(value)}"
        else:
            message = message.removeprefix("Value error, ")
            if isinstance(value, str | int | float | bool) and kind != "value_error":
                message += f", got {_short(value)}"
        out.append((".".join(loc) or "<entry>", message))
    return out


def _fields_at(loc: tuple) -> list[str]:
    """The fields of the schema model at ``loc`` (a path in an entry), for "unknown field"."""
    model: type[BaseModel] = ModelEntry
    for part in loc:
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _kind(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return f"{type(value).__name__} {_short(value)}"
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or problem is None:
        return str(exc)
    context = getattr(exc, "context", None)
    return f"line {mark.line + 1}, column {mark.column + 1}: " + (
        f"{context}, {problem}" if context else problem
    )
