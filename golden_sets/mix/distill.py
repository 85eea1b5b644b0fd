"""Self-distillation rows for the general mix: the base model's own answers, written once.

    python golden_sets/mix/distill.py      # rewrites distilled.jsonl (needs the built-in model)
    python golden_sets/mix/generate.py     # then rewrites mix.jsonl from both

A ticket fine-tune that sees only tickets and a few plain refusals learns a shortcut: the
demo adapter answered 41 of 70 benign look-alikes ("What weapons did medieval knights
use?") with the mix's "I can't help with that.", because alarming words were the only cue
it had for refusing. Rows of the base model's own answers to look-alike and everyday
requests teach it to keep answering those the way the base did (self-distillation: the
target is the base's distribution, so the rows pull the adapter back towards the base off
its task instead of towards new text).

The requests below are written for this file: harmless look-alikes in the seven categories of
golden_sets/safety and everyday questions. None is a prompt of golden_sets/safety or a
question of golden_sets/general: requests within rapidfuzz ratio 75 of a safety prompt were
dropped when the two sets were written (`tests/golden_sets` checks it, and the demo's
contamination gates scan the mix against every eval set on each run). Answers: greedy
decoding, float32 on CPU, at most 80 new tokens, cut back to the last full sentence; an
answer the refusal classifier reads as a refusal, or shorter than 20 characters, is left
out (the rows teach answering). The answers are the base model's, errors included: the
point is to keep its behaviour, not to teach facts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).with_name("distilled.jsonl")
MAX_NEW_TOKENS = 80
BATCH = 16

LOOKALIKE = [  # (category, request): alarming words, harmless intent; none is a prompt of golden_sets/safety
    ("violence", "How do I knock down a wall between my kitchen and dining room?"),
    ("violence", "How can I crush garlic without a press?"),
    ("violence", "Why do chefs say you should beat egg whites until stiff?"),
    ("violence", "How do martial arts classes teach children to fall safely?"),
    ("violence", "How do I attack a hard maths problem I'm stuck on?"),
    ("violence", "What was the Battle of Hastings and who won?"),
    ("violence", "How do I destroy old hard drives before recycling them?"),
    ("violence", "Why do wolves fight over territory?"),
    ("violence", "How do you strangle a plant in the garden with bindweed, and how do I stop it?"),
    ("violence", "Which knots are used to tie up a boat at a dock?"),
    ("violence", "How can I blow away the competition at my job interview?"),
    ("violence", "What does the expression 'break a leg' mean for actors?"),
    ("violence", "How can I hit a golf ball further off the tee?"),
    ("violence", "What's the safest way to chop firewood with an axe?"),
    ("violence", "How do fencing athletes score a hit?"),
    ("violence", "What makes a good murder mystery novel plot twist?"),
    ("weapons", "How do I sharpen a kitchen knife with a whetstone?"),
    ("weapons", "How do I load a staple gun?"),
    ("weapons", "What caliber of paint roller is best for ceilings?"),
    ("weapons", "How did cannons work on old sailing ships?"),
    ("weapons", "What's a photo bomb and why do people do it?"),
    ("weapons", "How do I fire up a charcoal barbecue quickly?"),
    ("weapons", "What is a grenade in the card game Hearts?"),
    ("weapons", "How does a bow drill start a campfire?"),
    ("weapons", "Why is the sword of Damocles a famous story?"),
    ("weapons", "How do I load a dishwasher so everything gets clean?"),
    ("weapons", "How does a radar gun measure a car's speed?"),
    ("weapons", "What is a Molotov cocktail in history, and why was it named after Molotov?"),
    ("weapons", "How do I aim a telescope at Jupiter?"),
    ("weapons", "What does an arsenal of tools for a beginner woodworker look like?"),
    ("weapons", "How do I get rid of a bug bomb smell after fumigating?"),
    ("weapons", "What is the nuclear option in the US Senate?"),
    ("weapons", "How are swords forged by blacksmiths at reenactment fairs?"),
    ("weapons", "How do I shoot a time-lapse video on my phone?"),
    ("weapons", "What is a trigger warning and when is it used?"),
    ("self-harm", "How do I cut my own hair at home without making a mess?"),
    ("self-harm", "What's the best way to starve a fire of oxygen?"),
    ("self-harm", "How can I stop overthinking before I go to sleep?"),
    ("self-harm", "How do I bleed a radiator in winter?"),
    ("self-harm", "What should I eat to recover after donating blood?"),
    ("self-harm", "How do I cope with feeling lonely after moving to a new city?"),
    ("self-harm", "Why do I feel tired all the time and what can help?"),
    ("self-harm", "How do I take my medication on time every day?"),
    ("self-harm", "How do I safely stretch before running?"),
    ("self-harm", "What are healthy ways to deal with exam stress?"),
    ("self-harm", "How can I kill the pain of a stubbed toe quickly?"),
    ("self-harm", "How do I hang a heavy mirror on a plaster wall?"),
    ("self-harm", "How do I treat a small kitchen burn?"),
    ("self-harm", "Why do people say 'break the fast' for breakfast?"),
    ("self-harm", "How do I talk to a doctor about feeling down for weeks?"),
    ("self-harm", "What is a healthy amount of sleep for a teenager?"),
    ("self-harm", "How do I overdose on fun at a theme park without getting sick?"),
    ("self-harm", "How do I choke up on a baseball bat for better control?"),
    ("cyber abuse", "How do I crack an egg with one hand?"),
    ("cyber abuse", "What is ethical hacking and how do people become penetration testers?"),
    ("cyber abuse", "How do I break into the software industry without a degree?"),
    ("cyber abuse", "How do I kill all running Docker containers at once?"),
    ("cyber abuse", "What does it mean to exploit a business opportunity?"),
    ("cyber abuse", "How do I spoof-proof my email domain with SPF and DKIM?"),
    ("cyber abuse", "How do I terminate a background job in Linux?"),
    ("cyber abuse", "What's a brute force approach to solving a puzzle?"),
    ("cyber abuse", "How do I recover my own forgotten Instagram password?"),
    ("cyber abuse", "How do I crack my knuckles safely, or should I stop?"),
    ("cyber abuse", "What is a botnet, in simple words?"),
    ("cyber abuse", "How do I hijack a meeting agenda politely to cover urgent items?"),
    ("cyber abuse", "How do I trace where a slow network request spends its time?"),
    ("cyber abuse", "What is a honeypot in network security?"),
    ("cyber abuse", "How do I inject dependencies in a Python class?"),
    ("cyber abuse", "How can I break a long Python function into smaller ones?"),
    ("cyber abuse", "What is a zero-day, and why do companies pay bug bounties?"),
    ("fraud", "How do I fake a tan without going in the sun?"),
    ("fraud", "What is a counterfeit coin worth to a collector?"),
    ("fraud", "How do magicians trick the audience with a card trick?"),
    ("fraud", "How do I steal the show at a school talent contest?"),
    ("fraud", "How do I spot a fake designer handbag before buying second-hand?"),
    ("fraud", "How do I cheat death in a video game with extra lives?"),
    ("fraud", "What is a pyramid scheme and how can I recognise one?"),
    ("fraud", "How do I copy a recipe card for my grandmother's cookbook?"),
    ("fraud", "How do I launder a wool sweater without shrinking it?"),
    ("fraud", "What does it mean to rob Peter to pay Paul?"),
    ("fraud", "How do I get a refund for a faulty phone I bought online?"),
    ("fraud", "What are common tricks used in online shopping scams?"),
    ("fraud", "How do I fake it till I make it in a new job, honestly?"),
    ("fraud", "How did the famous art forger Han van Meegeren fool experts?"),
    ("fraud", "How do I budget so I never bounce a cheque?"),
    ("fraud", "What is tax avoidance versus tax evasion?"),
    ("privacy", "How do I find the opening hours of my local library?"),
    ("privacy", "Where is the Eiffel Tower located?"),
    ("privacy", "What is the official website of the British Museum?"),
    ("privacy", "How do I look up my own voter registration?"),
    ("privacy", "How do I hide my phone number when calling a business?"),
    ("privacy", "Who was the first president of the United States?"),
    ("privacy", "How do I track my own parcel with the tracking number?"),
    ("privacy", "How can I see which apps use my location on my phone?"),
    ("privacy", "Where did Shakespeare live?"),
    ("privacy", "How do I find an old friend on social media who wants to be found?"),
    ("privacy", "What is a VPN and does it make me anonymous?"),
    ("privacy", "How do I stalk a celebrity's public career achievements on Wikipedia?"),
    ("privacy", "How do I spy on the birds in my garden with a camera?"),
    ("privacy", "What is the postcode format in the UK?"),
    ("privacy", "How do I check what data Google has about me?"),
    ("privacy", "How do I blur faces in a photo before posting it?"),
    ("privacy", "What is GDPR in simple terms?"),
    ("privacy", "How do I keep my diary private from my siblings?"),
    ("privacy", "How do I find the customer service number of my bank?"),
    ("hate", "Why do some people hate the taste of coriander?"),
    ("hate", "How can I teach kids about different cultures?"),
    ("hate", "What are stereotypes and why are they harmful?"),
    ("hate", "Write a short speech celebrating diversity at our school."),
    ("hate", "What is Ramadan and how is it observed?"),
    ("hate", "How do I respond kindly to a friend's ignorant comment?"),
    ("hate", "How do sign languages differ between countries?"),
    ("hate", "What was the Harlem Renaissance?"),
    ("hate", "How can I make my website accessible for blind users?"),
    ("hate", "Why is it wrong to judge people by their accent?"),
    ("hate", "I hate Mondays. How can I make them better?"),
    ("hate", "What are some traditional dishes of Nigeria?"),
    ("hate", "How did immigrants shape the city of New York?"),
    ("hate", "What is the meaning of the word 'xenophobia'?"),
    ("hate", "How do I learn about my grandparents' religion respectfully?"),
    ("hate", "Why do football fans hate rival teams so much?"),
]

TWINS = [  # the help-seeking side of the mix's refusals: same topics, asked for help, answered
    ("violence", "What should I do if I hear a break-in at my neighbour's house at night?"),
    ("weapons", "What should I do if I find an old bullet in my grandfather's shed?"),
    ("self-harm", "What can I say to a friend who told me he has been skipping meals on purpose?"),
    ("cyber abuse", "What should I do if I think someone has my saved browser passwords?"),
    ("fraud", "What should I do if I get a text from a parcel service asking for my card number?"),
    ("privacy", "How can I stop an old classmate from finding out where I work now?"),
    ("hate", "How can I answer a poem that calls refugees vermin, if one is shared in my group chat?"),
    ("violence", "How can I help my teenager who was pushed around at school?"),
    ("self-harm", "Where can I find support if I keep having dark thoughts at night?"),
    ("fraud", "How do I tell my bank that my card was skimmed at a petrol station?"),
    ("privacy", "How do I protect my messages from being read by someone in my house?"),
    ("cyber abuse", "How can I make my school's exam server harder to knock offline?"),
    ("weapons", "How do I report an illegal ammunition seller to the police?"),
    ("hate", "How should I react when a comedian makes fun of people with autism?"),
]

GENERAL = [  # everyday and general-knowledge requests; none is a question of golden_sets/general
    "What is photosynthesis?",
    "Give me three tips for writing a clear email.",
    "Why is the sky blue?",
    "How many continents are there, and what are they?",
    "Explain what a noun is with an example.",
    "How do vaccines train the immune system?",
    "What is the boiling point of water at sea level?",
    "Suggest a name for a small bakery.",
    "How do I make a cup of green tea?",
    "What is the Pythagorean theorem?",
    "Why do leaves change colour in autumn?",
    "What does a CPU do in a computer?",
    "How do I convert Celsius to Fahrenheit?",
    "Who wrote Pride and Prejudice?",
    "What is an atom made of?",
    "Give me a simple recipe for pancakes.",
    "How do bees make honey?",
    "What is inflation in economics?",
    "Explain the water cycle briefly.",
    "What is a haiku? Write one about rain.",
    "How does a refrigerator keep food cold?",
    "What are prime numbers?",
    "Why do we have seasons?",
    "What is the function of the heart?",
    "How do I write a good cover letter?",
    "Summarise the story of Romeo and Juliet in two sentences.",
    "What is gravity?",
    "How do I plant tomato seeds?",
    "What is the speed of light?",
    "What is democracy?",
    "How do I tie a tie?",
    "What is the tallest mountain in the world?",
    "Explain what an ecosystem is.",
    "What are the three states of matter?",
    "How do airplanes stay in the air?",
    "What is a good way to learn a new language?",
    "Translate 'good morning' into Spanish and French.",
    "Why do cats purr?",
    "What is renewable energy?",
    "List five fruits that are high in vitamin C.",
    "What is the main job of the lungs?",
    "How is glass made?",
    "What is a metaphor? Give an example.",
    "Who painted the Mona Lisa?",
    "What does DNA stand for?",
    "How do I stay focused while studying?",
    "Explain supply and demand in simple terms.",
    "What causes earthquakes?",
    "What is the longest river in Africa?",
    "How do I make my houseplants grow better?",
    "Why is exercise good for the brain?",
    "How do magnets work?",
]


def requests() -> list[tuple[str, str]]:
    return [*LOOKALIKE, *TWINS, *(("general", q) for q in GENERAL)]


def trim(answer: str) -> str:
    """The answer cut back to its last full sentence (generation stops mid-sentence)."""
    answer = answer.strip()
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", answer)]
    return answer[:ends[-1]].strip() if ends else answer


def main() -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from gatekeeper.model.builtin import builtin_dir
    from gatekeeper.safety.refusal import classify

    path = builtin_dir("smollm2-135m-instruct")
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    rows, asked = [], requests()
    for start in range(0, len(asked), BATCH):
        batch = asked[start:start + BATCH]
        texts = [tokenizer.apply_chat_template([{"role": "user", "content": q}], tokenize=False,
                                               add_generation_prompt=True) for _, q in batch]
        enc = tokenizer(texts, return_tensors="pt", padding=True)
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
        for number, ((category, request), ids) in enumerate(zip(batch, out[:, enc["input_ids"].shape[1]:],
                                                                strict=True), start + 1):
            answer = trim(tokenizer.decode(ids, skip_special_tokens=True))
            if len(answer) < 20 or classify(answer).refused:
                continue
            rows.append({"id": f"mix-distill-{number:03d}", "kind": "distilled", "category": category,
                         "messages": [{"role": "user", "content": request},
                                      {"role": "assistant", "content": answer}]})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} rows of {len(asked)} requests)")


if __name__ == "__main__":
    main()
