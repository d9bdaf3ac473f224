#!/usr/bin/env python3
"""Helpers of tests/soak/run.sh, the soak of issue 20 (Python 3 stdlib only).

  soak.py SUBCOMMAND --out=DIR [flags]

DIR is the soak's directory; every subcommand reads DIR/soak.json, which
run.sh writes (paths of the binaries and certificates, the server's
addresses, the schedule). Times are Unix seconds everywhere.

  chunks   split the police CSV into upload chunks at report boundaries
  police   loop: `fraudgate import` a chunk every --upload-every seconds;
           every few chunks a `delist` and a `withdraw` of acknowledged ones
  probe    loop: screen transfers of our own (`fraudgate screen`) and keep
           the acknowledged ones (transfer_id, hit_id, decision)
  analyst  loop: history queries (`fraudgate hits`, `past`, `stats`)
  sample   loop: the server's RSS, open fds and threads (/proc/PID) and a
           few /metrics gauges, every --sample-every seconds
  check    verify that what was acknowledged is stored: every identifier of
           every acknowledged report (GetEntity, with the report's ref),
           acknowledged delists and withdrawals, acknowledged screenings
           (GetHit on the HTTPS API, and the same transfer screened again
           returns the recorded hit)
  analyze  the time series, the summary and the verdict (exit 1 on FAIL)

The loops run until SIGTERM; each writes what it did to DIR/ops-NAME.tsv
(start, end, op, exit code, detail) and what was acknowledged to its ledger
(uploads.tsv, delists.jsonl, withdraws.jsonl, probes.tsv).
"""

import argparse
import csv
import datetime
import glob
import http.client
import json
import os
import random
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

VN = datetime.timezone(datetime.timedelta(hours=7))


# --------------------------------------------------------------------------
# Shared plumbing


def load_config(out):
    with open(os.path.join(out, "soak.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    cfg["out"] = out
    return cfg


class Stopper:
    """SIGTERM/SIGINT end a loop after the operation in progress."""

    def __init__(self):
        self.event = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: self.event.set())
        signal.signal(signal.SIGINT, lambda *_: self.event.set())

    def sleep_until(self, when):
        """False once stopping."""
        delay = when - time.time()
        if delay > 0:
            self.event.wait(delay)
        return not self.event.is_set()


def one_line(text):
    text = " ".join(text.split())
    return text[:300]


def append_tsv(path, *fields):
    with open(path, "a", encoding="utf-8") as f:
        f.write("\t".join(str(x) for x in fields) + "\n")


def append_json(path, obj):
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line cut by a kill of its writer
    return out


def fraudgate(cfg, args, role=None, timeout=60):
    """Runs a client subcommand against the soak's server.

    Returns (exit code, stdout, stderr, start, end); exit code 124 when it
    ran out of time.
    """
    cmd = [cfg["fraudgate"], *args, "--server=" + cfg["server"],
           "--tls-dir=" + cfg["certs"], "--timeout=%d" % timeout]
    if role:
        cmd.append("--role=" + role)
    start = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout + 15)
        rc, stdout, stderr = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc = 124
        stdout = e.stdout if isinstance(e.stdout, str) else ""
        stderr = "timed out"
    return rc, stdout, stderr, start, time.time()


class Ops:
    """DIR/ops-NAME.tsv: start, end, op, exit code, detail."""

    def __init__(self, cfg, name):
        self.path = os.path.join(cfg["out"], "ops-%s.tsv" % name)

    def log(self, start, end, op, rc, detail=""):
        append_tsv(self.path, "%.3f" % start, "%.3f" % end, op, rc,
                   one_line(detail))


def https_context(cfg, role):
    ctx = ssl.create_default_context(cafile=os.path.join(cfg["certs"], "ca.pem"))
    ctx.load_cert_chain(os.path.join(cfg["certs"], role + ".pem"),
                        os.path.join(cfg["certs"], role + "-key.pem"))
    return ctx


class Https:
    """One keep-alive HTTPS connection to the server's HTTP port."""

    def __init__(self, cfg, role):
        self.cfg = cfg
        self.ctx = https_context(cfg, role)
        self.conn = None

    def get(self, path, timeout=10):
        """(status, body); status 0 when the connection failed."""
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPSConnection(
                        "127.0.0.1", self.cfg["http_port"], context=self.ctx,
                        timeout=timeout)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                return r.status, r.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    return 0, str(e)
        return 0, ""


# --------------------------------------------------------------------------
# chunks


def read_reports(path):
    """The reports of a police CSV, in order: (agency, report_id, rows), each
    row a dict of the CSV's columns."""
    reports = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["agency"], row["report_id"])
            if not reports or reports[-1][0:2] != key:
                reports.append((key[0], key[1], []))
            reports[-1][2].append(row)
    return reports


def cmd_chunks(args):
    """Splits --csv into files of at least --rows rows, whole reports each."""
    os.makedirs(args.dir, exist_ok=True)
    with open(args.csv, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        chunk, n, last_key = [], 0, None
        ai, ri = header.index("agency"), header.index("report_id")

        def flush():
            nonlocal chunk, n
            if not chunk:
                return
            n += 1
            with open(os.path.join(args.dir, "%05d.csv" % n), "w", newline="",
                      encoding="utf-8") as out:
                w = csv.writer(out, lineterminator="\n")
                w.writerow(header)
                w.writerows(chunk)
            chunk = []

        for row in reader:
            key = (row[ai], row[ri])
            if len(chunk) >= args.rows and key != last_key:
                flush()
            chunk.append(row)
            last_key = key
        flush()
    print("%d chunks in %s" % (n, args.dir))


# --------------------------------------------------------------------------
# police


def identifier_flags(kind, issuer, value):
    flags = ["--kind=" + kind, "--value=" + value]
    if issuer:
        flags.append("--issuer=" + issuer)
    return flags


def cmd_police(args):
    cfg = load_config(args.out)
    stop = Stopper()
    ops = Ops(cfg, "police")
    out = cfg["out"]
    chunks = sorted(glob.glob(os.path.join(out, "chunks", "*.csv")))
    rng = random.Random(cfg["seed"])
    acked = []        # chunk paths, in order
    pending = []      # delist / withdraw actions waiting for a success
    withdrawn = set()
    every = cfg["upload_every"]
    tick = time.time()
    while stop.sleep_until(tick):
        tick += every
        if len(acked) < len(chunks):
            path = chunks[len(acked)]
            rc, stdout, stderr, start, end = fraudgate(
                cfg, ["import", "--format=json", path], timeout=120)
            ops.log(start, end, "import", rc,
                    os.path.basename(path) + " " + (stderr or stdout))
            if rc == 0:
                summary = json.loads(stdout.strip().splitlines()[-1])
                acked.append(path)
                append_tsv(os.path.join(out, "uploads.tsv"), "%.3f" % end,
                           os.path.relpath(path, out),
                           summary.get("reports_accepted", 0),
                           summary.get("reports_unchanged", 0),
                           summary.get("list_version", ""))
                n = len(acked)
                # Corrections of what was acknowledged a few chunks ago.
                if n % cfg["delist_every"] == 0 and n >= 3:
                    reports = read_reports(acked[n - 3])
                    row = rng.choice(rng.choice(reports)[2])
                    pending.append(("delist", row, "SOAK-D%05d" % n))
                if n % cfg["withdraw_every"] == 0 and n >= 4:
                    candidates = [r for r in read_reports(acked[n - 4])
                                  if r[0:2] not in withdrawn]
                    if candidates:
                        agency, report_id, _ = rng.choice(candidates)
                        withdrawn.add((agency, report_id))
                        pending.append(("withdraw", (agency, report_id),
                                        "SOAK-W%05d" % n))
        while pending and not stop.event.is_set():
            what, target, reference = pending[0]
            if what == "delist":
                ident = (target["kind"], target["issuer"], target["value"])
                rc, stdout, stderr, start, end = fraudgate(
                    cfg, ["delist", "--format=json",
                          *identifier_flags(*ident),
                          "--reason=soak: delisted by the police loop",
                          "--reference=" + reference])
                ops.log(start, end, "delist", rc, reference + " " + stderr)
                if rc != 0:
                    break  # the next tick retries it
                entity = json.loads(stdout)
                append_json(os.path.join(out, "delists.jsonl"), {
                    "time": end, "input": ident,
                    "identifier": entity["identifier"],
                    "reference": reference})
            else:
                agency, report_id = target
                rc, stdout, stderr, start, end = fraudgate(
                    cfg, ["withdraw", "--format=json", "--agency=" + agency,
                          "--report-id=" + report_id,
                          "--reason=soak: withdrawn by the police loop",
                          "--reference=" + reference])
                ops.log(start, end, "withdraw", rc, reference + " " + stderr)
                if rc != 0:
                    break
                answer = json.loads(stdout)
                append_json(os.path.join(out, "withdraws.jsonl"), {
                    "time": end, "agency": agency, "report_id": report_id,
                    "reference": reference, "answer": answer})
            pending.pop(0)


# --------------------------------------------------------------------------
# probe


def listed_accounts(cfg, limit=5000):
    """(bank, account) of the first listed rows of the bench's blocklist."""
    out = []
    with open(cfg["listed_csv"], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((row["issuer"], row["value"]))
            if len(out) >= limit:
                break
    return out


def screen_args(transfer_id, bank, account, amount):
    return ["screen", "--format=json", "--transfer-id=" + transfer_id,
            "--bank=" + bank, "--account=" + account, "--amount=%d" % amount]


def cmd_probe(args):
    cfg = load_config(args.out)
    stop = Stopper()
    ops = Ops(cfg, "probe")
    rng = random.Random(cfg["seed"] + 1)
    listed = listed_accounts(cfg)
    every = cfg["probe_every"]
    n = 0
    tick = time.time()
    while stop.sleep_until(tick):
        tick += every
        n += 1
        transfer_id = "soak-%s-%06d" % (cfg["run_id"], n)
        if n % 5 == 0:  # a listed beneficiary: BLOCK, indexed by identifier
            bank, account = rng.choice(listed)
        else:           # an unlisted one: ALLOW, kept as a keyed hash only
            bank, account = "970436", "55%010d" % rng.randrange(10**10)
        amount = rng.randrange(100_000, 50_000_000)
        rc, stdout, stderr, start, end = fraudgate(
            cfg, screen_args(transfer_id, bank, account, amount), timeout=10)
        ops.log(start, end, "screen", rc, transfer_id + " " + stderr)
        if rc == 0:
            r = json.loads(stdout)
            append_tsv(os.path.join(cfg["out"], "probes.tsv"), "%.3f" % end,
                       transfer_id, bank, account, amount, r["decision"],
                       r["hit_id"])


# --------------------------------------------------------------------------
# analyst


def cmd_analyst(args):
    cfg = load_config(args.out)
    stop = Stopper()
    ops = Ops(cfg, "analyst")
    listed = listed_accounts(cfg, 200)
    rng = random.Random(cfg["seed"] + 2)
    every = cfg["analyst_every"]
    n = 0
    tick = time.time()
    while stop.sleep_until(tick):
        tick += every
        n += 1
        kind = n % 5
        if kind == 0:
            op, a = "stats", ["stats", "--format=json"]
        elif kind == 1:
            op, a = "hits", ["hits", "--format=json"]
        elif kind == 2:
            bank, account = rng.choice(listed)
            op, a = "hits_by_identifier", [
                "hits", "--format=json", "--kind=BANK_ACCOUNT",
                "--issuer=" + bank, "--value=" + account]
        elif kind == 3:
            # An unlisted account of the seeded history: FindPastTransfers.
            op, a = "past", ["past", "--format=json", "--kind=BANK_ACCOUNT",
                             "--issuer=970436", "--value=9990000000002"]
        else:
            # Every BLOCK of the last minute, every page (CSV streams them).
            since = datetime.datetime.now(VN) - datetime.timedelta(minutes=1)
            op, a = "hits_csv_last_minute", [
                "hits", "--format=csv", "--decision=BLOCK",
                "--from=" + since.strftime("%Y-%m-%dT%H:%M:%S")]
        rc, stdout, stderr, start, end = fraudgate(cfg, a, timeout=60)
        detail = stderr if rc else "%d bytes" % len(stdout)
        ops.log(start, end, op, rc, detail)


# --------------------------------------------------------------------------
# sample


def proc_sample(pid):
    """(rss_kb, fds, threads, table_fds, socket_fds, deleted_fds) of a live
    `fraudgate serve`, or None. table_fds: RocksDB table files (*.sst), which
    it keeps open while they are live, so they follow the data's size;
    deleted_fds: files deleted but still held open."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"serve" not in f.read():
                return None
        rss = threads = None
        with open("/proc/%d/status" % pid, encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fd_dir = "/proc/%d/fd" % pid
        fds = tables = sockets = deleted = 0
        for fd in os.listdir(fd_dir):
            fds += 1
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue  # closed meanwhile
            if target.endswith(" (deleted)"):
                deleted += 1
                target = target[:-len(" (deleted)")]
            if target.endswith(".sst"):
                tables += 1
            elif target.startswith("socket:"):
                sockets += 1
        if rss is None or threads is None:
            return None
        return rss, fds, threads, tables, sockets, deleted
    except (OSError, ValueError):
        return None


def metric_sums(text, names):
    """The sum over label sets of each named metric."""
    sums = dict.fromkeys(names, 0.0)
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in sums:
            try:
                sums[name] += float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return sums


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


SAMPLE_METRICS = ["fraudgate_store_sst_bytes", "fraudgate_store_memtable_bytes",
                  "fraudgate_log_lines_dropped_total",
                  "fraudgate_in_flight_calls"]


def cmd_sample(args):
    cfg = load_config(args.out)
    stop = Stopper()
    out = cfg["out"]
    path = os.path.join(out, "samples.tsv")
    if not os.path.exists(path):
        append_tsv(path, "time", "pid", "rss_kb", "fds", "threads",
                   "table_fds", "socket_fds", "deleted_fds", "data_mb",
                   "sst_mb", "memtable_mb", "log_lines_dropped", "in_flight")
    monitor = Https(cfg, "admin")
    every = cfg["sample_every"]
    tick = time.time()
    while stop.sleep_until(tick):
        tick += every
        try:
            with open(cfg["pid_file"], encoding="utf-8") as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        now = time.time()
        proc = proc_sample(pid)
        if proc is None:
            continue  # down (killed, restarting)
        status, body = monitor.get("/metrics", timeout=5)
        m = metric_sums(body, SAMPLE_METRICS) if status == 200 else {}

        def mb(name):
            return "%.1f" % (m[name] / 1e6) if name in m else ""

        def n(name):
            return "%d" % m[name] if name in m else ""

        append_tsv(path, "%.3f" % now, pid, *proc,
                   "%.1f" % (dir_bytes(cfg["data"]) / 1e6),
                   mb("fraudgate_store_sst_bytes"),
                   mb("fraudgate_store_memtable_bytes"),
                   n("fraudgate_log_lines_dropped_total"),
                   n("fraudgate_in_flight_calls"))


# --------------------------------------------------------------------------
# check


class Checker:
    """Looks up what was acknowledged and counts what is missing."""

    def __init__(self, cfg, name):
        self.cfg = cfg
        self.name = name
        self.lost = []     # descriptions of acknowledged things not found
        self.errors = []   # lookups that failed for another reason
        self.lock = threading.Lock()
        self.entities = {}
        self.entity_calls = 0

    def lose(self, text):
        with self.lock:
            self.lost.append(text)

    def error(self, text):
        with self.lock:
            self.errors.append(text)

    def entity(self, kind, issuer, value):
        """The Entity JSON, None when NOT_FOUND, "error" otherwise."""
        key = (kind, issuer, value)
        with self.lock:
            if key in self.entities:
                return self.entities[key]
        result = "error"
        for attempt in range(4):
            rc, stdout, stderr, _, _ = fraudgate(
                self.cfg, ["entity", "--format=json",
                           *identifier_flags(kind, issuer, value)],
                timeout=20)
            with self.lock:
                self.entity_calls += 1
            if rc == 0:
                result = json.loads(stdout)
                break
            if "NOT_FOUND" in stderr:
                result = None
                break
            result = "error: " + one_line(stderr)
            time.sleep(1 + attempt)
        with self.lock:
            self.entities[key] = result
        return result


def ident_text(ident):
    if isinstance(ident, dict):
        ident = (ident.get("kind", ""), ident.get("issuer", ""),
                 ident.get("value", ""))
    return ":".join(x or "-" for x in ident)


def check_report_rows(chk, agency, report_id, rows, withdrawn):
    """Every row's identifier carries the report; withdrawn once the
    withdrawal was acknowledged."""
    identifiers = 0
    for row in rows:
        ident = (row["kind"], row["issuer"], row["value"])
        e = chk.entity(*ident)
        identifiers += 1
        what = "report %s/%s identifier %s" % (agency, report_id,
                                               ident_text(ident))
        if e is None:
            chk.lose(what + ": NOT_FOUND")
            continue
        if isinstance(e, str):
            chk.error(what + ": " + e)
            continue
        refs = {(r.get("agency"), r.get("report_id")): r.get("withdrawn", False)
                for r in e.get("reports", [])}
        if (agency, report_id) not in refs:
            chk.lose(what + ": entity %s lacks the report" %
                     ident_text(e["identifier"]))
        elif (agency, report_id) in withdrawn and not refs[(agency, report_id)]:
            chk.lose(what + ": acknowledged withdrawal not stored")
        actions = {h.get("action") for h in e.get("history", [])}
        if not actions & {"DELISTED", "WITHDRAWN"} and e.get("status") != "ACTIVE":
            chk.lose(what + ": status %s with no delisting in its history" %
                     e.get("status"))
    return identifiers


def cmd_check(args):
    cfg = load_config(args.out)
    out = cfg["out"]
    chk = Checker(cfg, args.name)
    started = time.time()
    since, until = args.since, args.until

    def in_range(t):
        return since < t <= until

    # Police: every acknowledged report in range; withdrawals and delists.
    uploads = read_tsv(os.path.join(out, "uploads.tsv"))
    withdraws = [w for w in read_jsonl(os.path.join(out, "withdraws.jsonl"))
                 if w["time"] <= until]
    withdrawn = {(w["agency"], w["report_id"]) for w in withdraws}
    delists = [d for d in read_jsonl(os.path.join(out, "delists.jsonl"))
               if in_range(d["time"])]
    reports = {}   # (agency, report_id) -> rows, of every chunk acked <= until
    checked = []   # reports to check: acked in range, or withdrawn in range
    for t, chunk, *_ in uploads:
        t = float(t)
        if t > until:
            continue
        for agency, report_id, rows in read_reports(os.path.join(out, chunk)):
            reports.setdefault((agency, report_id), []).extend(rows)
            if in_range(t):
                checked.append((agency, report_id))
    for w in withdraws:
        if in_range(w["time"]):
            checked.append((w["agency"], w["report_id"]))
    checked = list(dict.fromkeys(checked))
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        identifiers = sum(pool.map(
            lambda key: check_report_rows(chk, key[0], key[1],
                                          reports.get(key, []), withdrawn),
            checked))
    for d in delists:
        ident = d["identifier"]
        e = chk.entity(ident.get("kind"), ident.get("issuer", ""),
                       ident.get("value"))
        what = "delist %s of %s" % (d["reference"], ident_text(ident))
        if e is None:
            chk.lose(what + ": NOT_FOUND")
        elif isinstance(e, str):
            chk.error(what + ": " + e)
        elif not any(h.get("action") == "DELISTED" and
                     "(ref %s)" % d["reference"] in h.get("reason", "")
                     for h in e.get("history", [])):
            chk.lose(what + ": no DELISTED event with that reference")

    # The bench's blocklist, imported before the load: a sample.
    rng = random.Random(args.name)
    listed = listed_accounts(cfg, 10**7)
    for bank, account in rng.sample(listed, min(args.listed_sample, len(listed))):
        e = chk.entity("BANK_ACCOUNT", bank, account)
        if e is None:
            chk.lose("bench blocklist %s/%s: NOT_FOUND" % (bank, account))
        elif isinstance(e, str):
            chk.error("bench blocklist %s/%s: %s" % (bank, account, e))

    # Screenings: every acknowledged probe in range is a stored hit, unless
    # retention may have removed it.
    probes = [p for p in read_tsv(os.path.join(out, "probes.tsv"))
              if in_range(float(p[0]))]
    keep_s = 86400 * min(cfg["hit_retention_days"],
                         cfg["unmatched_retention_days"]) - 3600
    api = Https(cfg, "analyst")
    probes_checked = 0
    for t, transfer_id, bank, account, amount, decision, hit_id in probes:
        if time.time() - float(t) > keep_s:
            continue
        probes_checked += 1
        what = "screening %s (hit %s)" % (transfer_id, hit_id)
        for attempt in range(4):
            status, body = api.get("/api/hits/" + hit_id)
            if status in (200, 404):
                break
            time.sleep(1 + attempt)
        if status == 404:
            chk.lose(what + ": GetHit NOT_FOUND")
        elif status != 200:
            chk.error(what + ": GetHit answered %d %s" % (status, one_line(body)))
        else:
            hit = json.loads(body)
            if hit.get("transfer_id") != transfer_id or \
                    hit.get("decision") != decision:
                chk.lose(what + ": stored as %s %s" % (hit.get("transfer_id"),
                                                       hit.get("decision")))
    # The same transfer screened again answers the recorded hit (the
    # idempotency key survived): the last --rescreen acknowledged ones.
    rescreened = 0
    last = probes[-args.rescreen:] if args.rescreen > 0 else []
    for t, transfer_id, bank, account, amount, decision, hit_id in last:
        rc, stdout, stderr, _, _ = fraudgate(
            cfg, screen_args(transfer_id, bank, account, int(amount)),
            timeout=10)
        rescreened += 1
        what = "screening %s screened again" % transfer_id
        if rc != 0:
            chk.error(what + ": " + one_line(stderr))
        elif json.loads(stdout).get("hit_id") != hit_id:
            chk.lose(what + ": answered a new hit %s, not %s" %
                     (json.loads(stdout).get("hit_id"), hit_id))

    result = {
        "name": args.name, "time": time.time(), "since": since,
        "until": until, "seconds": round(time.time() - started, 1),
        "reports": len(checked), "identifiers": identifiers,
        "entity_calls": chk.entity_calls, "delists": len(delists),
        "withdraws": sum(1 for w in withdraws if in_range(w["time"])),
        "probes": probes_checked, "rescreened": rescreened,
        "lost": len(chk.lost), "errors": len(chk.errors)}
    append_json(os.path.join(out, "checks.jsonl"), result)
    with open(os.path.join(out, "lost.txt"), "a", encoding="utf-8") as f:
        for line in chk.lost:
            f.write("%s: LOST %s\n" % (args.name, line))
        for line in chk.errors:
            f.write("%s: UNCHECKED %s\n" % (args.name, line))
    print("check %s: %d reports (%d identifiers), %d delists, %d withdrawals, "
          "%d screenings, %d screened again: lost %d, unchecked %d (%.0f s)" % (
              args.name, result["reports"], identifiers, result["delists"],
              result["withdraws"], probes_checked, rescreened,
              result["lost"], result["errors"], result["seconds"]))
    return 0 if not chk.lost and not chk.errors else 1


# --------------------------------------------------------------------------
# analyze


CODE_NAMES = {1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT",
              4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND", 7: "PERMISSION_DENIED",
              8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 13: "INTERNAL",
              14: "UNAVAILABLE", 16: "UNAUTHENTICATED"}
UNAVAILABLE = 14


def fmt_time(t, t0):
    """Minutes:seconds since the load started."""
    return "%d:%02d" % divmod(int(round(t - t0)), 60)


def median(values):
    return statistics.median(values) if values else float("nan")


def codes_text(codes):
    return ", ".join("%s=%d" % (CODE_NAMES.get(c, c), n)
                     for c, n in sorted(codes.items())) or "none"


class Run:
    """What a soak left in its directory, read back for the verdict."""

    def __init__(self, out):
        self.cfg = load_config(out)
        self.out = out
        self.t0 = self.cfg["t0"]
        self.lives = [dict(epoch=int(e), pid=int(p), started=float(s),
                           ready=float(r))
                      for e, p, s, r in read_tsv(self.path("lives.tsv"))]
        self.kills = [dict(epoch=int(e), time=float(t))
                      for e, t in read_tsv(self.path("kills.tsv"))]
        # A restart window: from a kill until the next life is ready + grace.
        self.windows = []
        for k in self.kills:
            life = self.life_after(k["time"])
            ready = life["ready"] if life else float("inf")
            self.windows.append((k["time"], ready + self.cfg["restart_grace_s"]))
        bench = read_jsonl(self.path("bench.jsonl"))
        self.intervals = [b for b in bench if "interval" in b]
        self.final = next((b for b in bench if "mode" in b), None)
        self.end = max([i["to"] for i in self.intervals] or [time.time()])
        for i in self.intervals:
            i["restart"] = self.in_window(i["from"], i["to"])
        self.samples = self._read_samples()

    def path(self, name):
        return os.path.join(self.out, name)

    def life_after(self, t):
        return next((l for l in self.lives if l["started"] >= t), None)

    def in_window(self, start, end):
        """Whether [start, end] overlaps a restart window."""
        return any(start < w1 and end > w0 for w0, w1 in self.windows)

    def _read_samples(self):
        samples = []
        for row in read_tsv(self.path("samples.tsv"))[1:]:
            s = dict(time=float(row[0]), pid=int(row[1]), rss_kb=int(row[2]),
                     fds=int(row[3]), threads=int(row[4]),
                     table_fds=int(row[5]), socket_fds=int(row[6]),
                     deleted_fds=int(row[7]), data_mb=row[8], sst_mb=row[9],
                     memtable_mb=row[10], dropped=row[11])
            life = next((l for l in self.lives if l["pid"] == s["pid"]), None)
            if life is None:
                continue
            s["epoch"] = life["epoch"]
            s["steady"] = s["time"] - life["ready"] >= self.cfg["warmup_s"]
            # Table files are open while live: they follow the data.
            s["other_fds"] = s["fds"] - s["table_fds"]
            # Memtables hold what is not flushed yet, up to RocksDB's write
            # buffers per column family, and a kill -9 hands them to the next
            # life (replayed from the log): RSS is judged without them.
            s["net_rss_kb"] = (
                s["rss_kb"] - float(s["memtable_mb"]) * 1e6 / 1024
                if s["memtable_mb"] else None)
            samples.append(s)
        return samples


class Verdict:
    def __init__(self):
        self.failures = []
        self.not_judged = []

    def fail(self, text):
        self.failures.append(text)


def judge_screening(run, verdict):
    """Errors by code inside and outside restart windows: only UNAVAILABLE,
    and only inside them."""
    s = dict(ok=sum(i["ok"] for i in run.intervals), inside={}, outside={},
             late=sum(i.get("late_sends", 0) for i in run.intervals),
             unexpected=[])
    for i in run.intervals:
        codes = s["inside"] if i["restart"] else s["outside"]
        for code, n in i["error_codes"].items():
            codes[int(code)] = codes.get(int(code), 0) + n
        if i["errors"] and (not i["restart"] or
                            set(i["error_codes"]) - {str(UNAVAILABLE)}):
            s["unexpected"].append("%s: %s" % (fmt_time(i["to"], run.t0),
                                               i.get("last_error", "")))
    s["errors"] = sum(s["inside"].values()) + sum(s["outside"].values())
    if s["outside"]:
        verdict.fail("screening errors outside restart windows: %s" %
                     codes_text(s["outside"]))
    other = {c: n for c, n in s["inside"].items() if c != UNAVAILABLE}
    if other:
        verdict.fail("screening errors other than UNAVAILABLE in restart "
                     "windows: %s" % codes_text(other))
    return s


def make_blocks(run):
    """The run cut in blocks of block_s seconds (with the default schedule,
    each is one life of the server): calls, errors and the p99s of its
    intervals outside restart windows; maxima of its samples after warm-up."""
    block_s = run.cfg["block_s"]
    count = max(1, -(-run.cfg["minutes"] * 60 // block_s))
    blocks = []
    for b in range(count):
        lo, hi = run.t0 + b * block_s, run.t0 + (b + 1) * block_s
        if b == count - 1:
            hi = float("inf")  # and the load generator's last moments
        ss = [s for s in run.samples if lo <= s["time"] < hi and s["steady"]]
        ivs = [i for i in run.intervals if lo <= i["to"] < hi]
        span = (ss[-1]["time"] - ss[0]["time"]) if ss else 0

        def most(key):
            return max((s[key] for s in ss if s[key] is not None),
                       default=None)

        blocks.append(dict(
            lo=lo, hi=min(hi, run.end),
            eligible=span >= block_s / 2 - 2 * run.cfg["sample_every"],
            ok=sum(i["ok"] for i in ivs), errors=sum(i["errors"] for i in ivs),
            p99s=[i["p99_ms"] for i in ivs if not i["restart"] and i["ok"]],
            rss=most("net_rss_kb"), raw_rss=most("rss_kb"),
            fds=most("other_fds"), table_fds=most("table_fds"),
            threads=most("threads")))
    return blocks


def judge_flatness(run, blocks, verdict):
    """Every judged block's maxima within the first judged block's plus the
    tolerances; the limits, or {} when nothing could be judged."""
    eligible = [b for b in blocks if b["eligible"]]
    if len(eligible) < 2:
        verdict.not_judged.append(
            "RSS, fds and threads: %d block long enough, 2 needed (blocks "
            "are %d min: run at least %d min)" % (
                len(eligible), run.cfg["block_s"] // 60,
                2 * run.cfg["block_s"] // 60))
    if not eligible:
        return {}
    tol = run.cfg["tolerance"]
    ref = eligible[0]
    limits = {
        "rss": ref["rss"] * (1 + tol["rss_pct"] / 100) + tol["rss_mb"] * 1024,
        "fds": ref["fds"] * (1 + tol["fds_pct"] / 100) + tol["fds"],
        "threads": ref["threads"] + tol["threads"],
    }
    names = {"rss": ("RSS less memtables (MB)", 1024),
             "fds": ("fds other than table files", 1),
             "threads": ("threads", 1)}
    for b in eligible[1:]:
        for key, (name, unit) in names.items():
            if b[key] is not None and b[key] > limits[key]:
                verdict.fail("%s not flat: block %s-%s max %.0f > limit %.0f "
                             "(first block's max %.0f)" % (
                                 name, fmt_time(b["lo"], run.t0),
                                 fmt_time(b["hi"], run.t0), b[key] / unit,
                                 limits[key] / unit, ref[key] / unit))
    return limits


def judge_p99(run, blocks, verdict):
    """The median of the last block's 10 s p99s against the first's."""
    with_p99 = [b for b in blocks if len(b["p99s"]) >= 3]
    if len(with_p99) < 2:
        verdict.not_judged.append("the p99 trend: fewer than 2 blocks with "
                                  "p99s")
        return
    tol = run.cfg["tolerance"]
    first, last = median(with_p99[0]["p99s"]), median(with_p99[-1]["p99s"])
    bound = first * tol["p99_factor"] + tol["p99_ms"]
    if last > bound:
        verdict.fail("p99 trends up: median of the last block's 10 s p99s "
                     "%.2f ms > %.2f ms (first block %.2f ms)" % (
                         last, bound, first))


def judge_clients(run, verdict):
    """Every client operation (ops-*.tsv) by helper and op; failures outside
    restart windows fail the run."""
    stats, bad = {}, []
    for path in sorted(glob.glob(run.path("ops-*.tsv"))):
        helper = os.path.basename(path)[len("ops-"):-len(".tsv")]
        for row in read_tsv(path):
            start, end, op, rc = float(row[0]), float(row[1]), row[2], int(row[3])
            st = stats.setdefault("%s %s" % (helper, op),
                                  dict(n=0, failed=0, in_window=0, secs=[]))
            st["n"] += 1
            st["secs"].append(end - start)
            if rc == 0:
                continue
            if run.in_window(start, end):
                st["in_window"] += 1
            else:
                st["failed"] += 1
                bad.append("%s %s rc=%d %s" % (helper, op, rc,
                                               row[4] if len(row) > 4 else ""))
    if bad:
        verdict.fail("%d client operations failed outside restart windows "
                     "(first: %s)" % (len(bad), bad[0]))
    return stats


def judge_checks(run, verdict):
    checks = read_jsonl(run.path("checks.jsonl"))
    lost = sum(c["lost"] for c in checks)
    unchecked = sum(c["errors"] for c in checks)
    if lost:
        verdict.fail("lost = %d (see lost.txt)" % lost)
    if unchecked:
        verdict.fail("%d acknowledged items could not be checked (see "
                     "lost.txt)" % unchecked)
    if not any(c["name"] == "final" for c in checks):
        verdict.fail("the final check did not run (see checks.log)")
    after_kills = [c for c in checks if c["name"].startswith("restart-")]
    if len(after_kills) < len(run.kills):
        verdict.fail("%d of %d checks after a restart did not run (see "
                     "checks.log)" % (len(run.kills) - len(after_kills),
                                      len(run.kills)))
    return checks, lost


def judge_server_log(run, verdict):
    """Retention's removals during the load, store opening times, warnings
    and errors by event."""
    log = dict(removed=0, runs=0, levels={}, opens=[])
    if os.path.exists(run.path("server.log")):
        with open(run.path("server.log"), encoding="utf-8",
                  errors="replace") as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                try:
                    e = json.loads(line)
                except json.JSONDecodeError:
                    continue
                event = e.get("event")
                if event == "retention_done":
                    t = datetime.datetime.fromisoformat(
                        e["time"].replace("Z", "+00:00")).timestamp()
                    if t >= run.t0:
                        log["removed"] += e.get("removed", 0)
                        log["runs"] += 1
                elif event == "store_opened":
                    log["opens"].append(e.get("open_ms", 0))
                if e.get("level") in ("warning", "error"):
                    key = "%s %s" % (e["level"], event)
                    log["levels"][key] = log["levels"].get(key, 0) + 1
    if log["removed"] == 0:
        verdict.fail("retention removed nothing during the load (it was not "
                     "exercised)")
    for key, n in log["levels"].items():
        if key.startswith("error "):
            verdict.fail("the server logged %d x %s" % (n, key))
    return log


def judge_final_steps(run, verdict):
    """What run.sh recorded at the end (final.tsv), and restart times."""
    steps = {row[0]: row[1:] for row in read_tsv(run.path("final.tsv"))}
    for step in ("stop_clean", "audit_verify_copy", "backup_verify",
                 "backup_restore_audit"):
        if steps.get(step, ["1"])[0] != "0":
            verdict.fail("final step %s: %s" % (
                step, " ".join(steps.get(step, ["did not run"]))))
    slow = [l for l in run.lives
            if l["ready"] - l["started"] > run.cfg["ready_timeout_s"]]
    if slow:
        verdict.fail("%d restarts took over %d s" % (
            len(slow), run.cfg["ready_timeout_s"]))
    return steps


def write_timeseries(run):
    """timeseries.tsv: one row per 10 s interval of the load generator, with
    the process sample nearest to its end."""
    with open(run.path("timeseries.tsv"), "w", encoding="utf-8") as f:
        f.write("time\telapsed_s\tlife\trss_mb\tfds\ttable_fds\tthreads\t"
                "data_mb\tok\terrors\terror_codes\tp50_ms\tp99_ms\tmax_ms\t"
                "decision_block\tdecision_allow\trestart_window\n")
        for i in run.intervals:
            near = min(run.samples, key=lambda s: abs(s["time"] - i["to"]),
                       default=None)
            if near and abs(near["time"] - i["to"]) > run.cfg["sample_every"]:
                near = None
            sample = ([near["epoch"], "%.1f" % (near["rss_kb"] / 1024),
                       near["fds"], near["table_fds"], near["threads"],
                       near["data_mb"]] if near else [""] * 6)
            f.write("\t".join(str(x) for x in [
                "%.0f" % i["to"], "%.0f" % (i["to"] - run.t0), *sample,
                i["ok"], i["errors"],
                ",".join("%s:%s" % kv for kv in i["error_codes"].items()) or "-",
                i["p50_ms"], i["p99_ms"], i["max_ms"], i["block"], i["allow"],
                1 if i["restart"] else 0]) + "\n")


def summary_lines(run, verdict, screening, blocks, limits, clients, checks,
                  lost, log, steps):
    t0, cfg = run.t0, run.cfg
    lines = []
    say = lines.append
    say("soak summary: %s" % ("FAIL" if verdict.failures else "PASS"))
    say("  duration      %.1f min of load (from %s UTC), rate %d/s open loop, "
        "%d kill -9" % ((run.end - t0) / 60, time.strftime(
            "%Y-%m-%d %H:%M", time.gmtime(t0)), cfg["rate"], len(run.kills)))
    say("  screening     %d calls: %d OK, %d errors (in restart windows %s; "
        "outside %s); sends late by > 1 ms: %d" % (
            screening["ok"] + screening["errors"], screening["ok"],
            screening["errors"], codes_text(screening["inside"]),
            codes_text(screening["outside"]), screening["late"]))
    f = run.final
    if f:
        say("  whole run     p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max "
            "%.1f ms (OK calls, from intended send time); decisions ALLOW %d, "
            "WARN %d, HOLD %d, BLOCK %d" % (
                f["p50_ms"], f["p99_ms"], f["p999_ms"], f["max_ms"],
                f["allow"], f["warn"], f["hold"], f["block"]))
    for k, (w0, w1) in zip(run.kills, run.windows):
        unavailable = sum(i["error_codes"].get(str(UNAVAILABLE), 0)
                          for i in run.intervals
                          if i["restart"] and w0 - 10 < i["to"] <= w1 + 10)
        life = run.life_after(k["time"])
        say("  kill at %s   ready again after %.1f s; %d calls UNAVAILABLE "
            "(~%.1f s of load)" % (
                fmt_time(k["time"], t0),
                life["ready"] - k["time"] if life else float("nan"),
                unavailable, unavailable / cfg["rate"]))
    say("  per block     (10 s p99s outside restart windows: median / max; "
        "maxima of samples after %d s of warm-up; MB are MiB)" %
        cfg["warmup_s"])
    row = "    %-13s %9s %7s %16s %7s %10s %8s %8s %7s %s"
    say(row % ("block", "calls", "errors", "p99 ms med/max", "RSS MB",
               "-memtables", "fds-sst", "sst fds", "threads", ""))

    def cell(v, scale=None):
        if v is None:
            return "-"
        return "%.1f" % (v / scale) if scale else v

    for b in blocks:
        say(row % (
            "%s-%s" % (fmt_time(b["lo"], t0), fmt_time(b["hi"], t0)),
            b["ok"] + b["errors"], b["errors"],
            "%.2f / %.2f" % (median(b["p99s"]), max(b["p99s"]))
            if b["p99s"] else "-",
            cell(b["raw_rss"], 1024), cell(b["rss"], 1024), cell(b["fds"]),
            cell(b["table_fds"]), cell(b["threads"]),
            "" if b["eligible"] else "(too short to judge)"))
    if limits:
        tol = cfg["tolerance"]
        say("  flat limits   RSS less memtables %.1f MB, fds other than table "
            "files %.0f, threads %d (the first judged block's + %s%% + %s MB "
            "/ + %s%% + %s / + %s)" % (
                limits["rss"] / 1024, limits["fds"], limits["threads"],
                tol["rss_pct"], tol["rss_mb"], tol["fds_pct"], tol["fds"],
                tol["threads"]))
    ss = run.samples
    if ss:
        say("  samples       RSS first %.1f MB, last %.1f MB, max %.1f MB; fds "
            "first %d, last %d, max %d (table files %d, %d, %d; deleted but "
            "open: max %d); threads first %d, last %d, max %d" % (
                ss[0]["rss_kb"] / 1024, ss[-1]["rss_kb"] / 1024,
                max(s["rss_kb"] for s in ss) / 1024, ss[0]["fds"],
                ss[-1]["fds"], max(s["fds"] for s in ss), ss[0]["table_fds"],
                ss[-1]["table_fds"], max(s["table_fds"] for s in ss),
                max(s["deleted_fds"] for s in ss), ss[0]["threads"],
                ss[-1]["threads"], max(s["threads"] for s in ss)))
        say("  data dir      %s MB at the first sample, %s MB at the last" % (
            ss[0]["data_mb"], ss[-1]["data_mb"]))
    for key in sorted(clients):
        st = clients[key]
        say("  %-26s %5d runs, %d failed outside / %d inside restart windows, "
            "median %.2f s, max %.2f s" % (
                key, st["n"], st["failed"], st["in_window"],
                median(st["secs"]), max(st["secs"])))
    uploads = read_tsv(run.path("uploads.tsv"))
    say("  police        %d chunks acknowledged (%d reports new, %d unchanged "
        "on a retry), %d delists, %d withdrawals" % (
            len(uploads), sum(int(u[2]) for u in uploads),
            sum(int(u[3]) for u in uploads),
            len(read_jsonl(run.path("delists.jsonl"))),
            len(read_jsonl(run.path("withdraws.jsonl")))))
    say("  probes        %d screenings acknowledged" %
        len(read_tsv(run.path("probes.tsv"))))
    say("  retention     %d runs removed %d screenings during the load" % (
        log["runs"], log["removed"]))
    say("  store opens   %s ms (setup, then each life)" %
        ", ".join("%.0f" % x for x in log["opens"]))
    say("  server log    %s" % (", ".join(
        "%s=%d" % kv for kv in sorted(log["levels"].items())) or
        "no warnings"))
    for c in checks:
        say("  check %-12s %d reports, %d identifiers, %d delists, %d "
            "withdrawals, %d screenings, %d screened again: lost %d, "
            "unchecked %d (%.0f s)" % (
                c["name"], c["reports"], c["identifiers"], c["delists"],
                c["withdraws"], c["probes"], c["rescreened"], c["lost"],
                c["errors"], c["seconds"]))
    for step, v in steps.items():
        say("  %-22s rc=%s %s" % (step, v[0], " ".join(v[1:])))
    say("  lost = %d" % lost)
    for msg in screening["unexpected"][:5]:
        say("  unexpected screening error at %s" % msg)
    for text in verdict.not_judged:
        say("  NOT JUDGED: " + text)
    for text in verdict.failures:
        say("  FAIL: " + text)
    say("soak %s" % ("FAIL" if verdict.failures else "PASS"))
    return lines


def cmd_analyze(args):
    run = Run(args.out)
    verdict = Verdict()
    screening = judge_screening(run, verdict)
    blocks = make_blocks(run)
    limits = judge_flatness(run, blocks, verdict)
    judge_p99(run, blocks, verdict)
    clients = judge_clients(run, verdict)
    checks, lost = judge_checks(run, verdict)
    log = judge_server_log(run, verdict)
    steps = judge_final_steps(run, verdict)
    write_timeseries(run)
    text = "\n".join(summary_lines(run, verdict, screening, blocks, limits,
                                   clients, checks, lost, log, steps)) + "\n"
    with open(run.path("summary.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if verdict.failures else 0


# --------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("chunks")
    c.add_argument("--csv", required=True)
    c.add_argument("--dir", required=True)
    c.add_argument("--rows", type=int, required=True)
    for name in ("police", "probe", "analyst", "sample", "analyze"):
        sub.add_parser(name).add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--out", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--since", type=float, default=0.0)
    c.add_argument("--until", type=float, default=float("inf"))
    c.add_argument("--rescreen", type=int, default=0)
    c.add_argument("--listed-sample", type=int, default=50)
    c.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    handler = {"chunks": cmd_chunks, "police": cmd_police, "probe": cmd_probe,
               "analyst": cmd_analyst, "sample": cmd_sample,
               "check": cmd_check, "analyze": cmd_analyze}[args.command]
    sys.exit(handler(args) or 0)


if __name__ == "__main__":
    main()
