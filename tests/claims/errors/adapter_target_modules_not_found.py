import ast
import re
import traceback

from kb.claims import claim

MESSAGE = re.compile(
    r"Target modules (\{.*\}) not found in the base model\. "
    r"Please check the target modules and try again\."
)


@claim(
    "`get_peft_model` raises peft's `NoMatchingPeftModuleError` (a subclass of `ValueError`): "
    "`Target modules {'q_proj', 'v_proj'} not found in the base model. Please check the target "
    "modules and try again.`, the names shown as a set in no fixed order."
)
def raises(error):
    from peft.utils.error import NoMatchingPeftModuleError, PeftError

    assert type(error) is NoMatchingPeftModuleError
    assert isinstance(error, ValueError) and isinstance(error, PeftError)
    match = MESSAGE.fullmatch(str(error))
    assert match, str(error)
    assert ast.literal_eval(match.group(1)) == {"q_proj", "v_proj"}
    return str(error)


@claim(
    "It is raised in `BaseTuner.inject_adapter` (peft/tuners/tuners_utils.py), when the LoRA "
    "layers are being created, before any PEFT model exists."
)
def raised_in_inject_adapter(error):
    frames = traceback.extract_tb(error.__traceback__)
    last = frames[-1]
    assert last.name == "inject_adapter"
    assert last.filename.replace("\\", "/").endswith("peft/tuners/tuners_utils.py")
    assert "get_peft_model" in [f.name for f in frames]


@claim(
    "The same config works on a Llama-architecture model, whose attention layers carry exactly "
    "those names; on gpt2 the names to use are `c_attn` (and `c_proj`, `c_fc`)."
)
def names_are_per_architecture(lora_config):
    import warnings

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        llama = get_peft_model(
            AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct"), lora_config
        )
        gpt2 = get_peft_model(
            AutoModelForCausalLM.from_pretrained("gpt2"),
            LoraConfig(r=16, target_modules=["c_attn"], fan_in_fan_out=True, task_type="CAUSAL_LM"),
        )
    assert any(".q_proj.lora_A." in n for n, _ in llama.named_parameters())
    assert any(".c_attn.lora_A." in n for n, _ in gpt2.named_parameters())


@claim(
    "A list where only some names exist raises nothing: peft adapts the ones it finds and "
    "silently skips the rest."
)
def partial_match_is_silent():
    import warnings

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    config = LoraConfig(r=16, target_modules=["c_attn", "q_proj"], fan_in_fan_out=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), config)
    adapted = {n.split(".")[-4] for n, _ in model.named_parameters() if ".lora_A." in n}
    assert adapted == {"c_attn"}
    assert not [w for w in caught if "q_proj" in str(w.message)]
