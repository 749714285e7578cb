# ---- RFC 7925 section 11 in numbers (host/emulator; docs/LINK_EMULATION.md) ----
# make sec11: 1000 seeded emulated handshakes per point (5 link profiles x 6 loss rates x
# 2 timers, and the compute of slow parts), with the server's timer as the client's and then
# fixed at 1 s; the tables of docs/LINK_EMULATION.md and the plots docs/img/sec11-*.png
# (matplotlib in a venv under build/). Not part of make test (about 5 minutes on 2 cores).
# SEC11_ARGS: e.g. "--runs 200 --jobs 1 --server-rto 1000".
.PHONY: sec11 sec11-plot
PLOT_VENV := build/venv-plot
SEC11_ARGS ?= --runs 1000 --cpu-runs 100 --jobs 2

$(PLOT_VENV)/.installed:
	python3 -m venv $(PLOT_VENV)
	$(PLOT_VENV)/bin/pip install -q --disable-pip-version-check matplotlib==3.11.2
	touch $@

sec11: build
	nice node dist/scripts/sec11.js $(SEC11_ARGS)
	nice node dist/scripts/sec11.js $(SEC11_ARGS) --server-rto 1000
	$(MAKE) sec11-plot

sec11-plot: $(PLOT_VENV)/.installed
	$(PLOT_VENV)/bin/python scripts/sec11_plot.py build/sec11.json docs/img
