from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
)

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# The head the checkpoint was saved with:
config = AutoConfig.from_pretrained(model_id)
print(config.architectures)
#> ['Qwen2ForCausalLM']

# --8<-- [start:heads]
generator = AutoModelForCausalLM.from_pretrained(model_id)  # text generation
backbone = AutoModel.from_pretrained(model_id)  # hidden states, embeddings
classifier = AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=2)
tagger = AutoModelForTokenClassification.from_pretrained(model_id, num_labels=5)
# --8<-- [end:heads]

print(type(generator).__name__)
#> Qwen2ForCausalLM
print(type(backbone).__name__)
#> Qwen2Model
print(type(classifier).__name__)
#> Qwen2ForSequenceClassification
print(type(tagger).__name__)
#> Qwen2ForTokenClassification
