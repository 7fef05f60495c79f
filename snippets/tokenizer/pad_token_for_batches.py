from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"
# --8<-- [start:fix]
tokenizer = AutoTokenizer.from_pretrained(model_id, padding_side="left")
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token  # gpt2: "<|endoftext|>"
# --8<-- [end:fix]
model = AutoModelForCausalLM.from_pretrained(model_id)

prompts = ["Hi", "Padding makes every row of a batch the same length."]
# --8<-- [start:generate]
batch = tokenizer(prompts, padding=True, return_tensors="pt")
print(batch["attention_mask"][:, 0].tolist(), batch["attention_mask"][:, -1].tolist())
#> [0, 1] [1, 1]
output_ids = model.generate(
    **batch, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id
)
replies = tokenizer.batch_decode(
    output_ids[:, batch["input_ids"].shape[1] :], skip_special_tokens=True
)
# --8<-- [end:generate]
