from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
# --8<-- [start:load]
tokenizer = AutoTokenizer.from_pretrained(model_id, padding_side="left")
# --8<-- [end:load]
model = AutoModelForCausalLM.from_pretrained(model_id)

chats = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "user", "content": "Explain padding in one long sentence, please."}],
]
# --8<-- [start:batch]
batch = tokenizer.apply_chat_template(
    chats, add_generation_prompt=True, padding=True, return_tensors="pt"
)
print(batch["attention_mask"][:, 0].tolist(), batch["attention_mask"][:, -1].tolist())
#> [0, 1] [1, 1]
output_ids = model.generate(**batch, max_new_tokens=8, do_sample=False)
replies = tokenizer.batch_decode(
    output_ids[:, batch["input_ids"].shape[1] :], skip_special_tokens=True
)
# --8<-- [end:batch]
