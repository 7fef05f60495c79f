import torch

from kb.claims import claim


@claim(
    "`AutoModelForCausalLM` resolves the `gpt2` checkpoint to the concrete `GPT2LMHeadModel` class."
)
def concrete_class(model):
    assert type(model).__name__ == "GPT2LMHeadModel"
    assert type(model).__module__ == "transformers.models.gpt2.modeling_gpt2"


@claim(
    "`dtype=torch.bfloat16` puts every floating-point parameter in bfloat16, although the checkpoint was saved in float32."
)
def every_parameter_bf16(model):
    dtypes = {p.dtype for p in model.parameters() if p.is_floating_point()}
    assert dtypes == {torch.bfloat16}
    assert model.config.dtype == torch.bfloat16


@claim(
    'With no GPU, `device_map="auto"` places the whole model on the CPU, and a single-device load has no `hf_device_map`.',
    needs="cpu",
)
def auto_map_on_cpu(model):
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert not hasattr(model, "hf_device_map")


@claim('With a GPU, `device_map="auto"` places a model that fits on `cuda:0`.', needs="gpu")
def auto_map_on_gpu(model):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}


@claim("The model comes back in eval mode: `model.training` is False for it and every submodule.")
def eval_mode(model):
    assert model.training is False
    assert not any(m.training for m in model.modules())


@claim("The tokenizer and the model agree: `generate` appends exactly the requested 8 new tokens.")
def generates(new_tokens, output_ids, inputs):
    assert new_tokens == 8
    assert output_ids.shape[0] == inputs["input_ids"].shape[0] == 1


@claim("Without `attn_implementation`, transformers picks PyTorch's `sdpa` attention.")
def sdpa_default(model):
    assert model.config._attn_implementation == "sdpa"
