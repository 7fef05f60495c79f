from trl import ModelConfig, get_quantization_config

defaults = ModelConfig(model_name_or_path="Qwen/Qwen2.5-0.5B-Instruct", load_in_4bit=True)
quantization_config = get_quantization_config(defaults)
print(defaults.dtype, quantization_config.bnb_4bit_compute_dtype)
#> float32 torch.float32
print(
    quantization_config.bnb_4bit_quant_type,
    quantization_config.bnb_4bit_use_double_quant,
    quantization_config.bnb_4bit_quant_storage,
)
#> nf4 False torch.uint8

# --8<-- [start:explicit]
explicit = ModelConfig(
    model_name_or_path="Qwen/Qwen2.5-0.5B-Instruct", dtype="bfloat16", load_in_4bit=True
)
print(get_quantization_config(explicit).bnb_4bit_compute_dtype)
#> torch.bfloat16
# --8<-- [end:explicit]
