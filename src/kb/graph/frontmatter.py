"""A page's front matter: read with PyYAML, checked with pydantic against the vocabulary.

Every problem names the file, the field, what is wrong and what would be right. Nothing here
stops at the first problem: callers collect them all and report them at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    field_validator,
)

from kb.graph.vocabulary import Vocabulary, did_you_mean, one_of, vocabulary

SUMMARY_MAX = 240
MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one page: `docs/<path>: <field>: <message>`."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


class SchemaErrors(Exception):
    """All the problems found, one per line, so a contributor fixes them in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        # a long list (a folder of generated or pasted pages) is unreadable and slow to print;
        # the first ones show what is wrong, the count says how much
        shown = problems[:MAX_PROBLEMS_SHOWN]
        lines = "\n".join(f"  - {p}" for p in shown)
        n, more = len(problems), len(problems) - len(shown)
        if more:
            lines += (
                f"\n  - and {more} more problem{'s' * (more != 1)}: fix these, then build again"
            )
        super().__init__(f"{n} problem{'s' * (n != 1)} in the knowledge graph:\n{lines}")


# ---------------------------------------------------------------------------------------------
# the model


class Source(BaseModel):
    """A knowledge source: where a reader can check what the page says."""

    model_config = ConfigDict(extra="forbid")
    title: StrictStr = Field(min_length=1)
    link: AnyHttpUrl


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=1)
    page: StrictStr


class PageMeta(BaseModel):
    """What a page's front matter must hold. Relations are outgoing only."""

    model_config = ConfigDict(extra="forbid")

    type: StrictStr
    title: StrictStr = Field(min_length=1)
    summary: StrictStr = Field(min_length=1, max_length=SUMMARY_MAX)
    domains: list[StrictStr] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    last_updated: dt.date
    relations: dict[StrictStr, list[StrictStr | Step]] = Field(default_factory=dict)
    graph_depth: int = Field(default=1, ge=1, le=2)
    # Material's own keys, allowed through unchanged
    hide: list[StrictStr] = Field(default_factory=list)

    @field_validator("summary")
    @classmethod
    def _one_line(cls, v: str) -> str:
        lines = [ln for ln in v.strip().splitlines() if ln.strip()]
        if len(lines) > 1:
            raise ValueError(f"has {len(lines)} lines (a 'summary: |' block keeps its line breaks)")
        return v

    @field_validator("last_updated", mode="before")
    @classmethod
    def _iso_date(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            raise ValueError(f"{v} has a time of day")
        if isinstance(v, str):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
                try:
                    dt.date.fromisoformat(v.strip())
                except ValueError as exc:
                    raise ValueError(f"'{v}' is not a day of the calendar ({exc})") from None
                return v.strip()  # a quoted date, or one the YAML loader left as text
            raise ValueError(f"'{v}' is not a date")
        return v


SUB_FIELD_HELP = {
    ("sources", "title"): 'the source\'s title, e.g. "Transformers: Loading models"',
    ("sources", "link"): "the URL where a reader can check what the page says",
}

FIELD_HELP = {
    "type": "the page type: " + "{types}",
    "title": "the page's title",
    "summary": f"one line (at most {SUMMARY_MAX} characters) saying what the page answers",
    "domains": "a list of domains, e.g. [loading, precision]",
    "sources": "a list of knowledge sources, each with a title and a link",
    "last_updated": "the date of the last review, written YYYY-MM-DD",
    "relations": "a mapping from relation name to the ids of the pages it points to",
    "graph_depth": "1 or 2: how far the page's local graph reaches",
}


def _field_help(name: str, vocab: Vocabulary) -> str:
    return FIELD_HELP.get(name, "").replace("{types}", one_of(vocab.types))


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _pydantic_problems(path: str, err: ValidationError, vocab: Vocabulary) -> list[Problem]:
    problems: list[Problem] = []
    seen_relations_items: set[tuple] = set()
    allowed = list(PageMeta.model_fields)
    errors = err.errors()
    # a misspelt required field (sumary) is one mistake: report the unknown name, which says
    # what to write, and not also the field it should have been
    misspelt = {
        near[0]
        for e in errors
        if e["type"] == "extra_forbidden" and len(e["loc"]) == 1
        for near in [difflib.get_close_matches(str(e["loc"][0]), allowed, n=1, cutoff=0.6)]
        if near
    }
    for e in errors:
        loc, kind = e["loc"], e["type"]
        where = _loc(loc)
        if loc and loc[0] == "relations" and len(loc) >= 3:
            # a list item that is neither an id nor a step: report it once, not per union arm
            item = tuple(loc[:3])
            if item in seen_relations_items:
                continue
            seen_relations_items.add(item)
            where = _loc(loc[:3])
            rel = vocab.relations.get(str(loc[1]))
            want = (
                "a mapping like {n: 1, page: <page id>}"
                if rel and rel.ordered
                else "a page id (the file name without .md)"
            )
            problems.append(Problem(path, where, f"got {e['input']!r}; each item must be {want}"))
            continue
        if kind == "missing":
            name = str(loc[0])
            if len(loc) == 1 and name in misspelt:
                continue
            if len(loc) == 1:
                help_ = _field_help(name, vocab)
            else:
                help_ = SUB_FIELD_HELP.get((name, str(loc[-1])), "")
                help_ = f"'{loc[-1]}': {help_}" if help_ else ""
            msg = "required field is missing" + (f": add {help_}" if help_ else "")
            problems.append(Problem(path, where, msg))
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            if len(loc) == 1:
                hint = did_you_mean(name, allowed)
                if not hint and name in vocab.relations:
                    hint = f" — relations go under 'relations:', e.g. relations: {{{name}: [...]}}"
                problems.append(
                    Problem(
                        path, where, f"unknown field{hint or ' (allowed: ' + one_of(allowed) + ')'}"
                    )
                )
            else:
                parent = PageMeta.model_fields.get(str(loc[0]))
                sub = Source if loc[0] == "sources" else Step
                fields = list(sub.model_fields) if parent else []
                problems.append(
                    Problem(
                        path,
                        where,
                        f"unknown field{did_you_mean(name, fields)} (allowed: {one_of(fields)})",
                    )
                )
        else:
            msg = e["msg"].removeprefix("Value error, ")
            if len(loc) == 1:
                help_ = _field_help(str(loc[0]), vocab)
            elif loc[0] == "sources" and len(loc) == 2:
                help_ = "a source written as {title: <its title>, link: <https://...>}"
            else:
                help_ = SUB_FIELD_HELP.get((str(loc[0]), str(loc[-1])), "")
            got = e.get("input")
            if kind == "string_too_long":
                msg = f"is {len(got)} characters long"
            shown = repr(got) if isinstance(got, str) else str(got)
            got_txt = (
                f" (got {shown})"
                if got is not None
                and not isinstance(got, dict)
                # our own validators and the length check already say what the value is
                and kind not in ("value_error", "string_too_long")
                else ""
            )
            problems.append(
                Problem(path, where, f"{msg}{got_txt}" + (f"; expected {help_}" if help_ else ""))
            )
    return problems


# ---------------------------------------------------------------------------------------------
# reading a page


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a date it cannot build (2026-02-30) stays text, for
    the schema to report, instead of raising a ValueError that no one catches."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml(text: str) -> Any:
    """Front matter as Python data; raises yaml.YAMLError on text that is not YAML."""
    return yaml.load(text, Loader=_FrontMatterLoader)  # a SafeLoader: no arbitrary objects


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass
class PageSource:
    """A page file as read: its id, folder, front matter and body."""

    path: str  # as shown to contributors: docs/<type>/<id>.md
    src_uri: str  # relative to docs/
    id: str
    folder: str
    raw: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    meta: PageMeta | None = None


def split_front_matter(text: str) -> tuple[str | None, str]:
    m = FRONT_MATTER.match(text)
    if not m:
        return None, text
    return m.group(1) or "", text[m.end() :]


def read_page(text: str, src_uri: str, vocab: Vocabulary | None = None):
    """Parse and check one page. Returns (PageSource, problems)."""
    vocab = vocab or vocabulary()
    path = f"docs/{src_uri}"
    folder, _, name = src_uri.rpartition("/")
    page = PageSource(path=path, src_uri=src_uri, id=name.removesuffix(".md"), folder=folder)
    yaml_text, page.body = split_front_matter(text)
    if yaml_text is None:
        return page, [
            Problem(
                path,
                "",
                "no front matter: start the file with a '---' block holding "
                "type, title, summary, domains, sources and last_updated",
            )
        ]
    try:
        raw = load_yaml(yaml_text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 2})" if mark else ""
        why = getattr(exc, "problem", None) or str(exc)
        if why == "mapping values are not allowed here":
            why += "; put a value that contains ': ' in quotes, e.g. summary: \"Load: ...\""
        return page, [Problem(path, "", f"front matter is not valid YAML{line}: {why}")]
    if not isinstance(raw, dict):
        return page, [Problem(path, "", "front matter must be a mapping of field: value")]
    page.raw = raw
    problems: list[Problem] = []

    kind = raw.get("type")
    if isinstance(kind, str) and kind not in vocab.types:
        problems.append(
            Problem(
                path,
                "type",
                f"unknown page type '{kind}'{did_you_mean(kind, vocab.types)} "
                f"(page types: {one_of(vocab.types)})",
            )
        )
    elif kind in vocab.types and folder != kind:
        problems.append(
            Problem(
                path,
                "type",
                f"a page of type '{kind}' must live in docs/{kind}/, not in docs/{folder or '.'}/",
            )
        )

    try:
        page.meta = PageMeta.model_validate(raw)
    except ValidationError as err:
        problems += _pydantic_problems(path, err, vocab)

    domains = raw.get("domains")
    if isinstance(domains, list):
        for i, d in enumerate(domains):
            if isinstance(d, str) and d not in vocab.domains:
                problems.append(
                    Problem(
                        path,
                        f"domains[{i}]",
                        f"unknown domain '{d}'"
                        f"{did_you_mean(d, vocab.domains) or '; known: ' + one_of(vocab.domains)}"
                        " (domains are listed in src/kb/graph/vocabulary.yaml)",
                    )
                )
        dup = sorted({d for d in domains if isinstance(d, str) and domains.count(d) > 1})
        for d in dup:
            problems.append(Problem(path, "domains", f"'{d}' is listed twice"))

    if problems:
        page.meta = None
    return page, problems
