import torch

from kb.claims import claim


@claim(
    'Without a `dtype` argument the default is `"auto"`: a float32 checkpoint (gpt2) loads in float32.'
)
def gpt2_fp32(gpt2):
    assert gpt2.dtype == torch.float32
    assert {p.dtype for p in gpt2.parameters()} == {torch.float32}


@claim(
    "Without a `dtype` argument a bfloat16 checkpoint (Qwen2.5) loads in bfloat16, not in float32 as in transformers 4."
)
def qwen_bf16(qwen):
    assert qwen.dtype == torch.bfloat16
    assert {p.dtype for p in qwen.parameters()} == {torch.bfloat16}


@claim("The dtype comes from the checkpoint's config: `config.dtype` matches the loaded weights.")
def follows_config(gpt2, qwen):
    assert gpt2.config.dtype == torch.float32
    assert qwen.config.dtype == torch.bfloat16
