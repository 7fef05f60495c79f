import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

# The decoder on GPU 0, lm_head on the CPU; the quantization config has no offload flag.
device_map = {
    "model.embed_tokens": 0,
    "model.layers": 0,
    "model.norm": 0,
    "model.rotary_emb": 0,
    "lm_head": "cpu",
}
model = AutoModelForCausalLM.from_pretrained(
    "mistralai/Mistral-7B-v0.1",
    quantization_config=BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
    ),
    device_map=device_map,
    dtype=torch.bfloat16,
)
