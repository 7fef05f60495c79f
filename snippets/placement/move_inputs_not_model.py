import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
# The decoder blocks are offloaded to disk: accelerate hooks load them layer by layer.
device_map = {
    "transformer.wte": "cpu",
    "transformer.wpe": "cpu",
    "transformer.h": "disk",
    "transformer.ln_f": "cpu",
    "lm_head": "cpu",
}
model = AutoModelForCausalLM.from_pretrained(model_id, device_map=device_map)

# --8<-- [start:wrong]
# Wrong: moving a dispatched model. Its offloaded weights are placeholders on "meta".
try:
    model.to("cuda")
except RuntimeError as err:
    print(err)
    #> You can't move a model that has some modules offloaded to cpu or disk.
# --8<-- [end:wrong]

# --8<-- [start:right]
# Right: leave the model where accelerate put it and move the inputs to model.device.
inputs = tokenizer("Move the inputs, not the model", return_tensors="pt").to(model.device)
with torch.no_grad():
    logits = model(**inputs).logits
print(model.device, logits.device)
#> cpu cpu
# --8<-- [end:right]
