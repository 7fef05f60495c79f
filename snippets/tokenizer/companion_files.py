import json
import os
from pathlib import Path

from huggingface_hub import snapshot_download
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:files]
# The snapshot from_pretrained reads: one commit of the repository, from the cache
snapshot = Path(snapshot_download(model_id))
config = json.loads((snapshot / "config.json").read_text())
generation = json.loads((snapshot / "generation_config.json").read_text())
tokenizer_config = json.loads((snapshot / "tokenizer_config.json").read_text())
print("chat_template" in tokenizer_config, (snapshot / "chat_template.jinja").exists())
#> True False
# --8<-- [end:files]

# --8<-- [start:tokens]
tokenizer = AutoTokenizer.from_pretrained(model_id)
print(tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token)
#> None <|im_end|> <|endoftext|>
print(tokenizer.convert_ids_to_tokens(config["eos_token_id"]))
#> <|im_end|>
print(tokenizer.convert_ids_to_tokens(generation["eos_token_id"]))
#> ['<|im_end|>', '<|endoftext|>']
# --8<-- [end:tokens]

# --8<-- [start:generation]
sampling = ("do_sample", "temperature", "top_p", "top_k", "repetition_penalty")
print({key: generation[key] for key in sampling})
'''
{
    'do_sample': True,
    'temperature': 0.7,
    'top_p': 0.8,
    'top_k': 20,
    'repetition_penalty': 1.1,
}
'''
print([key for key in sampling if key in config])
#> []
model = AutoModelForCausalLM.from_pretrained(model_id)
loaded = model.generation_config
print(loaded.temperature, loaded.eos_token_id == generation["eos_token_id"])
#> 0.7 True
# --8<-- [end:generation]

# --8<-- [start:save]
model.save_pretrained("my-model")
tokenizer.save_pretrained("my-model")
print(sorted(os.listdir("my-model")))
'''
[
    'chat_template.jinja',
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
]
'''
# --8<-- [end:save]
