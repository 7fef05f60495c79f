"""The stand-in tokenizers: small BPE tokenizers (about 1000 tokens) trained here, on a fixed
text, with each model's real special and added tokens.

The training text is ``corpus.txt`` next to this file, one line per training line: English
prose and Python code, read as written (no randomness), so every build trains the same
tokenizer. Editing it changes every stand-in tokenizer, and the stamp rebuilds the hub.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from kb.standin.registry import ModelSpec, TokenizerSpec

CORPUS_PATH = Path(__file__).resolve().parent / "corpus.txt"
#: Size of every stand-in tokenizer, special and added tokens included.
TOKENIZER_SIZE = 1000


def corpus_lines() -> list[str]:
    """The fixed training text of every stand-in tokenizer, one string per line (blank code
    lines included)."""
    return list(_corpus())


@functools.cache
def _corpus() -> tuple[str, ...]:
    # split on "\n" only: str.splitlines would also split on form feeds and the like
    text = CORPUS_PATH.read_text(encoding="utf-8")
    return tuple(text.removesuffix("\n").split("\n"))


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

#: Trained tokenizers by what decides them: models that share a tokenizer train it once.
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


def remap_token_ids(mapping: dict[str, Any], id_map: dict[int, int]) -> dict[str, Any]:
    """``mapping`` (a config) with each ``*token_id`` value mapped through ``id_map``."""
    out = copy.deepcopy(mapping)
    for key, value in mapping.items():
        if not key.endswith("token_id") or value is None:
            continue
        out[key] = [id_map[v] for v in value] if isinstance(value, list) else id_map[value]
    return out
