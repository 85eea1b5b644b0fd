"""Data checks that need no model: reading train/eval files, contamination, dataset audits.

    text         normalisation (NFKC, casefold, punctuation), words, marked word diffs
    records      train/eval files (JSONL, CSV, MMLU-layout dirs) -> TextItem (file:line)
    boilerplate  lines shared by a large share of a set, removed before comparing
    sketch       token ids, n-gram hashes and MinHash signatures, vectorised with numpy
    overlap      the three contamination detectors: exact, long n-gram, MinHash LSH
    scan         training items against eval sets, per set and field, hit records
    cache        results keyed by the sha256 of the data and the options
    audit        schema, duplicates, split overlap, classes, policy examples, data cards
    render       chat-template rendering and token counts without torch

Nothing here imports torch or transformers; datasketch and rapidfuzz load lazily.
"""
