import gc
import weakref

from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("gpt2")
model_ref = weakref.ref(model)
del model
gc.collect()
print(model_ref() is None)
