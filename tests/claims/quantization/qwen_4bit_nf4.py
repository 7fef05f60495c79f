import torch

from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600

DECODER_LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@claim(
    "Every Linear layer of every decoder block becomes a bitsandbytes `Linear4bit` holding packed `uint8` weights."
)
def decoder_linears_4bit(model):
    import bitsandbytes as bnb

    for i, layer in enumerate(model.model.layers):
        for name, module in layer.named_modules():
            if name.rsplit(".", 1)[-1] in DECODER_LINEARS:
                assert isinstance(module, bnb.nn.Linear4bit), f"layer {i} {name}: {type(module)}"
                assert module.weight.dtype == torch.uint8
                assert module.weight.quant_state.quant_type == "nf4"
    return f"{len(model.model.layers) * len(DECODER_LINEARS)} Linear4bit layers"


@claim(
    "`lm_head`, the embeddings and the norms are not quantized: they stay plain bfloat16 tensors."
)
def head_stays_bf16(model):
    import bitsandbytes as bnb

    assert type(model.lm_head) is torch.nn.Linear
    assert not isinstance(model.lm_head, bnb.nn.Linear4bit)
    assert model.lm_head.weight.dtype == torch.bfloat16
    assert model.get_input_embeddings().weight.dtype == torch.bfloat16
    norms = [p for name, p in model.named_parameters() if "norm" in name]
    assert norms and all(p.dtype == torch.bfloat16 for p in norms)


@claim("Each 4-bit weight takes a quarter of its bfloat16 bytes: two 4-bit values per stored byte.")
def quarter_bytes(model):
    q = model.model.layers[0].self_attn.q_proj
    packed = q.weight.numel() * q.weight.element_size()
    bf16 = q.in_features * q.out_features * 2
    assert packed * 4 == bf16


@claim(
    "The config asked for is the config in force: nf4, bfloat16 compute, nested (double) quantization."
)
def config_in_force(model):
    qc = model.config.quantization_config
    assert qc.bnb_4bit_quant_type == "nf4"
    assert qc.bnb_4bit_compute_dtype == torch.bfloat16
    assert qc.bnb_4bit_use_double_quant is True
    state = model.model.layers[0].mlp.down_proj.weight.quant_state
    assert state.nested is True


@claim("The quantized model is in eval mode and flagged as 4-bit.")
def flags(model):
    assert model.training is False
    assert model.is_loaded_in_4bit is True


@claim(
    "Dtype casts are refused with a `ValueError` (`.half()`, `.float()`, `.to(torch.float16)`), "
    'while a device move such as `.to("cpu")` is allowed.'
)
def casts_refused(model):
    import pytest

    with pytest.raises(ValueError, match=r"^`\.half\(\)` is not supported for quantized model"):
        model.half()
    with pytest.raises(ValueError, match=r"^`\.float\(\)` is not supported for quantized model"):
        model.float()
    with pytest.raises(ValueError, match=r"^You cannot cast a bitsandbytes model in a new `dtype`"):
        model.to(torch.float16)
    assert model.to("cpu") is model
    assert model.model.layers[0].self_attn.q_proj.weight.dtype == torch.uint8


@claim(
    "Left to its defaults, `BitsAndBytesConfig(load_in_4bit=True)` gives the fp4 data type, "
    "float32 compute and no double quantization: the snippet names all three."
)
def defaults_are_fp4_and_float32():
    from transformers import BitsAndBytesConfig

    default = BitsAndBytesConfig(load_in_4bit=True)
    assert default.bnb_4bit_quant_type == "fp4"
    assert default.bnb_4bit_compute_dtype == torch.float32
    assert default.bnb_4bit_use_double_quant is False


@claim(
    'With `device_map="auto"` and no GPU, the quantized model is placed on the CPU.',
    needs="cpu",
)
def placed_on_cpu(model):
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert not hasattr(model, "hf_device_map")


@claim(
    'With `device_map="auto"` and one GPU large enough, the whole quantized model is placed '
    "on `cuda:0`.",
    needs="gpu",
)
def placed_on_gpu(model):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}


def _converted(model_id, skip_modules):
    """Which Linear layers bitsandbytes would convert, by transformers' own conversion step."""
    from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig
    from transformers.quantizers import AutoHfQuantizer

    config = BitsAndBytesConfig(load_in_4bit=True, llm_int8_skip_modules=skip_modules)
    quantizer = AutoHfQuantizer.from_config(config)
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_id))
    quantizer.preprocess_model(model=skeleton, device_map={"": "cpu"}, dtype=torch.bfloat16)
    return {
        n: type(m).__name__ for n, m in skeleton.named_modules() if isinstance(m, torch.nn.Linear)
    }


@claim(
    "`llm_int8_skip_modules` replaces the default list instead of adding to it: with "
    '`llm_int8_skip_modules=["down_proj"]` the `down_proj` layers stay `Linear`, but `lm_head` '
    'becomes `Linear4bit`; list `"lm_head"` too to keep it.'
)
def skip_list_replaces_default(model_id):
    default = _converted(model_id, None)
    assert default["lm_head"] == "Linear"
    own = _converted(model_id, ["down_proj"])
    assert own["lm_head"] == "Linear4bit"
    assert own["model.layers.0.mlp.down_proj"] == "Linear"
    assert own["model.layers.0.mlp.up_proj"] == "Linear4bit"
    both = _converted(model_id, ["down_proj", "lm_head"])
    assert both["lm_head"] == "Linear" and both["model.layers.0.mlp.down_proj"] == "Linear"


@claim(
    "A name in `llm_int8_skip_modules` matches a module path from its start or its last parts: "
    '`"model.layers.1"` keeps that whole block unquantized, while `"mlp"` matches no Linear '
    "layer at all (the Linear layers are `mlp.gate_proj` and so on)."
)
def skip_names_match_paths(model_id):
    block = _converted(model_id, ["lm_head", "model.layers.1"])
    assert {v for k, v in block.items() if k.startswith("model.layers.1.")} == {"Linear"}
    assert {v for k, v in block.items() if k.startswith("model.layers.0.")} == {"Linear4bit"}
    mlp = _converted(model_id, ["lm_head", "mlp"])
    assert {v for k, v in mlp.items() if ".mlp." in k} == {"Linear4bit"}


@claim(
    "bitsandbytes 0.50.2 runs a 4-bit forward pass on the CPU (checked with an nf4 load of "
    "Mistral-7B-v0.1): finite bfloat16 logits.",
    needs="cpu",
)
def forward_on_cpu():
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    mistral = "mistralai/Mistral-7B-v0.1"
    model = AutoModelForCausalLM.from_pretrained(
        mistral,
        quantization_config=BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        ),
        dtype=torch.bfloat16,
    )
    inputs = AutoTokenizer.from_pretrained(mistral)("Hello", return_tensors="pt")
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits).all()
    assert {p.device.type for p in model.parameters()} == {"cpu"}
