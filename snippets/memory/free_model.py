import gc
import weakref

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto", dtype=torch.bfloat16)
generator = pipeline("text-generation", model=model, tokenizer=tokenizer)
generator("Free the memory", max_new_tokens=4, do_sample=False)
footprint = model.get_memory_footprint()
allocated_in_use = torch.cuda.memory_allocated()  # 0 without a GPU

model_ref = weakref.ref(model)  # watches the model without keeping it alive

# --8<-- [start:not_enough]
del model
gc.collect()
torch.cuda.empty_cache()
print(model_ref() is None)  # the pipeline still holds the model
#> False
# --8<-- [end:not_enough]

# --8<-- [start:free]
del generator  # drop every reference: pipelines, trainers, optimizers, your own variables
gc.collect()
torch.cuda.empty_cache()  # hands the allocator's cached blocks back to the driver
print(model_ref() is None)
#> True
# --8<-- [end:free]
allocated_after = torch.cuda.memory_allocated()
