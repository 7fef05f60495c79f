import torch
from transformers import AutoModelForCausalLM

model_id = "Qwen/Qwen2.5-0.5B-Instruct"  # stored in bfloat16

# --8<-- [start:forms]
as_dtype_object = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float16)
as_string = AutoModelForCausalLM.from_pretrained(model_id, dtype="float16")
as_stored = AutoModelForCausalLM.from_pretrained(model_id, dtype="auto")  # the default
# --8<-- [end:forms]

print(as_dtype_object.dtype, as_string.dtype, as_stored.dtype)
#> torch.float16 torch.float16 torch.bfloat16

# --8<-- [start:check]
model = as_string
print(model.dtype)
#> torch.float16
print(model.config.dtype)
#> torch.float16
print({p.dtype for p in model.parameters()})
#> {torch.float16}
print({b.dtype for b in model.buffers()})
#> {torch.float32}
# --8<-- [end:check]
