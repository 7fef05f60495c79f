from accelerate import infer_auto_device_map, init_empty_weights
from transformers import AutoConfig, AutoModelForCausalLM


# --8<-- [start:plan]
def plan_device_map(config, max_memory):
    """Where each module would go, computed from the config alone: no weight is loaded."""
    with init_empty_weights():
        empty_model = AutoModelForCausalLM.from_config(config)  # every parameter on "meta"
    empty_model.tie_weights()  # init_empty_weights leaves tied embeddings untied
    return infer_auto_device_map(
        empty_model,
        max_memory=max_memory,  # GPU index -> budget, plus "cpu"
        no_split_module_classes=empty_model._no_split_modules,  # keep each decoder layer whole
    )


config = AutoConfig.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")  # config.json only
two_gpus = plan_device_map(config, {0: "22GiB", 1: "22GiB", "cpu": "64GiB"})
one_small_gpu = plan_device_map(config, {0: "10GiB", "cpu": "64GiB"})
print(dict(two_gpus))
#> {'': 0}
# --8<-- [end:plan]

# --8<-- [start:use]
# A device map is a dict: module name -> GPU index, "cpu" or "disk".
device_map = {
    "transformer.wte": "cpu",
    "transformer.wpe": "cpu",
    "transformer.h": "disk",
    "transformer.ln_f": "cpu",
    "lm_head": "cpu",
}
model = AutoModelForCausalLM.from_pretrained("gpt2", device_map=device_map)
print(model.hf_device_map == device_map)
#> True
# --8<-- [end:use]
