"""The stand-in hub: registry, configs, cache layout, offline loading, reuse, snippet ids.

Loading from the built cache runs in one subprocess: huggingface_hub reads HF_HOME and
HF_HUB_OFFLINE when first imported, so this process cannot point it at a new cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from kb.project import Layout
from kb.standin import cache, configs, manifest, registry, repos, tokenizer, uses
from kb.standin.__main__ import main as standin_main
from kb.trees import remove_tree

REGISTRY = registry.load_registry()
LAYOUT = Layout()

# From the real config.json of each model: hidden, intermediate, layers, heads, kv heads,
# vocab, max positions, weights dtype, tied embeddings.
REAL_SHAPES = {
    "gpt2": (768, 3072, 12, 12, None, 50257, 1024, "float32", True),
    "Qwen/Qwen2.5-Coder-7B-Instruct": (3584, 18944, 28, 28, 4, 152064, 32768, "bfloat16", False),
    "Qwen/Qwen2.5-0.5B-Instruct": (896, 4864, 24, 14, 2, 151936, 32768, "bfloat16", True),
    "meta-llama/Llama-3.1-8B-Instruct": (4096, 14336, 32, 32, 8, 128256, 131072, "bfloat16", False),
    "mistralai/Mistral-7B-v0.1": (4096, 14336, 32, 32, 8, 32000, 32768, "bfloat16", False),
}
REAL_CLASSES = {
    "gpt2": "GPT2LMHeadModel",
    "Qwen/Qwen2.5-Coder-7B-Instruct": "Qwen2ForCausalLM",
    "Qwen/Qwen2.5-0.5B-Instruct": "Qwen2ForCausalLM",
    "meta-llama/Llama-3.1-8B-Instruct": "LlamaForCausalLM",
    "mistralai/Mistral-7B-v0.1": "MistralForCausalLM",
}
# The small scale's intermediate size: 128 * real intermediate / real hidden, to a multiple
# of 64 (gpt2: n_inner stays null, i.e. 4 * n_embd = 512).
SMALL_INTERMEDIATE = {
    "gpt2": None,
    "Qwen/Qwen2.5-Coder-7B-Instruct": 704,
    "Qwen/Qwen2.5-0.5B-Instruct": 704,
    "meta-llama/Llama-3.1-8B-Instruct": 448,
    "mistralai/Mistral-7B-v0.1": 448,
}
# What the chat template of each instruct model must produce for one user turn.
CHAT_MARKERS = {
    "Qwen/Qwen2.5-Coder-7B-Instruct": (
        "<|im_start|>system\n",
        "<|im_start|>user\nHi there<|im_end|>\n",
        "<|im_start|>assistant\n",
    ),
    "Qwen/Qwen2.5-0.5B-Instruct": (
        "<|im_start|>system\n",
        "<|im_start|>user\nHi there<|im_end|>\n",
        "<|im_start|>assistant\n",
    ),
    "meta-llama/Llama-3.1-8B-Instruct": (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n",
        "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    ),
}
UNREGISTERED = "standin-test/not-a-registered-model"


def shape_of(cfg, model_type: str) -> dict:
    keys = configs.shape_keys(model_type)
    return {name: getattr(cfg, key, None) for name, key in keys.items()}


# ----------------------------------------------------------------------------------------
# The small cache, built once for this module, and one offline subprocess that loads it
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("standin-hub")


@pytest.fixture(scope="module")
def built(hub_root):
    t0 = time.perf_counter()
    hf_home = cache.ensure_built("small", hub_root, snippets_dir=None)
    return hf_home, time.perf_counter() - t0


@pytest.fixture(scope="module")
def hf_home(built) -> Path:
    return built[0]


OFFLINE_CHECK = textwrap.dedent(
    """
    import json, sys
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    ids, unregistered, remote = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    report = {}
    for model_id in ids:
        trust = model_id in remote
        cfg = AutoConfig.from_pretrained(model_id, trust_remote_code=trust)
        model = AutoModelForCausalLM.from_pretrained(model_id, trust_remote_code=trust)
        tok = AutoTokenizer.from_pretrained(model_id)
        entry = {
            "config_class": type(cfg).__name__,
            "model_type": cfg.model_type,
            "architectures": cfg.architectures,
            "config": cfg.to_dict(),
            "class": type(model).__name__,
            "module": type(model).__module__,
            "dtype": str(model.dtype).removeprefix("torch."),
            "param_dtypes": sorted({str(p.dtype) for p in model.parameters()}),
            "tied": model.lm_head.weight.data_ptr()
            == model.get_input_embeddings().weight.data_ptr(),
            "embedding_rows": model.get_input_embeddings().weight.shape[0],
            "generation_eos": model.generation_config.eos_token_id,
            "generation_bos": model.generation_config.bos_token_id,
            "generation_pad": model.generation_config.pad_token_id,
            "tokenizer_class": type(tok).__name__,
            "len_tokenizer": len(tok),
            "model_max_length": tok.model_max_length,
            "named": {
                name: [getattr(tok, name), getattr(tok, name + "_id")]
                for name in ("bos_token", "eos_token", "unk_token", "pad_token")
            },
            "extra_special_tokens": list(tok.extra_special_tokens),
            "token_of_config_bos": tok.convert_ids_to_tokens(cfg.bos_token_id)
            if cfg.bos_token_id is not None else None,
            "tokens_of_config_eos": tok.convert_ids_to_tokens(
                cfg.eos_token_id if isinstance(cfg.eos_token_id, list) else [cfg.eos_token_id]
            ),
            "roundtrip": tok.decode(
                tok("Loading a model, naïvely: x = 42", add_special_tokens=False)["input_ids"]
            ),
        }
        if tok.chat_template:
            messages = [{"role": "user", "content": "Hi there"}]
            entry["chat"] = tok.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
            chat_ids = tok.apply_chat_template(
                messages, add_generation_prompt=True, return_dict=True
            )["input_ids"]
            entry["chat_tokens"] = tok.convert_ids_to_tokens(chat_ids)
        inputs = tok("Loading a model is", return_tensors="pt")
        out = model.generate(**inputs, max_new_tokens=4, min_new_tokens=4, do_sample=False)
        entry["new_tokens"] = out.shape[1] - inputs["input_ids"].shape[1]
        report[model_id] = entry
    try:
        AutoConfig.from_pretrained(unregistered)
        report["__unregistered__"] = "loaded"
    except OSError as exc:
        report["__unregistered__"] = "OSError: " + str(exc)
    for model_id in remote:
        try:  # stdin is not a terminal: no prompt, a refusal
            AutoModelForCausalLM.from_pretrained(model_id)
            report["__refused__" + model_id] = "loaded"
        except ValueError as exc:
            report["__refused__" + model_id] = str(exc)
    print("\\nREPORT " + json.dumps(report))  # after any prompt input() left unfinished
    """
)


def offline_env(hf_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(
        HF_HOME=str(hf_home),
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        # Should offline mode ever be ignored, fail fast instead of reaching the Hub.
        HF_ENDPOINT="http://127.0.0.1:9",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


@pytest.fixture(scope="module")
def offline(hf_home) -> dict:
    remote = [model_id for model_id, spec in REGISTRY.items() if spec.remote_code]
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            OFFLINE_CHECK,
            json.dumps(list(REGISTRY)),
            UNREGISTERED,
            json.dumps(remote),
        ],
        env={**offline_env(hf_home), "HF_MODULES_CACHE": str(hf_home.parent / "modules")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT "))


# ----------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------


def test_registry_holds_the_models_of_the_table():
    assert set(REAL_SHAPES) <= set(REGISTRY)
    for model_id, spec in REGISTRY.items():
        assert spec.model_id == model_id
        assert spec.architecture == REAL_CLASSES.get(model_id, spec.architecture)


def test_real_snippets_use_only_registered_ids():
    used = uses.check_snippet_ids(LAYOUT.snippets, REGISTRY)
    assert "gpt2" in used and "Qwen/Qwen2.5-Coder-7B-Instruct" in used


def test_claims_load_only_ids_the_snippets_load():
    # the GPU job builds full-size stand-ins of the ids the snippets load, and no others
    # (claims also load local folders and misspelt ids on purpose: only registry ids count)
    claims = uses.used_model_ids(LAYOUT.claims) & set(REGISTRY)
    assert claims <= uses.used_model_ids(LAYOUT.snippets)


REGISTRY_TEXT = registry.REGISTRY_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "model_id", "fld"),
    [
        (
            ("kind: sentencepiece_bpe", "kind: wordpiece"),
            "mistralai/Mistral-7B-v0.1",
            "tokenizer.kind",
        ),
        (("      eos_token_id: 50256\n", "      eos_token_id: 7\n"), "gpt2", "config.eos_token_id"),
        (
            ("      vocab_size: 32000\n", "      vocab_size: many\n"),
            "mistralai/Mistral-7B-v0.1",
            "config.vocab_size",
        ),
        (
            ('      eos_token: "<|eot_id|>"', '      eos_token: "<|eot|>"'),
            "meta-llama/Llama-3.1-8B-Instruct",
            "tokenizer.eos_token",
        ),
        (("    dtype: float32\n", "    dtype: float33\n"), "gpt2", "dtype"),
    ],
)
def test_malformed_registry_names_file_model_and_field(tmp_path, edit, model_id, fld):
    old, new = edit
    assert old in REGISTRY_TEXT
    path = tmp_path / "broken.yaml"
    path.write_text(REGISTRY_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(registry.RegistryError) as info:
        registry.load_registry(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(model_id) in message
    assert repr(fld) in message


def test_auto_map_needs_the_stand_in_code(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(REGISTRY_TEXT.replace("    remote_code: internlm2\n", "", 1), encoding="utf-8")
    with pytest.raises(registry.RegistryError, match="'remote_code': required: config.auto_map"):
        registry.load_registry(path)
    path.write_text(
        REGISTRY_TEXT.replace("remote_code: internlm2", "remote_code: nowhere", 1), encoding="utf-8"
    )
    with pytest.raises(
        registry.RegistryError, match="'remote_code': expected the name of a folder"
    ):
        registry.load_registry(path)


def test_registry_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- gpt2\n", encoding="utf-8")
    with pytest.raises(registry.RegistryError, match="list.yaml"):
        registry.load_registry(path)


# ----------------------------------------------------------------------------------------
# Configs and tokenizers, without weights
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", list(REAL_SHAPES))
def test_full_scale_config_has_the_real_shape(model_id):
    import torch

    spec = REGISTRY[model_id]
    cfg = configs.standin_config(spec, "full")
    hidden, inter, layers, heads, kv, vocab, max_pos, dtype, tied = REAL_SHAPES[model_id]
    shape = shape_of(cfg, spec.model_type)
    assert shape["hidden"] == hidden
    assert (shape["intermediate"] or 4 * shape["hidden"]) == inter
    assert shape["layers"] == layers
    assert shape["heads"] == heads
    assert shape.get("kv_heads") == kv
    assert shape["max_positions"] == max_pos
    assert cfg.vocab_size == vocab
    assert cfg.tie_word_embeddings is tied
    assert cfg.architectures == [REAL_CLASSES[model_id]]
    assert spec.dtype == dtype
    assert cfg.dtype in (None, getattr(torch, dtype))  # gpt2's config.json names no dtype
    # token ids point at the same tokens in the (smaller) stand-in tokenizer
    tok = tokenizer.standin_tokenizer(spec)
    assert cfg.vocab_size >= tok.get_vocab_size()
    real_to_token = spec.tokenizer.real_id_to_token()
    for key in ("bos_token_id", "eos_token_id"):
        real = spec.config.get(key)
        if real is None:
            continue
        real_ids = real if isinstance(real, list) else [real]
        new = getattr(cfg, key)
        new_ids = new if isinstance(new, list) else [new]
        assert [tok.id_to_token(i) for i in new_ids] == [real_to_token[i] for i in real_ids]


@pytest.mark.parametrize("model_id", list(REAL_SHAPES))
def test_small_scale_config_is_scaled_down(model_id):
    spec = REGISTRY[model_id]
    cfg = configs.standin_config(spec, "small")
    shape = shape_of(cfg, spec.model_type)
    real_kv = REAL_SHAPES[model_id][4]
    assert shape["hidden"] == 128
    assert shape["layers"] == 2
    assert shape["heads"] == 4
    assert getattr(cfg, "head_dim", 32) == 32
    if real_kv is not None:
        assert shape["kv_heads"] == 2  # every GQA model keeps GQA
    assert shape["intermediate"] == SMALL_INTERMEDIATE[model_id]
    n_tokens = tokenizer.standin_tokenizer(spec).get_vocab_size()
    assert cfg.vocab_size % 64 == 0 and 0 <= cfg.vocab_size - n_tokens < 64
    # everything else as the real config
    assert cfg.tie_word_embeddings is REAL_SHAPES[model_id][8]
    assert shape["max_positions"] == REAL_SHAPES[model_id][6]
    assert cfg.architectures == [REAL_CLASSES[model_id]]
    full = configs.standin_config(spec, "full").to_dict()
    scaled = set(configs.shape_keys(spec.model_type).values()) - {
        configs.shape_keys(spec.model_type)["max_positions"]
    }
    derived = {"vocab_size", "layer_types", "head_dim"}
    for key, value in full.items():
        if key not in scaled | derived:
            assert cfg.to_dict()[key] == value, key


def test_mha_models_keep_as_many_kv_heads_as_heads():
    spec = REGISTRY["Qwen/Qwen2.5-0.5B-Instruct"]
    mha = registry.ModelSpec(
        model_id="test/mha",
        dtype=spec.dtype,
        config={**spec.config, "num_key_value_heads": spec.config["num_attention_heads"]},
        generation_config=spec.generation_config,
        tokenizer=spec.tokenizer,
    )
    assert configs.standin_config(mha, "small").num_key_value_heads == 4


def test_tokenizers_are_small_deterministic_and_keep_the_special_tokens():
    for spec in REGISTRY.values():
        tok = tokenizer.standin_tokenizer(spec)
        assert tok.get_vocab_size() == tokenizer.TOKENIZER_SIZE
        for content in spec.tokenizer.real_id_to_token().values():
            assert tok.token_to_id(content) is not None
    spec = REGISTRY["mistralai/Mistral-7B-v0.1"]
    tok = tokenizer.standin_tokenizer(spec)
    assert [tok.token_to_id(t) for t in ("<unk>", "<s>", "</s>", "<0x00>")] == [0, 1, 2, 3]
    first = tok.to_str()
    tokenizer._TOKENIZER_CACHE.clear()
    assert tokenizer.standin_tokenizer(spec).to_str() == first


# ----------------------------------------------------------------------------------------
# The cache on disk
# ----------------------------------------------------------------------------------------


def test_cache_layout_is_what_huggingface_hub_reads(hf_home):
    for model_id in REGISTRY:
        repo = hf_home / "hub" / ("models--" + model_id.replace("/", "--"))
        commit = (repo / "refs" / "main").read_text()
        assert len(commit) == 40 and int(commit, 16) >= 0
        snapshots = list((repo / "snapshots").iterdir())
        assert [s.name for s in snapshots] == [commit]
        names = {p.name for p in snapshots[0].iterdir()}
        assert {"config.json", "generation_config.json", "tokenizer.json"} <= names
        assert {"tokenizer_config.json", "model.safetensors"} <= names
        for link in snapshots[0].iterdir():
            assert link.is_symlink()
            target = os.readlink(link)
            assert not os.path.isabs(target) and target.startswith("../../blobs/")
            blob = link.resolve()
            assert blob.parent == (repo / "blobs").resolve()
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
        config = json.loads((snapshots[0] / "config.json").read_text())
        assert config["dtype"] == REGISTRY[model_id].dtype and "torch_dtype" not in config
        tok_config = json.loads((snapshots[0] / "tokenizer_config.json").read_text())
        assert tok_config["tokenizer_class"] == REGISTRY[model_id].tokenizer.tokenizer_class
        assert ("chat_template" in tok_config) == (model_id in CHAT_MARKERS)


def test_ensure_built_reuses_a_matching_cache(hub_root, built, capsys):
    hf_home, first_seconds = built
    stamp = (hf_home / manifest.STAMP_NAME).read_text()
    stamp_mtime = (hf_home / manifest.STAMP_NAME).stat().st_mtime_ns
    capsys.readouterr()
    t0 = time.perf_counter()
    again = cache.ensure_built("small", hub_root, snippets_dir=None)
    second_seconds = time.perf_counter() - t0
    assert again == hf_home
    assert capsys.readouterr().out == ""  # nothing printed on reuse
    assert (hf_home / manifest.STAMP_NAME).read_text() == stamp
    assert (hf_home / manifest.STAMP_NAME).stat().st_mtime_ns == stamp_mtime
    assert second_seconds < 0.5 and second_seconds * 5 < first_seconds
    assert json.loads(stamp)["key"] == cache.stamp_key("small")["key"]


def test_builds_are_reproducible_and_rebuild_when_the_registry_changes(tmp_path, hf_home, capsys):
    registry_path = tmp_path / "models.yaml"
    registry_path.write_text(REGISTRY_TEXT, encoding="utf-8")
    root = tmp_path / "root"
    home = cache.ensure_built("small", root, registry_path=registry_path, snippets_dir=None)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(REGISTRY) and all(" s" in ln for ln in lines)
    commits = {p.parent.parent.name: p.read_text() for p in hf_home.glob("hub/*/refs/main")}
    assert {p.parent.parent.name: p.read_text() for p in home.glob("hub/*/refs/main")} == commits
    stamp = (home / manifest.STAMP_NAME).read_text()

    registry_path.write_text(REGISTRY_TEXT + "\n# edited\n", encoding="utf-8")
    cache.ensure_built("small", root, registry_path=registry_path, snippets_dir=None)
    assert len(capsys.readouterr().out.splitlines()) == len(REGISTRY)
    assert (home / manifest.STAMP_NAME).read_text() != stamp
    assert [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == ["small"]


def test_an_interrupted_build_leaves_no_valid_cache(tmp_path, monkeypatch):
    real_build = repos.build_model_repo
    calls = []

    def failing_build(model_id, *args, **kwargs):
        calls.append(model_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_build(model_id, *args, **kwargs)

    monkeypatch.setattr(cache, "build_model_repo", failing_build)
    root = tmp_path / "root"
    with pytest.raises(KeyboardInterrupt):
        cache.ensure_built("small", root, snippets_dir=None)
    assert not (root / "small").exists()
    assert [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == []


# ----------------------------------------------------------------------------------------
# The hub is read-only, and checked against the manifest in its stamp
# ----------------------------------------------------------------------------------------


def tiny_registry_text() -> str:
    """The registry with gpt2 alone: a hub of it builds in well under a second."""
    data = yaml.safe_load(REGISTRY_TEXT)
    return yaml.safe_dump({"models": {"gpt2": data["models"]["gpt2"]}}, sort_keys=False)


@pytest.fixture
def tiny(tmp_path) -> tuple[Path, Path, Path]:
    """(hub root, registry, HF_HOME) of a freshly built gpt2-only hub."""
    path = tmp_path / "models.yaml"
    path.write_text(tiny_registry_text(), encoding="utf-8")
    root = tmp_path / "root"
    home = cache.ensure_built("small", root, registry_path=path, snippets_dir=None)
    return root, path, home


def writable_entries(home: Path) -> list[Path]:
    return [p for p in [home, *home.rglob("*")] if not p.is_symlink() and p.stat().st_mode & 0o222]


def test_a_built_hub_has_no_write_bits_and_a_manifest_of_every_entry(hf_home):
    assert writable_entries(hf_home) == []
    recorded = json.loads((hf_home / manifest.STAMP_NAME).read_text())["manifest"]
    on_disk = {p.relative_to(hf_home).as_posix() for p in hf_home.rglob("*")}
    assert set(recorded) == on_disk - {manifest.STAMP_NAME}
    blob = next(hf_home.glob("hub/models--gpt2/blobs/*"))
    assert recorded[blob.relative_to(hf_home).as_posix()] == "sha256 " + blob.name
    link = next(hf_home.glob("hub/models--gpt2/snapshots/*/config.json"))
    assert recorded[link.relative_to(hf_home).as_posix()] == "link " + os.readlink(link)
    assert manifest.verify_hub(hf_home) == []


def test_loading_offline_leaves_the_hub_as_built(offline, hf_home):
    assert offline["gpt2"]["new_tokens"] == 4
    assert manifest.verify_hub(hf_home) == []


# Append to a file of the hub, then create one: prints "written" or "refused" for each.
WRITE_ATTEMPT = (
    'for f in "$1" "$2/added.py"; do '
    'if (echo x >> "$f") 2>/dev/null; then echo written; else echo refused; fi; done'
)


def test_a_normal_user_cannot_write_the_hub(tmp_path):
    # root ignores write bits: try as the unprivileged user, in a folder it may enter
    as_root = os.geteuid() == 0
    outer = Path(tempfile.mkdtemp(prefix="standin-readonly-")) if as_root else tmp_path
    try:
        outer.chmod(0o755)
        path = outer / "models.yaml"
        path.write_text(tiny_registry_text(), encoding="utf-8")
        home = cache.ensure_built("small", outer / "root", registry_path=path, snippets_dir=None)
        config = next(home.glob("hub/models--gpt2/snapshots/*/config.json"))
        command = ["/bin/sh", "-c", WRITE_ATTEMPT, "sh", str(config), str(config.parent)]
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=60, user="nobody" if as_root else None
        )
        assert proc.stdout.split() == ["refused", "refused"], proc.stderr[-2000:]
        assert manifest.verify_hub(home) == []
    finally:
        if as_root:
            remove_tree(outer)


def test_a_changed_file_is_found_and_the_hub_rebuilt(tiny, capsys):
    root, path, home = tiny
    config = next(home.glob("hub/models--gpt2/snapshots/*/config.json"))
    original = config.read_bytes()
    blob = config.resolve()
    if os.geteuid() != 0:
        blob.chmod(0o644)
    # as root the write succeeds despite the missing write bits: only the manifest sees it
    blob.write_text('{"model_type": "gpt2", "n_layer": 100}', encoding="utf-8")
    problems = manifest.verify_hub(home)
    assert problems and problems[0].startswith(f"{blob}: content changed")
    assert config.relative_to(home).as_posix() in problems[0]
    capsys.readouterr()
    assert cache.ensure_built("small", root, registry_path=path, snippets_dir=None) == home
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "rebuilding" in err[0] and blob.name in err[0]
    assert manifest.verify_hub(home) == []
    assert config.read_bytes() == original
    assert writable_entries(home) == []


def test_added_removed_and_relinked_entries_are_found(tiny):
    _, _, home = tiny
    snapshot = next(home.glob("hub/models--gpt2/snapshots/*"))
    for folder in (home, snapshot):
        folder.chmod(0o755)  # as a snippet running as the owner could
    (home / ".check_for_update_done").touch()
    (snapshot / "tokenizer.json").unlink()
    (snapshot / "config.json").unlink()
    (snapshot / "config.json").symlink_to("/etc/hostname")
    problems = "\n".join(manifest.verify_hub(home))
    assert f"{home / '.check_for_update_done'}: added since the hub was built" in problems
    assert f"{snapshot / 'tokenizer.json'}: removed since the hub was built" in problems
    assert f"{snapshot / 'config.json'}: symlink now points to '/etc/hostname'" in problems
    assert f"{snapshot}: writable" in problems


def test_a_hub_without_a_manifest_is_rebuilt(tiny, capsys):
    root, path, home = tiny
    stamp = home / manifest.STAMP_NAME
    data = json.loads(stamp.read_text())
    del data["manifest"]
    home.chmod(0o755)
    stamp.unlink()
    stamp.write_text(json.dumps(data))
    assert manifest.verify_hub(home) == [f"{stamp}: holds no manifest: the hub cannot be checked"]
    capsys.readouterr()
    cache.ensure_built("small", root, registry_path=path, snippets_dir=None)
    assert "rebuilding" in capsys.readouterr().err
    assert manifest.verify_hub(home) == []


def test_the_stamp_covers_every_file_of_the_wing():
    files = cache.stamp_key("small")["builder"]
    assert {"models.yaml", "corpus.txt", "cache.py", "manifest.py", "registry.py"} <= set(files)
    assert "remote_code/internlm2/modeling_internlm2.py" in files
    assert not any("__pycache__" in name for name in files)


# ----------------------------------------------------------------------------------------
# Loading offline, as the snippets do
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", list(REAL_SHAPES))
def test_offline_config_and_model(offline, model_id):
    got = offline[model_id]
    spec = REGISTRY[model_id]
    assert got["model_type"] == spec.model_type
    assert got["architectures"] == [REAL_CLASSES[model_id]]
    assert got["class"] == REAL_CLASSES[model_id]
    assert got["module"].startswith(f"transformers.models.{spec.model_type}.")
    shape = {
        name: got["config"].get(key) for name, key in configs.shape_keys(spec.model_type).items()
    }
    assert (shape["hidden"], shape["layers"], shape["heads"]) == (128, 2, 4)
    assert shape["intermediate"] == SMALL_INTERMEDIATE[model_id]
    assert got["config"]["vocab_size"] >= got["len_tokenizer"]
    assert got["embedding_rows"] == got["config"]["vocab_size"]
    # default dtype="auto": the checkpoint's own dtype
    assert got["dtype"] == spec.dtype
    assert got["param_dtypes"] == [f"torch.{spec.dtype}"]
    assert got["tied"] is REAL_SHAPES[model_id][8]
    assert got["new_tokens"] == 4


def test_remote_code_repository_ships_its_code_and_needs_the_flag(offline, hf_home):
    model_id = "internlm/internlm2_5-7b-chat"
    got = offline[model_id]
    assert got["class"] == "InternLM2ForCausalLM"
    assert got["module"].startswith("transformers_modules.internlm.")
    assert got["module"].endswith(".modeling_internlm2")
    assert got["config"]["auto_map"] == REGISTRY[model_id].config["auto_map"]
    assert got["new_tokens"] == 4
    snapshot = next((hf_home / "hub" / repos.repo_folder_name(model_id) / "snapshots").iterdir())
    assert {"configuration_internlm2.py", "modeling_internlm2.py"} <= {
        p.name for p in snapshot.iterdir()
    }
    refusal = offline["__refused__" + model_id]
    assert refusal.startswith(f"The repository {model_id} contains custom code which must be")
    assert "Please pass the argument `trust_remote_code=True`" in refusal


@pytest.mark.parametrize("model_id", list(REAL_SHAPES))
def test_offline_tokenizer_has_the_real_special_tokens(offline, model_id):
    got = offline[model_id]
    tspec = REGISTRY[model_id].tokenizer
    assert got["len_tokenizer"] == tokenizer.TOKENIZER_SIZE
    assert got["model_max_length"] == tspec.model_max_length
    for name in ("bos_token", "eos_token", "unk_token", "pad_token"):
        assert got["named"][name][0] == getattr(tspec, name), name
    assert got["extra_special_tokens"] == list(tspec.additional_special_tokens)
    # the config's bos/eos ids are the ids of the real tokens in this tokenizer
    real = REGISTRY[model_id].config
    real_to_token = tspec.real_id_to_token()
    if real.get("bos_token_id") is not None:
        assert got["token_of_config_bos"] == real_to_token[real["bos_token_id"]]
    real_eos = (
        real["eos_token_id"] if isinstance(real["eos_token_id"], list) else [real["eos_token_id"]]
    )
    assert got["tokens_of_config_eos"] == [real_to_token[i] for i in real_eos]
    eos_id = got["named"]["eos_token"][1]
    gen_eos = got["generation_eos"]
    assert eos_id == gen_eos or eos_id in gen_eos
    if tspec.bos_token is not None:
        assert got["named"]["bos_token"][1] == got["config"]["bos_token_id"]
    assert got["roundtrip"] == "Loading a model, naïvely: x = 42"


@pytest.mark.parametrize("model_id", list(CHAT_MARKERS))
def test_offline_chat_template_writes_the_real_format(offline, model_id):
    got = offline[model_id]
    start, user_turn, generation_prompt = CHAT_MARKERS[model_id]
    assert got["chat"].startswith(start)
    assert user_turn in got["chat"]
    assert got["chat"].endswith(generation_prompt)
    specials = set(REGISTRY[model_id].tokenizer.special_tokens.values())
    markers = {t for t in got["chat_tokens"] if t in specials}
    assert markers >= {"<|im_start|>", "<|im_end|>"} or markers >= {
        "<|begin_of_text|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|eot_id|>",
    }


def test_base_models_have_no_chat_template(offline):
    assert "chat" not in offline["gpt2"]
    assert "chat" not in offline["mistralai/Mistral-7B-v0.1"]


def test_unregistered_id_fails_offline_with_oserror(offline):
    outcome = offline["__unregistered__"]
    assert outcome.startswith("OSError: "), outcome


# ----------------------------------------------------------------------------------------
# Model ids used by snippets
# ----------------------------------------------------------------------------------------


def write_snippets(root: Path) -> None:
    (root / "area").mkdir(parents=True)
    (root / "direct.py").write_text(
        textwrap.dedent(
            """
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained("org/direct")
            model = AutoModelForCausalLM.from_pretrained(
                "org/direct-multiline",
                dtype=torch.bfloat16,
            )
            """
        ),
        encoding="utf-8",
    )
    (root / "area" / "variable.py").write_text(
        textwrap.dedent(
            """
            from transformers import AutoConfig, AutoModelForCausalLM
            from trl import ModelConfig

            model_id = "org/through-a-variable"
            config = AutoConfig.from_pretrained(model_id)
            config = AutoConfig.from_pretrained(pretrained_model_name_or_path="org/keyword")
            args = ModelConfig(model_name_or_path="org/through-an-attribute")
            model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
            model.save_pretrained("saved-here")
            again = AutoModelForCausalLM.from_pretrained("saved-here")
            local = AutoModelForCausalLM.from_pretrained("./local-folder")
            missing = AutoModelForCausalLM.from_pretrained("org/shown-failing")  # standin-hub: ignore
            """
        ),
        encoding="utf-8",
    )


def test_used_model_ids_finds_literals_variables_and_attributes(tmp_path):
    write_snippets(tmp_path)
    assert uses.used_model_ids(tmp_path) == {
        "org/direct",
        "org/direct-multiline",
        "org/through-a-variable",
        "org/keyword",
        "org/through-an-attribute",
    }


def test_an_unregistered_snippet_id_is_an_error_naming_the_file_and_line(tmp_path):
    (tmp_path / "uses_unknown.py").write_text(
        'from transformers import AutoModel\n\nmodel_id = "gpt2"\n'
        "m = AutoModel.from_pretrained(model_id)\n"
        'n = AutoModel.from_pretrained("someone/unregistered-model")\n',
        encoding="utf-8",
    )
    with pytest.raises(registry.UnknownModelError) as info:
        uses.check_snippet_ids(tmp_path, REGISTRY)
    message = str(info.value)
    assert f"{tmp_path / 'uses_unknown.py'}:5" in message
    assert "'someone/unregistered-model'" in message
    assert "gpt2" not in message.split("registry")[0]
    # ensure_built checks before it builds anything
    root = tmp_path / "root"
    with pytest.raises(registry.UnknownModelError, match="uses_unknown.py:5"):
        cache.ensure_built("small", root, snippets_dir=tmp_path)
    assert not (root / "small").exists()


def test_command_line_builds_only_the_requested_ids(tmp_path, capsys):
    out = tmp_path / "home"
    argv = ["build", "--scale", "small", "--out", str(out), "--only", "gpt2"]
    assert standin_main(argv) == 0
    assert capsys.readouterr().out.startswith("gpt2 (small): ")
    assert [p.name for p in (out / "hub").iterdir()] == ["models--gpt2"]
    assert standin_main(["build", "--out", str(out), "--only", "org/unknown"]) == 2
    assert "'org/unknown' is not in the stand-in registry" in capsys.readouterr().err


def test_full_scale_builds_only_the_ids_the_snippets_load(tmp_path, monkeypatch):
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    (snippets / "one.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained('gpt2')\n"
    )
    built: list[str] = []
    monkeypatch.setattr(cache, "build_model_repo", lambda model_id, *a, **k: built.append(model_id))
    cache.ensure_built("full", tmp_path / "hub", snippets_dir=snippets)
    assert built == ["gpt2"]
    stamp = json.loads((tmp_path / "hub/full" / manifest.STAMP_NAME).read_text())
    assert stamp["models"] == ["gpt2"]
