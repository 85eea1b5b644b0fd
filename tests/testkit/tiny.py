"""Tiny deterministic models for fast tests: a 2-layer Llama and LoRA adapters for it.

Built in-process in well under a second, so every test exercises real transformers and
peft code paths (tokenizer, chat template, generate, PEFT injection) without a download.
"""

from __future__ import annotations

from pathlib import Path

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SPECIAL_TOKENS = ["<pad>", "<|im_start|>", "<|im_end|>"]

# A few lines of support-ticket-like text: enough merges for a vocabulary of ~400.
CORPUS = [
    "My order has not arrived yet and the tracking page shows no update.",
    "I was charged twice for the same subscription this month, please refund.",
    "How do I reset my password? The email link does not work.",
    "The app crashes when I open the settings page on my phone.",
    "Can I change the delivery address after the order was shipped?",
    "Please cancel my account and delete all of my personal data.",
    "The invoice shows the wrong company name and VAT number.",
    "Your support team answered quickly, thank you very much!",
    '{"category": "billing", "priority": "high", "summary": "double charge"}',
    "Categories: billing, shipping, account, technical, feedback, other.",
    "0123456789 the quick brown fox jumps over the lazy dog. THE END?",
]


def build_tiny_tokenizer():
    """A byte-level BPE tokenizer (vocab ~400) with ChatML special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(CORPUS * 3, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<pad>",
        bos_token=None, unk_token=None)
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def build_tiny_model(directory: str | Path, seed: int = 0) -> Path:
    """Save a seeded, randomly initialised tiny Llama + tokenizer as a local model dir."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    directory = Path(directory)
    tokenizer = build_tiny_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, intermediate_size=128,
        max_position_embeddings=1024, tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    # A larger init spreads the logits so greedy choices are not near-ties: the
    # batched-vs-single equality tests then test padding logic, not float noise.
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() == 2:
                param.normal_(0.0, 0.15)
    model.generation_config.do_sample = False
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_adapter(model_dir: str | Path, out_dir: str | Path, seed: int = 1,
                       target_modules: tuple[str, ...] = ("q_proj", "v_proj")) -> Path:
    """Save a LoRA adapter (r=4) whose lora_B is non-zero, so it changes greedy outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out_dir = Path(out_dir)
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=list(target_modules),
                        lora_dropout=0.0, task_type="CAUSAL_LM")
    model = get_peft_model(base, config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_A" in name or "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.5)
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir
