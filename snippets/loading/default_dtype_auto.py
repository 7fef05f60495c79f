from transformers import AutoModelForCausalLM

# No dtype argument: transformers 5 loads each checkpoint in the dtype it was saved in.
gpt2 = AutoModelForCausalLM.from_pretrained("gpt2")
qwen = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

print(gpt2.dtype)
#> torch.float32
print(qwen.dtype)
#> torch.bfloat16
