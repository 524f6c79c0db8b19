#!/usr/bin/env python3
"""The support desk's points as weights of evidence, from `support_sim --dump` files.

    scripts/support-sim-points.py s16.jsonl s17.jsonl s18.jsonl

For each finding (an item's detail code; a date by its precision), its weight of evidence is
ln(P(finding | owner) / P(finding | impostor)), counted per ticket, the four impostor kinds
weighed alike, with half a ticket added to each count. Then the rules of README "How the points
were set": what says nothing and what every impostor knows is not fitted; matches are never
negative and contradictions never positive; a more specific match is never worth less than a
vaguer one; at most 2.5 nats for any finding and 1.6 for what a colleague or a phone thief could
have. Prints the points at 15 per nat, then fits on all but one file and judges the one left out
with those points (the judging of `crates/domain/src/support/evidence/mod.rs`: sum, caps,
corroboration, public-facts cap, `private_evidence_min`), for each file in turn.

Standard library only. The constants in `rules::points` are this output, rounded, with the
hand-set values listed in HAND below.
"""

import collections
import json
import math
import sys

KINDS = ("Owner", "Insider", "InsiderPhone", "SimSwapper", "Outsider")
SCALE = 15
# `support.owner_score` and `support.private_evidence_min` (the defaults).
OWNER_SCORE, PRIVATE_MIN = 65, 40
CAP, CAP_HELD = 2.5, 1.6
# Unknown outcomes, and what every impostor kind here knows: not fitted.
ZERO = {
    "contact_not_found", "contact_named_twice", "device_same_as_before", "device_unrecognised",
    "device_no_records", "place_vague", "place_no_records", "filed_from_new_network",
    "filed_from_shared_network", "date_unreadable", "email:bound_similar", "phone:bound_similar",
    "vouches_pending", "date_year_far", "phone:bound_now", "device_kind",
}
NEGATIVE = {
    "contact_silent", "contact_never_known", "device_never", "place_never", "place_network_never",
    "date_off", "date_year_off", "date_far", "filed_from_other_device",
}
# Set by hand (points): public facts, the current e-mail, the same browser version, and a
# finding without a single owner case.
HAND = {
    "nickname_current": 5, "nickname_pinyin": 5, "nickname_former": 3, "nickname_similar": 3,
    "nickname_none": -5, "org_member_now": 5, "org_member_short": 5, "org_similar": 3,
    "org_former_name": 3, "org_left": 3, "org_never": -10, "place_seen": 0,
    "phone:never_bound": -15, "email:never_bound": -15, "email:bound_now": 5,
    "filed_with_same_agent": 7,
    # No owner ticket in the data has it (0 of 2,052): kept at its earlier value.
    "device_system_fits": 4,
    # Contradictions no owner ticket has (a name the account never knew, a date four months off
    # or more, another account's device): kept at their earlier values, not the fit's -2.5 nats.
    "contact_never_known": -6, "date_year_off": -6, "date_off": -10, "date_far": -4, "filed_from_other_device": -12,
}
# What a colleague could know or a thief holding the owner's phone has.
HELD = {"filed_from_known_device", "filed_from_own_network", "place_home", "phone:bound_before"}
ORDER = [
    ["device_model", "device_specific", "device_common", "device_system_fits"],
    ["date_day", "date_month", "date_near", "date_close", "date_year"],
    ["contact_top", "contact_writes"],
]
PUBLIC_CLAIMS = {"nickname", "enterprise"}
CAPS = [(("phone", "email"), 30), (("contact",), 40), (("device",), 20), (("place",), 30),
        (("filed_from",), 24)]


def finding(claim, code, weight, claims):
    """The finding of an item: its code, a date's by its precision, an identifier's by claim."""
    if code in ("date_exact", "date_near", "date_far", "date_off"):
        n = len(claims.get("created_around", "").split("-"))
        if code == "date_exact":
            return {1: "date_year", 2: "date_month", 3: "date_day"}[n]
        if n == 1:
            return {"date_near": "date_year_near", "date_far": "date_year_far",
                    "date_off": "date_year_off"}.get(code, code)
        return code
    if claim in ("phone", "email"):
        return f"{claim}:{code}"
    return code


def fit(rows):
    n = collections.Counter()
    count = collections.defaultdict(collections.Counter)
    for r in rows:
        if r["score"] is None:
            continue
        n[r["kind"]] += 1
        for claim, code, weight in r["items"]:
            if claim in ("corroboration", "trusted_colleagues", "enterprise_admin"):
                continue
            # A frequent contact counts as the share of a first one its points were.
            share = weight / r["_top"] if code == "contact_top" else 1
            count[r["kind"]][finding(claim, code, 0, r["claims"])] += share
    nats = {}
    for f in {f for c in count.values() for f in c} | {f for o in ORDER for f in o}:
        p_owner = (count["Owner"][f] + 0.5) / (n["Owner"] + 1)
        p_imp = sum((count[k][f] + 0.5) / (n[k] + 1) for k in KINDS[1:]) / (len(KINDS) - 1)
        w = math.log(p_owner / p_imp)
        if f in ZERO or f in HAND:
            w = 0.0
        elif f in NEGATIVE:
            w = max(min(w, 0.0), -CAP)
        else:
            w = min(max(w, 0.0), CAP_HELD if f in HELD else CAP)
        nats[f] = w
    for order in ORDER:
        for i in range(len(order) - 2, -1, -1):
            nats[order[i]] = max(nats.get(order[i], 0.0), nats.get(order[i + 1], 0.0))
    points = {f: round(SCALE * w) for f, w in nats.items() if round(SCALE * w)}
    points.update(HAND)
    return points


def judge(r, points):
    """The recommendation of `mod.rs` for one dumped ticket under `points`."""
    items = []
    for claim, code, weight in r["items"]:
        if claim in ("corroboration", "trusted_colleagues", "enterprise_admin"):
            continue
        f = finding(claim, code, weight, r["claims"])
        p = points.get(f, 0)
        if code == "contact_top":
            # The dump carries the points scaled by rank and circle size; keep that shape.
            p = round(points.get("contact_top", 0) * weight / r["_top"])
        public = claim in PUBLIC_CLAIMS or code == "place_seen"
        ident = claim in ("phone", "email") and code != "bound_before"
        items.append([claim, code, p, "public" if public else "id" if ident else "private"])
    for claims, cap in CAPS:
        left = cap
        for it in items:
            if it[0] in claims and it[2] > 0:
                it[2] = min(it[2], left)
                left -= it[2]
    kinds = 0
    for kind in ("contact", "device", "created_around", "home", "filed_from", "binding"):
        total = sum(
            it[2] for it in items if it[2] > 0 and (
                it[0] == kind or (kind == "home" and it[1] == "place_home")
                or (kind == "binding" and it[1] == "bound_before")))
        kinds += total >= 7
    if kinds >= 2:
        items.append(["corroboration", "corroborated", min((kinds - 1) * 6, 18), "private"])
    total = sum(it[2] for it in items)
    score = max(0, min(100, total))
    beyond = any(it[3] != "public" and it[2] > 0 for it in items)
    if not beyond:
        score = min(score, 40)
    per = collections.defaultdict(int)
    for it in items:
        if it[3] == "private":
            per[it[0]] += it[2]
    private = sum(max(0, v) for v in per.values())
    return score >= OWNER_SCORE and beyond and private >= PRIVATE_MIN


def main(paths):
    data = {p: [json.loads(line) for line in open(p)] for p in paths}
    # The dumps' contact_top points are CONTACT_FIRST (or less) at the time of the dump.
    top = max((w for rows in data.values() for r in rows for _, c, w in r["items"]
               if c == "contact_top"), default=17)
    for rows in data.values():
        for r in rows:
            r["_top"] = top
    points = fit([r for rows in data.values() for r in rows])
    print("points (all files):")
    for f, p in sorted(points.items(), key=lambda x: -x[1]):
        print(f"  {f:28} {p:+d}")
    for held in paths:
        train = [r for p, rows in data.items() if p != held for r in rows]
        pts = fit(train)
        acc = collections.defaultdict(lambda: [0, 0])
        for r in data[held]:
            acc[r["kind"]][0] += 1
            acc[r["kind"]][1] += r["score"] is not None and judge(r, pts)
        print(f"held out {held}: " + "  ".join(
            f"{k} {100 * acc[k][1] / acc[k][0]:.1f} %" for k in KINDS if acc[k][0]))


if __name__ == "__main__":
    main(sys.argv[1:])
