import functools
import warnings

import torch

from kb.claims import above, below, claim, log_records

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
FP16_WARNING = (
    "Input type into Linear4bit is torch.float16, but bnb_4bit_compute_dtype=torch.float32 "
    "(default). This will lead to slow inference or training speed."
)


@functools.cache
def load_default(dtype):
    """The model loaded as most tutorials do: BitsAndBytesConfig(load_in_4bit=True) alone."""
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    return AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=BitsAndBytesConfig(load_in_4bit=True), dtype=dtype
    )


def linear4bit_layers(model):
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers
    return layers


@claim(
    "Left to its defaults, `BitsAndBytesConfig(load_in_4bit=True)` means the fp4 data type, "
    "float32 compute and no double quantization."
)
def defaults(default):
    assert default.bnb_4bit_quant_type == "fp4"
    assert default.bnb_4bit_compute_dtype == torch.float32
    assert default.bnb_4bit_use_double_quant is False


@claim(
    "The defaults reach every layer: loaded with them, each `Linear4bit` stores fp4 and computes "
    "in float32, even though the model's `dtype` is bfloat16; with the two settings named, each "
    "stores nf4 and computes in bfloat16."
)
def defaults_reach_every_layer(model):
    default_layers = linear4bit_layers(load_default(torch.bfloat16))
    for layer in default_layers:
        assert layer.weight.quant_state.quant_type == "fp4"
        assert layer.compute_dtype == torch.float32
    named_layers = linear4bit_layers(model)
    for layer in named_layers:
        assert layer.weight.quant_state.quant_type == "nf4"
        assert layer.compute_dtype == torch.bfloat16
    return f"{len(default_layers)} layers fp4/float32 by default, {len(named_layers)} nf4/bfloat16"


@claim(
    "On normally distributed weights, nf4 rounds less than fp4: its error is about 9% of the "
    "weights' RMS, fp4's about 12%, in blocks of 64 as transformers quantizes them."
)
def nf4_rounds_less():
    import bitsandbytes.functional as F

    generator = torch.Generator().manual_seed(0)
    weight = (torch.randn(1024, 3584, generator=generator) * 0.02).to(torch.bfloat16)
    errors = {}
    for quant_type in ("nf4", "fp4"):
        packed, state = F.quantize_4bit(weight, quant_type=quant_type, blocksize=64)
        restored = F.dequantize_4bit(packed, state).float()
        diff = restored - weight.float()
        errors[quant_type] = (diff.pow(2).mean() / weight.float().pow(2).mean()).sqrt().item()
    assert round(errors["nf4"], 2) == 0.09, errors
    assert round(errors["fp4"], 2) == 0.12, errors
    below(errors["nf4"], errors["fp4"])
    return f"relative RMS error: nf4 {errors['nf4']:.1%}, fp4 {errors['fp4']:.1%}"


@claim(
    "transformers always hands the compute dtype to bitsandbytes, so a bfloat16 or float16 model "
    "left on the float32 default runs without any warning."
)
def default_runs_silently():
    input_ids = torch.tensor([[1, 2, 3, 4]])
    for dtype in (torch.bfloat16, torch.float16):
        model = load_default(dtype)
        with log_records("bitsandbytes") as records, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with torch.no_grad():
                logits = model(input_ids).logits
        assert logits.dtype == dtype
        assert records == [], [r.getMessage() for r in records]
        assert not [w for w in caught if "Linear4bit" in str(w.message)]
        assert all(layer.compute_dtype == torch.float32 for layer in linear4bit_layers(model))
    return "no record from the bitsandbytes loggers, no Python warning"


@claim(
    "bitsandbytes' own warning fires only for a bare `Linear4bit` built without a compute dtype "
    "that receives float16 input; bfloat16 input is simply adopted as the compute dtype."
)
def fp16_warning_text():
    import bitsandbytes as bnb

    torch.manual_seed(0)
    layer = bnb.nn.Linear4bit(64, 32, compute_dtype=None, quant_type="nf4").to("cpu")
    with log_records("bitsandbytes") as records, torch.no_grad():
        layer(torch.randn(2, 64, dtype=torch.float16))
    assert [r.getMessage() for r in records] == [FP16_WARNING]
    assert records[0].levelname == "WARNING"

    other = bnb.nn.Linear4bit(64, 32, compute_dtype=None, quant_type="nf4").to("cpu")
    with log_records("bitsandbytes") as records, torch.no_grad():
        other(torch.randn(2, 64, dtype=torch.bfloat16))
    assert records == []
    assert other.compute_dtype == torch.bfloat16
    return FP16_WARNING


@claim(
    "On a CUDA GPU, a 4-bit layer computing in float32 is slower than the same layer computing "
    "in bfloat16.",
    needs="gpu",
)
def float32_compute_is_slower():
    import bitsandbytes as bnb

    torch.manual_seed(0)
    weight = torch.randn(4096, 4096, dtype=torch.bfloat16) * 0.02
    x = torch.randn(512, 4096, dtype=torch.bfloat16, device="cuda")
    times = {}
    for compute_dtype in (torch.float32, torch.bfloat16):
        layer = bnb.nn.Linear4bit(4096, 4096, bias=False, compute_dtype=compute_dtype)
        layer.weight = bnb.nn.Params4bit(weight.clone(), requires_grad=False, quant_type="nf4")
        layer = layer.to("cuda")
        with torch.no_grad():
            for _ in range(5):
                layer(x)
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(50):
                layer(x)
            end.record()
            torch.cuda.synchronize()
        times[compute_dtype] = start.elapsed_time(end) / 50
    above(times[torch.float32], times[torch.bfloat16])
    return (
        f"{times[torch.float32]:.3f} ms in float32, {times[torch.bfloat16]:.3f} ms in bfloat16 "
        "per forward (512 × 4096 input, 4096 × 4096 nf4 weight)"
    )


@claim(
    "On a CPU with AVX512-BF16 the compute dtype makes no difference: bitsandbytes' fused CPU "
    "kernel works in bfloat16, so a layer computing in float32 returns exactly what one "
    "computing in bfloat16 returns.",
    needs="cpu",
)
def no_difference_on_cpu():
    import bitsandbytes as bnb
    import bitsandbytes.functional as F

    torch.manual_seed(0)
    weight = torch.randn(128, 256, dtype=torch.bfloat16) * 0.02
    x = torch.randn(4, 256, dtype=torch.bfloat16)
    outputs = {}
    for compute_dtype in (torch.float32, torch.bfloat16):
        layer = bnb.nn.Linear4bit(256, 128, bias=False, compute_dtype=compute_dtype)
        layer.weight = bnb.nn.Params4bit(weight.clone(), requires_grad=False, quant_type="nf4")
        layer = layer.to("cpu").eval()
        with torch.no_grad():
            outputs[compute_dtype] = layer(x)
    assert all(out.dtype == torch.bfloat16 for out in outputs.values())
    if F.has_avx512bf16():
        assert torch.equal(outputs[torch.float32], outputs[torch.bfloat16])
        return "AVX512-BF16: identical outputs for float32 and bfloat16 compute"
    assert all(torch.isfinite(out).all() for out in outputs.values())
    return "no AVX512-BF16 on this CPU: the fused kernel is not used"
