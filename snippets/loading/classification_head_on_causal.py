import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"  # saved as Qwen2ForCausalLM
tokenizer = AutoTokenizer.from_pretrained(model_id)

model = AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=3)
print(type(model).__name__)
#> Qwen2ForSequenceClassification
print(model.score.out_features)
#> 3
print(model.config.pad_token_id)
#> None

# --8<-- [start:pad]
# Batches need the pad id in the model config: the head reads the last non-pad token.
model.config.pad_token_id = tokenizer.pad_token_id
# --8<-- [end:pad]
texts = ["the load worked", "the load failed with an out-of-memory error"]
batch = tokenizer(texts, padding=True, return_tensors="pt")
with torch.no_grad():
    logits = model(**batch).logits
print(logits.shape)
#> torch.Size([2, 3])

# After fine-tuning, save the head with the model; it then loads without a report.
model.save_pretrained("my-classifier")
classifier = AutoModelForSequenceClassification.from_pretrained("my-classifier")

backbone = AutoModel.from_pretrained(model_id)  # hidden states only, no head
print(type(backbone).__name__)
#> Qwen2Model
