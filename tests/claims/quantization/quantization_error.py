import torch

from kb.claims import above, claim


@claim(
    "On normally distributed weights nf4 loses less than fp4: its round-trip error is "
    "clearly lower at the same 4 bits and block size."
)
def nf4_beats_fp4(errors):
    above(errors["fp4"] / errors["nf4"], 1.15)
    return f"relative error: nf4 {errors['nf4']:.1%}, fp4 {errors['fp4']:.1%}"


@claim("int8 loses about ten times less than nf4.")
def int8_beats_nf4(errors):
    ratio = errors["nf4"] / errors["int8"]
    assert 7 < ratio < 15, ratio
    return f"relative error: int8 {errors['int8']:.2%}, nf4 {errors['nf4']:.1%} ({ratio:.0f} times)"


@claim(
    "The stored sizes: 4-bit packs two weights per `uint8` with one float32 absmax per 64 "
    "weights; int8 stores one `int8` per weight and one float32 scale per row."
)
def stored_sizes(weight):
    import bitsandbytes.functional as F

    n = weight.numel()
    for quant_type in ("nf4", "fp4"):
        packed, state = F.quantize_4bit(weight, quant_type=quant_type, blocksize=64)
        assert packed.dtype == torch.uint8 and packed.numel() == n // 2
        assert state.absmax.dtype == torch.float32 and state.absmax.numel() == n // 64
    int8, scales, _ = F.int8_vectorwise_quant(weight.half())
    assert int8.dtype == torch.int8 and int8.numel() == n
    assert scales.dtype == torch.float32 and scales.numel() == weight.shape[0]
