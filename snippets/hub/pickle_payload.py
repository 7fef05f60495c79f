import json
import os
import pickle
import struct

import torch
from transformers import AutoModelForCausalLM


class Payload:
    # Pickle lets any object name a function to call when the file is loaded.
    def __reduce__(self):
        return (os.mkdir, ("payload-ran",))


model = AutoModelForCausalLM.from_pretrained("gpt2")

# A pickled checkpoint with something extra in it, next to a normal config.
model.config.save_pretrained("tampered")
state = model.state_dict()
state["extra"] = Payload()
torch.save(state, "tampered/pytorch_model.bin")

# --8<-- [start:refused]
# transformers unpickles .bin files with torch.load(weights_only=True): refused, not run.
try:
    AutoModelForCausalLM.from_pretrained("tampered")
except pickle.UnpicklingError as error:
    refusal = str(error)
print(os.path.exists("payload-ran"))
#> False

# A plain torch.load(weights_only=False) runs the payload while it reads the file.
torch.load("tampered/pytorch_model.bin", weights_only=False)
print(os.path.exists("payload-ran"))
#> True
# --8<-- [end:refused]

# --8<-- [start:safetensors]
# A safetensors file is a JSON header and raw tensor bytes: nothing in it can run.
model.save_pretrained("safe")
with open("safe/model.safetensors", "rb") as f:
    (header_length,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(header_length))
print(sorted(header["transformer.wte.weight"]))
#> ['data_offsets', 'dtype', 'shape']
# --8<-- [end:safetensors]
