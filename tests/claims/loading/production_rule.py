import torch

from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600


@claim(
    "`from_pretrained` returns the model in eval mode, so a following `model.eval()` is redundant."
)
def already_eval(model):
    assert model.training is False
    assert not any(m.training for m in model.modules())


@claim(
    "With `trust_remote_code=False` the class is transformers' own `Qwen2ForCausalLM`, not code from the repository."
)
def library_class(model):
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert type(model).__module__.startswith("transformers.models.qwen2.")


@claim(
    "The same call refuses a repository that ships its own code: with `trust_remote_code=False`, "
    "loading `internlm/internlm2_5-7b-chat` (whose config has an `auto_map`) raises `ValueError` "
    "and runs nothing from it."
)
def remote_code_refused():
    import sys

    import pytest
    from transformers import AutoModelForCausalLM

    with pytest.raises(ValueError, match="contains custom code which must be executed"):
        AutoModelForCausalLM.from_pretrained(
            "internlm/internlm2_5-7b-chat", trust_remote_code=False
        )
    assert not any("internlm2" in name for name in sys.modules)


@claim("The explicit `dtype=torch.bfloat16` is what every parameter gets.")
def explicit_dtype(model):
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}


@claim(
    "Tokenizer and model come from the same repository and revision, so their special tokens agree."
)
def same_source(model, tokenizer, model_id):
    assert model.config.name_or_path == tokenizer.name_or_path == model_id
    eos = model.generation_config.eos_token_id
    assert tokenizer.eos_token_id in (eos if isinstance(eos, list) else [eos])
    assert tokenizer.pad_token_id == model.generation_config.pad_token_id
    assert len(tokenizer) <= model.config.vocab_size
