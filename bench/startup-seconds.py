"""bench/startup.sh's first-minute helper.

  startup-seconds.py VARIANT RUN PASS < loadgen.log    one JSON line per progress line (t, p50 and p99 in µs)
  startup-seconds.py --summary firstminute.jsonl       a Markdown table: medians of the per-second figures by window
"""
import json
import re
import statistics
import sys


def micros(value):
    number, unit = value.split()
    return float(number) * (1000 if unit == "ms" else 1)


def lines(variant, run, pas):
    progress = re.compile(r"^t=(\d+)s .*?p50=(\S+(?: ms| µs)?) p99=(\S+(?: ms| µs)?) ")
    for line in sys.stdin:
        m = progress.match(line)
        if not m or m.group(2) == "-":
            continue
        print(json.dumps({"variant": variant, "run": int(run), "pass": pas, "t": int(m.group(1)),
                          "p50us": micros(m.group(2)), "p99us": micros(m.group(3))}))


WINDOWS = [(1, 10), (11, 30), (31, 60), (61, 10 ** 6)]


def summary(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    print("\n### first minute: p50 / p99 of now - pt per second (ms), median over the seconds of each window, all runs\n")
    print("| variant | node | s 1-10 | s 11-30 | s 31-60 | after 60 s |")
    print("|---|---|---|---|---|---|")
    for variant in dict.fromkeys(r["variant"] for r in rows):
        for pas, label in (("cold", "just started"), ("warm", "warm (second load generator)")):
            rs = [r for r in rows if r["variant"] == variant and r["pass"] == pas]
            cells = []
            for lo, hi in WINDOWS:
                w = [r for r in rs if lo <= r["t"] <= hi]
                cells.append(f"{statistics.median(r['p50us'] for r in w) / 1000:.2f} / "
                             f"{statistics.median(r['p99us'] for r in w) / 1000:.1f}" if w else "-")
            print(f"| {variant} | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(sys.argv[2])
    else:
        lines(*sys.argv[1:4])
