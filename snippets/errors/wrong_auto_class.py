from transformers import AutoModelForSeq2SeqLM

# Qwen2.5 is a decoder-only (causal) model, not an encoder-decoder.
model = AutoModelForSeq2SeqLM.from_pretrained("Qwen/Qwen2.5-Coder-7B-Instruct")
