import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# Every module on the CPU: what a GPU map comes to on a machine without a GPU
cpu_map = {
    "model.embed_tokens": "cpu",
    "model.layers": "cpu",
    "model.norm": "cpu",
    "model.rotary_emb": "cpu",
    "lm_head": "cpu",
}

with_flag = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=BitsAndBytesConfig(
        load_in_8bit=True,
        llm_int8_enable_fp32_cpu_offload=True,
    ),
    device_map=cpu_map,
    dtype=torch.bfloat16,
)
without_flag = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=BitsAndBytesConfig(load_in_8bit=True),
    device_map=cpu_map,
    dtype=torch.bfloat16,
)

down_proj = with_flag.model.layers[0].mlp.down_proj
print(type(down_proj).__name__, down_proj.weight.dtype)
#> Linear torch.bfloat16
down_proj = without_flag.model.layers[0].mlp.down_proj
print(type(down_proj).__name__, down_proj.weight.dtype)
#> Linear8bitLt torch.int8
