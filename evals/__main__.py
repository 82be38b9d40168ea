"""Run every benchmark in turn: `python -m evals [--quick]` (quick skips BERTopic and 100k)."""

import argparse
import subprocess
import sys

BENCHES = [
    ("theme clustering (BANKING77 vs BERTopic and KMeans)", ["evals.bench_clustering"]),
    ("ingest throughput (split + embed + store vs raw encode)", ["evals.bench_ingest"]),
    ("similar-feedback search (HNSW recall@10 at 100k vectors)", ["evals.bench_search"]),
    ("statement polarity (hand-labelled demo statements)", ["evals.bench_polarity"]),
    ("synthesis prompt tokens at 10, 50 and 200 feedback items", ["evals.bench_prompt_tokens"]),
    ("claim support by meaning (MiniLM similarity, demo + hand pairs)", ["evals.bench_support"]),
    ("two-track detection (labelled sentences, near misses)", ["evals.bench_two_track"]),
    ("injection detection (original and held-out corpora)", ["evals.bench_injection"]),
    ("drafting throughput (simulated 200 ms model, 2 processes x 16)", ["evals.bench_drafting"]),
    ("API mixed load (20 then 50 clients against synth serve)", ["evals.bench_load"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip BERTopic; 20k search vectors")
    args = parser.parse_args()
    failed = 0
    for title, module in BENCHES:
        print(f"\n=== {title} ===", flush=True)
        extra: list[str] = []
        if args.quick and module[0] == "evals.bench_clustering":
            extra = ["--quick"]
        if args.quick and module[0] == "evals.bench_search":
            extra = ["--vectors", "20000"]
        if args.quick and module[0] == "evals.bench_load":
            extra = ["--duration", "10"]
        failed += subprocess.call([sys.executable, "-m", *module, *extra]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
