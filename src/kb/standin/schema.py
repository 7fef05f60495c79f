"""The schema of ``models.yaml``: one :class:`ModelEntry` per model id, as pydantic models.

Problems within one field are pydantic's own errors (with their field path); problems
across fields are found by the validators and raised as :class:`Problem` with the dotted
field they belong to. :mod:`kb.standin.registry` turns both into plain sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kb.project import ROOT

HERE = Path(__file__).resolve().parent
#: The modelling code that stand-ins of remote-code repositories ship (``remote_code:``).
REMOTE_CODE_DIR = HERE / "remote_code"
#: The ``auto_map`` entries the builder imports from a stand-in's remote code.
REMOTE_AUTO_CLASSES = ("AutoConfig", "AutoModelForCausalLM")


class Problem(Exception):
    """A problem found across fields, with the dotted field it belongs to. Not a ValueError
    on purpose: pydantic lets it through unchanged, so it keeps its field path instead of
    taking the path of the validator that found it."""

    def __init__(self, fld: str, problem: str):
        super().__init__(problem)
        self.field = fld
        self.problem = problem


_TokenId = Annotated[StrictInt, Field(ge=0)]
_Content = Annotated[StrictStr, Field(min_length=1)]
_Name = Annotated[StrictStr, Field(min_length=1)]
_Dtype = Literal["float32", "float16", "bfloat16"]


class _Schema(BaseModel):
    # strict: YAML's types are taken as written ("5" is not a token id, 1 is not true)
    model_config = ConfigDict(extra="forbid", strict=True, protected_namespaces=())


class TokenizerEntry(_Schema):
    """``tokenizer:`` of an entry: what the stand-in tokenizer must reproduce."""

    kind: Literal["byte_level_bpe", "sentencepiece_bpe"]
    tokenizer_class: _Name
    model_max_length: Annotated[StrictInt, Field(gt=0)]
    special_tokens: Annotated[dict[_TokenId, _Content], Field(min_length=1)]
    added_tokens: dict[_TokenId, _Content] | None = None
    bos_token: StrictStr | None = None
    eos_token: StrictStr | None = None
    unk_token: StrictStr | None = None
    pad_token: StrictStr | None = None
    additional_special_tokens: list[StrictStr] | None = None
    pretokenize_regex: StrictStr | None = None
    normalizer: Literal["none", "nfc"] | None = None
    add_bos_token: StrictBool = False
    init_kwargs: dict[StrictStr, Any] | None = None
    chat_template: StrictStr | None = None

    @field_validator("bos_token", "eos_token", "unk_token", "pad_token")
    @classmethod
    def _named_is_special(cls, value: str | None, info: ValidationInfo) -> str | None:
        special = info.data.get("special_tokens")
        if value is not None and special is not None and value not in special.values():
            raise ValueError(f"{value!r} is not in tokenizer.special_tokens")
        return value

    @field_validator("additional_special_tokens")
    @classmethod
    def _extra_are_special(cls, value: list[str] | None, info: ValidationInfo):
        special = info.data.get("special_tokens")
        for content in value or []:
            if special is not None and content not in special.values():
                raise ValueError(f"{content!r} is not in tokenizer.special_tokens")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TokenizerEntry:
        added = self.added_tokens or {}
        contents = list(self.special_tokens.values()) + list(added.values())
        if len(set(contents)) != len(contents):
            raise Problem("tokenizer.special_tokens", "a token content appears twice")
        if set(self.special_tokens) & set(added):
            raise Problem("tokenizer.added_tokens", "an id is also in special_tokens")
        if self.pretokenize_regex is not None and self.kind != "byte_level_bpe":
            raise Problem("tokenizer.pretokenize_regex", "for kind byte_level_bpe only")
        if self.add_bos_token and self.bos_token is None:
            raise Problem("tokenizer.add_bos_token", "true, but bos_token is null")
        own_fields = set(type(self).model_fields) | {"chat_template", "extra_special_tokens"}
        clash = sorted(set(self.init_kwargs or {}) & own_fields)
        if clash:
            raise Problem(f"tokenizer.init_kwargs.{clash[0]}", "set it as a tokenizer field")
        if self.kind == "sentencepiece_bpe" and self.unk_token is None:
            raise Problem(
                "tokenizer.unk_token", "required for kind sentencepiece_bpe (byte fallback)"
            )
        return self


class ConfigEntry(BaseModel):
    """``config:`` of an entry: the published config.json. Only the fields the builder
    relies on are checked; every other key is kept as written."""

    model_config = ConfigDict(extra="allow", strict=True, protected_namespaces=())

    model_type: _Name
    architectures: Annotated[list[_Name], Field(min_length=1, max_length=1)]
    vocab_size: Annotated[StrictInt, Field(gt=0)]
    torch_dtype: _Dtype | None = None
    auto_map: dict[StrictStr, StrictStr] | None = None
    dtype: Any = None

    @field_validator("dtype", mode="before")
    @classmethod
    def _no_dtype_key(cls, value: Any) -> Any:
        raise ValueError("write the dtype as the real config.json does: `torch_dtype`")


class ModelEntry(_Schema):
    """One model id of ``models:``."""

    dtype: _Dtype | None = None
    config: ConfigEntry
    generation_config: dict[StrictStr, Any] = {}
    tokenizer: TokenizerEntry
    remote_code: StrictStr | None = None

    @field_validator("remote_code")
    @classmethod
    def _remote_code_folder(cls, value: str | None) -> str | None:
        if value is None:
            return value
        folder = REMOTE_CODE_DIR / value
        inside = (
            value not in ("", ".", "..")
            and Path(value).name == value
            and "\\" not in value
            and folder.is_dir()
            and folder.resolve().parent == REMOTE_CODE_DIR.resolve()
        )
        if not inside:
            names = sorted(p.name for p in REMOTE_CODE_DIR.iterdir() if p.is_dir())
            raise ValueError(
                f"expected the name of a folder in {shown(REMOTE_CODE_DIR)} "
                f"(one of: {', '.join(names)}), got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ModelEntry:
        cfg = self.config
        if self.dtype is None and cfg.torch_dtype is None:
            raise Problem("dtype", "required when config has no `torch_dtype`")
        if cfg.torch_dtype is not None and self.dtype not in (None, cfg.torch_dtype):
            raise Problem(
                "dtype", f"{self.dtype!r} disagrees with config.torch_dtype {cfg.torch_dtype!r}"
            )
        if self.remote_code is not None:
            _check_auto_map(self.remote_code, cfg.auto_map)
        elif cfg.auto_map is not None:
            raise Problem(
                "remote_code", "required: config.auto_map names code the repository ships"
            )
        known = self.tokenizer.special_tokens.keys() | (self.tokenizer.added_tokens or {}).keys()
        raw_config = cfg.model_dump(exclude_unset=True)
        for section, mapping in (
            ("config", raw_config),
            ("generation_config", self.generation_config),
        ):
            for key, value in mapping.items():
                if not key.endswith("token_id") or value is None:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if not isinstance(v, int) or isinstance(v, bool):
                        raise Problem(f"{section}.{key}", f"expected token ids, got {value!r}")
                    if v not in known:
                        raise Problem(
                            f"{section}.{key}",
                            f"token id {v} is not in tokenizer.special_tokens or "
                            "tokenizer.added_tokens",
                        )
        return self


def _check_auto_map(folder: str, auto_map: dict[str, str] | None) -> None:
    if auto_map is None:
        raise Problem("config.auto_map", "required with remote_code: the real auto_map")
    for auto_class in REMOTE_AUTO_CLASSES:
        target = auto_map.get(auto_class)
        if target is None:
            raise Problem(f"config.auto_map.{auto_class}", "required with remote_code")
        module, _, class_name = target.rpartition(".")
        # one module of the folder: the builder imports it from there, as a package
        if not (
            module.isidentifier()
            and class_name.isidentifier()
            and (REMOTE_CODE_DIR / folder / f"{module}.py").is_file()
        ):
            raise Problem(
                f"config.auto_map.{auto_class}",
                f"{target!r} is not <module>.<class> of a module in "
                f"{shown(REMOTE_CODE_DIR / folder)}",
            )


def shown(path: Path) -> str:
    """``path`` relative to the project when inside it: messages name what the reader sees."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
