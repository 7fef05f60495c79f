import json
import warnings

import pytest
import torch

from kb.claims import claim, log_records

MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"
DEFAULT_LENGTH_WARNING = (
    "Using the model-agnostic default `max_length` (={}) to control the generation length. "
    "We recommend setting `max_new_tokens` to control the maximum length of the generation."
)


def fresh_qwen():
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(MODEL_ID)


def sampled_twice(model, inputs, **kwargs):
    torch.manual_seed(0)
    a = model.generate(**inputs, **kwargs)
    torch.manual_seed(1)
    b = model.generate(**inputs, **kwargs)
    return a, b


@claim(
    "Qwen2.5-0.5B-Instruct starts with the settings of its `generation_config.json`: "
    "`do_sample=True`, temperature 0.7, top_p 0.8, top_k 20, repetition_penalty 1.1, and no "
    "length limit of its own (`max_new_tokens` and `max_length` are None)."
)
def qwen_defaults():
    settings = fresh_qwen().generation_config
    assert settings.do_sample is True
    assert (settings.temperature, settings.top_p, settings.top_k) == (0.7, 0.8, 20)
    assert settings.repetition_penalty == 1.1
    assert settings.max_new_tokens is None and settings.max_length is None


@claim(
    "So a bare `generate(**inputs)` samples: two calls under different seeds give different tokens."
)
def default_samples(inputs):
    model = fresh_qwen()
    a, b = sampled_twice(model, inputs, max_new_tokens=8)
    assert not torch.equal(a, b)


@claim(
    "With no length set anywhere, `generate` stops after 20 new tokens (the prompt not "
    "counted) and warns with a `UserWarning` that it used the model-agnostic default "
    "`max_length`."
)
def twenty_new_tokens(gpt2, tokenizer):
    from transformers import AutoTokenizer

    gpt2_tokenizer = AutoTokenizer.from_pretrained("gpt2")
    prompt = gpt2_tokenizer("A default length is", return_tensors="pt")
    n = prompt["input_ids"].shape[1]
    eos = gpt2.generation_config.eos_token_id
    with pytest.warns(UserWarning) as caught:
        out = gpt2.generate(**prompt, pad_token_id=eos)
    texts = [str(w.message) for w in caught]
    assert DEFAULT_LENGTH_WARNING.format(n + 20) in texts
    assert eos not in out[0, n:].tolist()
    assert out.shape[1] == n + 20
    return f"{texts[0]} (for a prompt of {n} tokens: {n} + 20)"


@claim(
    "gpt2's `generation_config.json` holds only token ids: every sampling field is unset, "
    "so `generate` falls back to the library defaults and decodes greedily (two seeds, the "
    "same tokens)."
)
def gpt2_near_empty(gpt2):
    from transformers import AutoTokenizer

    settings = gpt2.generation_config
    set_fields = {k for k, v in settings.to_diff_dict().items() if k != "transformers_version"}
    assert set_fields == {"bos_token_id", "eos_token_id"}
    for field in ("do_sample", "temperature", "top_p", "top_k", "max_new_tokens"):
        assert getattr(settings, field) is None
    prompt = AutoTokenizer.from_pretrained("gpt2")("Greedy by default", return_tensors="pt")
    a, b = sampled_twice(gpt2, prompt, max_new_tokens=8, pad_token_id=settings.eos_token_id)
    assert torch.equal(a, b)


@claim(
    "`do_sample=False` per call makes decoding greedy and repeatable, and leaves "
    "`model.generation_config` as it was (`do_sample` still True after the calls)."
)
def per_call_greedy(first, second, output):
    assert torch.equal(first, second)
    assert output.splitlines()[2] == "True True"


@claim(
    "A per-call override changes only what it names: greedy decoding still applies the "
    "model's `repetition_penalty=1.1` to the scores (they differ from the raw logits), "
    "unless the call sets `repetition_penalty=1.0` as well."
)
def penalty_still_applies(inputs):
    model = fresh_qwen()
    kwargs = dict(
        do_sample=False,
        max_new_tokens=2,
        output_scores=True,
        output_logits=True,
        return_dict_in_generate=True,
    )
    penalized = model.generate(**inputs, **kwargs)
    assert not torch.equal(penalized.scores[0], penalized.logits[0])
    seen = inputs["input_ids"][0].unique()
    unseen = torch.ones(penalized.logits[0].shape[-1], dtype=torch.bool)
    unseen[seen] = False
    assert torch.equal(penalized.scores[0][0, unseen], penalized.logits[0][0, unseen])
    plain = model.generate(**inputs, repetition_penalty=1.0, **kwargs)
    assert torch.equal(plain.scores[0], plain.logits[0])


@claim(
    "A `GenerationConfig` object passed to `generate` is merged with the model's: "
    "`GenerationConfig(max_new_tokens=8)` still samples with the model's temperature and "
    "top-k, and `GenerationConfig(max_new_tokens=8, do_sample=False)` logs that the inherited "
    "`temperature`, `top_p` and `top_k` are not valid and may be ignored."
)
def config_object_merges(inputs):
    from transformers import GenerationConfig

    model = fresh_qwen()
    a, b = sampled_twice(model, inputs, generation_config=GenerationConfig(max_new_tokens=8))
    assert not torch.equal(a, b)
    with log_records("transformers") as records:
        g1, g2 = sampled_twice(
            model, inputs, generation_config=GenerationConfig(max_new_tokens=8, do_sample=False)
        )
    assert torch.equal(g1, g2)
    messages = [r.getMessage() for r in records if r.levelname == "WARNING"]
    expected = (
        "The following generation flags are not valid and may be ignored: "
        "['temperature', 'top_p', 'top_k']."
    )
    assert any(m.startswith(expected) for m in messages), messages
    return messages[0]


@claim(
    "Passing a `generation_config` object and generation keywords in the same call logs a "
    "deprecation warning: use one or the other."
)
def mixing_is_deprecated(inputs):
    from transformers import GenerationConfig

    model = fresh_qwen()
    with log_records("transformers") as records:
        model.generate(
            **inputs, generation_config=GenerationConfig(max_new_tokens=2), do_sample=False
        )
    messages = [r.getMessage() for r in records if r.levelname == "WARNING"]
    expected = (
        "Passing `generation_config` together with generation-related arguments=({'do_sample'}) "
        "is deprecated and will be removed in future versions. Please pass either a "
        "`generation_config` object OR all generation parameters explicitly, but not both."
    )
    assert expected in messages, messages
    return expected


@claim(
    "Editing `model.generation_config` changes every later call: with `do_sample=False`, "
    "the sampling fields cleared and `max_new_tokens=12`, a bare `generate(**inputs)` "
    "repeats the greedy output, without any warning, and `save_pretrained` writes those "
    "settings to `generation_config.json`."
)
def persistent_edit(model, third, first, inputs):
    settings = model.generation_config
    assert settings.do_sample is False and settings.max_new_tokens == 12
    assert settings.temperature is None and settings.top_k is None
    assert torch.equal(third, first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with log_records("transformers") as records:
            again = model.generate(**inputs)
    assert torch.equal(again, first)
    assert not [r for r in records if r.levelname == "WARNING"]
    model.generation_config.save_pretrained("greedy-settings")
    with open("greedy-settings/generation_config.json") as f:
        saved = json.load(f)
    assert saved["do_sample"] is False and saved["max_new_tokens"] == 12
    assert "temperature" not in saved and "top_p" not in saved
    assert saved["repetition_penalty"] == 1.1


@claim(
    "Generation options set on `model.config` (the 4.x legacy) are refused: `generate` raises "
    "`ValueError: You have modified the pretrained model configuration to control "
    "generation ...` and points to `model.generation_config`."
)
def model_config_refused(gpt2):
    from transformers import AutoTokenizer

    prompt = AutoTokenizer.from_pretrained("gpt2")("Hi", return_tensors="pt")
    gpt2.config.temperature = 0.1
    try:
        with pytest.raises(ValueError) as info:
            gpt2.generate(**prompt, max_new_tokens=2)
    finally:
        del gpt2.config.temperature
    text = str(info.value)
    assert text.startswith(
        "You have modified the pretrained model configuration to control generation We "
        "detected the following values set - {'temperature': 0.1}. This strategy to control "
        "generation is not supported anymore. Please use and modify `model.generation_config`"
    )
    return text


@claim(
    "What one call with `do_sample=False` runs with: greedy, plus the model's eos ids, pad id "
    "and repetition penalty, and the sampling values still set but unused."
)
def merged_for_one_call():
    model = fresh_qwen()
    merged, _ = model._prepare_generation_config(None, do_sample=False)
    own = model.generation_config
    assert merged.do_sample is False
    assert merged.eos_token_id == own.eos_token_id and len(own.eos_token_id) == 2
    assert merged.pad_token_id == own.pad_token_id is not None
    assert merged.repetition_penalty == 1.1
    assert (merged.temperature, merged.top_p, merged.top_k) == (0.7, 0.8, 20)
    assert merged.max_length == 20 and merged.max_new_tokens is None
    assert own.do_sample is True
