"""The vocabulary of the knowledge graph (``vocabulary.yaml``): page types, relations, domains,
and the wording helpers its messages share."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True)
class RelationType:
    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    label: str
    inverse: str
    line: str
    ordered: bool = False
    acyclic: bool = False
    symmetric: bool = False


@dataclass(frozen=True)
class PageType:
    name: str
    label: str
    plural: str
    question: str
    colour: str
    shape: str
    outline: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    types: dict[str, PageType]
    relations: dict[str, RelationType]
    domains: dict[str, str]


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    types = {
        name: PageType(name=name, **{**spec, "outline": tuple(spec.get("outline", ()))})
        for name, spec in raw["types"].items()
    }
    relations = {}
    for name, spec in raw["relations"].items():
        spec = dict(spec)
        sources, targets = tuple(spec.pop("from")), tuple(spec.pop("to"))
        for t in sources + targets:
            if t not in types:
                raise ValueError(f"{path}: relations.{name}: unknown page type '{t}'")
        relations[name] = RelationType(name=name, sources=sources, targets=targets, **spec)
    return Vocabulary(types=types, relations=relations, domains=dict(raw["domains"]))


@cache
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def did_you_mean(word: str, known, cutoff: float = 0.6) -> str:
    """' — did you mean 'x'?' when a near name exists, else ''."""
    near = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=cutoff)
    return f" — did you mean '{near[0]}'?" if near else ""


def one_of(known) -> str:
    return ", ".join(f"'{k}'" for k in known)


def either(known, quote: bool = True) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c' (without the quotes when quote is False)."""
    names = [f"'{k}'" if quote else str(k) for k in known]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def a(word: str) -> str:
    """The word with its indefinite article: 'an environment', 'a heuristic'."""
    return f"{'an' if str(word)[:1].lower() in 'aeiou' else 'a'} {word}"
