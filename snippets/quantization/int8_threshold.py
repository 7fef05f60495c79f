import bitsandbytes as bnb
import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)

reference = torch.nn.Linear(256, 64, bias=False, dtype=torch.float16)
x = torch.randn(4, 256, dtype=torch.float16)
x[:, 7] = 40.0  # one hidden feature with large values, as in big language models
expected = reference(x).float()


# --8<-- [start:error]
def relative_error(threshold):
    """How far an 8-bit copy of `reference` lands from it, for one outlier threshold."""
    layer = bnb.nn.Linear8bitLt(256, 64, bias=False, has_fp16_weights=False, threshold=threshold)
    layer.load_state_dict(reference.state_dict())
    layer = layer.to(device).eval()  # the move quantizes the weights to int8
    got = layer(x.to(device)).float().cpu()
    return ((got - expected).norm() / expected.norm()).item()


with_outliers = relative_error(6.0)  # the default llm_int8_threshold
all_int8 = relative_error(0.0)  # no outlier handling: every feature in int8
# --8<-- [end:error]
print(with_outliers < all_int8)
#> True
