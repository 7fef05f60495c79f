from transformers import AutoModelForSequenceClassification

# A causal (text generation) checkpoint: it has no classification head to load.
model_id = "meta-llama/Llama-3.1-8B-Instruct"
model = AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=2)
print(type(model).__name__)
#> LlamaForSequenceClassification
