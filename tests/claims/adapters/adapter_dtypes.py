import warnings

import torch

from kb.claims import claim


def lora_dtypes(model):
    return {p.dtype for name, p in model.named_parameters() if ".lora_" in name}


def quiet_from_pretrained(base, path, **kwargs):
    from peft import PeftModel

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        return PeftModel.from_pretrained(base, path, **kwargs)


@claim(
    "On a bfloat16 base, `PeftModel.from_pretrained` holds the adapter in float32 (its "
    "`autocast_adapter_dtype=True` default); with `autocast_adapter_dtype=False`, and with "
    "transformers' `load_adapter`, the adapter takes the base's bfloat16. The base weights stay "
    "bfloat16 in every case."
)
def bf16_rows(dtypes, same, base):
    assert dtypes["bf16 base, PeftModel"] == torch.float32
    assert dtypes["bf16 base, PeftModel, autocast_adapter_dtype=False"] == torch.bfloat16
    assert dtypes["bf16 base, load_adapter"] == torch.bfloat16
    assert lora_dtypes(same) == {torch.bfloat16}
    assert lora_dtypes(base) == {torch.bfloat16}
    q_proj = base.model.layers[0].self_attn.q_proj
    assert q_proj.base_layer.weight.dtype == torch.bfloat16
    inner = same.get_base_model().model.layers[0].self_attn.q_proj
    assert inner.base_layer.weight.dtype == torch.bfloat16


@claim(
    "On a 4-bit nf4 base, `PeftModel.from_pretrained` holds the adapter in float32, and "
    "`load_adapter` (or `PeftModel` with `autocast_adapter_dtype=False`) in the 4-bit compute "
    "dtype (`bnb_4bit_compute_dtype`), never in 4 bits: the "
    "LoRA layer wraps the `Linear4bit`, whose weight stays packed `uint8`."
)
def nf4_rows(dtypes, quantized, model_id):
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    assert dtypes["nf4 base, PeftModel"] == torch.float32
    assert dtypes["nf4 base, load_adapter"] == torch.bfloat16
    assert lora_dtypes(quantized) == {torch.bfloat16}
    q_proj = quantized.model.layers[0].self_attn.q_proj
    assert type(q_proj).__module__ == "peft.tuners.lora.bnb"
    assert isinstance(q_proj.base_layer, bnb.nn.Linear4bit)
    assert q_proj.base_layer.weight.dtype == torch.uint8
    # the compute dtype decides, not the model's dtype: float32 compute on a bf16 model
    fp32_compute = BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32
    )
    other = AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=fp32_compute, dtype=torch.bfloat16
    )
    other.load_adapter("my-adapter")
    assert other.model.embed_tokens.weight.dtype == torch.bfloat16
    assert lora_dtypes(other) == {torch.float32}
    # PeftModel without the float32 autocast: the compute dtype as well
    nf4 = BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
    )
    kept = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, quantization_config=nf4),
        "my-adapter",
        autocast_adapter_dtype=False,
    )
    assert lora_dtypes(kept) == {torch.bfloat16}


@claim(
    "On a float32 base the adapter is float32 whichever way it is loaded; on a float16 base "
    "`PeftModel` casts it to float32 as on bfloat16, while `autocast_adapter_dtype=False` and "
    "`load_adapter` keep float16."
)
def fp32_and_fp16_rows(model_id):
    from transformers import AutoModelForCausalLM

    wrapped = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32), "my-adapter"
    )
    kept = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32),
        "my-adapter",
        autocast_adapter_dtype=False,
    )
    plain = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32)
    plain.load_adapter("my-adapter")
    assert lora_dtypes(wrapped) == lora_dtypes(kept) == lora_dtypes(plain) == {torch.float32}
    half = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float16), "my-adapter"
    )
    assert half.get_base_model().model.embed_tokens.weight.dtype == torch.float16
    assert lora_dtypes(half) == {torch.float32}
    half_kept = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float16),
        "my-adapter",
        autocast_adapter_dtype=False,
    )
    half_plain = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float16)
    half_plain.load_adapter("my-adapter")
    assert lora_dtypes(half_kept) == lora_dtypes(half_plain) == {torch.float16}


@claim(
    "A float32 adapter on a bfloat16 base runs: the LoRA layer computes its part in float32 and "
    "casts it back, so the logits stay bfloat16."
)
def mixed_forward(model_id):
    from transformers import AutoModelForCausalLM

    wrapped = quiet_from_pretrained(AutoModelForCausalLM.from_pretrained(model_id), "my-adapter")
    assert lora_dtypes(wrapped) == {torch.float32}
    with torch.no_grad():
        logits = wrapped(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert logits.dtype == torch.bfloat16
    assert torch.isfinite(logits).all()
