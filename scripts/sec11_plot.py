"""Plots of RFC 7925 section 11 in numbers (build/sec11.json from scripts/sec11.ts).

python scripts/sec11_plot.py build/sec11.json docs/img  (make sec11-plot: matplotlib in a venv)
Writes sec11-completion.png, sec11-time.png, sec11-retransmissions.png, sec11-cpu.png.
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

PROFILES = ["lan", "6lowpan", "sms", "nbiot", "ltem"]
TITLES = {"lan": "clean LAN", "6lowpan": "802.15.4 / 6LoWPAN", "sms": "GSM-SMS", "nbiot": "NB-IoT", "ltem": "LTE-M"}
STYLE = {9000: dict(color="tab:blue", marker="o", label="initial timer 9 s (RFC 7925)"),
         1000: dict(color="tab:red", marker="s", linestyle="--", label="initial timer 1 s (RFC 6347)")}


def series(results, profile, rto, key):
    rows = [r for r in results if r["kind"] == "loss" and r["profile"] == profile and r["rto"] == rto]
    return [100 * r["loss"] for r in rows], [r[key] for r in rows]


def grid(data, title, key, ylabel, scale=1.0, extra=None, log=False):
    fig, axes = plt.subplots(1, len(PROFILES), figsize=(18, 4.2), sharex=True)
    for ax, profile in zip(axes, PROFILES):
        for rto, style in STYLE.items():
            x, y = series(data["results"], profile, rto, key)
            ax.plot(x, [None if v is None else v * scale for v in y], **style)
            if extra:
                x2, y2 = series(data["results"], profile, rto, extra)
                ax.plot(x2, [None if v is None else v * scale for v in y2], color=style["color"], marker=style["marker"],
                        linestyle=":", alpha=0.6, label=None)
        ax.set_title(TITLES[profile])
        ax.set_xlabel("loss each way (%)")
        ax.grid(True, alpha=0.3)
        low, high = ax.get_ylim()
        if log and high / max(low, 1e-9) > 30:  # log only where the values span decades
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    axes[0].set_ylabel(ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    if extra:
        handles.append(Line2D([], [], color="gray", linestyle=":", marker="o", alpha=0.6))
        labels.append("95th percentile (dotted)")
    axes[0].legend(handles, labels, loc="best", fontsize=8)
    fig.suptitle(f"{title} ({data['runs']} seeded PSK handshakes per point)")
    fig.tight_layout()
    return fig


def main():
    data = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    grid(data, "Handshakes completed", "completed", "completed (%)", 100).savefig(out / "sec11-completion.png", dpi=80)
    grid(data, "Time to complete, of the handshakes that completed: median and 95th percentile", "median_s", "seconds",
         extra="p95_s", log=True).savefig(out / "sec11-time.png", dpi=80)
    fig, axes = plt.subplots(2, len(PROFILES), figsize=(18, 7.5), sharex=True)
    for col, profile in enumerate(PROFILES):
        for rto, style in STYLE.items():
            x, c = series(data["results"], profile, rto, "client_retx")
            _, s = series(data["results"], profile, rto, "server_resends")
            axes[0][col].plot(x, [a + b for a, b in zip(c, s)], **style)
            _, bc = series(data["results"], profile, rto, "bytes_client")
            _, bs = series(data["results"], profile, rto, "bytes_server")
            axes[1][col].plot(x, [a + b for a, b in zip(bc, bs)], **style)
        axes[0][col].set_title(TITLES[profile])
        axes[1][col].set_xlabel("loss each way (%)")
        for row in (0, 1):
            axes[row][col].grid(True, alpha=0.3)
            axes[row][col].set_ylim(bottom=0)
    axes[0][0].set_ylabel("retransmissions per handshake\n(client flights + server datagrams)")
    axes[1][0].set_ylabel("bytes sent per handshake\n(both sides, UDP payload)")
    axes[0][0].legend(loc="best", fontsize=8)
    fig.suptitle(f"Retransmissions and bytes on the air ({data['runs']} handshakes per point, failed ones included)")
    fig.tight_layout()
    fig.savefig(out / "sec11-retransmissions.png", dpi=80)

    rows = [r for r in data["results"] if r["kind"] == "cpu"]
    cpus = list(dict.fromkeys(r["cpu"] for r in rows))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.38
    for i, rto in enumerate((9000, 1000)):
        vals = [next(r for r in rows if r["cpu"] == c and r["rto"] == rto) for c in cpus]
        xs = [k + (i - 0.5) * width for k in range(len(cpus))]
        bars = ax.bar(xs, [v["client_retx"] + v["server_resends"] for v in vals], width, color=STYLE[rto]["color"],
                      label=STYLE[rto]["label"])
        for b, v in zip(bars, vals):
            ax.annotate(f"{v['client_retx'] + v['server_resends']:.1f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=9)
    compute = {c: next(r for r in rows if r["cpu"] == c and r["rto"] == 9000)["cpu_ms"] / 1000 for c in cpus}
    ax.set_xticks(range(len(cpus)), [f"{c.replace(':', ' ')}\n{compute[c]:.2f} s of compute" for c in cpus])
    ax.set_ylabel("spurious retransmissions per handshake\n(client flights + server datagrams)")
    ax.set_title(f"No loss, ECDHE-ECDSA with raw keys, the client's compute in virtual time ({data['cpu_runs']} handshakes per bar)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "sec11-cpu.png", dpi=80)


if __name__ == "__main__":
    main()
