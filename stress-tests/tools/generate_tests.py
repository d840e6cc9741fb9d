# Generates the registry's jcstress test classes of stress-tests: one file per invariant
# (stress/registry/<Invariant>.java), the real test on top and its broken variants as nested classes,
# so that a real test and its broken twins carry identical @Outcome annotations. The invariant's
# sentence is read from buffer-core's package documentation.
# Run from stress-tests/: python3 tools/generate_tests.py
import os, textwrap
base = "src/main/java/io/github/buffercore/stress"

tests = {}

tests["SingleCreation"] = dict(
 result="IIII_Result", scenario="SingleCreationScenario",
 race="""Two requests for a playlist that does not exist yet race in {@code getOrCreate}; the second
 * also joins a client to a stream right after (the seed's {@code bufferingStream}). The registry holds
 * a pending placeholder while the initializer runs on the winning thread, so the loser waits for the
 * finished playlist instead of running the initializer again (the seed's lock gap) or receiving a
 * half-built one (the seed's {@code LoadOrStore}), and no blind store can wipe out the joined client.""",
 outcomes=[
  ('"1, 1, 0, 1"', "ACCEPTABLE", "The initializer ran once, both callers got the one registered, fully initialized playlist, and the joined client is in it."),
  ('"2, 2, 0, 1"', "FORBIDDEN", "Double creation: both callers saw no playlist and both ran the initializer (the seed's unlock-initialize-lock gap)."),
  ('"2, 2, 0, 0"', "FORBIDDEN", "Double creation, and the later store overwrote the playlist the client had joined: the client is lost."),
  ('"1, 2, 1, 1"', "FORBIDDEN", "Half-built playlist visible: one caller received the empty placeholder before the initializer finished (the seed's LoadOrStore)."),
  ('"1, 2, 1, 0"', "FORBIDDEN", "Half-built playlist visible and the client that joined it was wiped out by the blind store of the initialized one."),
  (None, "FORBIDDEN", "Any other combination breaks SingleCreation: more than one initializer run, more than one instance, a half-built instance seen, or a lost client."),
 ],
 actors=[("creator", "scenario.creator();"), ("joiner", "scenario.joiner();")],
 arbiter="scenario.arbiter(r);")

tests["NoLostUpdate"] = dict(
 result="III_Result", scenario="NoLostUpdateScenario",
 race="""Two {@code update}s of one playlist each raise its tuner limit (1) by one. The registry's
 * update is a compare-and-set loop on the playlist instance, so the update that loses the race is
 * applied again to the winner's result; a get-then-put (the seed's {@code updatePlaylistAtomic}:
 * Load, change, Store) lets the second store discard the first update.""",
 outcomes=[
  ('"2, 3, 3"', "ACCEPTABLE", "Actor 1's update applied first (limit 2), actor 2's to its result (limit 3): both kept."),
  ('"3, 2, 3"', "ACCEPTABLE", "Actor 2's update applied first (limit 2), actor 1's to its result (limit 3): both kept."),
  ('"2, 2, 2"', "FORBIDDEN", "Lost update: both updates read limit 1 and wrote 2; one of them vanished."),
  (None, "FORBIDDEN", "Any other combination means an update was lost, applied twice, or returned a result that is not what was stored."),
 ],
 actors=[("addTuner1", "r.r1 = scenario.addTuner();"), ("addTuner2", "r.r2 = scenario.addTuner();")],
 arbiter="scenario.arbiter(r);")

tests["JoinSurvivesCleanup"] = dict(
 result="IIII_Result", scenario="JoinSurvivesCleanupScenario",
 race="""A playlist without streams has been idle past {@code idleGrace} (manual ticker), so cleanup
 * would remove it; a client joins it at the same moment. The registry's cleanup decides removal inside
 * the same atomic compute that removes, re-checking the current state: either cleanup runs first
 * (the join then finds no playlist) or the join runs first (the playlist now has a stream and is
 * kept). The seed's cleanup reads the playlist, decides it is empty, then deletes the key
 * unconditionally, removing a client that joined in between.""",
 outcomes=[
  ('"1, 0, 1, 1"', "ACCEPTABLE", "The join came first: the cleanup saw the new stream and removed nothing; the client is in the registry."),
  ('"0, 1, -1, 0"', "ACCEPTABLE", "The cleanup came first and removed the idle playlist; the join then got PlaylistNotFoundException and holds no lease."),
  ('"1, 1, -1, 1"', "FORBIDDEN", "Joined client removed: the join returned a lease, yet the cleanup removed the playlist with the client in it."),
  (None, "FORBIDDEN", "Any other combination is an inconsistent order of join and cleanup (a removed playlist that still counts, a client counted twice, a refused join that left a client)."),
 ],
 actors=[("join", "r.r1 = scenario.join();"), ("cleanup", "r.r2 = scenario.cleanup();")],
 arbiter="scenario.arbiter(r);")

tests["LastLeaveVersusJoin"] = dict(
 result="III_Result", scenario="LastLeaveVersusJoinScenario",
 race="""The only client of a stream leaves ({@code streamGrace} 0, so the stream stops with it) while
 * a new client joins the same stream (one tuner). The registry decides both in one compute each:
 * either the join comes first (the stream is kept, with the joiner) or the leave comes first (the
 * stream stops and the joiner starts it again, a new generation). A release that reads "last client",
 * then removes the stream unconditionally removes it with the joiner inside.""",
 outcomes=[
  ('"1, 1, 1"', "ACCEPTABLE", "The join came first: the stream was kept, same generation, with the joiner as its only client."),
  ('"1, 0, 1"', "ACCEPTABLE", "The leave came first: the stream stopped and the joiner started it again as a new generation."),
  ('"-1, -1, 1"', "FORBIDDEN", "Stream removed with a client in it: the joiner holds a lease on a stream that no longer exists."),
  (None, "FORBIDDEN", "Any other combination breaks LastLeaveVersusJoin: a wrong client count, a refused join although the tuner was free, or a stream kept with no client and grace 0."),
 ],
 actors=[("leave", "scenario.leave();"), ("join", "r.r3 = scenario.join();")],
 arbiter="scenario.arbiter(r);")

tests["IdempotentRelease"] = dict(
 result="III_Result", scenario="IdempotentReleaseScenario",
 race="""One lease is closed by two threads at once, and one of them then joins a second client to
 * the same stream. The registry's lease flips its released flag with a compare-and-set, so exactly one
 * close removes the client; a check-then-set flag lets both closes through and the stream counts one
 * client too few (negative when it was the last).""",
 outcomes=[
  ('"1, 1, 1"', "ACCEPTABLE", "The client was removed exactly once; the stream has exactly the second client and holds one tuner."),
  ('"0, 1, 1"', "FORBIDDEN", "Double release: both closes removed a client, so the second client is not counted (the count went to -1, then 0)."),
  (None, "FORBIDDEN", "Any other combination means a close was lost or applied twice, or a count is negative or wrong."),
 ],
 actors=[("close", "scenario.closeFirst();"), ("closeAndJoin", "scenario.closeFirstAndJoin();")],
 arbiter="scenario.arbiter(r);")

tests["TunerLimit"] = dict(
 result="III_Result", scenario="TunerLimitScenario",
 race="""Two clients start two different new streams of a playlist with one free tuner (limit 2, one
 * in use). The registry checks the limit and adds the stream in one compute, so exactly one starts and
 * the other gets {@code TunerLimitExceededException}; a check followed by a separate increment lets
 * both see the free tuner and both start. The third column is the most tuners in use at any time, as
 * the listener heard it (started minus stopped streams) and as the final snapshot shows, so a start
 * that a second defence (the tuner pool) undoes afterwards is still seen.""",
 outcomes=[
  ('"1, 0, 2"', "ACCEPTABLE", "Actor 1's stream took the last tuner; actor 2 was refused with TunerLimitExceededException."),
  ('"0, 1, 2"', "ACCEPTABLE", "Actor 2's stream took the last tuner; actor 1 was refused with TunerLimitExceededException."),
  ('"1, 1, 3"', "FORBIDDEN", "Tuner limit exceeded: both streams started, three tuners in use with a limit of two."),
  ('{"1, 0, 3", "0, 1, 3"}', "FORBIDDEN", "Tuner limit exceeded for a while: a third stream was running (the listener heard it start) before it was undone; one client was refused in the end."),
  (None, "FORBIDDEN", "Any other combination breaks TunerLimit: both refused although a tuner was free, or a tuner count that does not match the streams started."),
 ],
 actors=[("start1", 'r.r1 = scenario.start("channel-1");'), ("start2", 'r.r2 = scenario.start("channel-2");')],
 arbiter="scenario.arbiter(r);")

broken = [
 # class, test, variant, what, failing outcome
 ("BrokenSingleCreationLockGap", "SingleCreation", "LockGapCreation", "the seed's \"before\": check under lock, unlock, initialize, lock, store", "2, 2, 0, *"),
 ("BrokenSingleCreationLoadOrStore", "SingleCreation", "LoadOrStoreThenStore", "the seed's \"after\": LoadOrStore of an empty playlist, initialize, blind Store", "1, 2, 1, *"),
 ("BrokenNoLostUpdate", "NoLostUpdate", "GetThenPutUpdate", "a get-then-put update (the seed's updatePlaylistAtomic)", "2, 2, 2"),
 ("BrokenJoinSurvivesCleanup", "JoinSurvivesCleanup", "UnconditionalRemoveCleanup", "the seed's cleanup: read, decide empty, unconditional Delete", "1, 1, -1, 1"),
 ("BrokenLastLeaveVersusJoin", "LastLeaveVersusJoin", "BlindLastLeave", "a release that reads \"last client\" and then removes the stream unconditionally", "-1, -1, 1"),
 ("BrokenIdempotentRelease", "IdempotentRelease", "NonIdempotentClose", "a check-then-set (non-idempotent) lease close", "0, 1, 1"),
 ("BrokenTunerLimit", "TunerLimit", "CheckThenIncrementTuner", "a check-then-increment tuner limit", "1, 1, 3"),
]

import re

def invariant_sentence(name):
    """The invariant's sentence, read from the package documentation (the one place it is written)."""
    text = open("../buffer-core/src/main/java/io/github/buffercore/package-info.java").read()
    m = re.search(r"<dt>\{@code %s\}</dt>\s*\*\s*<dd>(.*?)</dd>" % name, text, re.S)
    return re.sub(r"\s*\n\s*\*\s*", " ", m.group(1)).strip()

def wrap(text, prefix, width=100):
    words, lines, line = text.split(), [], prefix
    for w in words:
        if len(line) + 1 + len(w) > width and line.strip() != prefix.strip():
            lines.append(line); line = prefix + w
        else:
            line = line + ("" if line == prefix else " ") + w
    lines.append(line)
    return "\n".join(lines)

def render_class(t, cls, factory, indent, static):
    pad = " " * indent
    lines = [pad + "@JCStressTest"]
    for oid, exp, desc in t["outcomes"]:
        if oid:
            lines.append(f'{pad}@Outcome(id = {oid}, expect = {exp},\n{pad}    desc = "{desc}")')
        else:
            lines.append(f'{pad}@Outcome(expect = {exp},\n{pad}    desc = "{desc}")')
    lines.append(pad + "@State")
    lines.append(f"{pad}public {'static ' if static else ''}class {cls} {{\n")
    lines.append(f"{pad}  private final {t['scenario']} scenario = new {t['scenario']}({factory});\n")
    for name, body in t["actors"]:
        lines.append(pad + "  @Actor")
        lines.append(f"{pad}  public void {name}({t['result']} r) {{")
        lines.append(f"{pad}    {body}")
        lines.append(pad + "  }\n")
    lines.append(pad + "  @Arbiter")
    lines.append(f"{pad}  public void arbiter({t['result']} r) {{")
    lines.append(f"{pad}    {t['arbiter']}")
    lines.append(pad + "  }")
    return lines

for name, t in tests.items():
    variants = [b for b in broken if b[1] == name]
    imps = sorted(set(["io.github.buffercore.stress.RegistryFactory",
        f"io.github.buffercore.stress.scenario.{t['scenario']}",
        "org.openjdk.jcstress.annotations.Actor", "org.openjdk.jcstress.annotations.Arbiter",
        "org.openjdk.jcstress.annotations.JCStressTest", "org.openjdk.jcstress.annotations.Outcome",
        "org.openjdk.jcstress.annotations.State", f"org.openjdk.jcstress.infra.results.{t['result']}",
        "io.github.buffercore.stress.broken.RaceWindow"]
        + [f"io.github.buffercore.stress.broken.{v[2]}" for v in variants]))
    lines = ["package io.github.buffercore.stress.registry;\n",
             "import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;",
             "import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;\n"]
    lines += [f"import {i};" for i in imps]
    lines.append("")
    lines.append("/**")
    lines.append(wrap(f"<b>{{@code {name}}}</b>: {invariant_sentence(name)}", " * "))
    lines.append(" *")
    lines.append(f""" * <p>jcstress test of this invariant (the {{@code io.github.buffercore}} package documentation)
 * against the registry under test ({{@link RegistryFactory#REAL}}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>{t['race']}
 *
 * <p>Scenario and result columns: {{@link {t['scenario']}}}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */""")
    lines += render_class(t, name, "RegistryFactory.REAL", 0, False)
    for cls, test, variant, what, failing in variants:
        nested = "Broken" + variant
        lines.append("")
        lines.append(f"""  /**
   * Broken variant: {{@link {variant}}}, {what}. Must FAIL; expected forbidden outcome:
   * {{@code {failing}}}.
   */""")
        lines += render_class(t, nested, f"(streamGrace, idleGrace, ticker) ->\n        new {variant}(streamGrace, idleGrace, ticker, RaceWindow.SPIN)", 2, True)
        lines.append("  }")
    lines.append("}")
    open(f"{base}/registry/{name}.java", "w").write("\n".join(lines) + "\n")
    for b in variants:
        path = f"{base}/broken/{b[0]}.java"
        if os.path.exists(path):
            os.remove(path)
