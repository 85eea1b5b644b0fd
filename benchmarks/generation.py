"""Batched engine generation vs a naive one-prompt-at-a-time loop, on the real builtin model.

    python benchmarks/generation.py                       # batch size = the engine default
    python benchmarks/generation.py --batch-sizes 16,32,64 --max-new-tokens 48

One process, one loaded model (fp32 on CPU, DESIGN §9), the same support-ticket prompts
and greedy settings for both sides; the cache is disabled. Prints both wall times, the
speed-up and how many outputs are identical. Compare ratios, not absolute seconds: other
processes on the machine slow both sides alike only if they run throughout.
"""

from __future__ import annotations

import argparse
import json
import os
import time

TICKETS = [
    "My order #4821 still hasn't arrived and it's been two weeks.",
    "I was charged twice for my subscription this month.",
    "How do I reset my password? The reset email never comes.",
    "The app crashes every time I open the settings page.",
    "Can I change the shipping address on an order I placed yesterday?",
    "Please cancel my account and delete my data.",
    "The invoice has the wrong company name on it.",
    "Your checkout page says my card is invalid but it works everywhere else.",
    "I received the wrong size shoes, how do I exchange them?",
    "Is there a student discount for the premium plan?",
    "The tracking number you sent me doesn't work.",
    "I can't log in after enabling two-factor authentication.",
    "Why was my refund only partial?",
    "The package arrived damaged, the box was crushed.",
    "How can I download all my invoices from last year?",
    "The mobile app won't sync with the desktop version.",
    "I want to upgrade from the basic plan to the business plan.",
    "My discount code SAVE20 is not being accepted.",
    "The delivery driver left my parcel at the wrong house.",
    "I keep getting logged out every few minutes.",
    "Can you send me a VAT receipt for order 99812?",
    "The product description said waterproof but it leaked on the first day.",
    "How long does international shipping to Canada take?",
    "I forgot which email address I used to sign up.",
    "The export to CSV button does nothing when I click it.",
    "I was billed after I cancelled my free trial.",
    "Your website is extremely slow today, pages take a minute to load.",
    "I need to add a second user to my team account.",
    "My order shows delivered but I never got it.",
    "Can I pay by bank transfer instead of credit card?",
    "The notifications on Android stopped working after the update.",
    "Please remove my phone number from your marketing list.",
    "I'd like to return an item I bought 40 days ago.",
    "The API returns a 500 error when I upload files larger than 10 MB.",
    "How do I change the currency on my account to euros?",
    "My account was locked after too many login attempts.",
    "The courier says the address is incomplete, what should I do?",
    "I love the new dashboard, great job to the team!",
    "The price on the website differs from the price at checkout.",
    "I can't find the option to turn on dark mode.",
    "Two items from my order are missing from the box.",
    "My credit card expired, how do I update the payment method?",
    "The search function returns no results for anything I type.",
    "Can I schedule a delivery for a specific day?",
    "Someone else seems to have access to my account.",
    "Why do I need to verify my identity again?",
    "The printer driver download link is broken.",
    "I was promised a callback yesterday but nobody called.",
    "How do I transfer my licence to a new computer?",
    "The order confirmation email never arrived.",
    "Your app drains my phone battery very quickly.",
    "I need an invoice with my company's tax ID on it.",
    "The item is out of stock, when will it be available again?",
    "I get an error saying 'session expired' when paying.",
    "Can I combine two orders into one shipment?",
    "The password rules are confusing, what characters are allowed?",
    "I was charged customs fees I didn't expect.",
    "The video player keeps buffering on every episode.",
    "How do I close my account permanently?",
    "My parcel has been stuck in customs for ten days.",
    "The integration with Slack stopped posting messages.",
    "I'd like a refund for the annual plan I bought by mistake.",
    "The size chart on the website is wrong.",
    "I can't update my profile picture, it says upload failed.",
    "Where can I find the user manual for model X200?",
    "The loyalty points from my last purchase are missing.",
    "Your chatbot keeps sending me in circles.",
    "I need to change the name on my account after getting married.",
    "Express shipping took longer than standard shipping would have.",
    "The desktop app asks for a licence key every time I start it.",
    "Is my payment information stored securely?",
    "The gift card balance shows zero but I never used it.",
]
INSTRUCTION = ("Classify this support ticket as billing, shipping, account, technical or other, "
               "and explain in one sentence.\n\nTicket: ")


def naive_loop(engine, prompts: list[str], max_new_tokens: int) -> list[str]:
    """model.generate one prompt at a time: no padding, no batching, same greedy settings."""
    import torch

    from gatekeeper.model.tokens import eos_token_ids, finish
    from gatekeeper.model.prompts import encode_prompt, render

    model, tokenizer = engine.model, engine.tokenizer
    eos = eos_token_ids(model, tokenizer)
    outputs = []
    with torch.inference_mode():
        for prompt in prompts:
            ids = torch.tensor([encode_prompt(tokenizer, render(tokenizer, prompt, True), True)])
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                 max_new_tokens=max_new_tokens, eos_token_id=eos,
                                 pad_token_id=tokenizer.pad_token_id)
            outputs.append(finish(tokenizer, out[0, ids.shape[1]:].tolist(), set(eos), ()))
    return outputs


def fixed_batches(engine, prompts: list[str], max_new_tokens: int) -> list[str]:
    """The engine before continuous batching: model.generate on length-sorted, left-padded batches."""
    import torch

    from gatekeeper.model.tokens import batches, eos_token_ids, finish, left_pad
    from gatekeeper.model.prompts import encode_prompt, render

    model, tokenizer = engine.model, engine.tokenizer
    eos = eos_token_ids(model, tokenizer)
    ids = [encode_prompt(tokenizer, render(tokenizer, prompt, True), True) for prompt in prompts]
    outputs: list[str] = [""] * len(prompts)
    with torch.inference_mode():
        for batch in batches([len(row) for row in ids], engine.batch_size):
            rows, mask = left_pad([ids[i] for i in batch], tokenizer.pad_token_id, model.device)
            out = model.generate(input_ids=rows, attention_mask=mask, do_sample=False,
                                 max_new_tokens=max_new_tokens, eos_token_id=eos,
                                 pad_token_id=tokenizer.pad_token_id)
            for row, index in enumerate(batch):
                outputs[index] = finish(tokenizer, out[row, rows.shape[1]:].tolist(), set(eos), ())
    return outputs


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", default="64", help="comma-separated engine batch sizes")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--limit", type=int, default=len(TICKETS))
    parser.add_argument("--fixed", action="store_true",
                        help="also time model.generate on fixed length-sorted batches (the previous engine)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    parser.add_argument("--json", help="also write the timings and ratios to this JSON file")
    args = parser.parse_args()

    import torch

    from gatekeeper.model import Engine, NullCache, resolve_base

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    prompts = [INSTRUCTION + ticket for ticket in TICKETS[:args.limit]]
    base = resolve_base("builtin:smollm2-135m-instruct")
    engine = Engine(base=base, cache=NullCache(), device=args.device, progress=False)
    engine.generate(prompts[:2], max_new_tokens=4)  # load + warm up outside the timings
    print(f"{len(prompts)} prompts, max_new_tokens={args.max_new_tokens}, dtype={engine.dtype}, "
          f"threads={torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}")

    batched = {}
    for size in (int(s) for s in args.batch_sizes.split(",")):
        engine.batch_size = size
        batched[size] = timed(lambda: engine.generate(prompts, max_new_tokens=args.max_new_tokens))
        print(f"engine batched (batch {size:>3}): {batched[size][1]:7.1f} s")
    if args.fixed:
        fixed, fixed_s = timed(fixed_batches, engine, prompts, args.max_new_tokens)
        print(f"fixed batches (batch {engine.batch_size:>3}): {fixed_s:7.1f} s  (model.generate, previous engine)")
    naive, naive_s = timed(naive_loop, engine, prompts, args.max_new_tokens)
    print(f"naive loop (one at a time):  {naive_s:7.1f} s")
    for size, (outputs, seconds) in batched.items():
        same = sum(a == b for a, b in zip(outputs, naive))
        print(f"batch {size:>3}: speed-up {naive_s / seconds:4.1f}x, identical outputs {same}/{len(prompts)}")
        for index, (a, b) in enumerate(zip(outputs, naive)):
            if a != b:
                print(f"  differs #{index}: batched={a!r}\n              naive  ={b!r}")
    if args.fixed:
        same = sum(a == b for a, b in zip(fixed, naive))
        print(f"fixed batches: speed-up {naive_s / fixed_s:4.1f}x, identical outputs {same}/{len(prompts)}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        summary = {"device": args.device, "naive_s": round(naive_s, 2)}
        for size, (outputs, seconds) in batched.items():
            summary[f"batch_{size}_s"] = round(seconds, 2)
            summary[f"batch_{size}_speedup"] = round(naive_s / seconds, 2)
            summary[f"batch_{size}_identical"] = f"{sum(a == b for a, b in zip(outputs, naive))}/{len(prompts)}"
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2)


if __name__ == "__main__":
    main()
