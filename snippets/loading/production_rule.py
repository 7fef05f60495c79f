import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"
revision = "main"  # in production, pin the commit hash you reviewed

tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    revision=revision,
    device_map="auto",
    dtype=torch.bfloat16,
    trust_remote_code=False,
)

# from_pretrained already returned the model in eval mode: no model.eval() needed.
print(model.training)
#> False
print(type(model).__name__)
#> Qwen2ForCausalLM
