import torch

from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600

DECODER_LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAST_LINE = "MatMul8bitLt: inputs will be cast from torch.bfloat16 to float16 during quantization"


def decoder_linears(model):
    for layer in model.model.layers:
        for name, module in layer.named_modules():
            if name.rsplit(".", 1)[-1] in DECODER_LINEARS:
                yield name, module


@claim(
    "Every Linear layer of every decoder block becomes a bitsandbytes `Linear8bitLt` whose "
    "weight is an `Int8Params` tensor of `torch.int8`, one byte per weight."
)
def decoder_linears_8bit(model):
    import bitsandbytes as bnb

    found = 0
    for name, module in decoder_linears(model):
        assert type(module) is bnb.nn.Linear8bitLt, (name, type(module))
        assert type(module.weight) is bnb.nn.Int8Params
        assert module.weight.dtype == torch.int8 and module.weight.element_size() == 1
        assert tuple(module.weight.shape) == (module.out_features, module.in_features)
        found += 1
    assert found == len(DECODER_LINEARS) * model.config.num_hidden_layers
    return f"{found} Linear8bitLt layers"


@claim(
    "Beside its int8 weights each layer keeps one float32 scale per output row (`SCB`), so a "
    "weight costs 1 byte plus 4 bytes per row, against 2 bytes in bfloat16. After the first "
    "forward pass the scales live in the layer's `state.SCB`, and `weight.SCB` is None."
)
def scale_per_row(model):
    for name, module in decoder_linears(model):
        assert module.weight.SCB is None, name  # the snippet ran a forward pass
        scb = module.state.SCB
        assert scb.dtype == torch.float32, name
        assert tuple(scb.shape) == (module.out_features,), name
    q = model.model.layers[0].self_attn.q_proj
    int8_bytes = q.weight.numel() * q.weight.element_size() + q.state.SCB.numel() * 4
    assert int8_bytes == q.in_features * q.out_features + 4 * q.out_features
    return f"q_proj: {int8_bytes:,} bytes in int8 against {2 * q.weight.numel():,} in bfloat16"


@claim(
    "`lm_head`, the embeddings, the norms and the biases of the 8-bit layers are not "
    "quantized: they stay in the bfloat16 of `dtype`."
)
def rest_stays_bf16(model):
    import bitsandbytes as bnb

    assert type(model.lm_head) is torch.nn.Linear
    assert model.lm_head.weight.dtype == torch.bfloat16
    assert model.get_input_embeddings().weight.dtype == torch.bfloat16
    norms = [p for name, p in model.named_parameters() if "norm" in name]
    assert norms and all(p.dtype == torch.bfloat16 for p in norms)
    biases = [m.bias for _, m in decoder_linears(model) if m.bias is not None]
    assert biases and all(b.dtype == torch.bfloat16 for b in biases)  # q/k/v_proj of Qwen2
    others = [
        p
        for m in model.modules()
        if not isinstance(m, bnb.nn.Linear8bitLt)
        for p in m.parameters(recurse=False)
    ]
    assert others and all(p.dtype == torch.bfloat16 for p in others)


@claim(
    "Each layer carries the outlier threshold of the config (6.0 by default) and holds no "
    "16-bit copy of its weights (`has_fp16_weights` is False)."
)
def threshold_in_layers(model, bnb_config):
    from transformers import BitsAndBytesConfig

    assert BitsAndBytesConfig(load_in_8bit=True).llm_int8_threshold == 6.0
    assert model.config.quantization_config.llm_int8_threshold == bnb_config.llm_int8_threshold
    for name, module in decoder_linears(model):
        assert module.state.threshold == 6.0, name
        assert module.state.has_fp16_weights is False, name


@claim(
    "The model comes back in eval mode, flagged as 8-bit (`is_loaded_in_8bit`), with the "
    'config\'s `quantization_method()` reading `"llm_int8"`.'
)
def flags(model):
    assert model.training is False
    assert model.is_loaded_in_8bit is True
    assert not hasattr(model, "is_loaded_in_4bit")
    assert model.config.quantization_config.quantization_method() == "llm_int8"


@claim(
    "Without a GPU, bitsandbytes 0.50.2 runs the 8-bit forward pass on the CPU: the model sits "
    "on the CPU and returns finite bfloat16 logits.",
    needs="cpu",
)
def forward_on_cpu(model, inputs, logits):
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert logits.shape == (1, inputs["input_ids"].shape[1], model.config.vocab_size)
    assert logits.dtype == torch.bfloat16
    assert torch.isfinite(logits).all()
    return f"logits {tuple(logits.shape)} on {logits.device}"


@claim(
    "On a GPU the whole 8-bit model is placed on `cuda:0` and the forward pass runs there.",
    needs="gpu",
)
def forward_on_gpu(model, logits):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}
    assert logits.device.type == "cuda"
    assert torch.isfinite(logits).all()


@claim(
    "With bfloat16 activations, bitsandbytes logs `MatMul8bitLt: inputs will be cast from "
    "torch.bfloat16 to float16 during quantization` at WARNING level on every 8-bit matmul: "
    "once per `Linear8bitLt` per forward pass."
)
def cast_logged_every_call(model, log):
    count = log.count(CAST_LINE)
    assert count == len(DECODER_LINEARS) * model.config.num_hidden_layers, count
    return f"{count} lines for one forward pass"


@claim(
    "`.cuda()` is refused on an 8-bit model with a `ValueError` (`Calling `cuda()` is not "
    "supported for `8-bit` quantized models.`), checked before any device is touched."
)
def cuda_call_refused(model):
    import pytest

    with pytest.raises(ValueError) as refused:
        model.cuda()
    assert str(refused.value).startswith(
        "Calling `cuda()` is not supported for `8-bit` quantized models. "
    )


@claim(
    "The line goes away when the activations are float16 (`dtype=torch.float16`), or when the "
    '`"bitsandbytes"` logger is set above WARNING.'
)
def cast_line_silenced():
    import logging

    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    from kb.claims import log_records

    def forward_lines(dtype):
        model = AutoModelForCausalLM.from_pretrained(
            "Qwen/Qwen2.5-0.5B-Instruct",
            quantization_config=BitsAndBytesConfig(load_in_8bit=True),
            dtype=dtype,
        )
        with log_records("bitsandbytes") as records, torch.no_grad():
            model(torch.tensor([[1, 2, 3]], device=model.device))
        return [r.getMessage() for r in records if r.getMessage().startswith("MatMul8bitLt")]

    assert forward_lines(torch.bfloat16)  # the case of the snippet
    assert forward_lines(torch.float16) == []
    bnb_logger = logging.getLogger("bitsandbytes")
    level = bnb_logger.level
    bnb_logger.setLevel(logging.ERROR)
    try:
        assert forward_lines(torch.bfloat16) == []
    finally:
        bnb_logger.setLevel(level)


@claim(
    "Code that sums `weight.SCB` after a forward pass fails with `AttributeError: 'NoneType' "
    "object has no attribute 'numel'`."
)
def scb_none_after_forward(q_proj):
    import pytest

    with pytest.raises(AttributeError) as failed:
        q_proj.weight.SCB.numel()
    assert str(failed.value) == "'NoneType' object has no attribute 'numel'"
