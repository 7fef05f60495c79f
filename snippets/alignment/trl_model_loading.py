import torch
from accelerate import PartialState
from transformers import AutoModelForCausalLM
from trl import ModelConfig, get_quantization_config

model_args = ModelConfig(
    model_name_or_path="Qwen/Qwen2.5-0.5B-Instruct",
    dtype="bfloat16",
    attn_implementation="sdpa",
    load_in_4bit=True,
    use_bnb_nested_quant=True,
)
gradient_checkpointing = True

quantization_config = get_quantization_config(model_args)
# trl's removed get_kbit_device_map(): one whole copy per process on its own GPU.
if quantization_config is not None and torch.cuda.is_available():
    device_map = {"": PartialState().local_process_index}
else:
    device_map = None

model = AutoModelForCausalLM.from_pretrained(
    model_args.model_name_or_path,
    revision=model_args.model_revision,
    dtype=model_args.dtype,  # a string works: "bfloat16" loads as torch.bfloat16
    attn_implementation=model_args.attn_implementation,
    # the KV cache is useless when activations are recomputed
    use_cache=not gradient_checkpointing,
    quantization_config=quantization_config,
    device_map=device_map,
)

print(model.dtype, model.config.use_cache, model.config._attn_implementation)
#> torch.bfloat16 False sdpa
