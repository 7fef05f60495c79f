from transformers import AutoModelForCausalLM

# Part of the model is offloaded, as device_map="auto" does when memory runs short.
device_map = {
    "transformer.wte": "cpu",
    "transformer.wpe": "cpu",
    "transformer.h": "disk",
    "transformer.ln_f": "cpu",
    "lm_head": "cpu",
}
model = AutoModelForCausalLM.from_pretrained("gpt2", device_map=device_map)

model.to("cuda")
