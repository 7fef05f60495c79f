from transformers import AutoModelForCausalLM

# The transformers 4.x shortcut: gone in transformers 5.
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-Coder-7B-Instruct",
    load_in_4bit=True,
)
