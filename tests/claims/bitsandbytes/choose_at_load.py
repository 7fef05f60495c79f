import pytest
import torch

from kb.claims import above, claim

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
HALF = (
    "`.half()` is not supported for quantized model. Please use the model as it is, since the "
    "model has already been casted to the correct `dtype`."
)
FLOAT = (
    "`.float()` is not supported for quantized model. Please use the model as it is, since the "
    "model has already been casted to the correct `dtype`."
)
CAST = (
    "You cannot cast a bitsandbytes model in a new `dtype`. Make sure to load the model using "
    "`from_pretrained` using the desired `dtype` by passing the correct `dtype` argument."
)
NOT_FINE_TUNABLE = (
    "You cannot perform fine-tuning on purely quantized models. Please attach trainable adapters "
    "on top of the quantized model to correctly perform fine-tuning. Please see: "
    "https://huggingface.co/docs/transformers/peft for more details"
)


def fresh(bnb_config):
    """Another model loaded as the snippet does, for a claim that changes it."""
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=bnb_config, dtype=torch.bfloat16, device_map="auto"
    )


def weight_bytes(model):
    return sum(p.numel() * p.element_size() for p in model.parameters())


def dtypes(model):
    return {p.dtype for p in model.parameters()}


@claim(
    "The loaded model holds packed `uint8` 4-bit weights and bfloat16 for everything else, and "
    "with the inputs moved to `model.device` its forward pass gives bfloat16 logits."
)
def loaded_as_asked(model, inputs, logits):
    assert dtypes(model) == {torch.uint8, torch.bfloat16}
    assert inputs["input_ids"].device == model.device
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits).all()
    return f"logits {tuple(logits.shape)} on {logits.device}"


@claim(
    "`.half()`, `.float()` and `.to(<dtype>)` are refused with a `ValueError` before anything "
    "changes: the model keeps its uint8 and bfloat16 tensors."
)
def casts_refused(model):
    with pytest.raises(ValueError) as half:
        model.half()
    with pytest.raises(ValueError) as to_float:
        model.float()
    assert (str(half.value), str(to_float.value)) == (HALF, FLOAT)
    for call in (
        lambda: model.to(torch.float16),
        lambda: model.to(dtype=torch.float32),
        lambda: model.to("cpu", torch.float16),
    ):
        with pytest.raises(ValueError) as cast:
            call()
        assert str(cast.value) == CAST
    assert dtypes(model) == {torch.uint8, torch.bfloat16}


@claim(
    "`.bfloat16()` and `.double()` are not guarded: `.double()` silently turns the embeddings, "
    "norms and `lm_head` into float64, quadrupling their bytes, while the 4-bit weights stay as "
    "they are; the model still runs and returns float64 logits."
)
def unguarded_casts(bnb_config):
    model = fresh(bnb_config)
    assert model.bfloat16() is model
    before = weight_bytes(model)
    plain = sum(p.numel() * 2 for p in model.parameters() if p.dtype == torch.bfloat16)
    assert model.double() is model
    assert dtypes(model) == {torch.uint8, torch.float64}
    after = weight_bytes(model)
    assert after - before == 3 * plain
    with torch.no_grad():
        logits = model(torch.tensor([[1, 2, 3]], device=model.device)).logits
    assert logits.dtype == torch.float64
    return f"parameter bytes {before:,} → {after:,} (scaled-down Llama-3.1-8B-Instruct)"


@claim(
    "The quantized weights cannot be trained directly: they do not require gradients and cannot "
    "be made to (`RuntimeError: only Tensors of floating point dtype can require gradients`), "
    "so a training step changes only the bfloat16 tensors."
)
def weights_frozen(bnb_config):
    import bitsandbytes as bnb

    model = fresh(bnb_config)
    weight = model.model.layers[0].mlp.down_proj.weight
    assert isinstance(weight, bnb.nn.Params4bit) and weight.requires_grad is False
    with pytest.raises(
        RuntimeError, match="^only Tensors of floating point dtype can require gradients$"
    ):
        weight.requires_grad_(True)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert {p.dtype for p in trainable} == {torch.bfloat16}
    packed = weight.data.clone()
    optimizer = torch.optim.SGD(trainable, lr=0.1)
    input_ids = torch.tensor([[1, 2, 3, 4, 5]], device=model.device)
    model(input_ids, labels=input_ids).loss.backward()
    optimizer.step()
    assert weight.grad is None and torch.equal(weight.data, packed)
    return f"{len(trainable)} bfloat16 tensors trainable, 4-bit weights unchanged"


@claim(
    "`Trainer` refuses a quantized model without adapters: `ValueError: You cannot perform "
    "fine-tuning on purely quantized models. ...`."
)
def trainer_refuses(model):
    from transformers import Trainer, TrainingArguments

    with pytest.raises(ValueError) as info:
        Trainer(model=model, args=TrainingArguments(output_dir="out", report_to="none"))
    assert str(info.value) == NOT_FINE_TUNABLE
    return str(info.value)


@claim(
    "To get an unquantized copy, `model.dequantize()` replaces every `Linear4bit` with a plain "
    "bfloat16 `Linear`, after which casts work; its weights are the rounded 4-bit values, not "
    "the checkpoint's."
)
def dequantize_then_cast(bnb_config):
    import bitsandbytes as bnb
    import bitsandbytes.functional as F
    from transformers import AutoModelForCausalLM

    model = fresh(bnb_config)
    weight = model.model.layers[0].mlp.down_proj.weight
    rounded = F.dequantize_4bit(weight.data, weight.quant_state).to(torch.bfloat16)
    plain = model.dequantize()
    assert not any(isinstance(m, bnb.nn.Linear4bit) for m in plain.modules())
    assert type(plain.model.layers[0].mlp.down_proj) is torch.nn.Linear
    restored = plain.model.layers[0].mlp.down_proj.weight
    assert torch.equal(restored.detach().cpu(), rounded.cpu())
    assert plain.to(torch.float16) is plain and dtypes(plain) == {torch.float16}
    original = AutoModelForCausalLM.from_pretrained(MODEL_ID, dtype=torch.bfloat16)
    reference = original.model.layers[0].mlp.down_proj.weight.detach().float()
    error = (rounded.cpu().float() - reference).pow(2).mean().sqrt() / reference.pow(
        2
    ).mean().sqrt()
    above(error.item(), 0.01)
    return f"dequantized weights differ from the checkpoint's by {error:.1%} (RMS)"


@claim(
    'A device move is allowed: `.to("cpu")` returns the same model, its 4-bit weights intact.',
)
def device_move_allowed(bnb_config):
    model = fresh(bnb_config)
    assert model.to("cpu") is model
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert dtypes(model) == {torch.uint8, torch.bfloat16}
    return '`.to("cpu")` returned the model, still uint8 and bfloat16'


@claim(
    'On a GPU, `device_map="auto"` put the whole model on `cuda:0`; `.to("cpu")` and `.to("cuda")` '
    "move it back and forth, and it still runs.",
    needs="gpu",
)
def gpu_round_trip(bnb_config, inputs):
    model = fresh(bnb_config)
    assert model.device == torch.device("cuda:0")
    model.to("cpu")
    assert model.device.type == "cpu"
    model.to("cuda")
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    with torch.no_grad():
        logits = model(**inputs.to(model.device)).logits
    assert torch.isfinite(logits).all()
    return "cuda:0 → cpu → cuda, forward pass finite"


@claim(
    "A quantized model dispatched over the GPU and the CPU (`llm_int8_enable_fp32_cpu_offload=True` "
    'and `lm_head` mapped to the CPU) cannot be moved at all: `.to("cuda")` raises '
    "`RuntimeError: You can't move a model that has some modules offloaded to cpu or disk.`",
    needs="gpu",
)
def dispatched_cannot_move():
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    bnb_config = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        llm_int8_enable_fp32_cpu_offload=True,
    )
    device_map = {
        "model.embed_tokens": 0,
        "model.layers": 0,
        "model.norm": 0,
        "model.rotary_emb": 0,
        "lm_head": "cpu",
    }
    model = AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=bnb_config, dtype=torch.bfloat16, device_map=device_map
    )
    assert "cpu" in set(model.hf_device_map.values())
    with pytest.raises(RuntimeError) as info:
        model.to("cuda")
    assert (
        str(info.value) == "You can't move a model that has some modules offloaded to cpu or disk."
    )
    return f"RuntimeError: {info.value}"


@claim(
    "Without a `device_map`, a quantized load goes to the current GPU, or to the CPU where there "
    "is none."
)
def default_placement(bnb_config):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=bnb_config, dtype=torch.bfloat16
    )
    expected = (
        torch.device("cuda", torch.cuda.current_device())
        if torch.cuda.is_available()
        else torch.device("cpu")
    )
    assert {p.device for p in model.parameters()} == {expected}
    return f"placed on {expected}"
