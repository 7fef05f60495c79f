import json
import warnings

import pytest
import torch

from kb.claims import claim


@claim(
    "`get_peft_model(..., revision=...)` writes the base's commit into `adapter_config.json`, "
    "next to `base_model_name_or_path`."
)
def revision_recorded(revision, model_id):
    with open("my-adapter/adapter_config.json") as f:
        saved = json.load(f)
    assert len(revision) == 40
    assert saved["revision"] == revision
    assert saved["base_model_name_or_path"] == model_id


@claim(
    "Loading the base from the adapter's own config gives the model it was trained on: the "
    "adapter attaches, and `PeftModel` and `AutoPeftModelForCausalLM` give the same logits."
)
def same_model(model, auto_model, checked):
    input_ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        a = model(input_ids).logits
        b = auto_model(input_ids).logits
        c = checked(input_ids).logits
    assert torch.equal(a, b) and torch.equal(a, c)


@claim(
    "`AutoPeftModelForCausalLM` really uses the recorded revision: an adapter whose config names "
    "a commit the cache does not hold fails to load its base (`OSError`) instead of falling back "
    "to the newest files."
)
def auto_uses_revision(model_id):
    import os
    import shutil

    from peft import AutoPeftModelForCausalLM

    shutil.copytree("my-adapter", "other-commit")
    with open("other-commit/adapter_config.json") as f:
        config = json.load(f)
    config["revision"] = "0" * 40
    with open("other-commit/adapter_config.json", "w") as f:
        json.dump(config, f)
    assert os.path.exists("other-commit/adapter_model.safetensors")
    with warnings.catch_warnings(), pytest.raises(OSError) as raised:
        warnings.simplefilter("ignore")
        AutoPeftModelForCausalLM.from_pretrained("other-commit")
    assert str(raised.value).startswith(
        "We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find "
        "them in the cached files."
    )
    # the same folder with no revision recorded loads the cached base
    config["revision"] = None
    with open("other-commit/adapter_config.json", "w") as f:
        json.dump(config, f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = AutoPeftModelForCausalLM.from_pretrained("other-commit")
    assert loaded.get_base_model().name_or_path == model_id
    return str(raised.value).splitlines()[0]


@claim(
    "`check_base` refuses a base of another id with a `ValueError` naming both, before "
    "anything is attached."
)
def check_refuses(check_base):
    from transformers import AutoModelForCausalLM

    llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    with pytest.raises(ValueError) as raised:
        check_base(llama, "my-adapter")
    assert str(raised.value) == (
        "my-adapter was trained on Qwen/Qwen2.5-0.5B-Instruct, not meta-llama/Llama-3.1-8B-Instruct"
    )
    assert not any("lora_" in n for n, _ in llama.named_parameters())
