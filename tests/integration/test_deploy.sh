#!/usr/bin/env bash
# The container image and the ECS task definitions, checked without building the
# image (no registry is reachable here): the Dockerfile is multi-stage on Debian,
# its runtime stage copies only the binary the build stage produces, installs
# exactly the runtime packages of scripts/deps.sh --runtime (which must hold the
# package of every library the binary links), runs as a user that is not root;
# deploy/ecs/*.json are valid JSON with one container per account and the fields
# docs/deployment.md names.
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"
command -v python3 >/dev/null || skip_test "python3 is needed to read the Dockerfile and the JSON"
src=$RD_SOURCE_DIR

bash "$src/scripts/deps.sh" --runtime >"$TMP/runtime" && [ -s "$TMP/runtime" ] && ok \
    || bad "scripts/deps.sh --runtime printed no package list"

# --- the Dockerfile ---
python3 - "$src/Dockerfile" "$TMP/runtime" <<'PY' && ok || bad "Dockerfile"
import re, shlex, sys
text = open(sys.argv[1]).read()
runtime = set(open(sys.argv[2]).read().split())
# instructions, continuation lines joined, comments dropped
lines, cur = [], ""
for raw in text.splitlines():
    s = raw.strip()
    if not cur and (not s or s.startswith("#")):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    lines.append(cur + s)
    cur = ""
stages = []
for l in lines:
    op, _, rest = l.partition(" ")
    op = op.upper()
    if op == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", rest.strip(), re.I)
        stages.append({"image": m.group(1), "name": (m.group(2) or "").lower(), "ins": []})
    else:
        assert stages, "an instruction before FROM: " + l
        stages[-1]["ins"].append((op, rest.strip()))
problems = []
def need(c, what):
    if not c: problems.append(what)
need(len(stages) >= 2, "not multi-stage: %d FROM" % len(stages))
for st in stages:
    need(st["image"].startswith("debian:"), "not a Debian base: " + st["image"])
build, run = stages[0], stages[-1]
# where the build stage builds: WORKDIR + cmake -B DIR
wd = [a for op, a in build["ins"] if op == "WORKDIR"]
bdir = None
for op, a in build["ins"]:
    m = re.search(r"cmake -S \S+ -B (\S+)", a) if op == "RUN" else None
    if m: bdir = m.group(1)
need(wd and bdir, "the build stage has no WORKDIR or no cmake -B")
product = "%s/%s/riskdesk" % (wd[-1].rstrip("/"), bdir) if wd and bdir else None
copies = [a for op, a in run["ins"] if op in ("COPY", "ADD")]
need(copies, "the runtime stage copies nothing")
for a in copies:
    words = shlex.split(a)
    frm = [w for w in words if w.startswith("--from=")]
    need(frm == ["--from=" + build["name"]], "runtime COPY not from the build stage: " + a)
    srcs = [w for w in words if not w.startswith("--")][:-1]
    need(srcs == [product], "runtime COPY of something else than the build's %s: %s" % (product, a))
need(not any(op == "ADD" for op, _ in run["ins"]), "ADD in the runtime stage")
# packages: exactly the runtime list, nothing -dev, no compiler
pk = set()
for op, a in run["ins"]:
    if op == "RUN":
        for part in re.split(r"&&|;", a):
            w = part.split()
            if "apt-get" in w and "install" in w:
                pk |= {x for x in w[w.index("install") + 1:] if not x.startswith("-")}
need(pk == runtime, "runtime packages %s, scripts/deps.sh --runtime says %s" % (sorted(pk), sorted(runtime)))
need(not any(p.endswith("-dev") or p in ("gcc", "clang", "cmake", "make") for p in pk), "build tools at runtime")
users = [a for op, a in run["ins"] if op == "USER"]
need(users and users[-1].split(":")[0] not in ("root", "0"), "the runtime stage runs as root: %s" % users)
for p in problems: print("   ", p)
sys.exit(1 if problems else 0)
PY

# --- the runtime list holds every library the binary links (this machine is Debian too) ---
if command -v readelf >/dev/null && command -v dpkg >/dev/null && command -v ldconfig >/dev/null; then
    missing=""
    for lib in $(readelf -d "$RD_BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
        [ -n "$path" ] || { missing="$missing $lib(unresolved)"; continue; }
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
        # the sanitizers' runtimes come with a sanitized test build, never with the image's
        case $pkg in libc6 | "" | libasan* | libubsan* | liblsan* | libtsan*) continue ;; esac
        grep -qw -- "$pkg" "$TMP/runtime" || missing="$missing $lib($pkg)"
    done
    [ -z "$missing" ] && ok || bad "libraries the binary links whose packages the image lacks:$missing"
else
    echo "note: readelf, dpkg or ldconfig missing: the binary's libraries not checked against the list"
fi

# --- the task definitions ---
python3 - "$src/deploy/ecs" "$src/docs/deployment.md" <<'PY' && ok || bad "task definitions"
import glob, json, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
doc = open(sys.argv[2]).read()
problems = []
def need(c, what):
    if not c: problems.append(what)
need(len(files) >= 2, "fewer than two task definitions: %s" % files)
tiers, families = [], []
for f in files:
    name = os.path.basename(f)
    try:
        t = json.load(open(f))
    except ValueError as e:
        problems.append("%s: not JSON: %s" % (name, e)); continue
    need(name in doc, "docs/deployment.md does not name " + name)
    for k in ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities",
              "cpu", "memory", "containerDefinitions"):
        need(k in t, "%s: no %s" % (name, k))
    families.append(t.get("family"))
    cds = t.get("containerDefinitions", [])
    need(len(cds) == 1, "%s: one container per service, found %d" % (name, len(cds)))
    for c in cds:
        env = {e["name"]: e["value"] for e in c.get("environment", [])}
        need(env.get("RUN_MODE") in ("ONCE", "LOOP"), "%s: RUN_MODE %r" % (name, env.get("RUN_MODE")))
        need("MODE" not in env, "%s: MODE (the originals' misspelling of RUN_MODE)" % name)
        tier = env.get("ACCOUNT_TIER")
        need(tier in ("tiny", "small", "medium", "large"), "%s: ACCOUNT_TIER %r" % (name, tier))
        need(t.get("family", "").endswith("-" + str(tier)), "%s: family %r for tier %r" % (name, t.get("family"), tier))
        tiers.append(tier)
        need(env.get("EXECUTION_MODE") in ("SIMULATED", "ALPACA_PAPER", "ALPACA_LIVE"), "%s: EXECUTION_MODE" % name)
        for k in env:
            need(not any(w in k for w in ("KEY", "SECRET", "PASSWORD", "TOKEN")) and
                 not env[k].startswith("postgres"), "%s: %s in plain environment" % (name, k))
        sec = c.get("secrets", [])
        need(sec and all(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in sec),
             "%s: secrets not from Secrets Manager: %s" % (name, sec))
        names = {s["name"] for s in sec}
        need({"ALPACA_PAPER_API_KEY", "ALPACA_PAPER_SECRET_KEY", "RISKDESK_DATABASE_URL"} <= names,
             "%s: secrets %s" % (name, sorted(names)))
        hc = c.get("healthCheck", {})
        need(hc.get("command", [""])[0] in ("CMD", "CMD-SHELL") and all(k in hc for k in ("interval", "timeout", "retries", "startPeriod")),
             "%s: healthCheck %s" % (name, hc))
        rp = c.get("restartPolicy", {})
        need(rp.get("enabled") is True, "%s: restartPolicy %s" % (name, rp))
        need(c.get("essential") is True and c.get("stopTimeout", 0) >= 30, "%s: essential/stopTimeout" % name)
        need(c.get("user") not in (None, "root", "0") and not str(c.get("user")).startswith("0:"), "%s: user %r" % (name, c.get("user")))
        need("logConfiguration" in c, "%s: no logConfiguration" % name)
need(len(set(tiers)) == len(tiers), "two services for one account tier: %s" % tiers)
need(len(set(families)) == len(families), "two task definitions of one family: %s" % families)
for p in problems: print("   ", p)
sys.exit(1 if problems else 0)
PY

finish
