from pathlib import Path

from huggingface_hub import hf_hub_download
from transformers import AutoModelForCausalLM, AutoTokenizer

# --8<-- [start:load]
model_id = "Qwen/Qwen2.5-0.5B-Instruct"
revision = Path(hf_hub_download(model_id, "config.json")).parent.name  # the commit

model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
# --8<-- [end:load]

# --8<-- [start:agree]
print(tokenizer.eos_token, tokenizer.eos_token_id == model.config.eos_token_id)
#> <|im_end|> True
print(tokenizer.convert_ids_to_tokens(model.generation_config.eos_token_id))
#> ['<|im_end|>', '<|endoftext|>']
print(tokenizer.pad_token, tokenizer.pad_token_id == model.generation_config.pad_token_id)
#> <|endoftext|> True
# --8<-- [end:agree]

# --8<-- [start:mismatch]
# Another family's tokenizer: its ids mean other tokens to this model.
other = AutoTokenizer.from_pretrained("gpt2")
print(other.eos_token, other.eos_token_id == model.config.eos_token_id)
#> <|endoftext|> False
print(len(other("<|im_end|>").input_ids) > 1)
#> True
# --8<-- [end:mismatch]
