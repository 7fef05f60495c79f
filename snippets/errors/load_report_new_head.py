from transformers import AutoModelForSequenceClassification

# A base (causal) checkpoint: it has no classification head to load.
model_id = "mistralai/Mistral-7B-v0.1"
model = AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=2)
print(type(model).__name__)
#> MistralForSequenceClassification
