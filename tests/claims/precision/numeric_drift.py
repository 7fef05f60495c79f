import torch

from kb.claims import above, below, claim


@claim(
    "The same checkpoint gives different logits in bfloat16 and in float16 than in float32: the drift is small but not zero."
)
def drift_nonzero(drift_bf16, drift_fp16, reference):
    assert drift_bf16 > 0
    assert drift_fp16 > 0
    scale = reference.abs().max().item()
    below(drift_bf16, scale)
    return f"max |Δlogit| vs float32: bfloat16 {drift_bf16:.2e}, float16 {drift_fp16:.2e}"


@claim(
    "bfloat16 drifts further from float32 than float16 does (7 mantissa bits against 10), here by more than twice as much."
)
def bf16_drifts_more(drift_bf16, drift_fp16):
    above(drift_bf16, 2 * drift_fp16)
    return f"ratio {drift_bf16 / drift_fp16:.1f}"


@claim("In bfloat16 and in float16 the forward pass runs in that dtype: the logits come out in it.")
def each_dtype_ran(inputs, model_id):
    from transformers import AutoModelForCausalLM

    for dtype in (torch.bfloat16, torch.float16):
        model = AutoModelForCausalLM.from_pretrained(model_id, dtype=dtype)
        with torch.no_grad():
            assert model(**inputs).logits.dtype == dtype


@claim(
    "float16 tops out at 65504, while bfloat16 has float32's exponent range (max about 3.4e38) with a coarser step (eps 2^-7 against 2^-10; float32: 2^-23)."
)
def ranges():
    assert torch.finfo(torch.float16).max == 65504.0
    assert torch.finfo(torch.bfloat16).max == 3.3895313892515355e38
    assert torch.finfo(torch.float32).max == 3.4028234663852886e38
    assert torch.finfo(torch.bfloat16).eps == 2**-7
    assert torch.finfo(torch.float16).eps == 2**-10
    assert torch.finfo(torch.float32).eps == 2**-23


@claim(
    "70000 overflows to `inf` in float16 (every value from 65520 up does), while bfloat16 keeps it finite, rounded to 70144."
)
def overflow(big):
    half = big.to(torch.float16)
    assert torch.isinf(half).item()
    assert torch.tensor(65519.0).half().item() == 65504.0
    assert torch.isinf(torch.tensor(65520.0).half()).item()
    bf = big.to(torch.bfloat16)
    assert torch.isfinite(bf).item()
    assert bf.item() == 70144.0
