from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "meta-llama/Llama-3.1-8B-Instruct"

# transformers 4.x code for a gated repository:
tokenizer = AutoTokenizer.from_pretrained(model_id, use_auth_token=True)  # accepted silently
model = AutoModelForCausalLM.from_pretrained(model_id, use_auth_token=True)
