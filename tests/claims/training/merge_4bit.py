import os
import warnings

import torch

from kb.claims import above, below, claim

MERGE_WARNING = (
    "Merge lora module to 4-bit linear may get different generations due to rounding errors."
)


def logits(model, batch):
    with torch.no_grad():
        return model(**{k: v.to(model.device) for k, v in batch.items()}).logits.float().cpu()


def load(model_id, bnb_config=None, adapter=True):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=bnb_config, dtype=torch.bfloat16
    )
    if not adapter:
        return base
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return PeftModel.from_pretrained(base, "my-adapter")


def dequantized(weight):
    import bitsandbytes.functional as F

    assert not getattr(weight.quant_state, "packing_format_for_cpu", False)
    return F.dequantize_4bit(weight.data, weight.quant_state).float()


@claim(
    "Merging into the 4-bit model makes peft warn once per merged layer (a `UserWarning`): "
    "seven per decoder block with `all-linear`."
)
def warns_per_layer(model_id, bnb_config, merged_4bit):
    peft_model = load(model_id, bnb_config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        peft_model.merge_and_unload()
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert set(texts) == {MERGE_WARNING}
    assert len(texts) == 7 * len(merged_4bit.model.layers)
    return (
        f"{len(texts)} times, for {len(merged_4bit.model.layers)} decoder blocks: {MERGE_WARNING}"
    )


@claim(
    "The merge dequantizes each weight, adds the adapter's update and quantizes the sum again: the "
    "layers are `Linear4bit` again with new packed bytes, and the change that is stored differs "
    "from the adapter's update by a large fraction of that update."
)
def requantized(model_id, bnb_config, merged_4bit):
    import bitsandbytes as bnb

    layer = merged_4bit.model.layers[0].self_attn.q_proj
    assert isinstance(layer, bnb.nn.Linear4bit)
    assert layer.weight.dtype == torch.uint8
    assert layer.weight.quant_state.quant_type == "nf4" and layer.weight.quant_state.nested
    peft_model = load(model_id, bnb_config)
    lora = peft_model.base_model.model.model.layers[0].self_attn.q_proj
    before = lora.base_layer.weight
    update = lora.get_delta_weight("default").float()
    changed = (before.data != layer.weight.data).float().mean().item()
    above(changed, 0.2)
    stored = dequantized(layer.weight) - dequantized(before)
    error = ((stored - update).norm() / update.norm()).item()
    above(error, 0.2)
    return (
        f"{changed:.0%} of the packed bytes of one layer changed; the stored change differs from "
        f"the adapter's update by {error:.0%} of that update's size"
    )


@claim(
    "The 4-bit merge changes what the model computes: its logits drift from the unmerged 4-bit "
    "model with the adapter. Merging into a 16-bit base (bf16 or the dequantized 4-bit base) keeps "
    "the drift at bfloat16 rounding, at least five times smaller, with the same top token at "
    "every position."
)
def output_drift(model_id, bnb_config, batch, merged_4bit, merged, merged_dequantized):
    trained = load(model_id, bnb_config)  # what QLoRA trained: 4-bit base + adapter
    u4 = logits(trained, batch)
    u16 = logits(load(model_id), batch)
    m4 = logits(merged_4bit, batch)
    m16 = logits(merged, batch)
    mdq = logits(merged_dequantized, batch)

    def drift(a, b):
        return (a - b).abs().max().item(), (a.argmax(-1) == b.argmax(-1)).float().mean().item()

    d4, agree4 = drift(m4, u4)
    d16, agree16 = drift(m16, u16)
    ddq, agreedq = drift(mdq, u4)
    above(d4, 5 * max(d16, ddq))
    assert agree16 == 1.0 and agreedq == 1.0
    below(d16, 0.05)
    below(ddq, 0.05)
    return (
        f"merged into 4-bit vs unmerged 4-bit + adapter: largest logit difference {d4:.3f}, same "
        f"top token at {agree4:.0%} of positions; merged into bf16 vs bf16 + adapter: {d16:.4f}, "
        f"{agree16:.0%}; merged into the dequantized base vs 4-bit + adapter: {ddq:.4f}, {agreedq:.0%}"
    )


@claim(
    "Merged into the dequantized 4-bit base, the model reproduces the trained QLoRA model "
    "(4-bit base + adapter) more closely than merged into the original bf16 weights."
)
def dequantized_closest(model_id, bnb_config, batch, merged, merged_dequantized):
    u4 = logits(load(model_id, bnb_config), batch)
    to_bf16 = (logits(merged, batch) - u4).abs().max().item()
    to_dequantized = (logits(merged_dequantized, batch) - u4).abs().max().item()
    below(to_dequantized, to_bf16)
    return f"largest logit difference {to_dequantized:.4f} against {to_bf16:.3f}"


@claim(
    "Saved, the 4-bit merge stays 4-bit: the checkpoint carries a `quantization_config` and "
    "reloads as `Linear4bit` layers, and dequantizing it does not give back the bf16 merge."
)
def saved_4bit_is_permanent(merged_4bit, merged):
    from transformers import AutoModelForCausalLM

    merged_4bit.save_pretrained("merged-4bit")
    assert "adapter_config.json" not in os.listdir("merged-4bit")
    reloaded = AutoModelForCausalLM.from_pretrained("merged-4bit")
    assert reloaded.config.quantization_config.bnb_4bit_quant_type == "nf4"
    layer = reloaded.model.layers[0].self_attn.q_proj
    assert type(layer).__name__ == "Linear4bit"
    w4 = dequantized(layer.weight)
    w16 = merged.model.layers[0].self_attn.q_proj.weight.float().to(w4.device)
    error = ((w4 - w16).norm() / w16.norm()).item()
    above(error, 0.05)
    return (
        f"dequantized 4-bit merge vs bf16 merge: {error:.1%} relative error in one layer's weight"
    )


@claim(
    "The recommended path gives an ordinary checkpoint: `merged` has plain bfloat16 `Linear` "
    "layers and no quantization config, and loading it with the `BitsAndBytesConfig` quantizes "
    "it at load time."
)
def right_path(merged, model_4bit, base_dequantized):
    import bitsandbytes as bnb

    assert not hasattr(merged.config, "quantization_config")
    assert {p.dtype for p in merged.parameters()} == {torch.bfloat16}
    assert isinstance(model_4bit.model.layers[0].self_attn.q_proj, bnb.nn.Linear4bit)
    assert model_4bit.config.quantization_config.bnb_4bit_quant_type == "nf4"
    assert type(base_dequantized.model.layers[0].self_attn.q_proj) is torch.nn.Linear
    assert not hasattr(base_dequantized.config, "quantization_config")
    assert {p.dtype for p in base_dequantized.parameters()} == {torch.bfloat16}


@claim(
    "On a CPU, bitsandbytes repacks a 4-bit weight for its AVX512-BF16 kernel at the first "
    "inference forward (where the CPU supports it), and a merge after that reads the repacked "
    "bytes as if they were the normal layout: the merged model no longer matches the adapter "
    "model at all.",
    needs="cpu",
)
def cpu_repacked_merge(model_id, bnb_config, batch):
    trained = load(model_id, bnb_config)
    u4 = logits(trained, batch)  # one inference forward
    layer = trained.base_model.model.model.layers[0].self_attn.q_proj.base_layer
    packed = getattr(layer.weight.quant_state, "packing_format_for_cpu", False)
    assert packed == bool(layer.support_avx512bf16_for_cpu)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        merged = trained.merge_and_unload()
    agree = (logits(merged, batch).argmax(-1) == u4.argmax(-1)).float().mean().item()
    if packed:
        below(agree, 0.5)
        return f"this CPU repacks: same top token at {agree:.0%} of positions after the merge"
    above(agree, 0.7)
    return f"this CPU does not repack: same top token at {agree:.0%} of positions"
