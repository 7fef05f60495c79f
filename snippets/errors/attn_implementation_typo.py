from transformers import AutoModelForCausalLM

# "flash_attention" without its version number is not a backend name.
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-0.5B-Instruct", attn_implementation="flash_attention"
)
