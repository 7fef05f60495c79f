import torch

from kb.claims import above, claim


@claim(
    "With one outlier feature in the input, the default threshold of 6.0 keeps the 8-bit "
    "layer's output several times closer to the float16 layer than pure int8 (threshold 0.0)."
)
def threshold_reduces_error(with_outliers, all_int8):
    above(all_int8 / with_outliers, 3.0)
    return (
        f"relative error {with_outliers:.2%} with the threshold, {all_int8:.2%} without "
        f"({all_int8 / with_outliers:.1f} times larger)"
    )


@claim("Moving the layer to its device quantizes its weight to `torch.int8` (`Int8Params`).")
def move_quantizes(reference, device):
    import bitsandbytes as bnb

    layer = bnb.nn.Linear8bitLt(256, 64, bias=False, has_fp16_weights=False, threshold=6.0)
    layer.load_state_dict(reference.state_dict())
    assert layer.weight.dtype != torch.int8  # still floating point before the move
    layer = layer.to(device)
    assert type(layer.weight) is bnb.nn.Int8Params
    assert layer.weight.dtype == torch.int8
    assert layer.weight.SCB.shape == (64,)


@claim(
    "Without outliers the threshold changes nothing: every input value is below 6.0 and both "
    "layers give the same output."
)
def no_outliers_no_difference(reference, device):
    import bitsandbytes as bnb

    torch.manual_seed(1)
    x = torch.randn(4, 256, dtype=torch.float16).clamp(-5, 5)
    outs = []
    for threshold in (6.0, 0.0):
        layer = bnb.nn.Linear8bitLt(
            256, 64, bias=False, has_fp16_weights=False, threshold=threshold
        )
        layer.load_state_dict(reference.state_dict())
        layer = layer.to(device).eval()
        outs.append(layer(x.to(device)).cpu())
    assert torch.equal(outs[0], outs[1])
