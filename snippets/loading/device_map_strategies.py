from transformers import AutoModelForCausalLM

# Every strategy string is still accepted; on a machine without a GPU they all give the CPU.
for strategy in ("auto", "balanced", "balanced_low_0", "sequential"):
    model = AutoModelForCausalLM.from_pretrained("gpt2", device_map=strategy)
    print(strategy, model.device, hasattr(model, "hf_device_map"))
    #> auto cpu False
    #> balanced cpu False
    #> balanced_low_0 cpu False
    #> sequential cpu False
