"""The embedded trainer: a bundle's ``train:`` recipe -> TRL SFT + PEFT LoRA/QLoRA adapter.

    data.py      training rows -> chat examples, the general-data mix
    masking.py   serving-template tokenisation, answer-only labels, the mask proof, truncation
    model.py     base model for training (full precision or nf4) and the LoRA config
    loop.py      SFTConfig/SFTTrainer from the recipe, progress/ETA and Ctrl-C callbacks
    record.py    training.json, inputs fingerprint, adapter swap, relock
    run.py       ``train_bundle``: the flow of ``gatekeeper train``
    sweep.py     ``sweep_bundle``: one adapter per setting, gated, compared
"""
