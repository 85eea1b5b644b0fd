"""Rendering training rows without transformers gives what transformers' chat template gives."""

from __future__ import annotations

import sys

from gatekeeper.data.render import ChatRenderer

CHATS = [[{"role": "user", "content": "Classify: my invoice is wrong."},
          {"role": "assistant", "content": '{"category": "billing"}'}],
         [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
          {"role": "assistant", "content": "Hello!"}]]


def test_same_text_and_token_counts_as_transformers(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    renderer = ChatRenderer(tiny_model_dir)
    for chat, one, batched in zip(CHATS, map(renderer.render, CHATS), renderer.render_many(CHATS), strict=True):
        prompt = tok.apply_chat_template(chat[:-1], tokenize=False, add_generation_prompt=True)
        full = tok.apply_chat_template(chat, tokenize=False)
        assert (one.prompt_text, one.prompt_text + one.trained_text) == (prompt, full)
        assert one.trained_text.startswith(chat[-1]["content"])
        count = len(tok(full, add_special_tokens=False)["input_ids"])
        assert one.tokens == batched.tokens == count
        assert one.prompt_tokens == len(tok(prompt, add_special_tokens=False)["input_ids"])


def test_a_bundle_template_file_wins_and_nothing_imports_torch(tiny_model_dir, tmp_path):
    template = tmp_path / "t.jinja"
    template.write_text("{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}"
                        "{% if add_generation_prompt %}[assistant] {% endif %}")
    rendered = ChatRenderer(tiny_model_dir, template).render(CHATS[0])
    assert rendered.prompt_text == "[user] Classify: my invoice is wrong.\n[assistant] "
    assert rendered.trained_text == '{"category": "billing"}\n'
    code = ("import sys; from gatekeeper.data.render import ChatRenderer; "
            f"ChatRenderer(__import__('pathlib').Path({str(tiny_model_dir)!r})); "
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False False", out.stderr
