"""The stand-in hub: a local Hugging Face cache in which each registered model id resolves,
offline, to a checkpoint with the real architecture and config, random weights and a small
tokenizer trained here with the model's real special tokens.

The cache has exactly the layout huggingface_hub reads::

    <HF_HOME>/hub/models--<org>--<name>/
        refs/main                        the commit hash, no newline
        blobs/<sha256>                   each file's content
        snapshots/<commit>/<file>        relative symlink to ../../blobs/<sha256>

so that with ``HF_HOME=<dir>`` and ``HF_HUB_OFFLINE=1``, ``from_pretrained("<org>/<name>")``
loads it like a downloaded repository. The real configs live in ``models.yaml``
next to this file. ``scale="small"`` scales each model down for CPU (2 layers, hidden 128);
``scale="full"`` keeps the real sizes, for a GPU machine.

As a command::

    python -m kb.standin.hub build --scale small --out DIR [--only ID ...]
    python -m kb.standin.hub ensure --scale small [--root .cache/standin-hub]
    python -m kb.standin.hub used [SNIPPETS_DIR]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
from kb.project import ROOT  # noqa: E402

REGISTRY_PATH = HERE / "models.yaml"
#: The modelling code that stand-ins of remote-code repositories ship (``remote_code:``).
REMOTE_CODE_DIR = HERE / "remote_code"
DEFAULT_SNIPPETS = ROOT / "snippets"
DEFAULT_HUB_ROOT = ROOT / ".cache" / "standin-hub"

SCALES = ("small", "full")
TOKENIZER_KINDS = ("byte_level_bpe", "sentencepiece_bpe")
NORMALIZERS = ("none", "nfc")
#: The stamp file in ``<hub_root>/<scale>``; the cache is valid only while it matches.
STAMP_NAME = "standin-stamp.json"
#: Versions that decide what a build writes.
STAMP_PACKAGES = ("torch", "transformers", "tokenizers", "huggingface_hub", "safetensors")
#: Size of every stand-in tokenizer, special and added tokens included.
TOKENIZER_SIZE = 1000
#: The small scale: hidden size, layers, attention heads (head_dim 32), kv heads under GQA.
SMALL_HIDDEN = 128
SMALL_LAYERS = 2
SMALL_HEADS = 4
SMALL_GQA_KV_HEADS = 2
#: A comment on a ``from_pretrained`` line that tells ``used_model_ids`` to skip it
#: (a snippet that shows the error for a repository that does not exist, say).
IGNORE_MARKER = "standin-hub: ignore"


class RegistryError(ValueError):
    """``models.yaml`` is malformed; the message names the file, model id and field."""


class UnknownModelError(LookupError):
    """A snippet uses a model id that the registry does not hold."""


# --------------------------------------------------------------------------------------
# The registry
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


_DTYPES = ("float32", "float16", "bfloat16")
_NAMED_TOKENS = ("bos_token", "eos_token", "unk_token", "pad_token")


def load_registry(path: str | os.PathLike[str] | None = None) -> dict[str, ModelSpec]:
    """Read ``models.yaml`` (or ``path``): model id -> :class:`ModelSpec`.

    Raises :class:`RegistryError` naming the file, the model id and the field when an entry
    is malformed.
    """
    path = Path(path) if path is not None else REGISTRY_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the stand-in registry: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise RegistryError(f"{path}: expected a top-level mapping with a `models:` mapping")
    if not data["models"]:
        raise RegistryError(f"{path}: `models:` is empty")
    registry = {}
    for model_id, entry in data["models"].items():
        registry[str(model_id)] = _parse_entry(path, str(model_id), entry)
    return registry


def _parse_entry(path: Path, model_id: str, entry: Any) -> ModelSpec:
    def fail(fld: str, problem: str) -> RegistryError:
        return RegistryError(f"{path}: model {model_id!r}: field {fld!r}: {problem}")

    if not isinstance(entry, dict):
        raise fail("<entry>", f"expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - {"dtype", "config", "generation_config", "tokenizer", "remote_code"}
    if unknown:
        raise fail(sorted(unknown)[0], "unknown field")

    config = entry.get("config")
    if not isinstance(config, dict) or not config:
        raise fail("config", "required: the real config.json as a mapping")
    config = copy.deepcopy(config)
    if not isinstance(config.get("model_type"), str) or not config["model_type"]:
        raise fail("config.model_type", "required: a string such as 'qwen2'")
    archs = config.get("architectures")
    if not (isinstance(archs, list) and len(archs) == 1 and isinstance(archs[0], str)):
        raise fail("config.architectures", "required: a list of one class name")
    if not isinstance(config.get("vocab_size"), int) or config["vocab_size"] <= 0:
        raise fail("config.vocab_size", "required: a positive integer")
    if "dtype" in config:
        raise fail("config.dtype", "write the dtype as the real config.json does: `torch_dtype`")

    dtype = entry.get("dtype", config.get("torch_dtype"))
    if dtype is None:
        raise fail("dtype", "required when config has no `torch_dtype`")
    if dtype not in _DTYPES:
        raise fail("dtype", f"{dtype!r} is not one of {', '.join(_DTYPES)}")
    if "torch_dtype" in config and config["torch_dtype"] != dtype:
        raise fail(
            "dtype", f"{dtype!r} disagrees with config.torch_dtype {config['torch_dtype']!r}"
        )

    gen = entry.get("generation_config", {})
    if not isinstance(gen, dict):
        raise fail("generation_config", "expected a mapping")
    gen = copy.deepcopy(gen)

    tok = _parse_tokenizer(entry.get("tokenizer"), fail)

    remote_code = entry.get("remote_code")
    if remote_code is not None:
        folder = REMOTE_CODE_DIR / str(remote_code)
        if not isinstance(remote_code, str) or "/" in remote_code or not folder.is_dir():
            raise fail("remote_code", f"expected the name of a folder in {REMOTE_CODE_DIR}")
        if not isinstance(config.get("auto_map"), dict):
            raise fail("config.auto_map", "required with remote_code: the real auto_map")
    elif "auto_map" in config:
        raise fail("remote_code", "required: config.auto_map names code the repository ships")

    known_ids = tok.real_id_to_token()
    for section, mapping in (("config", config), ("generation_config", gen)):
        for key, value in mapping.items():
            if not key.endswith("token_id") or value is None:
                continue
            values = value if isinstance(value, list) else [value]
            for v in values:
                if not isinstance(v, int) or isinstance(v, bool):
                    raise fail(f"{section}.{key}", f"expected token ids, got {value!r}")
                if v not in known_ids:
                    raise fail(
                        f"{section}.{key}",
                        f"token id {v} is not in tokenizer.special_tokens or tokenizer.added_tokens",
                    )
    return ModelSpec(
        model_id=model_id,
        dtype=dtype,
        config=config,
        generation_config=gen,
        tokenizer=tok,
        source=path,
        remote_code=remote_code,
    )


def _parse_tokenizer(tok: Any, fail) -> TokenizerSpec:
    if not isinstance(tok, dict):
        raise fail("tokenizer", "required: a mapping")
    allowed = {
        "kind",
        "tokenizer_class",
        "model_max_length",
        "special_tokens",
        "added_tokens",
        "bos_token",
        "eos_token",
        "unk_token",
        "pad_token",
        "additional_special_tokens",
        "pretokenize_regex",
        "normalizer",
        "add_bos_token",
        "init_kwargs",
        "chat_template",
    }
    unknown = set(tok) - allowed
    if unknown:
        raise fail(f"tokenizer.{sorted(unknown)[0]}", "unknown field")
    if tok.get("kind") not in TOKENIZER_KINDS:
        raise fail("tokenizer.kind", f"required: one of {', '.join(TOKENIZER_KINDS)}")
    if not isinstance(tok.get("tokenizer_class"), str) or not tok["tokenizer_class"]:
        raise fail("tokenizer.tokenizer_class", "required: the class the real repo declares")
    mml = tok.get("model_max_length")
    if not isinstance(mml, int) or isinstance(mml, bool) or mml <= 0:
        raise fail("tokenizer.model_max_length", "required: a positive integer")

    def id_map(name: str, required: bool) -> dict[int, str]:
        raw = tok.get(name, {} if not required else None)
        if raw is None:
            raw = {}
        if not isinstance(raw, dict) or (required and not raw):
            raise fail(f"tokenizer.{name}", "required: a mapping of real token id -> content")
        out = {}
        for k, v in raw.items():
            if not isinstance(k, int) or isinstance(k, bool) or k < 0:
                raise fail(f"tokenizer.{name}", f"key {k!r} is not a token id")
            if not isinstance(v, str) or not v:
                raise fail(f"tokenizer.{name}.{k}", "expected the token's content")
            out[k] = v
        return out

    special = id_map("special_tokens", required=True)
    added = id_map("added_tokens", required=False)
    contents = list(special.values()) + list(added.values())
    if len(set(contents)) != len(contents):
        raise fail("tokenizer.special_tokens", "a token content appears twice")
    if set(special) & set(added):
        raise fail("tokenizer.added_tokens", "an id is also in special_tokens")

    named = {}
    for name in _NAMED_TOKENS:
        value = tok.get(name)
        if value is not None and value not in special.values():
            raise fail(f"tokenizer.{name}", f"{value!r} is not in tokenizer.special_tokens")
        named[name] = value
    extra = tok.get("additional_special_tokens", []) or []
    if not isinstance(extra, list):
        raise fail("tokenizer.additional_special_tokens", "expected a list")
    for value in extra:
        if value not in special.values():
            raise fail(
                "tokenizer.additional_special_tokens",
                f"{value!r} is not in tokenizer.special_tokens",
            )

    regex = tok.get("pretokenize_regex")
    if regex is not None and (tok["kind"] != "byte_level_bpe" or not isinstance(regex, str)):
        raise fail("tokenizer.pretokenize_regex", "a string, for kind byte_level_bpe only")
    normalizer = tok.get("normalizer", "none") or "none"
    if normalizer not in NORMALIZERS:
        raise fail("tokenizer.normalizer", f"one of {', '.join(NORMALIZERS)}")
    add_bos = tok.get("add_bos_token", False)
    if not isinstance(add_bos, bool):
        raise fail("tokenizer.add_bos_token", "expected true or false")
    if add_bos and named["bos_token"] is None:
        raise fail("tokenizer.add_bos_token", "true, but bos_token is null")
    init_kwargs = tok.get("init_kwargs", {}) or {}
    if not isinstance(init_kwargs, dict):
        raise fail("tokenizer.init_kwargs", "expected a mapping")
    clash = set(init_kwargs) & (allowed | {"chat_template", "extra_special_tokens"})
    if clash:
        raise fail(f"tokenizer.init_kwargs.{sorted(clash)[0]}", "set it as a tokenizer field")
    template = tok.get("chat_template")
    if template is not None and not isinstance(template, str):
        raise fail("tokenizer.chat_template", "expected a Jinja string")
    if tok["kind"] == "sentencepiece_bpe" and named["unk_token"] is None:
        raise fail("tokenizer.unk_token", "required for kind sentencepiece_bpe (byte fallback)")
    return TokenizerSpec(
        kind=tok["kind"],
        tokenizer_class=tok["tokenizer_class"],
        model_max_length=mml,
        special_tokens=special,
        added_tokens=added,
        additional_special_tokens=tuple(extra),
        pretokenize_regex=regex,
        normalizer=normalizer,
        add_bos_token=add_bos,
        init_kwargs=copy.deepcopy(init_kwargs),
        chat_template=template,
        **named,
    )


# --------------------------------------------------------------------------------------
# The tokenizer corpus: fixed text, plus lines generated from it without randomness
# --------------------------------------------------------------------------------------

_PROSE = """\
A model checkpoint is a folder of files: a configuration, the weights and the tokenizer.
The configuration says how many layers the network has and how wide each of them is.
When you load a model, the library reads the configuration first and builds the empty network.
Then it reads the weights, shard by shard, and copies each tensor into its place.
The tokenizer turns text into numbers, and the numbers back into text after generation.
Precision matters: bfloat16 halves the memory of float32 and keeps the same exponent range.
Half precision, float16, has a smaller range, so large activations can overflow to infinity.
Quantization stores weights in four or eight bits and dequantizes them on the fly.
A device map tells the loader which layer goes to which GPU, and what stays on the CPU.
If the model does not fit, the remaining layers can be offloaded to disk, at a cost in speed.
Attention is the part of the transformer that lets every token look at the tokens before it.
The key and value cache keeps past attention states, so generation does not recompute them.
Grouped query attention shares each key and value head between several query heads.
Rotary position embeddings rotate queries and keys by an angle that grows with the position.
The vocabulary of a language model has tens of thousands of entries, often more than a hundred thousand.
Special tokens mark the start and end of a text, or separate the turns of a conversation.
A chat template writes a list of messages as the exact string the model was trained on.
Sampling with a temperature below one makes the output more focused and less surprising.
Greedy decoding always picks the most likely next token; beam search keeps several candidates.
Most errors when loading a model come from a wrong class, a missing file or too little memory.
She opened the window, and the cold morning air filled the quiet kitchen.
The river ran fast after the rain, carrying branches and leaves toward the old stone bridge.
He wrote three letters that week, but he sent only the shortest one.
On Sunday the market was crowded with people buying bread, cheese, apples and fresh flowers.
The children counted the stars until they fell asleep on the warm grass.
Every library keeps a record of the books it lends and the date each one is due.
The train to the coast leaves at seven o'clock and arrives a little after noon.
Good documentation answers the question the reader has, in the order the reader has it.
A careful engineer measures before optimizing, and keeps the measurements with the code.
Tests that run quickly get run often; tests that run slowly get skipped.
The recipe asks for two cups of flour, one egg, a pinch of salt and a spoonful of honey.
Mountains in the north were still covered with snow in the middle of April.
Our neighbour repairs old clocks; his shop smells of oil, brass and polished wood.
It's not what you'd expect: the fastest path isn't always the shortest one.
Numbers like 3.14159, 2.71828, 1024, 4096, 65536 and 1e-05 appear often in configs.
They'll meet at the café near the station; it's the one with the blue door.
Naïve readers sometimes confuse the résumé of a project with its full history.
Temperatures ranged from −5 °C at night to 12 °C in the afternoon.
"Which file is missing?" she asked. "The index," he said, "or maybe the tokenizer."
Questions, answers, examples and exercises: each page of the guide has all four.
"""

_CODE = """\
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "org/model-name"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16, device_map="auto")
inputs = tokenizer("Hello, world!", return_tensors="pt").to(model.device)
output_ids = model.generate(**inputs, max_new_tokens=32, do_sample=False)
print(tokenizer.decode(output_ids[0], skip_special_tokens=True))

def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

class Counter:
    def __init__(self, start: int = 0) -> None:
        self.value = start

    def increment(self, step: int = 1) -> int:
        self.value += step
        return self.value

    def __repr__(self) -> str:
        return f"Counter(value={self.value})"

for index, item in enumerate(items):
    if item is None:
        continue
    results.append((index, item.strip().lower()))

with open("config.json", encoding="utf-8") as handle:
    config = json.load(handle)

try:
    value = mapping[key]
except KeyError as error:
    raise ValueError(f"unknown key: {key!r}") from error

squares = [n * n for n in range(10) if n % 2 == 0]
lookup = {name: len(name) for name in ("alpha", "beta", "gamma", "delta")}
total = sum(x for x in values if x > 0) / max(len(values), 1)

@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def distance(self, other: "Point") -> float:
        return math.hypot(self.x - other.x, self.y - other.y)

async def fetch(session, url: str) -> bytes:
    async with session.get(url) as response:
        response.raise_for_status()
        return await response.read()

quantization_config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
messages = [{"role": "user", "content": "What is 2 + 2?"}]
prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
logits = model(**inputs).logits[:, -1, :]
probabilities = torch.softmax(logits / 0.7, dim=-1)
next_token = torch.argmax(probabilities, dim=-1, keepdim=True)
assert model.config.vocab_size >= len(tokenizer), "vocabulary mismatch"
x = torch.randn(2, 3, 4, dtype=torch.float32)
y = x.transpose(1, 2).contiguous().view(2, -1)
if __name__ == "__main__":
    main(sys.argv[1:])
"""

_SUBJECTS = (
    "the tokenizer",
    "the model",
    "the loader",
    "a careful reader",
    "the test suite",
    "every shard",
    "the config",
    "our small garden",
    "the night train",
    "a quiet student",
    "the old library",
    "the cache",
)
_VERBS = (
    "reads",
    "writes",
    "checks",
    "rebuilds",
    "explains",
    "measures",
    "loads",
    "ignores",
    "remembers",
    "describes",
    "compares",
    "saves",
)
_OBJECTS = (
    "the weights",
    "each special token",
    "the attention mask",
    "a long document",
    "the rotary embeddings",
    "the memory footprint",
    "a warm loaf of bread",
    "the evening news",
    "every layer norm",
    "the generation settings",
    "a list of messages",
    "the last checkpoint",
)
_ENDINGS = (
    "before the first token is generated",
    "without touching the network",
    "in under a second",
    "while the kettle boils",
    "for every new snippet",
    "and then prints the result",
    "on a machine without a GPU",
    "exactly as the documentation says",
)
_NAMES = (
    "hidden_size",
    "num_layers",
    "head_dim",
    "vocab_size",
    "max_length",
    "batch_size",
    "learning_rate",
    "eos_token_id",
    "temperature",
    "top_p",
)


def corpus_lines() -> list[str]:
    """The fixed training text of every stand-in tokenizer: a few hundred lines of English
    prose and Python code, the same on every run (no randomness, no files read)."""
    lines = [ln for ln in _PROSE.splitlines() if ln.strip()]
    lines += _CODE.splitlines()
    n_s, n_v, n_o, n_e = len(_SUBJECTS), len(_VERBS), len(_OBJECTS), len(_ENDINGS)
    for i in range(144):
        subject = _SUBJECTS[i % n_s]
        verb = _VERBS[(i * 5 + 1) % n_v]
        obj = _OBJECTS[(i * 7 + 3) % n_o]
        ending = _ENDINGS[(i * 3 + i // n_s) % n_e]
        sentence = f"{subject} {verb} {obj} {ending}."
        lines.append(sentence[0].upper() + sentence[1:])
    for i in range(60):
        a, b = _NAMES[i % len(_NAMES)], _NAMES[(i * 3 + 1) % len(_NAMES)]
        lines.append(f"    {a}_{i} = config.{b} * {i + 2} + {(i * 37) % 101}  # step {i}")
        lines.append(f"def get_{a}(config, default={i * 8}):")
        lines.append(f'    return getattr(config, "{b}", default) or {2 ** (i % 12)}')
    return lines


# --------------------------------------------------------------------------------------
# Tokenizers
# --------------------------------------------------------------------------------------

_TOKENIZER_CACHE: dict[str, Any] = {}


def _tokenizer_key(spec: TokenizerSpec) -> str:
    return json.dumps(
        {
            "kind": spec.kind,
            "regex": spec.pretokenize_regex,
            "normalizer": spec.normalizer,
            "add_bos": spec.add_bos_token,
            "bos": spec.bos_token,
            "special": sorted(spec.special_tokens.items()),
            "added": sorted(spec.added_tokens.items()),
        },
        sort_keys=True,
    )


def standin_tokenizer(spec: ModelSpec | TokenizerSpec):
    """The trained ``tokenizers.Tokenizer`` of a model's stand-in (deterministic, cached).

    Byte-level kinds put the special and added tokens after the learned vocabulary, in the
    order of their real ids (as gpt2, Qwen and Llama-3 do); ``sentencepiece_bpe`` puts the
    special tokens first, then the 256 ``<0xNN>`` byte-fallback tokens, then the pieces
    (as Llama-2 and Mistral do).
    """
    tspec = spec.tokenizer if isinstance(spec, ModelSpec) else spec
    key = _tokenizer_key(tspec)
    if key not in _TOKENIZER_CACHE:
        if tspec.kind == "byte_level_bpe":
            _TOKENIZER_CACHE[key] = _train_byte_level(tspec)
        else:
            _TOKENIZER_CACHE[key] = _train_sentencepiece(tspec)
    return _TOKENIZER_CACHE[key]


def _extra_tokens(tspec: TokenizerSpec):
    """(content, special) of the special and added tokens, in the order of their real ids."""
    both = [(i, t, True) for i, t in tspec.special_tokens.items()]
    both += [(i, t, False) for i, t in tspec.added_tokens.items()]
    return [(t, special) for _, t, special in sorted(both)]


def _trained_vocab_and_merges(tokenizer) -> tuple[dict[str, int], list[tuple[str, str]]]:
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return dict(model["vocab"]), merges


def _train_byte_level(tspec: TokenizerSpec):
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )

    if tspec.pretokenize_regex:
        pre = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(tspec.pretokenize_regex), behavior="isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    else:
        pre = pre_tokenizers.ByteLevel(add_prefix_space=False)
    normalizer = normalizers.NFC() if tspec.normalizer == "nfc" else None
    extras = _extra_tokens(tspec)

    trainee = Tokenizer(models.BPE())
    trainee.normalizer = normalizer
    trainee.pre_tokenizer = pre
    trainer = trainers.BpeTrainer(
        vocab_size=TOKENIZER_SIZE - len(extras),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    trainee.train_from_iterator(corpus_lines(), trainer)
    vocab, merges = _trained_vocab_and_merges(trainee)

    tok = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges,
            dropout=None,
            continuing_subword_prefix="",
            end_of_word_suffix="",
            fuse_unk=False,
            byte_fallback=False,
        )
    )
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    byte_level = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    _add_extras(tok, extras)
    if tspec.add_bos_token:
        bos = tspec.bos_token
        template = processors.TemplateProcessing(
            single=f"{bos}:0 $A:0",
            pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
            special_tokens=[(bos, tok.token_to_id(bos))],
        )
        tok.post_processor = processors.Sequence([byte_level, template])
    else:
        tok.post_processor = byte_level
    return tok


def _add_extras(tok, extras) -> None:
    from tokenizers import AddedToken

    for content, special in extras:
        token = AddedToken(content, special=special, normalized=False)
        if special:
            tok.add_special_tokens([token])
        else:
            tok.add_tokens([token])


def _train_sentencepiece(tspec: TokenizerSpec):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    extras = _extra_tokens(tspec)
    specials = [t for t, special in extras if special]
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]

    trainee = Tokenizer(models.BPE())
    trainee.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="first", split=True
    )
    trainer = trainers.BpeTrainer(
        vocab_size=TOKENIZER_SIZE - len(extras) - len(byte_tokens), show_progress=False
    )
    trainee.train_from_iterator(corpus_lines(), trainer)
    learned, merges = _trained_vocab_and_merges(trainee)

    vocab: dict[str, int] = {}
    for content in specials + byte_tokens:
        vocab[content] = len(vocab)
    for content, _ in sorted(learned.items(), key=lambda kv: kv[1]):
        if content not in vocab:
            vocab[content] = len(vocab)

    tok = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges,
            dropout=None,
            unk_token=tspec.unk_token,
            fuse_unk=True,
            byte_fallback=True,
        )
    )
    # As LlamaTokenizer builds it: no normalizer, a Metaspace that does not split on spaces
    # (merges never span a "▁" in the middle, so this encodes as the word-split training did).
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="first", split=False
    )
    tok.decoder = decoders.Sequence(
        [
            decoders.Replace("▁", " "),
            decoders.ByteFallback(),
            decoders.Fuse(),
            decoders.Strip(content=" ", left=1, right=0),
        ]
    )
    _add_extras(tok, extras)
    if tspec.add_bos_token:
        bos = tspec.bos_token
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos}:0 $A:0",
            pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
            special_tokens=[(bos, tok.token_to_id(bos))],
        )
    return tok


def token_id_map(spec: ModelSpec) -> dict[int, int]:
    """Real token id -> the id of the same token in the stand-in tokenizer."""
    tok = standin_tokenizer(spec)
    out = {}
    for real_id, content in spec.tokenizer.real_id_to_token().items():
        new_id = tok.token_to_id(content)
        if new_id is None:  # pragma: no cover - the trainer always adds them
            raise RuntimeError(f"{spec.model_id}: {content!r} missing from the stand-in tokenizer")
        out[real_id] = new_id
    return out


def _remap_token_ids(mapping: dict[str, Any], id_map: dict[int, int]) -> dict[str, Any]:
    out = copy.deepcopy(mapping)
    for key, value in mapping.items():
        if not key.endswith("token_id") or value is None:
            continue
        out[key] = [id_map[v] for v in value] if isinstance(value, list) else id_map[value]
    return out


# --------------------------------------------------------------------------------------
# Configs
# --------------------------------------------------------------------------------------

#: Canonical shape names -> the config keys of model types that name them differently.
_SHAPE_KEYS = {
    "gpt2": {
        "hidden": "n_embd",
        "layers": "n_layer",
        "heads": "n_head",
        "intermediate": "n_inner",
        "max_positions": "n_positions",
    },
}
_DEFAULT_SHAPE_KEYS = {
    "hidden": "hidden_size",
    "layers": "num_hidden_layers",
    "heads": "num_attention_heads",
    "kv_heads": "num_key_value_heads",
    "intermediate": "intermediate_size",
    "max_positions": "max_position_embeddings",
}


def shape_keys(model_type: str) -> dict[str, str]:
    """Canonical shape names (hidden, layers, heads, kv_heads, intermediate, max_positions)
    -> the key the model type's config uses for them."""
    return _SHAPE_KEYS.get(model_type, _DEFAULT_SHAPE_KEYS)


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(math.floor(value / multiple + 0.5)) * multiple)


def standin_config_dict(spec: ModelSpec, scale: str) -> dict[str, Any]:
    """The config.json content (real keys, ``torch_dtype`` as in the registry) of the
    stand-in at ``scale``; see :func:`standin_config`."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    real = spec.config
    cfg = _remap_token_ids(real, token_id_map(spec))
    if scale == "full":
        return cfg

    keys = shape_keys(spec.model_type)

    def need(name: str) -> int:
        key = keys[name]
        value = real.get(key)
        if not isinstance(value, int):
            raise RegistryError(
                f"{spec.source}: model {spec.model_id!r}: field 'config.{key}': "
                "required to scale the model down"
            )
        return value

    hidden, heads = need("hidden"), need("heads")
    need("layers")
    cfg[keys["hidden"]] = SMALL_HIDDEN
    cfg[keys["layers"]] = SMALL_LAYERS
    cfg[keys["heads"]] = SMALL_HEADS
    if "head_dim" in real:
        cfg["head_dim"] = SMALL_HIDDEN // SMALL_HEADS
    if "kv_heads" in keys:
        kv = real.get(keys["kv_heads"], heads)
        cfg[keys["kv_heads"]] = SMALL_HEADS if kv in (None, heads) else SMALL_GQA_KV_HEADS
    real_inter = real.get(keys["intermediate"])
    if real_inter is None and spec.model_type == "gpt2":
        pass  # n_inner null means 4 * n_embd, which scales to itself
    else:
        inter = need("intermediate")
        cfg[keys["intermediate"]] = _round_to(SMALL_HIDDEN * inter / hidden, 16)
    cfg["vocab_size"] = _round_to_up(standin_tokenizer_size(spec), 64)
    return cfg


def _round_to_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def standin_tokenizer_size(spec: ModelSpec) -> int:
    """Number of tokens of the stand-in tokenizer, added tokens included."""
    return standin_tokenizer(spec).get_vocab_size(with_added_tokens=True)


def standin_config(spec: ModelSpec, scale: str):
    """The ``transformers`` config of the stand-in of ``spec`` at ``scale``.

    ``full``: the real config, with its token ids (bos/eos/pad...) mapped to the ids of the
    same tokens in the stand-in tokenizer. ``small``: the same, scaled down for CPU: 2
    layers, hidden 128, 4 heads (head_dim 32), kv heads 4 under MHA else 2, intermediate
    size scaled with the hidden size (multiple of 16), vocab the tokenizer size rounded up
    to a multiple of 64; every other field as the real config.
    """
    from transformers import AutoConfig

    cfg = standin_config_dict(spec, scale)
    cfg.pop("model_type")
    if spec.remote_code:
        config_class = _remote_class(spec, "AutoConfig")
        return config_class(**cfg)
    try:
        return AutoConfig.for_model(spec.model_type, **cfg)
    except ValueError as exc:
        raise RegistryError(
            f"{spec.source}: model {spec.model_id!r}: field 'config.model_type': {exc}"
        ) from exc


def _remote_module_files(spec: ModelSpec) -> list[Path]:
    return sorted((REMOTE_CODE_DIR / spec.remote_code).glob("*.py"))


def _remote_class(spec: ModelSpec, auto_class: str):
    """The class ``config.auto_map[auto_class]`` names in the stand-in's remote code, imported
    as a package of its own so that its relative imports work as they do from the Hub."""
    import importlib
    import importlib.util

    module_name, class_name = spec.config["auto_map"][auto_class].rsplit(".", 1)
    package = f"kb_standin_remote_code_{spec.remote_code}"
    if package not in sys.modules:
        folder = REMOTE_CODE_DIR / spec.remote_code
        pkg_spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
        pkg = importlib.util.module_from_spec(pkg_spec)
        pkg.__path__ = [str(folder)]
        sys.modules[package] = pkg
    return getattr(importlib.import_module(f"{package}.{module_name}"), class_name)


def standin_generation_config(spec: ModelSpec):
    """The real generation config with its token ids mapped to the stand-in tokenizer."""
    from transformers import GenerationConfig

    return GenerationConfig.from_dict(_remap_token_ids(spec.generation_config, token_id_map(spec)))


# --------------------------------------------------------------------------------------
# Building one repository
# --------------------------------------------------------------------------------------


def repo_folder_name(model_id: str) -> str:
    """``Qwen/Qwen2.5-0.5B-Instruct`` -> ``models--Qwen--Qwen2.5-0.5B-Instruct``."""
    return "models--" + model_id.replace("/", "--")


def default_device(scale: str) -> str:
    """Where a model is built: small scale always on CPU (cheap, reproducible); full scale
    on CUDA when there is one, so the host needs no more than one copy of the weights."""
    if scale == "small":
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def save_tokenizer(spec: ModelSpec, out_dir: Path) -> None:
    """Write the stand-in tokenizer as transformers saves it (``tokenizer.json``,
    ``tokenizer_config.json`` with the chat template inline), then set ``tokenizer_class``
    to the class the real repository declares."""
    from transformers import TokenizersBackend

    tspec = spec.tokenizer
    kwargs: dict[str, Any] = dict(tspec.init_kwargs)
    kwargs.update(
        bos_token=tspec.bos_token,
        eos_token=tspec.eos_token,
        unk_token=tspec.unk_token,
        pad_token=tspec.pad_token,
        model_max_length=tspec.model_max_length,
    )
    if tspec.additional_special_tokens:
        kwargs["extra_special_tokens"] = list(tspec.additional_special_tokens)
    if tspec.chat_template is not None:
        kwargs["chat_template"] = tspec.chat_template
    tokenizer = TokenizersBackend(tokenizer_object=standin_tokenizer(spec), **kwargs)
    tokenizer.save_pretrained(str(out_dir), save_jinja_files=False)
    config_path = out_dir / "tokenizer_config.json"
    tok_config = json.loads(config_path.read_text(encoding="utf-8"))
    tok_config["tokenizer_class"] = tspec.tokenizer_class
    config_path.write_text(
        json.dumps(tok_config, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def save_model(spec: ModelSpec, scale: str, out_dir: Path, device: str | None = None) -> None:
    """Build the stand-in model with random weights (seed 0) in the real dtype and save it
    with ``save_pretrained`` (safetensors, transformers' default sharding)."""
    import torch
    from transformers import AutoModelForCausalLM

    config = standin_config(spec, scale)
    dtype = getattr(torch, spec.dtype)
    device = device or default_device(scale)
    torch.manual_seed(0)
    with torch.device(device):
        if spec.remote_code:
            model_class = _remote_class(spec, "AutoModelForCausalLM")
            model = model_class._from_config(config, dtype=dtype)
        else:
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    if type(model).__name__ != spec.architecture:
        raise RegistryError(
            f"{spec.source}: model {spec.model_id!r}: field 'config.architectures': "
            f"AutoModelForCausalLM builds {type(model).__name__}, not {spec.architecture}"
        )
    model.generation_config = standin_generation_config(spec)
    with _quiet_progress_bars():
        model.save_pretrained(str(out_dir))
    if spec.remote_code:
        for path in _remote_module_files(spec):
            shutil.copyfile(path, out_dir / path.name)
    del model
    if device.startswith("cuda"):
        torch.cuda.empty_cache()


@contextlib.contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def build_model_repo(
    model_id: str,
    scale: str,
    hf_home: str | os.PathLike[str],
    *,
    registry: Mapping[str, ModelSpec] | None = None,
    device: str | None = None,
) -> Path:
    """Build the stand-in of ``model_id`` at ``scale`` as a cache repository under
    ``<hf_home>/hub``; return its snapshot folder. An existing repository of that id is
    replaced."""
    registry = load_registry() if registry is None else registry
    if model_id not in registry:
        source = next(iter(registry.values())).source if registry else REGISTRY_PATH
        raise UnknownModelError(
            f"{model_id!r} is not in the stand-in registry {source}; "
            f"registered: {', '.join(sorted(registry))}"
        )
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    spec = registry[model_id]
    hub = Path(hf_home) / "hub"
    hub.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=hub))
    try:
        save_model(spec, scale, staging, device=device)
        save_tokenizer(spec, staging)
        return _layout_repo(staging, hub / repo_folder_name(model_id))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 23), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _layout_repo(files_dir: Path, repo: Path) -> Path:
    """Move the files of ``files_dir`` into ``repo`` as huggingface_hub caches them."""
    files = sorted(p for p in files_dir.rglob("*") if p.is_file())
    hashes = {p.relative_to(files_dir).as_posix(): _sha256(p) for p in files}
    commit = hashlib.sha1(
        "".join(f"{rel}\0{sha}\n" for rel, sha in sorted(hashes.items())).encode()
    ).hexdigest()
    if repo.exists():
        shutil.rmtree(repo)
    blobs = repo / "blobs"
    snapshot = repo / "snapshots" / commit
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for rel, sha in sorted(hashes.items()):
        blob = blobs / sha
        if not blob.exists():
            os.replace(files_dir / rel, blob)
        link = snapshot / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        depth = len(Path(rel).parts) + 1  # snapshots/<commit>/<rel...>
        os.symlink(os.path.join(*([".."] * depth), "blobs", sha), link)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return snapshot


# --------------------------------------------------------------------------------------
# The whole cache, built once and reused
# --------------------------------------------------------------------------------------


def stamp_key(
    scale: str,
    registry_path: str | os.PathLike[str] | None = None,
    models: list[str] | None = None,
) -> dict[str, Any]:
    """What the cache of ``scale`` depends on, and its hash under ``"key"``."""
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    parts: dict[str, Any] = {
        "scale": scale,
        "models": sorted(models) if models is not None else "all",
        "registry": hashlib.sha256(registry_path.read_bytes()).hexdigest(),
        "builder": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "remote_code": {
            p.relative_to(REMOTE_CODE_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(REMOTE_CODE_DIR.rglob("*.py"))
        },
        "versions": {name: _version(name) for name in STAMP_PACKAGES},
    }
    parts["key"] = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return parts


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _read_stamp(hf_home: Path) -> dict[str, Any] | None:
    try:
        return json.loads((hf_home / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes building the same cache (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_built(
    scale: str,
    hub_root: str | os.PathLike[str],
    *,
    registry_path: str | os.PathLike[str] | None = None,
    snippets_dir: str | os.PathLike[str] | None = DEFAULT_SNIPPETS,
    device: str | None = None,
) -> Path:
    """Return ``<hub_root>/<scale>``, the HF_HOME of every registered model's stand-in,
    building it first unless its stamp matches (registry, this file, library versions,
    scale). The build goes to a temporary folder next to it that is renamed into place
    once complete, so an interrupted build never leaves a cache marked valid.

    With ``snippets_dir`` (default: the project's ``snippets/``), first check that every
    model id its snippets load is registered (:class:`UnknownModelError` otherwise).
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    hub_root = Path(hub_root)
    hf_home = hub_root / scale
    registry = None
    models: list[str] | None = None
    if snippets_dir is not None and Path(snippets_dir).is_dir():
        registry = load_registry(registry_path)
        used = check_snippet_ids(snippets_dir, registry, registry_path=registry_path)
        if scale == "full":
            # full size costs gigabytes per model: build only what the snippets load
            models = [model_id for model_id in registry if model_id in used]

    stamp = stamp_key(scale, registry_path, models)
    current = _read_stamp(hf_home)
    if current is not None and current.get("key") == stamp["key"]:
        return hf_home

    hub_root.mkdir(parents=True, exist_ok=True)
    with _lock(hub_root / f".{scale}.lock"):
        current = _read_stamp(hf_home)
        if current is not None and current.get("key") == stamp["key"]:
            return hf_home  # built by another process meanwhile
        for stale in hub_root.glob(f".{scale}.building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        registry = registry if registry is not None else load_registry(registry_path)
        # Import what every build needs before the first model's clock starts.
        import tokenizers.trainers  # noqa: F401
        import torch  # noqa: F401
        import transformers.generation  # noqa: F401
        import transformers.modeling_utils  # noqa: F401
        import transformers.models.auto.modeling_auto  # noqa: F401
        import transformers.tokenization_utils_tokenizers  # noqa: F401

        building = Path(tempfile.mkdtemp(prefix=f".{scale}.building-", dir=hub_root))
        building.chmod(0o755)  # mkdtemp makes it private; the cache is not
        try:
            for model_id in models if models is not None else registry:
                t0 = time.perf_counter()
                build_model_repo(model_id, scale, building, registry=registry, device=device)
                seconds = time.perf_counter() - t0
                print(f"stand-in hub: built {model_id} ({scale}) in {seconds:.2f} s", flush=True)
            (building / STAMP_NAME).write_text(
                json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            old = None
            if hf_home.exists():
                old = hub_root / f".{scale}.old-{os.getpid()}-{time.time_ns()}"
                os.replace(hf_home, old)
            os.replace(building, hf_home)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    return hf_home


# --------------------------------------------------------------------------------------
# Model ids used by snippets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelUse:
    model_id: str
    path: Path
    line: int


def find_model_uses(snippets_dir: str | os.PathLike[str]) -> list[ModelUse]:
    """Every model id passed to a ``*.from_pretrained(...)`` call in the ``*.py`` files under
    ``snippets_dir``: a string literal as the first positional argument (or as
    ``pretrained_model_name_or_path=``), a variable assigned a string literal in the same
    file, or ``x.attr`` where a call in the file passes ``attr="..."`` (trl's
    ``ModelConfig(model_name_or_path=...)``). Local paths are left out: strings starting
    with ``.``, ``/`` or ``~``, and strings the file also passes to ``save_pretrained``.
    Calls with the comment ``# standin-hub: ignore`` on one of their lines are left out too."""
    uses = []
    for path in sorted(Path(snippets_dir).rglob("*.py")):
        uses.extend(_uses_in_file(path))
    return uses


def used_model_ids(snippets_dir: str | os.PathLike[str]) -> set[str]:
    """The model ids the snippets under ``snippets_dir`` load (see :func:`find_model_uses`)."""
    return {use.model_id for use in find_model_uses(snippets_dir)}


def _uses_in_file(path: Path) -> list[ModelUse]:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise SyntaxError(f"{path}:{exc.lineno}: cannot parse the snippet: {exc.msg}") from exc
    lines = source.splitlines()

    names: dict[str, list[str]] = {}  # variable -> string literals assigned to it
    keywords: dict[str, list[str]] = {}  # keyword -> string literals passed as it
    saved: set[str] = set()  # strings passed to save_pretrained
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = _string(node.value)
            if value is not None:
                for target in targets:
                    if isinstance(target, ast.Name):
                        names.setdefault(target.id, []).append(value)
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                value = _string(kw.value)
                if kw.arg and value is not None:
                    keywords.setdefault(kw.arg, []).append(value)
            if isinstance(node.func, ast.Attribute):
                if node.func.attr == "from_pretrained":
                    calls.append(node)
                elif node.func.attr == "save_pretrained" and node.args:
                    saved.update(_resolve(node.args[0], names, keywords))

    uses = []
    for call in calls:
        end = call.end_lineno or call.lineno
        if any(IGNORE_MARKER in line for line in lines[call.lineno - 1 : end]):
            continue
        arg = call.args[0] if call.args else None
        if arg is None:
            arg = next(
                (kw.value for kw in call.keywords if kw.arg == "pretrained_model_name_or_path"),
                None,
            )
        if arg is None:
            continue
        for value in _resolve(arg, names, keywords):
            if value.startswith((".", "/", "~")) or value in saved:
                continue
            uses.append(ModelUse(value, path, call.lineno))
    return uses


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _resolve(node: ast.AST, names: dict[str, list[str]], keywords: dict[str, list[str]]):
    value = _string(node)
    if value is not None:
        return [value]
    if isinstance(node, ast.Name):
        return names.get(node.id, [])
    if isinstance(node, ast.Attribute):
        return keywords.get(node.attr, [])
    return []


def check_snippet_ids(
    snippets_dir: str | os.PathLike[str],
    registry: Mapping[str, ModelSpec] | None = None,
    *,
    registry_path: str | os.PathLike[str] | None = None,
) -> set[str]:
    """Raise :class:`UnknownModelError`, naming the snippet file and line, when a snippet
    loads a model id the registry lacks; return the ids used."""
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    registry = load_registry(registry_path) if registry is None else registry
    uses = find_model_uses(snippets_dir)
    unknown = [use for use in uses if use.model_id not in registry]
    if unknown:
        where = "; ".join(f"{u.path}:{u.line} loads {u.model_id!r}" for u in unknown)
        raise UnknownModelError(
            f"{where}: not in the stand-in registry {registry_path}. Add the model's real "
            "config there (see docs/contributing.md)."
        )
    return {use.model_id for use in uses}


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the stand-in Hugging Face cache.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build model repositories into an HF_HOME folder")
    build.add_argument("--scale", choices=SCALES, default="small")
    build.add_argument("--out", required=True, type=Path, help="the HF_HOME folder to fill")
    build.add_argument("--only", nargs="+", metavar="ID", help="only these model ids")
    build.add_argument("--device", help="where to build the weights (default: cuda if any)")
    build.add_argument("--registry", type=Path, default=REGISTRY_PATH)
    ensure = sub.add_parser("ensure", help="build <root>/<scale> unless its stamp matches")
    ensure.add_argument("--scale", choices=SCALES, default="small")
    ensure.add_argument("--root", type=Path, default=DEFAULT_HUB_ROOT)
    ensure.add_argument("--device")
    used = sub.add_parser("used", help="list the model ids the snippets load")
    used.add_argument("snippets", nargs="?", type=Path, default=DEFAULT_SNIPPETS)
    args = parser.parse_args(argv)

    try:
        if args.command == "build":
            registry = load_registry(args.registry)
            ids = args.only or list(registry)
            for model_id in ids:
                t0 = time.perf_counter()
                snapshot = build_model_repo(
                    model_id, args.scale, args.out, registry=registry, device=args.device
                )
                print(f"{model_id} ({args.scale}): {snapshot} in {time.perf_counter() - t0:.2f} s")
        elif args.command == "ensure":
            print(ensure_built(args.scale, args.root, device=args.device))
        else:
            for use in find_model_uses(args.snippets):
                print(f"{use.model_id}\t{use.path}:{use.line}")
    except (RegistryError, UnknownModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
