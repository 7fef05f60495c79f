import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"  # a float32 checkpoint
tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("The same weights in three precisions", return_tensors="pt")

# --8<-- [start:drift]
logits = {}
for dtype in (torch.float32, torch.bfloat16, torch.float16):
    model = AutoModelForCausalLM.from_pretrained(model_id, dtype=dtype)
    with torch.no_grad():
        logits[dtype] = model(**inputs).logits.float()

reference = logits[torch.float32]
drift_bf16 = (logits[torch.bfloat16] - reference).abs().max().item()
drift_fp16 = (logits[torch.float16] - reference).abs().max().item()
# --8<-- [end:drift]

# --8<-- [start:ranges]
for dtype in (torch.float32, torch.bfloat16, torch.float16):
    info = torch.finfo(dtype)
    print(dtype, info.max, info.eps)
    #> torch.float32 3.4028234663852886e+38 1.1920928955078125e-07
    #> torch.bfloat16 3.3895313892515355e+38 0.0078125
    #> torch.float16 65504.0 0.0009765625
# --8<-- [end:ranges]

# --8<-- [start:overflow]
big = torch.tensor(70000.0)
print(big.to(torch.float16), big.to(torch.bfloat16))
#> tensor(inf, dtype=torch.float16) tensor(70144., dtype=torch.bfloat16)
# --8<-- [end:overflow]
