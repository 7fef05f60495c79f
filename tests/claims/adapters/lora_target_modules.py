import warnings

import pytest
import torch

from kb.claims import claim
from kb.standin import load_registry

SEVEN = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def quiet_get_peft_model(model, config):
    from peft import get_peft_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        return get_peft_model(model, config)


def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def full_size_trainable(model_id, **lora_kwargs):
    """(LoRA trainable parameters, base parameters) on the real, full-size model, on meta."""
    from peft import LoraConfig
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        base = AutoModelForCausalLM.from_config(config)
    base_params = sum(p.numel() for p in base.parameters())
    peft_model = quiet_get_peft_model(base, LoraConfig(task_type="CAUSAL_LM", **lora_kwargs))
    return trainable(peft_model), base_params


@claim(
    "Llama-3.1-8B-Instruct, Qwen2.5-0.5B-Instruct and Mistral-7B-v0.1 have the same Linear "
    "layer names: `q_proj`, `k_proj`, `v_proj`, `o_proj`, `gate_proj`, `up_proj`, `down_proj`, "
    "and `lm_head`."
)
def same_names(linear_names):
    from transformers import AutoModelForCausalLM

    expected = sorted(SEVEN + ["lm_head"])
    for model_id in (
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "mistralai/Mistral-7B-v0.1",
    ):
        assert linear_names(AutoModelForCausalLM.from_pretrained(model_id)) == expected, model_id


@claim(
    "gpt2's `c_attn`, `c_proj` and `c_fc` are transformers `Conv1D` layers, not `nn.Linear`: "
    "a listing that looks for `nn.Linear` alone finds only `lm_head`. `c_attn` is one fused "
    "layer producing q, k and v (3 x 768 outputs), and its weight is stored transposed, "
    "(in_features, out_features)."
)
def gpt2_conv1d(linear_names):
    from transformers import AutoModelForCausalLM
    from transformers.pytorch_utils import Conv1D

    model = AutoModelForCausalLM.from_pretrained("gpt2")
    plain_linear = {
        n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)
    }
    assert plain_linear == {"lm_head"}
    assert linear_names(model) == ["c_attn", "c_fc", "c_proj", "lm_head"]
    block = model.transformer.h[0]
    for m in (block.attn.c_attn, block.attn.c_proj, block.mlp.c_fc, block.mlp.c_proj):
        assert type(m) is Conv1D
    hidden = model.config.n_embd
    assert block.attn.c_attn.nf == 3 * hidden
    assert tuple(block.attn.c_attn.weight.shape) == (hidden, 3 * hidden)


@claim(
    "A name in `target_modules` matches every module whose full name ends with it: `c_proj` "
    "adapts both gpt2's attention output and its MLP output projection, so each block gets four "
    "LoRA layers, all with `fan_in_fan_out=True`."
)
def suffix_matching(gpt2):
    from peft.tuners.lora import LoraLayer

    adapted = [n for n, m in gpt2.named_modules() if isinstance(m, LoraLayer)]
    blocks = len(gpt2.get_base_model().transformer.h)
    assert len(adapted) == 4 * blocks
    assert {".".join(n.split(".")[-2:]) for n in adapted} == {
        "attn.c_attn",
        "attn.c_proj",
        "mlp.c_fc",
        "mlp.c_proj",
    }
    assert gpt2.peft_config["default"].fan_in_fan_out is True


@claim(
    "Left at `fan_in_fan_out=False` on gpt2, peft warns `fan_in_fan_out is set to False but the "
    "target module is `Conv1D`. Setting fan_in_fan_out to True.` and sets it itself; passing "
    "`fan_in_fan_out=True` gives no warning."
)
def fan_in_fan_out_warning():
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    config = LoraConfig(r=16, target_modules=["c_attn"], task_type="CAUSAL_LM")
    with pytest.warns(UserWarning) as caught:
        quiet_get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), config)
    texts = [str(w.message) for w in caught if "fan_in_fan_out" in str(w.message)]
    assert texts == [
        "fan_in_fan_out is set to False but the target module is `Conv1D`. "
        "Setting fan_in_fan_out to True."
    ]
    config = LoraConfig(r=16, target_modules=["c_attn"], fan_in_fan_out=True, task_type="CAUSAL_LM")
    with warnings.catch_warnings(record=True) as clean:
        warnings.simplefilter("always")
        quiet_get_peft_model(AutoModelForCausalLM.from_pretrained("gpt2"), config)
    assert not [w for w in clean if "fan_in_fan_out" in str(w.message)]
    return texts[0]


@claim(
    '`target_modules="all-linear"` adapts every Linear (and Conv1D) layer except the output '
    "layer: on Mistral the seven projections, `lm_head` left a plain `nn.Linear`; peft replaces "
    "the string with the set of full module names it chose, and the result is the same as "
    "naming the seven projections."
)
def all_linear(mistral, chosen):
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    assert chosen == set(SEVEN)
    inner = mistral.get_base_model()
    assert type(inner.lm_head) is torch.nn.Linear
    names = mistral.peft_config["default"].target_modules
    assert isinstance(names, set)
    assert all(n.startswith("model.layers.") for n in names)
    assert len(names) == 7 * len(inner.model.layers)
    explicit = quiet_get_peft_model(
        AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1"),
        LoraConfig(r=16, lora_alpha=32, target_modules=SEVEN, task_type="CAUSAL_LM"),
    )
    assert trainable(explicit) == trainable(mistral)


@claim(
    '`"all-linear"` also leaves out the output layer where it is tied to the embeddings '
    "(Qwen2.5-0.5B-Instruct) and picks gpt2's Conv1D layers: `c_attn`, `c_proj`, `c_fc`."
)
def all_linear_elsewhere():
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    qwen = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
    assert qwen.config.tie_word_embeddings is True
    config = LoraConfig(r=16, target_modules="all-linear", task_type="CAUSAL_LM")
    qwen = quiet_get_peft_model(qwen, config)
    picked = {n.rsplit(".", 1)[-1] for n in qwen.peft_config["default"].target_modules}
    assert picked == set(SEVEN)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fan_in_fan_out is set to False")
        gpt2 = quiet_get_peft_model(
            AutoModelForCausalLM.from_pretrained("gpt2"),
            LoraConfig(r=16, target_modules="all-linear", task_type="CAUSAL_LM"),
        )
    picked = {n.rsplit(".", 1)[-1] for n in gpt2.peft_config["default"].target_modules}
    assert picked == {"c_attn", "c_proj", "c_fc"}


@claim(
    "Each adapted layer adds r x (in_features + out_features) trainable parameters, and nothing "
    "else trains."
)
def count_formula(llama, gpt2, llama_lora, gpt2_lora):
    from peft.tuners.lora import LoraLayer

    for model, config in ((llama, llama_lora), (gpt2, gpt2_lora)):
        expected = 0
        for m in model.modules():
            if isinstance(m, LoraLayer):
                a = m.lora_A["default"].weight
                b = m.lora_B["default"].weight
                assert a.shape[0] == b.shape[1] == config.r
                expected += config.r * (a.shape[1] + b.shape[0])
        assert trainable(model) == expected
        trained = {n for n, p in model.named_parameters() if p.requires_grad}
        assert all(".lora_A." in n or ".lora_B." in n for n in trained)


@claim(
    "At full size, counted on the meta device from the real configs (r=16): Llama-3.1-8B-Instruct "
    "and Mistral-7B-v0.1 with the seven projections (and Llama with `q_proj`, `v_proj` only), "
    "and gpt2 with `c_attn`, `c_proj`, `c_fc`:"
)
def full_size_counts():
    llama = full_size_trainable(
        "meta-llama/Llama-3.1-8B-Instruct", r=16, lora_alpha=32, target_modules=SEVEN
    )
    mistral = full_size_trainable(
        "mistralai/Mistral-7B-v0.1", r=16, lora_alpha=32, target_modules=SEVEN
    )
    llama_all = full_size_trainable(
        "meta-llama/Llama-3.1-8B-Instruct", r=16, lora_alpha=32, target_modules="all-linear"
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fan_in_fan_out is set to False")
        gpt2 = full_size_trainable(
            "gpt2", r=16, lora_alpha=32, target_modules=["c_attn", "c_proj", "c_fc"]
        )
    llama_qv = full_size_trainable(
        "meta-llama/Llama-3.1-8B-Instruct", r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"]
    )
    # 32 layers x 16 x (2 x (4096 + 4096) + 2 x (4096 + 1024) + 3 x (4096 + 14336))
    assert llama[0] == mistral[0] == llama_all[0] == 41_943_040
    # 32 layers x 16 x ((4096 + 4096) + (4096 + 1024))
    assert llama_qv[0] == 32 * 16 * (8192 + 5120) == 6_815_744
    # 12 blocks x 16 x ((768 + 2304) + (768 + 768) + (768 + 3072) + (3072 + 768))
    assert gpt2[0] == 12 * 16 * (3072 + 1536 + 3840 + 3840) == 2_359_296
    return (
        f"Llama-3.1-8B {llama[0]:,} ({100 * llama[0] / llama[1]:.2f}% of {llama[1]:,}), "
        f"{llama_qv[0]:,} with q_proj and v_proj only; "
        f"Mistral-7B {mistral[0]:,} ({100 * mistral[0] / mistral[1]:.2f}% of {mistral[1]:,}); "
        f"gpt2 {gpt2[0]:,} ({100 * gpt2[0] / gpt2[1]:.2f}% of {gpt2[1]:,})"
    )
